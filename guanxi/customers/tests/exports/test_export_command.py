"""`guanxi export customers --format xlsx --filter grade=A --as USER --output PATH`."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from guanxi.customers.services import customer_create
from guanxi.platform.models import AuditEntry, Job


@pytest.mark.jobs
@pytest.mark.django_db(transaction=True)
def test_the_command_exports_the_users_scope_with_filters(org, real_queue, tmp_path):
    customer_create(actor=org.east_rep, name="张三科技", grade="A")
    customer_create(actor=org.east_rep, name="李四贸易", grade="B")
    customer_create(actor=org.admin, name="总部客户", grade="A")  # outside the manager's scope
    target = tmp_path / "out.xlsx"
    out = io.StringIO()

    call_command(
        "export", "customers", "--format", "xlsx", "--filter", "grade=A", "--as", "manager",
        "--output", str(target), stdout=out,
    )  # fmt: skip

    sheet = openpyxl.load_workbook(target).active
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["张三科技"]
    assert "1 行 / rows" in out.getvalue()
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED and job.percent == 100
    assert AuditEntry.objects.get(action="customers.customer.exported").changes["count"] == 1


@pytest.mark.django_db
def test_the_command_refuses_users_without_the_permission_and_bad_filters(org):
    with pytest.raises(CommandError):
        call_command("export", "customers", "--format", "csv", "--as", "east1")
    with pytest.raises(CommandError):
        call_command("export", "customers", "--filter", "grade", "--as", "manager")
    with pytest.raises(CommandError):
        call_command("export", "customers", "--format", "vcf", "--as", "manager")
