"""In Chromium: a rep creates a task for a customer due "in 3 working days" from the
360 page, sees it there and on My day, and ticks it done in place; desktop and phone."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.activities.models import Task, TaskStatus
from guanxi.activities.services import working_days_after
from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.customers.services import customer_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_task_in_three_working_days_on_360_and_my_day_then_done(open_page, org, viewport):
    size = "phone" if viewport is PHONE else "desktop"
    customer = customer_create(actor=org.east_rep, name="苏州园林茶社", grade="B")
    expected_due = working_days_after(timezone.localdate(), 3)

    page = open_page(org.east_rep, viewport=viewport)
    page.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_test_id("customer-tasks")).to_be_visible()
    page.get_by_test_id("customer-task-create").click()
    page.wait_for_url(re.compile(r"/activities/tasks/create/"))
    page.fill("#id_title", "寄送新茶样品")
    page.fill("#id_due_in_working_days", "3")
    page.select_option("#id_priority", "high")
    save_screenshot(page, f"tasks-form-{size}")
    page.get_by_test_id("save-task").click()
    page.wait_for_url(re.compile(rf"/customers/{customer.pk}/$"))

    task = Task.objects.get()
    assert task.due_on == expected_due
    assert task.customer_id == customer.pk
    panel = page.get_by_test_id("customer-tasks")
    expect(panel.get_by_test_id("task-item")).to_have_count(1)
    expect(panel.get_by_test_id("task-item")).to_contain_text("寄送新茶样品")
    expect(panel.get_by_test_id("task-due")).to_contain_text(expected_due.strftime("%Y-%m-%d"))
    expect(page.locator("[data-kind='task.open']")).to_have_count(1)
    save_screenshot(page, f"tasks-customer-360-{size}")

    page.goto("/")
    my_day = page.get_by_test_id("my-day")
    expect(my_day).to_be_visible()
    item = my_day.locator(f"#task-{task.pk}")
    expect(item).to_contain_text("寄送新茶样品")
    expect(item).to_contain_text(customer.name)
    save_screenshot(page, f"tasks-my-day-{size}")
    item.get_by_test_id(f"task-done-{task.pk}").click()
    expect(my_day.locator(f"#task-{task.pk}")).to_have_attribute("data-status", "done")
    save_screenshot(page, f"tasks-my-day-done-{size}")
    assert page.url.endswith("/")  # ticked in place, no navigation
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE

    page.goto("/activities/tasks/?status=done")
    expect(page.get_by_test_id("task-item")).to_have_count(1)
    save_screenshot(page, f"tasks-list-{size}")
