"""Exports obey the same scope and masking as the pages, neutralise formulas,
need their own permission and are recorded in the audit log."""

from __future__ import annotations

import csv
import io

import pytest

from guanxi.customers.exports import customer_export_csv
from guanxi.customers.selectors import CustomerFilter
from guanxi.customers.services import customer_create
from guanxi.platform.exceptions import PermissionDenied
from guanxi.platform.exports import neutralise_cell
from guanxi.platform.models import AuditEntry

pytestmark = pytest.mark.django_db


def _read(lines) -> list[list[str]]:
    text = "".join(lines)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("=1+1", "'=1+1"), ("+86", "'+86"), ("-5", "'-5"), ("@SUM", "'@SUM"), ("\tx", "'\tx"),
     ("张三", "张三"), ("", ""), (None, "")],
)  # fmt: skip
def test_cells_that_spreadsheets_would_evaluate_are_neutralised(raw, expected):
    assert neutralise_cell(raw) == expected


def test_manager_exports_only_customers_in_scope_with_formulas_neutralised(org):
    customer_create(actor=org.east_rep, name='=HYPERLINK("x")', phones=["13812345678"])
    customer_create(actor=org.west_rep, name="西部客户")
    customer_create(actor=org.admin, name="总部客户")  # HQ team: outside the manager's subtree

    rows = _read(customer_export_csv(actor=org.manager, filters=CustomerFilter()))

    names = [row[1] for row in rows[1:]]
    assert sorted(names) == sorted(['\'=HYPERLINK("x")', "西部客户"])
    assert rows[1][8] == "13812345678" or rows[2][8] == "13812345678"
    entry = AuditEntry.objects.get(action="customers.customer.exported")
    assert entry.actor == org.manager


def test_export_is_masked_for_a_role_without_contact_details(org):
    from guanxi.accounts.services import role_update

    customer_create(actor=org.east_rep, name="张三", phones=["13812345678"])
    role = org.service_agent.role
    role_update(
        actor=org.admin, role=role, permissions=[*role.permissions, "customers.export_customer"]
    )
    org.service_agent.refresh_from_db()

    rows = _read(customer_export_csv(actor=org.service_agent, filters=CustomerFilter()))

    assert rows[1][8] == "138****5678"


def test_a_sales_rep_without_the_export_permission_cannot_export(org):
    with pytest.raises(PermissionDenied):
        customer_export_csv(actor=org.east_rep, filters=CustomerFilter())
    assert not AuditEntry.objects.filter(action="customers.customer.exported").exists()


def test_the_list_page_exports_its_current_filters_as_csv(client, org):
    customer_create(actor=org.east_rep, name="张三科技", grade="A")
    customer_create(actor=org.east_rep, name="李四贸易", grade="B")
    client.force_login(org.manager)

    page = client.get("/customers/?grade=A")
    assert 'data-testid="customer-export"' in page.content.decode()
    response = client.get("/customers/export.csv?grade=A")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _read(b"".join(response.streaming_content).decode())
    assert [row[1] for row in rows[1:]] == ["张三科技"]


def test_the_export_link_and_url_are_refused_without_the_permission(client, org):
    client.force_login(org.east_rep)
    assert 'data-testid="customer-export"' not in client.get("/customers/").content.decode()
    assert client.get("/customers/export.csv").status_code == 403
