"""Pool pages: list and tabs, htmx claim in place, bulk claim/assign, release, history, rules."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.customers.models import Customer
from guanxi.pool.models import PoolRule
from guanxi.pool.services import pool_claim
from guanxi.pool.tests.factories import (
    make_held_customer,
    make_pool_customer,
    make_pool_lead,
    make_rule,
)

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pool_page_lists_and_filters(org: Any) -> None:
    make_pool_customer(team=org.east, name="杭州西湖科技", province="浙江", industry="软件")
    make_pool_customer(team=org.east, name="南京紫金贸易", province="江苏", industry="贸易")
    make_pool_customer(team=org.west, name="成都看不见")
    client = _client(org.east_rep)
    page = client.get(reverse("pool:pool_list")).content.decode()
    assert "杭州西湖科技" in page and "南京紫金贸易" in page and "成都看不见" not in page
    assert 'data-testid="holding-badge"' in page
    page = client.get(reverse("pool:pool_list") + "?province=浙江").content.decode()
    assert "杭州西湖科技" in page and "南京紫金贸易" not in page
    make_pool_lead(team=org.east, name="展会线索", source="exhibition")
    make_pool_lead(team=org.east, name="广告线索", source="advertising")
    leads = client.get(reverse("pool:pool_list") + "?kind=lead&source=exhibition").content.decode()
    assert "展会线索" in leads and "广告线索" not in leads
    assert client.get(reverse("pool:pool_list") + "?kind=lead&source=nope").status_code == 200
    bad = client.get(reverse("pool:pool_list") + "?min_days_in_pool=abc&cursor=%%%&kind=zzz")
    assert bad.status_code == 200


def test_pool_page_query_count_does_not_grow(org: Any) -> None:
    for _ in range(3):
        make_pool_customer(team=org.east)
    client = _client(org.east_rep)
    client.get(reverse("pool:pool_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("pool:pool_list"))
    for _ in range(10):
        make_pool_customer(team=org.east)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("pool:pool_list"))
    assert len(many) == len(few) <= 14


def test_htmx_claim_answers_the_row(org: Any) -> None:
    customer = make_pool_customer(team=org.east, name="宁波港务")
    url = reverse("pool:pool_claim", args=["customer", customer.pk])
    response = _client(org.east_rep).post(url, headers=HTMX)
    assert response.status_code == 200
    assert "宁波港务" in response.content.decode()
    assert response["HX-Trigger"] == "pool-held-changed"
    assert Customer.objects.get(pk=customer.pk).owner_id == org.east_rep.pk
    again = _client(org.east_rep2).post(url, headers=HTMX).content.decode()
    assert "张三" in again and "table-danger" in again


def test_over_limit_message_without_htmx(org: Any) -> None:
    make_rule(team=org.east, max_customers=0)
    customer = make_pool_customer(team=org.east)
    url = reverse("pool:pool_claim", args=["customer", customer.pk])
    response = _client(org.east_rep).post(url, follow=True)
    assert "0" in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).owner_id is None
    assert _client(org.east_rep).post(reverse("pool:pool_claim", args=["x", 1])).status_code == 404


def test_bulk_claim_and_assign(org: Any) -> None:
    customers = [make_pool_customer(team=org.east) for _ in range(3)]
    client = _client(org.east_rep)
    response = client.post(
        reverse("pool:pool_claim_bulk"),
        {"kind": "customer", "action": "claim", "ids": [customers[0].pk, customers[1].pk]},
    )
    assert response.status_code == 302
    assert Customer.objects.filter(owner=org.east_rep).count() == 2
    manager = _client(org.manager)
    manager.post(
        reverse("pool:pool_claim_bulk"),
        {
            "kind": "customer",
            "action": "assign",
            "assignee": org.east_rep2.pk,
            "ids": [customers[2].pk],
        },
    )
    assert Customer.objects.get(pk=customers[2].pk).owner_id == org.east_rep2.pk
    rep_assign = client.post(
        reverse("pool:pool_claim_bulk"),
        {"kind": "customer", "action": "assign", "assignee": org.east_rep.pk, "ids": ["1"]},
    )
    assert rep_assign.status_code == 403


def test_release_from_the_customer_page(org: Any) -> None:
    customer = make_pool_customer(team=org.east, name="温州鞋业")
    pool_claim(actor=org.east_rep, customer=customer)
    client = _client(org.east_rep)
    url = reverse("customers:customer_detail", args=[customer.pk])
    detail = client.get(url, {"full": "1"}).content.decode()  # the panels inline
    assert 'data-testid="customer-pool"' in detail
    url = reverse("pool:pool_release", args=["customer", customer.pk])
    assert client.get(url).status_code == 200
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 200 and Customer.objects.get(pk=customer.pk).owner_id
    done = client.post(url, {"reason": "客户已倒闭"})
    assert done.status_code == 302
    assert Customer.objects.get(pk=customer.pk).owner_id is None
    history = client.get(reverse("pool:pool_history")).content.decode()
    assert "客户已倒闭" in history and "温州鞋业" in history
    assert _client(org.east_rep2).post(url, {"reason": "x"}).status_code in (404, 200)


def test_lead_release_and_due_page(org: Any) -> None:
    lead = make_pool_lead(team=org.east)
    pool_claim(actor=org.east_rep, lead=lead)
    client = _client(org.east_rep)
    response = client.post(reverse("pool:pool_release", args=["lead", lead.pk]), {"reason": "无效"})
    assert response.status_code == 302
    assert client.get(reverse("pool:pool_due")).status_code == 200
    make_held_customer(owner=org.east_rep, days_ago=1)
    assert client.get(reverse("pool:pool_due") + "?kind=lead").status_code == 200


def test_rules_pages_for_admins_only(org: Any) -> None:
    assert _client(org.manager).get(reverse("pool:pool_rule_list")).status_code == 403
    admin = _client(org.admin)
    assert admin.get(reverse("pool:pool_rule_list")).status_code == 200
    bad = admin.post(
        reverse("pool:pool_rule_create"),
        {"team": org.east.pk, "recycle_without_follow_up_days": "5", "warn_days_before": "9"},
    )
    assert bad.status_code == 200 and not PoolRule.objects.exists()
    good = admin.post(
        reverse("pool:pool_rule_create"),
        {
            "team": org.east.pk,
            "max_customers": "50",
            "recycle_without_follow_up_days": "30",
            "warn_days_before": "3",
        },
    )
    assert good.status_code == 302
    rule = PoolRule.objects.get()
    assert (rule.max_customers, rule.max_leads, rule.recycle_without_follow_up_days) == (
        50,
        None,
        30,
    )
    update_url = reverse("pool:pool_rule_update", args=[rule.pk])
    stale = admin.post(
        update_url, {"max_customers": "10", "warn_days_before": "3", "version": "99"}
    )
    assert stale.status_code == 200 and PoolRule.objects.get().max_customers == 50
    admin.post(update_url, {"max_customers": "10", "warn_days_before": "3", "version": "1"})
    assert PoolRule.objects.get().max_customers == 10
    admin.post(reverse("pool:pool_rule_delete", args=[rule.pk]))
    assert not PoolRule.objects.exists()


def test_lead_claim_links_to_the_lead_and_the_lead_page_has_the_panel(org: Any) -> None:
    lead = make_pool_lead(team=org.east, name="钱多多")
    client = _client(org.east_rep)
    answer = client.post(reverse("pool:pool_claim", args=["lead", lead.pk]), headers=HTMX)
    assert reverse("leads:lead_detail", args=[lead.pk]) in answer.content.decode()
    page = client.get(reverse("leads:lead_detail", args=[lead.pk])).content.decode()
    assert 'data-testid="lead-pool"' in page and 'data-testid="pool-release"' in page


def test_home_shows_records_due_back_soon(org: Any) -> None:
    from guanxi.pool.services import pool_recycle_run

    client = _client(org.east_rep)
    assert 'data-testid="home-pool-due"' not in client.get("/").content.decode()
    make_rule(team=org.east, recycle_without_follow_up_days=30, warn_days_before=5)
    make_held_customer(owner=org.east_rep, days_ago=27)
    pool_recycle_run()
    page = _client(org.east_rep).get("/").content.decode()
    assert 'data-testid="home-pool-due"' in page
    due = client.get(reverse("pool:pool_due")).content.decode()
    assert due.count("list-group-item d-flex") == 1
