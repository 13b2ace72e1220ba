"""The import size limit, applied while an upload arrives, not after it has landed.

Django parses a multipart body before a view runs and stores each file whole (in
memory up to FILE_UPLOAD_MAX_MEMORY_SIZE, else in a temporary file), so a check in
the view comes after a 2 GB upload has been written to disk. `limit_import_upload`
puts `ImportUploadLimit` in front of the request's upload handlers: it counts a
file's bytes as they arrive and, past the limit, drops the rest (the parser reads
it and throws it away) and hands the view a `TooLargeUpload` in the file's place,
whose size is what arrived. `import_upload_store` refuses it with the usual message.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse

from guanxi.platform.imports.reading import max_import_bytes


class TooLargeUpload(UploadedFile):
    """Stands for an upload cut off at the limit: no content, `size` = bytes received."""

    is_over_limit = True

    def __init__(self, name: str, content_type: str, size: int) -> None:
        super().__init__(BytesIO(), name=name, content_type=content_type, size=size)


class ImportUploadLimit(FileUploadHandler):
    """Counts each file's bytes; past the import limit, swallows the rest of it."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = max_import_bytes()
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received = start + len(raw_data)
        if self.received > self.limit:
            return None  # the handlers after this one never see it
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received <= self.limit:
            return None  # the next handler (memory or temporary file) completes it
        for handler in getattr(self.request, "upload_handlers", []):
            partial = getattr(handler, "file", None)
            if handler is not self and partial is not None and hasattr(partial, "close"):
                partial.close()  # what they got before the limit (a temporary file is deleted)
        return TooLargeUpload(self.file_name or "", self.content_type or "", self.received)


def limit_import_upload(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a view that receives an import file (before anything reads the body;
    for a CSRF-protected view: csrf_exempt outside this, csrf_protect inside)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            request.upload_handlers.insert(0, ImportUploadLimit(request))
        return view(request, *args, **kwargs)

    return wrapper
