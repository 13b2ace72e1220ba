"""Lead pages through the Django test client: list/filters/scope, form, conflict,
follow-ups, disqualify, convert with the duplicate check, rules settings."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.leads import services
from guanxi.leads.models import AssignmentRule, Lead, LeadStatus
from guanxi.leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_scope_filters_and_pool(org: Any) -> None:
    make_lead(actor=org.east_rep, name="我的线索", company="甲公司", source="exhibition")
    make_lead(actor=org.west_rep, name="别人的线索")
    services.lead_create(actor=org.east_rep2, name="华东公海线索")  # team east, no owner
    services.lead_create(actor=org.west_rep, name="华西公海线索")
    client = _client(org.east_rep)
    page = client.get(reverse("leads:lead_list")).content.decode()
    assert "我的线索" in page and "华东公海线索" in page
    assert "别人的线索" not in page and "华西公海线索" not in page
    by_source = client.get(reverse("leads:lead_list"), {"source": "advertising"}).content.decode()
    assert "我的线索" not in by_source
    pool = client.get(reverse("leads:lead_list"), {"owner": "pool"}).content.decode()
    assert "华东公海线索" in pool and "我的线索" not in pool
    searched = client.get(reverse("leads:lead_list"), {"q": "甲公司"}).content.decode()
    assert "我的线索" in searched and "华东公海线索" not in searched
    garbage = client.get(reverse("leads:lead_list"), {"status": "x", "owner": "abc", "cursor": "!"})
    assert garbage.status_code == 200
    manager = _client(org.manager).get(reverse("leads:lead_list")).content.decode()
    assert "别人的线索" in manager and "华西公海线索" in manager


def test_list_query_count_does_not_grow(org: Any) -> None:
    make_lead(actor=org.east_rep)
    client = _client(org.east_rep)
    client.get(reverse("leads:lead_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("leads:lead_list"))
    for index in range(20):
        make_lead(actor=org.east_rep, name=f"线索{index}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("leads:lead_list"))
    assert len(many) == len(few)


def test_other_reps_lead_is_404_everywhere(org: Any) -> None:
    lead = make_lead(actor=org.east_rep)
    client = _client(org.west_rep)
    for name in ("lead_detail", "lead_update", "lead_convert", "lead_disqualify"):
        assert client.get(reverse(f"leads:{name}", args=[lead.pk])).status_code == 404
    assert client.post(reverse("leads:lead_delete", args=[lead.pk])).status_code == 404
    assert client.get(reverse("leads:lead_detail", args=[999999])).status_code == 404


def test_create_with_errors_then_success(org: Any) -> None:
    client = _client(org.east_rep)
    url = reverse("leads:lead_create")
    form = client.get(url).content.decode()
    assert 'name="mobile"' in form
    bad = client.post(
        url,
        {"name": "陈晓明", "mobile": "12345", "email": "x@", "source": "manual", "status": "new"},
    )
    assert bad.status_code == 200
    assert 'data-testid="error-mobile"' in bad.content.decode()
    assert 'data-testid="error-email"' in bad.content.decode()
    assert Lead.objects.count() == 0
    good = client.post(
        url,
        {
            "name": "陈晓明",
            "company": "杭州云栖科技有限公司",
            "mobile": "13812345678",
            "source": "referral",
            "status": "new",
            "owner": org.east_rep.pk,
        },
    )
    lead = Lead.objects.get()
    assert good.status_code == 302
    assert good.url == reverse("leads:lead_detail", args=[lead.pk])
    assert lead.owner == org.east_rep
    assert lead.mobile == "+8613812345678"


def test_edit_conflict_screen(org: Any) -> None:
    lead = make_lead(actor=org.east_rep, company="原公司")
    services.lead_update(actor=org.east_rep, lead=lead, expected_version=1, company="他改的")
    response = _client(org.east_rep).post(
        reverse("leads:lead_update", args=[lead.pk]),
        {
            "name": lead.name,
            "company": "我改的",
            "source": "manual",
            "status": "new",
            "owner": org.east_rep.pk,
            "version": 1,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="conflict-message"' in page
    assert "他改的" in page
    lead.refresh_from_db()
    assert lead.company == "他改的"


def test_follow_up_and_disqualify(org: Any) -> None:
    lead = make_lead(actor=org.east_rep)
    client = _client(org.east_rep)
    empty = client.post(
        reverse("leads:lead_activity_create", args=[lead.pk]), {"kind": "call", "content": ""}
    )
    assert empty.status_code == 422
    done = client.post(
        reverse("leads:lead_activity_create", args=[lead.pk]),
        {"kind": "call", "content": "电话沟通需求"},
    )
    assert done.status_code == 302
    detail = client.get(reverse("leads:lead_detail", args=[lead.pk])).content.decode()
    assert "电话沟通需求" in detail
    lead.refresh_from_db()
    no_reason = client.post(
        reverse("leads:lead_disqualify", args=[lead.pk]), {"reason": " ", "version": lead.version}
    )
    assert no_reason.status_code == 200
    assert 'data-testid="error-reason"' in no_reason.content.decode()
    client.post(
        reverse("leads:lead_disqualify", args=[lead.pk]),
        {"reason": "没有预算", "version": lead.version},
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.DISQUALIFIED
    assert "没有预算" in client.get(reverse("leads:lead_detail", args=[lead.pk])).content.decode()


def test_convert_page_shows_duplicates_and_attaches(org: Any) -> None:
    mine = CustomerFactory(owner=org.east_rep, name="老客户", phones=["+8613812345678"])
    CustomerFactory(owner=org.west_rep, name="杭州云栖科技股份有限公司")
    lead = make_lead(actor=org.east_rep, company="杭州云栖科技有限公司", mobile="13812345678")
    client = _client(org.east_rep)
    page = client.get(reverse("leads:lead_convert", args=[lead.pk])).content.decode()
    assert page.count('data-testid="duplicate-candidate"') == 2
    assert "老客户" in page and "杭州云栖科技股份有限公司" in page
    response = client.post(
        reverse("leads:lead_convert", args=[lead.pk]),
        {"target": "attach", "customer": mine.pk, "version": lead.version},
    )
    assert response.status_code == 302
    assert response.url == reverse("customers:customer_detail", args=[mine.pk])
    lead.refresh_from_db()
    assert lead.converted_customer == mine
    detail = client.get(reverse("leads:lead_detail", args=[lead.pk])).content.decode()
    assert 'data-testid="converted-banner"' in detail
    assert 'data-testid="lead-edit"' not in detail
    assert client.get(reverse("leads:lead_update", args=[lead.pk])).status_code == 302


def test_convert_to_new_customer_via_page(org: Any) -> None:
    lead = make_lead(actor=org.east_rep, company="新公司")
    response = _client(org.east_rep).post(
        reverse("leads:lead_convert", args=[lead.pk]),
        {"target": "new", "customer_name": "新公司（总部）", "version": lead.version},
    )
    customer = Customer.objects.get()
    assert response.url == reverse("customers:customer_detail", args=[customer.pk])
    assert customer.name == "新公司（总部）"


def test_assignment_rule_settings(org: Any) -> None:
    assert _client(org.east_rep).get(reverse("leads:assignment_rule_list")).status_code == 403
    client = _client(org.manager)
    listing = client.get(reverse("leads:assignment_rule_list")).content.decode()
    assert org.east.name in listing and org.service_team.name not in listing
    url = reverse("leads:assignment_rule_edit", args=[org.east.pk])
    bad = client.post(url, {"method": "region", "targets": "浙江 张三"})
    assert bad.status_code == 200
    assert AssignmentRule.objects.count() == 0
    ok = client.post(
        url,
        {
            "method": "region",
            "is_active": "on",
            "members": [org.east_rep.pk],
            "targets": f"浙江 = {org.east_rep2.username}",
        },
    )
    assert ok.status_code == 302
    rule = AssignmentRule.objects.get()
    assert rule.targets.get().member == org.east_rep2
    assert (
        client.get(reverse("leads:assignment_rule_edit", args=[org.service_team.pk])).status_code
        == 404
    )


def test_detail_query_count_does_not_grow_and_pool_panel_shows(org: Any) -> None:
    lead = make_lead(actor=org.east_rep)
    client = _client(org.east_rep)
    url = reverse("leads:lead_detail", args=[lead.pk])
    services.lead_activity_create(actor=org.east_rep, lead=lead, kind="call", content="一")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(10):
        services.lead_activity_create(
            actor=org.east_rep, lead=lead, kind="note", content=f"{index}"
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few)
    assert page.count('data-testid="activity"') == 11
    pool_lead = services.lead_create(actor=org.east_rep2, name="公海里的")
    pool_page = client.get(reverse("leads:lead_detail", args=[pool_lead.pk])).content.decode()
    assert 'data-testid="lead-pool"' in pool_page
    assert 'data-testid="lead-edit"' not in pool_page  # claim it first


def test_contact_details_masked_without_the_permission(org: Any) -> None:
    lead = make_lead(actor=org.east_rep, mobile="13812345678", email="chen@yunqi.cn")
    masked = _client(org.service_agent).get(reverse("leads:lead_detail", args=[lead.pk]))
    page = masked.content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert "c***@yunqi.cn" in page
    full = _client(org.east_rep).get(reverse("leads:lead_detail", args=[lead.pk])).content.decode()
    assert "13812345678" in full


def test_delete_then_restore_from_the_recycle_bin(org: Any) -> None:
    lead = make_lead(actor=org.east_rep, name="要删除的线索")
    client = _client(org.east_rep)
    deleted = client.post(reverse("leads:lead_delete", args=[lead.pk]))
    assert deleted.status_code == 302
    assert client.get(reverse("leads:lead_detail", args=[lead.pk])).status_code == 404
    bin_page = client.get(reverse("platform:recycle_bin")).content.decode()
    assert "要删除的线索" in bin_page
    assert (
        "要删除的线索"
        not in _client(org.west_rep).get(reverse("platform:recycle_bin")).content.decode()
    )
    restored = client.post(reverse("platform:recycle_bin_restore", args=["leads.lead", lead.pk]))
    assert restored.status_code == 302
    assert client.get(reverse("leads:lead_detail", args=[lead.pk])).status_code == 200


def test_convert_picker_searches_editable_customers(org: Any) -> None:
    mine = CustomerFactory(owner=org.east_rep, name="杭州茶行")
    CustomerFactory(owner=org.west_rep, name="杭州茶庄")
    client = _client(org.east_rep)
    found = client.get(reverse("leads:customer_options"), {"q": "杭州"}).json()["items"]
    assert [item["value"] for item in found] == [mine.pk]
    assert client.get(reverse("leads:customer_options")).json() == {"items": []}
    lead = make_lead(actor=org.east_rep, company="完全不同的名字")
    response = client.post(
        reverse("leads:lead_convert", args=[lead.pk]),
        {"target": "attach", "customer": mine.pk, "version": lead.version},
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.converted_customer == mine
    assert _client(org.service_agent).get(reverse("leads:customer_options")).status_code == 403
