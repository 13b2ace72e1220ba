"""The customer 360 page: scoping (404 outside scope), masking, the timeline with
"load more", history, transfer, delete to the recycle bin, and its query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.customers.models import Customer
from guanxi.customers.services import (
    contact_create,
    customer_create,
    customer_delete,
    customer_update,
    interaction_create,
    tag_create,
)
from guanxi.platform.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(org):
    customer = customer_create(
        actor=org.east_rep,
        name="杭州西湖茶业",
        phones=["13812345678"],
        emails=["tea@example.com"],
        notes="老客户",
    )
    contact_create(actor=org.east_rep, customer=customer, name="王经理", phones=["13900001111"])
    return customer


def test_owner_sees_the_360_page(client, org, customer):
    client.force_login(org.east_rep)
    response = client.get(reverse("customers:customer_detail", args=[customer.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="customer-name">杭州西湖茶业<' in html
    assert "13812345678" in html and "tea@example.com" in html
    assert 'data-testid="primary-contact"' in html
    for element in ['id="profile"', 'id="contacts"', 'id="interaction-form"', 'id="timeline"']:
        assert element in html
    assert 'data-testid="edit-customer"' in html and 'data-testid="delete-customer"' in html
    assert 'data-testid="transfer-customer"' not in html  # reps may not transfer


def test_another_reps_customer_is_404_everywhere(client, org, customer):
    client.force_login(org.west_rep)
    for name in [
        "customer_detail",
        "customer_update",
        "customer_history",
        "customer_timeline",
    ]:
        assert client.get(reverse(f"customers:{name}", args=[customer.pk])).status_code == 404
    for name in ["customer_delete", "interaction_create", "contact_create"]:
        assert client.post(reverse(f"customers:{name}", args=[customer.pk])).status_code == 404
    assert Customer.objects.get(pk=customer.pk).deleted_at is None


def test_manager_and_same_team_colleague(client, org, customer):
    client.force_login(org.manager)  # subtree scope
    assert client.get(reverse("customers:customer_detail", args=[customer.pk])).status_code == 200
    client.force_login(org.east_rep2)  # same team, but "own" scope
    assert client.get(reverse("customers:customer_detail", args=[customer.pk])).status_code == 404


def test_deleted_customer_is_404(client, org, customer):
    customer_delete(actor=org.east_rep, customer=customer)
    client.force_login(org.east_rep)
    assert client.get(reverse("customers:customer_detail", args=[customer.pk])).status_code == 404
    assert client.get(reverse("customers:customer_detail", args=[999999])).status_code == 404


def test_service_agent_sees_masked_numbers_and_no_edit_buttons(client, org, customer):
    client.force_login(org.service_agent)
    response = client.get(reverse("customers:customer_detail", args=[customer.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "13812345678" not in html and "13900001111" not in html
    assert "138****5678" in html and "139****1111" in html
    assert "tea@example.com" not in html and "t***@example.com" in html
    assert 'data-testid="edit-customer"' not in html
    assert 'data-testid="delete-customer"' not in html
    assert 'id="interaction-form"' in html  # service may record follow-ups
    assert client.get(reverse("customers:customer_update", args=[customer.pk])).status_code == 404


def test_delete_moves_to_recycle_bin_with_restore_hint(client, org, customer):
    client.force_login(org.east_rep)
    assert client.get(reverse("customers:customer_delete", args=[customer.pk])).status_code == 405
    response = client.post(reverse("customers:customer_delete", args=[customer.pk]), follow=True)
    assert response.redirect_chain[0][0] == reverse("customers:customer_list")
    customer.refresh_from_db()
    assert customer.deleted_at is not None
    html = response.content.decode()
    assert 'data-testid="recycle-bin-link"' in html
    assert reverse("platform:recycle_bin") in html


def test_transfer_needs_the_permission(client, org, customer):
    url = reverse("customers:customer_transfer", args=[customer.pk])
    client.force_login(org.east_rep)
    assert client.get(url).status_code == 403
    assert client.post(url, {"owner": org.west_rep.pk, "version": 1}).status_code == 403
    client.force_login(org.manager)
    assert client.get(url).status_code == 200
    response = client.post(url, {"owner": org.west_rep.pk, "version": customer.version})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.owner, customer.team) == (org.west_rep, org.west)


def test_transfer_with_stale_version_is_refused(client, org, customer):
    customer_update(actor=org.east_rep, customer=customer, expected_version=1, industry="茶")
    client.force_login(org.manager)
    url = reverse("customers:customer_transfer", args=[customer.pk])
    response = client.post(url, {"owner": org.west_rep.pk, "version": 1})
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.content.decode()
    customer.refresh_from_db()
    assert customer.owner == org.east_rep


def test_history_shows_who_what_before_after_and_ip(client, org, customer):
    customer_update(actor=org.east_rep, customer=customer, expected_version=1, industry="茶叶")
    client.force_login(org.east_rep)
    response = client.post(
        reverse("customers:customer_update", args=[customer.pk]),
        {
            "kind": "company",
            "name": "杭州西湖茶业",
            "lifecycle_stage": "active",
            "language": "zh-hans",
            "time_zone": "Asia/Shanghai",
            "birthday_calendar": "solar",
            "phones": "13812345678",
            "emails": "tea@example.com",
            "version": 2,
        },
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302
    html = client.get(reverse("customers:customer_history", args=[customer.pk])).content.decode()
    assert (
        html.count('data-testid="history-row"')
        == AuditEntry.objects.filter(
            object_type="customers.customer", object_id=str(customer.pk)
        ).count()
    )
    assert "茶叶" in html and "203.0.113.9" in html and "张三" in html
    # service agent sees the history with masked numbers
    client.force_login(org.service_agent)
    html = client.get(reverse("customers:customer_history", args=[customer.pk])).content.decode()
    assert "13812345678" not in html and "138****5678" in html


def _fill(customer, org, *, interactions: int, contacts: int, tags: int) -> None:
    for number in range(contacts - 1):
        contact_create(actor=org.east_rep, customer=customer, name=f"联系人{number}")
    tag_objects = [
        tag_create(actor=org.admin, name=f"标签{n}", color="#d63939") for n in range(tags)
    ]
    customer_update(actor=org.east_rep, customer=customer, expected_version=None, tags=tag_objects)
    start = timezone.now() - dt.timedelta(days=1)
    for number in range(interactions):
        interaction_create(
            actor=org.east_rep,
            customer=customer,
            kind="call",
            content=f"第{number}次电话",
            occurred_at=start + dt.timedelta(minutes=number),
        )


def _first_timeline_page(client, customer) -> str:
    """The timeline as the 360 page loads it (htmx, right after the page)."""
    url = reverse("customers:customer_timeline", args=[customer.pk])
    return client.get(url, headers={"HX-Request": "true"}).content.decode()


def test_page_loads_panels_and_timeline_with_htmx_and_falls_back_without(client, org, customer):
    _fill(customer, org, interactions=30, contacts=1, tags=0)
    client.force_login(org.east_rep)
    url = reverse("customers:customer_detail", args=[customer.pk])
    html = client.get(url).content.decode()
    assert 'data-testid="timeline-event"' not in html and 'id="customer-tasks"' not in html
    panels_url = reverse("customers:customer_panels", args=[customer.pk])
    timeline_url = reverse("customers:customer_timeline", args=[customer.pk])
    assert f'hx-get="{panels_url}" hx-trigger="load"' in html
    assert f'hx-get="{timeline_url}" hx-trigger="load"' in html
    # without JavaScript: links to the whole page, which renders everything inline
    assert f'href="{url}?full=1#customer-panels"' in html
    assert f'href="{url}?full=1#timeline"' in html
    full = client.get(url, {"full": "1"}).content.decode()
    assert full.count('data-testid="timeline-event"') == 20
    assert 'id="customer-tasks"' in full and 'data-testid="timeline-loading"' not in full
    # the fragments, as htmx asks for them, are fragments
    panels = client.get(panels_url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in panels and 'id="customer-tasks"' in panels
    assert 'id="customer-panels"' in panels
    assert f'next={url}"' in panels  # back to the page, not to the fragment
    # a plain GET of a fragment URL lands on the page
    response = client.get(panels_url)
    assert response.status_code == 302 and response.url == url
    response = client.get(timeline_url)
    assert response.status_code == 302 and response.url == f"{url}?full=1#timeline"


def test_panels_fragment_is_scoped(client, org, customer):
    client.force_login(org.west_rep)
    url = reverse("customers:customer_panels", args=[customer.pk])
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404


def test_timeline_pages_with_load_more(client, org, customer):
    _fill(customer, org, interactions=120, contacts=1, tags=0)
    client.force_login(org.east_rep)
    html = _first_timeline_page(client, customer)
    assert "<html" not in html
    assert html.count('data-testid="timeline-event"') == 20
    # newest first: the latest calls are on the first page, the oldest are not
    assert "第119次电话" in html and "第110次电话" in html and "第90次电话" not in html
    more = html.split('data-testid="timeline-load-more"')[1]
    hx_url = more.split('hx-get="')[1].split('"')[0].replace("&amp;", "&")
    seen = 20
    pages = 0
    while hx_url:
        page = client.get(hx_url, headers={"HX-Request": "true"}).content.decode()
        assert "<html" not in page
        count = page.count('data-testid="timeline-event"')
        assert count <= 50
        seen += count
        pages += 1
        hx_url = (
            page.split('hx-get="')[1].split('"')[0].replace("&amp;", "&")
            if 'data-testid="timeline-load-more"' in page
            else ""
        )
    events = 120 + 2  # follow-ups, plus "created" and "contact added"; updates of tags too
    assert seen >= events and pages >= 2
    assert "第0次电话" in page


def test_timeline_without_htmx_redirects_to_the_page(client, org, customer):
    client.force_login(org.east_rep)
    url = reverse("customers:customer_timeline", args=[customer.pk])
    response = client.get(url, {"before": "2026-01-01T00:00:00+00:00"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("customers:customer_detail", args=[customer.pk]))
    # garbage cursors are ignored, not 500
    assert (
        client.get(url, {"before": "yesterday"}, headers={"HX-Request": "true"}).status_code == 200
    )


@pytest.mark.parametrize("interactions", [10, 200])
def test_360_page_query_count_does_not_grow_with_events(
    client, org, customer, django_assert_max_num_queries, interactions
):
    _fill(customer, org, interactions=interactions, contacts=5, tags=3)
    client.force_login(org.east_rep)
    url = reverse("customers:customer_detail", args=[customer.pk])
    client.get(url)  # warm the session
    # the page: session, user (role, team), the customer (its tags, contacts), custom
    # fields, and the sales panel (totals, latest orders)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    html = response.content.decode()
    assert html.count('data-testid="contact-row"') == 5
    assert html.count('data-testid="customer-tag"') == 3
    assert 'data-testid="sales-lifetime-spend"' in html
    # the panels loaded after it: session, user (role, team), customer, then quotes, tasks,
    # meetings, pool (state, movements), contracts (latest; a customer with contracts
    # adds the receivable totals and the overdue instalments), opportunities, scores
    # (the score; grade and stage history in one UNION)
    panels = reverse("customers:customer_panels", args=[customer.pk])
    with django_assert_max_num_queries(18):
        client.get(panels, headers={"HX-Request": "true"})
    # the timeline: session, user (role, team), customer (tags, contacts), the scope
    # check, one query per source (follow-ups, history, orders, quotes, tasks,
    # meetings, leads, pool, opportunity stages, contracts signed, payments)
    timeline = reverse("customers:customer_timeline", args=[customer.pk])
    with django_assert_max_num_queries(19):
        response = client.get(timeline, headers={"HX-Request": "true"})
    assert 'data-testid="timeline-event"' in response.content.decode()
    # the whole page without JavaScript: all of it in one request
    with django_assert_max_num_queries(31):
        response = client.get(url, {"full": "1"})
    assert 'data-testid="timeline-event"' in response.content.decode()


def test_history_names_owners_tags_and_choices(client, org, customer):
    vip = tag_create(actor=org.admin, name="大客户", color="#2fb344")
    customer_update(
        actor=org.east_rep,
        customer=customer,
        expected_version=None,
        tags=[vip],
        lifecycle_stage="active",
    )
    client.force_login(org.east_rep)
    html = client.get(reverse("customers:customer_history", args=[customer.pk])).content.decode()
    assert "大客户" in html
    assert "张三" in html  # the owner by name, not by id
    assert "→ <strong>active</strong>" not in html  # choice label, not the code


def test_timeline_names_the_changed_fields(client, org, customer):
    customer_update(actor=org.east_rep, customer=customer, expected_version=1, industry="茶叶")
    client.force_login(org.east_rep)
    html = _first_timeline_page(client, customer)
    changed = html.split('data-testid="timeline-changed-fields">')[1].split("</div>")[0]
    assert str(Customer._meta.get_field("industry").verbose_name) in changed


@pytest.mark.parametrize(
    "before",
    [
        "0001-01-01T00:00:00+14:00",
        "0001-01-01T00:00:00-14:00",
        "9999-12-31T23:59:59-14:00",
        "2026-13-45",
        "x" * 5000,
    ],
)
def test_odd_timeline_cursors_never_500(client, org, customer, before):
    client.force_login(org.east_rep)
    url = reverse("customers:customer_detail", args=[customer.pk])
    assert client.get(url, {"before": before}).status_code == 200
    url = reverse("customers:customer_timeline", args=[customer.pk])
    assert client.get(url, {"before": before}, headers={"HX-Request": "true"}).status_code == 200


def test_360_page_query_count_is_the_same_for_few_and_many_events(client, org, customer):
    busy = customer_create(actor=org.east_rep, name="很忙的客户")
    _fill(customer, org, interactions=3, contacts=2, tags=1)
    for number in range(4):
        contact_create(actor=org.east_rep, customer=busy, name=f"联系人B{number}")
    start = timezone.now() - dt.timedelta(days=1)
    for number in range(200):
        interaction_create(
            actor=org.east_rep,
            customer=busy,
            kind="visit",
            content=f"拜访{number}",
            occurred_at=start + dt.timedelta(minutes=number),
        )
    client.force_login(org.east_rep)
    counts = []
    for target in (customer, busy):
        url = reverse("customers:customer_detail", args=[target.pk])
        timeline = reverse("customers:customer_timeline", args=[target.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
            assert client.get(timeline, headers={"HX-Request": "true"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
