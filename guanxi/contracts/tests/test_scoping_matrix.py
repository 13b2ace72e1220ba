"""Who sees which contract, everywhere contracts are read: list, get, API, files,
receivables, overdue lists, 360 panel, timeline. Not-found equals forbidden."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.contracts.selectors import (
    contract_list,
    customer_contracts,
    overdue_instalments,
    receivables_report,
)
from guanxi.contracts.services import contract_file_attach
from guanxi.contracts.tests.factories import make_signed_contract
from guanxi.platform.testing.api_client import assert_problem

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def east_contract(org: Any, settings: Any, tmp_path: Any) -> Any:
    settings.DATA_DIR = tmp_path
    today = dt.date.today()
    contract = make_signed_contract(
        owner=org.east_rep,
        instalments=[(today - dt.timedelta(days=10), Decimal("5000"))],
    )
    contract.file = contract_file_attach(
        actor=org.east_rep, contract=contract, name="扫描件.pdf", content=PDF
    )
    return contract


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("admin", True),
        ("manager", True),
        ("east_rep", True),
        ("east_rep2", False),  # same team, but a rep's scope is "own"
        ("west_rep", False),
        ("service_agent", True),  # service role: scope "all", view only
    ],
)
def test_matrix(org: Any, api_as: Any, east_contract: Any, who: str, sees: bool) -> None:
    user = getattr(org, who)
    contract = east_contract
    assert contract_list(actor=user).filter(pk=contract.pk).exists() is sees
    client = Client()
    client.force_login(user)
    detail = client.get(reverse("contracts:contract_detail", args=[contract.pk]))
    assert detail.status_code == (200 if sees else 404)
    download = client.get(reverse("contracts:file_download", args=[contract.pk, contract.file.pk]))
    assert download.status_code == (200 if sees else 404)
    api = api_as(user)
    got = api.get(f"/api/v1/contracts/{contract.pk}")
    if sees:
        assert got.status_code == 200
    else:
        assert_problem(got, 404)
        assert_problem(api.get(f"/api/v1/contracts/{contract.pk}/plan"), 404)
    listed = [item["id"] for item in api.get("/api/v1/contracts").json()["items"]]
    assert (contract.pk in listed) is sees
    report = receivables_report(actor=user)
    assert (report.totals.total > 0) is sees
    overdue = overdue_instalments(actor=user)
    assert bool(overdue) is sees
    panel = customer_contracts(actor=user, customer_id=contract.customer_id)
    assert bool(panel and panel.contracts) is sees


def test_no_permission_sees_nothing(org: Any, east_contract: Any) -> None:
    from guanxi.accounts.models import Role
    from guanxi.platform.permissions import forget_cached_permissions

    role = Role.objects.get(code="service")
    role.permissions = [code for code in role.permissions if not code.startswith("contracts.")]
    role.save(update_fields=["permissions"])
    org.service_agent.refresh_from_db()
    forget_cached_permissions(org.service_agent)
    assert not contract_list(actor=org.service_agent).exists()
    assert (
        customer_contracts(actor=org.service_agent, customer_id=east_contract.customer_id) is None
    )
    client = Client()
    client.force_login(org.service_agent)
    assert client.get(reverse("contracts:contract_list")).status_code == 403
