"""List, detail, forms (with the conflict screen), win/lose/reopen, pipeline settings, 360."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.customers.tests.factories import ContactFactory, CustomerFactory
from guanxi.deals import services
from guanxi.deals.models import Opportunity, OpportunityStatus, Pipeline
from guanxi.deals.tests.factories import days_from_today, make_opportunity, stages_of

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_filters_sorts_and_scope(org: Any) -> None:
    make_opportunity(actor=org.east_rep, title="小单", amount="100")
    make_opportunity(actor=org.east_rep, title="大单", amount="900000")
    make_opportunity(actor=org.west_rep, title="西区单")
    client = _client(org.east_rep)
    url = reverse("deals:opportunity_list")
    page = client.get(url).content.decode()
    assert "小单" in page and "大单" in page and "西区单" not in page
    by_amount = client.get(url, {"sort": "-amount"}).content.decode()
    assert by_amount.index("大单") < by_amount.index("小单")
    assert "大单" not in client.get(url, {"q": "小"}).content.decode()
    for garbage in ({"sort": "nope", "status": "x", "pipeline": "y"}, {"cursor": "%%%"}):
        assert client.get(url, garbage).status_code == 200
    manager_page = _client(org.manager).get(url).content.decode()
    assert "西区单" in manager_page


def test_create_edit_and_conflict_screen(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    contact = ContactFactory(customer=customer)
    client = _client(org.east_rep)
    form_page = client.get(reverse("deals:opportunity_create"), {"customer": customer.pk})
    assert form_page.status_code == 200 and contact.name in form_page.content.decode()
    data = {
        "title": "新建商机",
        "customer": customer.pk,
        "amount": "5000",
        "expected_close_on": days_from_today(9).isoformat(),
        "stage": stages_of()[1].pk,
        "owner": org.east_rep.pk,
        "contact": contact.pk,
    }
    bad = client.post(reverse("deals:opportunity_create"), {**data, "amount": "-3"})
    assert bad.status_code == 200 and Opportunity.objects.count() == 0
    past = client.post(
        reverse("deals:opportunity_create"), {**data, "expected_close_on": "2020-01-01"}
    )
    assert past.status_code == 200 and 'data-testid="error-expected_close_on"' in (
        past.content.decode()
    )
    created = client.post(reverse("deals:opportunity_create"), data)
    assert created.status_code == 302
    opportunity = Opportunity.objects.get()
    assert opportunity.stage == stages_of()[1] and opportunity.contact == contact
    detail = client.get(reverse("deals:opportunity_detail", args=[opportunity.pk]))
    assert detail.status_code == 200 and "新建商机" in detail.content.decode()
    services.opportunity_update(
        actor=org.manager, opportunity=opportunity, expected_version=1, next_step="经理改的"
    )
    stale = client.post(
        reverse("deals:opportunity_update", args=[opportunity.pk]),
        {**data, "next_step": "我改的", "version": 1},
    )
    body = stale.content.decode()
    assert stale.status_code == 200 and 'id="conflict-message"' in body and "经理改的" in body
    overwrite = client.post(
        reverse("deals:opportunity_update", args=[opportunity.pk]),
        {**data, "next_step": "我改的", "version": 2},
    )
    assert overwrite.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.next_step == "我改的"


def test_win_lose_reopen_and_delete_from_the_detail_page(org: Any) -> None:
    opportunity = make_opportunity(actor=org.east_rep)
    client = _client(org.east_rep)
    lose = reverse("deals:opportunity_lose", args=[opportunity.pk])
    client.post(lose, {"version": 1, "reason": ""})
    assert Opportunity.objects.get(pk=opportunity.pk).is_open
    client.post(lose, {"version": 1, "reason": "竞品价格低"})
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.LOST
    client.post(reverse("deals:opportunity_reopen", args=[opportunity.pk]), {"version": 2})
    opportunity.refresh_from_db()
    assert opportunity.is_open
    client.post(reverse("deals:opportunity_win", args=[opportunity.pk]), {"version": 3})
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.WON
    page = client.get(reverse("deals:opportunity_detail", args=[opportunity.pk])).content.decode()
    assert 'data-testid="stage-history"' in page and 'data-testid="reopen"' in page
    client.post(reverse("deals:opportunity_delete", args=[opportunity.pk]))
    detail = client.get(reverse("deals:opportunity_detail", args=[opportunity.pk]))
    assert detail.status_code == 404
    other = make_opportunity(actor=org.west_rep)
    assert client.get(reverse("deals:opportunity_detail", args=[other.pk])).status_code == 404


def test_pipeline_settings(org: Any) -> None:
    client = _client(org.manager)
    assert _client(org.east_rep).get(reverse("deals:pipeline_list")).status_code == 403
    assert client.get(reverse("deals:pipeline_list")).status_code == 200
    response = client.post(reverse("deals:pipeline_create"), {"name": "渠道"})
    pipeline = Pipeline.objects.get(name="渠道")
    assert response.status_code == 302
    url = reverse("deals:pipeline_update", args=[pipeline.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"action": "add_stage", "name": "样品测试", "probability": "40"})
    names = list(pipeline.stages.order_by("order").values_list("name", flat=True))
    assert names.index("样品测试") == 4  # after the last open stage, before won/lost
    stage = pipeline.stages.get(name="样品测试")
    client.post(
        url, {"action": "save_stage", "stage": stage.pk, "name": "试用", "probability": "45"}
    )
    stage.refresh_from_db()
    assert (stage.name, stage.probability) == ("试用", 45)
    client.post(url, {"action": "up", "stage": stage.pk})
    assert pipeline.stages.order_by("order").values_list("name", flat=True)[3] == "试用"
    bad = client.post(url, {"action": "save_stage", "stage": stage.pk, "probability": "140"})
    assert bad.status_code == 302
    stage.refresh_from_db()
    assert stage.probability == 45
    client.post(url, {"action": "delete_stage", "stage": stage.pk})
    assert not pipeline.stages.filter(pk=stage.pk).exists()


def test_customer_360_panel(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    make_opportunity(actor=org.east_rep, customer=customer, title="360 商机")
    page = _client(org.east_rep).get(
        reverse("customers:customer_detail", args=[customer.pk]), {"full": "1"}
    )
    assert page.status_code == 200
