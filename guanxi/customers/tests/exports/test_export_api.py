"""POST /api/v1/exports -> 202 with a job; GET it until done; the requester downloads."""

from __future__ import annotations

import io

import openpyxl
import pytest

from guanxi.customers.services import customer_create
from guanxi.platform.models import AuditEntry
from guanxi.platform.testing.api_client import assert_problem


@pytest.mark.jobs
@pytest.mark.django_db(transaction=True)
def test_api_export_202_then_done_then_download_and_404_for_others(org, api_as, real_queue):
    customer_create(actor=org.east_rep, name="张三科技", grade="A")
    customer_create(actor=org.east_rep, name="李四贸易", grade="B")
    manager = api_as(org.manager)

    started = manager.post(
        "/api/v1/exports", {"kind": "customers", "format": "xlsx", "filters": {"grade": "A"}}
    )
    assert started.status_code == 202, started.content
    job_id = started.json()["id"]
    assert started.json()["download_url"] is None
    real_queue()

    status = manager.get(f"/api/v1/exports/{job_id}")
    body = status.json()
    assert body["status"] == "succeeded" and body["percent"] == 100 and body["count"] == 1
    assert body["download_url"].endswith(f"/api/v1/exports/{job_id}/download")

    download = manager.get(f"/api/v1/exports/{job_id}/download")
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["张三科技"]
    entry = AuditEntry.objects.get(action="customers.customer.exported")
    assert entry.changes["count"] == 1 and entry.changes["filters"] == {"grade": "A"}

    other = api_as(org.admin)
    assert_problem(other.get(f"/api/v1/exports/{job_id}"), 404)
    assert_problem(other.get(f"/api/v1/exports/{job_id}/download"), 404)


@pytest.mark.django_db
def test_api_export_without_permission_is_403_and_bad_format_is_400(org, api_as):
    assert_problem(
        api_as(org.east_rep).post("/api/v1/exports", {"kind": "customers", "format": "csv"}), 403
    )
    response = api_as(org.manager).post("/api/v1/exports", {"kind": "customer", "format": "xlsx"})
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.django_db
def test_api_export_of_a_customer_outside_scope_is_404(org, api_as):
    customer = customer_create(actor=org.admin, name="总部客户")
    response = api_as(org.manager).post(
        "/api/v1/exports", {"kind": "customer", "format": "pdf", "customer_id": customer.pk}
    )
    assert_problem(response, 404)
