"""Task pages through the Django test client: list filters, form, conflict, htmx tick, 360, home."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.activities import services
from guanxi.activities.models import Task, TaskStatus
from guanxi.activities.tests.factories import days_from_today, make_task
from guanxi.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_filters_and_scope(org: Any) -> None:
    overdue = make_task(actor=org.east_rep, title="逾期任务", due_on=days_from_today(-1))
    today = make_task(actor=org.east_rep, title="今天任务", priority="urgent")
    later = make_task(actor=org.east_rep, title="下月任务", due_on=days_from_today(40))
    make_task(actor=org.west_rep, title="别人的任务")
    client = _client(org.east_rep)
    page = client.get(reverse("activities:task_list")).content.decode()
    assert "逾期任务" in page and "今天任务" in page and "下月任务" in page
    assert "别人的任务" not in page
    assert 'name="assignee"' not in page  # a rep has no assignee filter
    due_today = client.get(reverse("activities:task_list"), {"due": "today"}).content.decode()
    assert "今天任务" in due_today and "逾期任务" not in due_today
    overdue_only = client.get(reverse("activities:task_list"), {"due": "overdue"})
    assert "逾期任务" in overdue_only.content.decode()
    assert "下月任务" not in overdue_only.content.decode()
    urgent = client.get(reverse("activities:task_list"), {"priority": "urgent"}).content.decode()
    assert "今天任务" in urgent and "逾期任务" not in urgent
    garbage = client.get(reverse("activities:task_list"), {"due": "x", "assignee": "abc"})
    assert garbage.status_code == 200
    manager = _client(org.manager).get(
        reverse("activities:task_list"), {"assignee": org.west_rep.pk}
    )
    assert 'name="assignee"' in manager.content.decode()
    assert "别人的任务" in manager.content.decode()
    assert "今天任务" not in manager.content.decode()
    assert {overdue.pk, today.pk, later.pk}
    assert (
        _client(org.west_rep).get(reverse("activities:task_update", args=[today.pk])).status_code
        == 404
    )


def test_list_query_count_does_not_grow(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    client = _client(org.manager)

    def count() -> int:
        client.get(reverse("activities:task_list"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("activities:task_list")).status_code == 200
        return len(queries)

    make_task(actor=org.east_rep, customer=customer.pk)
    few = count()
    for _ in range(10):
        make_task(actor=org.east_rep, customer=customer.pk)
    assert count() == few


def test_create_with_working_days_and_field_errors(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    client = _client(org.east_rep)
    url = reverse("activities:task_create")
    form_page = client.get(url, {"customer": customer.pk}).content.decode()
    assert customer.name in form_page
    bad = client.post(url, {"title": "", "due_on": "0001-01-01", "assignee": org.east_rep.pk})
    assert bad.status_code == 200
    assert Task.objects.count() == 0
    assert 'data-testid="error-title"' in bad.content.decode()
    year_one = client.post(url, {"title": "x", "due_on": "0001-01-01", "assignee": org.east_rep.pk})
    assert 'data-testid="error-due_on"' in year_one.content.decode()
    assert Task.objects.count() == 0
    bad_assignee = client.post(url, {"title": "x", "due_in_working_days": "2", "assignee": "999"})
    assert bad_assignee.status_code == 200 and Task.objects.count() == 0
    created = client.post(
        url,
        {
            "title": "送合同",
            "due_in_working_days": "3",
            "priority": "high",
            "assignee": org.east_rep.pk,
            "customer": customer.pk,
        },
    )
    assert created.status_code == 302
    assert created["Location"] == reverse("customers:customer_detail", args=[customer.pk])
    task = Task.objects.get()
    assert task.due_on == services.working_days_after(days_from_today(0), 3)
    # the whole 360 page (the tasks panel and the timeline are loaded by htmx otherwise)
    detail = client.get(created["Location"], {"full": "1"}).content.decode()
    assert 'data-testid="customer-tasks"' in detail and "送合同" in detail
    assert 'data-kind="task.open"' in detail


def test_edit_conflict_shows_both_values_then_overwrites(org: Any) -> None:
    task = make_task(actor=org.east_rep, title="原标题")
    client = _client(org.east_rep)
    url = reverse("activities:task_update", args=[task.pk])
    services.task_update(actor=org.manager, task=task, expected_version=None, title="经理改的")
    data = {
        "title": "我改的",
        "due_on": task.due_on.isoformat(),
        "priority": "normal",
        "status": "open",
        "assignee": org.east_rep.pk,
        "version": 1,
    }
    conflict = client.post(url, data)
    assert conflict.status_code == 200
    body = conflict.content.decode()
    assert 'id="conflict-message"' in body and "经理改的" in body and "我改的" in body
    data["version"] = 2
    assert client.post(url, data).status_code == 302
    task.refresh_from_db()
    assert task.title == "我改的"


def test_tick_done_in_place_with_htmx(org: Any) -> None:
    task = make_task(actor=org.east_rep)
    client = _client(org.east_rep)
    url = reverse("activities:task_done", args=[task.pk])
    answer = client.post(url, {"done": "1"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    assert f'id="task-{task.pk}"' in answer.content.decode()
    assert 'data-status="done"' in answer.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert _client(org.west_rep).post(url, {"done": "0"}).status_code == 404
    assert client.get(url).status_code == 405


def test_home_shows_my_day(org: Any) -> None:
    make_task(actor=org.east_rep, title="今天要做", due_on=days_from_today(0))
    make_task(actor=org.east_rep, title="昨天没做", due_on=days_from_today(-1))
    make_task(actor=org.east_rep, title="明天再说", due_on=days_from_today(1))
    make_task(actor=org.east_rep, title="下个月", due_on=days_from_today(30))
    home = _client(org.east_rep).get("/").content.decode()
    assert 'data-testid="my-day"' in home
    due_part, upcoming_part = home.split('data-testid="my-day-upcoming"')
    assert "今天要做" in due_part and "昨天没做" in due_part and "明天再说" not in due_part
    assert "明天再说" in upcoming_part and "下个月" not in home


def test_customer_picker_searches_only_customers_in_scope(org: Any) -> None:
    mine = CustomerFactory(owner=org.east_rep, name="杭州龙井茶庄")
    CustomerFactory(owner=org.west_rep, name="杭州西湖茶楼")
    client = _client(org.east_rep)
    url = reverse("activities:customer_options")
    items = client.get(url, {"q": "杭州"}).json()["items"]
    assert items == [{"value": mine.pk, "text": mine.name}]
    assert client.get(url).json()["items"] == []
    created = client.post(
        reverse("activities:task_create"),
        {"title": "拜访", "due_on": "2026-12-01", "assignee": org.east_rep.pk, "customer": mine.pk},
    )
    assert created.status_code == 302
    assert Task.objects.get().customer_id == mine.pk
