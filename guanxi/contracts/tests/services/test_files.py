from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.contracts.models import ContractFile
from guanxi.contracts.services import contract_file_attach
from guanxi.contracts.services.files import (
    FILE_NAME_MISMATCH,
    FILE_TOO_LARGE,
    FILE_TYPE_REFUSED,
    file_path,
    sniff_kind,
)
from guanxi.contracts.tests.factories import make_contract
from guanxi.platform.exceptions import ValidationError

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def _office(member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<x/>")
    return buffer.getvalue()


def test_sniffing() -> None:
    assert sniff_kind(PDF[:16], PDF) == "pdf"
    assert sniff_kind(PNG[:16], PNG) == "png"
    assert sniff_kind(JPG[:16], JPG) == "jpg"
    docx, xlsx = _office("word/document.xml"), _office("xl/workbook.xml")
    assert sniff_kind(docx[:16], docx) == "docx"
    assert sniff_kind(xlsx[:16], xlsx) == "xlsx"
    assert sniff_kind(EXE[:16], EXE) is None
    plain_zip = _office("readme.txt")
    assert sniff_kind(plain_zip[:16], plain_zip) is None
    assert sniff_kind(b"PK\x03\x04broken", b"PK\x03\x04broken") is None


def test_attach_download_and_refusals(org, settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path
    contract = make_contract(owner=org.east_rep)
    item = contract_file_attach(
        actor=org.east_rep, contract=contract, name="合同扫描件.pdf", content=PDF
    )
    assert item.kind == "pdf" and item.size == len(PDF)
    assert file_path(item).read_bytes() == PDF
    assert str(tmp_path) in str(file_path(item))
    contract_file_attach(
        actor=org.east_rep, contract=contract, name="报价.xlsx", content=_office("xl/workbook.xml")
    )
    for name, content, message in (
        ("invoice.pdf", EXE, FILE_TYPE_REFUSED),  # a renamed .exe
        ("setup.exe", EXE, FILE_TYPE_REFUSED),
        ("photo.pdf", PNG, FILE_NAME_MISMATCH % {"ext": "pdf"}),
    ):
        with pytest.raises(ValidationError) as caught:
            contract_file_attach(actor=org.east_rep, contract=contract, name=name, content=content)
        assert caught.value.field_errors["file"] == [str(message)]
    settings.GUANXI_CONTRACT_FILE_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as caught:
        contract_file_attach(
            actor=org.east_rep,
            contract=contract,
            name="big.pdf",
            content=PDF + b"0" * (1024 * 1024),
        )
    assert caught.value.field_errors["file"] == [str(FILE_TOO_LARGE) % {"max": 1}]
    assert ContractFile.objects.count() == 2

    url = reverse("contracts:file_download", args=[contract.pk, item.pk])
    owner = Client()
    owner.force_login(org.east_rep)
    response = owner.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    outsider = Client()
    outsider.force_login(org.west_rep)
    assert outsider.get(url).status_code == 404


def test_upload_page_refuses_renamed_exe(org, settings, tmp_path) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_DIR = tmp_path
    contract = make_contract(owner=org.east_rep)
    client = Client()
    client.force_login(org.east_rep)
    url = reverse("contracts:file_upload", args=[contract.pk])
    response = client.post(url, {"file": SimpleUploadedFile("合同.pdf", EXE)})
    assert response.status_code == 422
    assert 'data-testid="error-file"' in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("合同.pdf", PDF)})
    assert response.status_code == 302
    assert ContractFile.objects.get().name == "合同.pdf"
