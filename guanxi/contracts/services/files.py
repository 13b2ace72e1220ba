"""Contract attachments: size-limited, type-checked by their content, kept under
GUANXI_DATA_DIR/contracts/<contract id>/ with a random name."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.contracts.models import Contract, ContractFile
from guanxi.contracts.permissions import CHANGE_CONTRACT
from guanxi.contracts.services.contracts import CONTRACT_NOT_FOUND
from guanxi.customers.services._common import INVALID_INPUT, require_permission
from guanxi.platform.audit import audit_record
from guanxi.platform.exceptions import NotFound, ValidationError
from guanxi.platform.versioning import lock_current

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
ALLOWED_KINDS = ("pdf", "docx", "xlsx", "jpg", "png")
EXTENSION_KINDS = {
    "pdf": "pdf",
    "docx": "docx",
    "xlsx": "xlsx",
    "jpg": "jpg",
    "jpeg": "jpg",
    "png": "png",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}
FILE_TOO_LARGE = _("The file is larger than %(max)s MB.")
FILE_EMPTY = _("The file is empty.")
FILE_TYPE_REFUSED = _("Only PDF, Word (.docx), Excel (.xlsx), JPEG and PNG files can be attached.")
FILE_NAME_MISMATCH = _("The file's content does not match its name (.%(ext)s).")
FILE_NOT_FOUND = _("This file does not exist or you cannot see it.")


def max_file_bytes() -> int:
    return int(getattr(settings, "GUANXI_CONTRACT_FILE_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff_kind(head: bytes, data: bytes | None = None) -> str | None:
    """The file type from its first bytes (and, for Office files, the zip's members)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04") and data is not None:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def storage_root() -> Path:
    return Path(settings.DATA_DIR) / "contracts"


def file_path(item: ContractFile) -> Path:
    return storage_root() / item.storage_path


def _clean_name(name: str) -> str:
    base = Path(str(name or "").replace("\\", "/")).name.replace("\x00", "").strip()
    return base[-200:] or "file"


@transaction.atomic
def contract_file_attach(
    *, actor: Any, contract: Contract, name: str, content: Any
) -> ContractFile:
    """Attach `content` (bytes or a file object) as `name`. Refused unless it is a PDF,
    DOCX, XLSX, JPEG or PNG by content (a renamed .exe is refused) and within the size
    limit (setting GUANXI_CONTRACT_FILE_MAX_BYTES, 20 MB by default)."""
    require_permission(actor, CHANGE_CONTRACT)
    current = lock_current(contract)
    if current.deleted_at is not None:
        raise NotFound(str(CONTRACT_NOT_FOUND))
    limit = max_file_bytes()
    size = getattr(content, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            str(INVALID_INPUT),
            field_errors={"file": [str(FILE_TOO_LARGE) % {"max": limit // (1024 * 1024)}]},
        )
    is_bytes = isinstance(content, bytes | bytearray)
    data = bytes(content) if is_bytes else content.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            str(INVALID_INPUT),
            field_errors={"file": [str(FILE_TOO_LARGE) % {"max": limit // (1024 * 1024)}]},
        )
    if not data:
        raise ValidationError(str(INVALID_INPUT), field_errors={"file": [str(FILE_EMPTY)]})
    kind = sniff_kind(data[:16], data)
    if kind is None:
        raise ValidationError(str(INVALID_INPUT), field_errors={"file": [str(FILE_TYPE_REFUSED)]})
    clean_name = _clean_name(name)
    extension = clean_name.rsplit(".", 1)[-1].lower() if "." in clean_name else ""
    if EXTENSION_KINDS.get(extension) != kind:
        raise ValidationError(
            str(INVALID_INPUT),
            field_errors={"file": [str(FILE_NAME_MISMATCH) % {"ext": extension or "?"}]},
        )
    relative = f"{current.pk}/{uuid.uuid4().hex}.{kind}"
    target = storage_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    item = ContractFile.objects.create(
        contract=current,
        name=clean_name,
        kind=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_path=relative,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="contracts.file.attached",
        instance=current,
        changes={"file": item.pk, "name": clean_name, "size": len(data), "kind": kind},
    )
    return item


@transaction.atomic
def contract_file_delete(*, actor: Any, item: ContractFile) -> ContractFile:
    """Remove an attachment from the contract (the row and bytes stay for the audit)."""
    require_permission(actor, CHANGE_CONTRACT)
    row = ContractFile.objects.select_for_update().filter(pk=item.pk).first()
    if row is None or row.deleted_at is not None:
        raise NotFound(str(FILE_NOT_FOUND))
    row.deleted_at = timezone.now()
    row.deleted_by = actor if getattr(actor, "pk", None) else None
    row.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    audit_record(
        actor=actor,
        action="contracts.file.removed",
        instance=row.contract,
        changes={"file": row.pk, "name": row.name},
    )
    return row


QUOTE_MISSING = _("This contract was not made from a quote you can see.")


@transaction.atomic
def contract_file_attach_quote_pdf(*, actor: Any, contract: Contract) -> ContractFile:
    """Attach the PDF of the quote the contract was made from: its latest saved PDF,
    or a new one saved with the quote now (sales.services.quote_pdf_save)."""
    from guanxi.sales.selectors import quote_get
    from guanxi.sales.services import quote_pdf_save

    if not contract.quote_id:
        raise ValidationError(str(QUOTE_MISSING), field_errors={"file": [str(QUOTE_MISSING)]})
    try:
        quote = quote_get(actor=actor, quote_id=contract.quote_id)
    except NotFound as error:
        raise ValidationError(
            str(QUOTE_MISSING), field_errors={"file": [str(QUOTE_MISSING)]}
        ) from error
    document = quote.pdfs.order_by("-created_at", "-id").first()
    if document is None:
        document = quote_pdf_save(actor=actor, quote=quote)
    with document.file.open("rb") as handle:
        content = handle.read()
    return contract_file_attach(
        actor=actor, contract=contract, name=f"{quote.number}.pdf", content=content
    )
