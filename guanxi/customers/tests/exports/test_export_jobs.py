"""Exports as jobs: progress, the file for its requester only, the audit entry with the count."""

from __future__ import annotations

import io

import openpyxl
import pytest

from guanxi.customers.exports import export_start
from guanxi.customers.services import contact_create, customer_create
from guanxi.platform.exceptions import PermissionDenied
from guanxi.platform.models import AuditEntry, Job


def _download(client, job) -> bytes:
    response = client.get(f"/customers/exports/{job.pk}/download/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.jobs
@pytest.mark.django_db(transaction=True)
def test_xlsx_export_job_through_the_real_queue(org, real_queue, client):
    for index in range(5):
        customer_create(actor=org.east_rep, name=f"张三科技{index}")
    customer_create(actor=org.admin, name="总部客户")  # outside the manager's scope

    job = export_start(actor=org.manager, kind="customers", format="xlsx", filters={})
    assert real_queue() == 1

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.percent == 100 and job.done == job.total == 5
    assert job.result["count"] == 5
    client.force_login(org.manager)
    page = client.get(f"/platform/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-download"' in page
    sheet = openpyxl.load_workbook(io.BytesIO(_download(client, job))).active
    names = sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == [f"张三科技{index}" for index in range(5)]

    entry = AuditEntry.objects.get(action="customers.customer.exported")
    assert entry.actor == org.manager
    assert entry.changes["format"] == "xlsx" and entry.changes["count"] == 5

    client.force_login(org.admin)  # anyone else, even an admin, gets 404
    assert client.get(f"/customers/exports/{job.pk}/download/").status_code == 404


@pytest.mark.django_db
def test_list_buttons_start_a_job_with_the_lists_filters(
    client, org, django_capture_on_commit_callbacks
):
    customer_create(actor=org.east_rep, name="张三科技", grade="A")
    customer_create(actor=org.east_rep, name="李四贸易", grade="B")
    client.force_login(org.manager)
    page = client.get("/customers/?grade=A").content.decode()
    assert 'data-testid="customer-export-xlsx"' in page
    assert 'data-testid="customer-export-pdf"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/customers/export/xlsx/?grade=A")

    job = Job.objects.get()
    assert response.status_code == 302 and response.url == f"/platform/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result["count"] == 1
    sheet = openpyxl.load_workbook(io.BytesIO(_download(client, job))).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["张三科技"]
    assert AuditEntry.objects.get(action="customers.customer.exported").changes["filters"] == {
        "grade": ["A"]
    }


@pytest.mark.django_db
def test_pdf_of_one_customer_and_vcards_of_the_contact_list(
    client, org, django_capture_on_commit_callbacks
):
    customer = customer_create(actor=org.east_rep, name="张三科技")
    contact_create(actor=org.east_rep, customer=customer, name="李经理", phones=["13900001111"])
    client.force_login(org.manager)
    assert (
        'data-testid="customer-export-pdf"'
        in client.get(f"/customers/{customer.pk}/").content.decode()
    )
    assert 'data-testid="contact-export-vcf"' in client.get("/customers/contacts/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/customers/{customer.pk}/export.pdf")
        client.post("/customers/contacts/export/vcf/")

    pdf_job, vcf_job = Job.objects.order_by("created_at")
    assert _download(client, pdf_job).startswith(b"%PDF-")
    response = client.get(f"/customers/exports/{vcf_job.pk}/download/")
    assert response["Content-Type"].startswith("text/vcard")
    assert "FN:李经理" in b"".join(response.streaming_content).decode()


@pytest.mark.django_db
def test_exports_without_the_permission_are_forbidden(client, org):
    customer = customer_create(actor=org.east_rep, name="张三科技")
    with pytest.raises(PermissionDenied):
        export_start(actor=org.east_rep, kind="customers", format="xlsx", filters={})
    client.force_login(org.east_rep)
    page = client.get("/customers/").content.decode()
    assert 'data-testid="customer-export-xlsx"' not in page
    assert client.post("/customers/export/xlsx/").status_code == 403
    assert client.post("/customers/contacts/export/vcf/").status_code == 403
    assert client.post(f"/customers/{customer.pk}/export.pdf").status_code == 403
    assert not Job.objects.exists()
    assert not AuditEntry.objects.filter(action="customers.customer.exported").exists()


@pytest.mark.django_db
def test_unknown_formats_and_unfinished_jobs_are_not_found(client, org):
    client.force_login(org.manager)
    assert client.post("/customers/export/exe/").status_code == 302  # back to the list
    assert client.post("/customers/contacts/export/pdf/").status_code == 302
    assert not Job.objects.exists()
    job = export_start(actor=org.manager, kind="customers", format="xlsx", filters={})
    assert client.get(f"/customers/exports/{job.pk}/download/").status_code == 404
    assert client.get("/customers/exports/not-a-uuid/download/").status_code == 404


@pytest.mark.django_db
def test_a_pdf_of_too_many_customers_is_refused_before_any_job(client, org, monkeypatch):
    from guanxi.customers import exports

    monkeypatch.setattr(exports, "PDF_MAX_ROWS", 2)
    for index in range(3):
        customer_create(actor=org.east_rep, name=f"客户{index}")
    client.force_login(org.manager)

    response = client.post("/customers/export/pdf/", follow=True)

    assert response.redirect_chain[-1][0] == "/customers/"
    assert "XLSX" in response.content.decode()
    assert not Job.objects.exists()
    # XLSX has no such limit
    assert export_start(actor=org.manager, kind="customers", format="xlsx", filters={})
