"""Churn warning list, win-back, the settings page and the 360 panel."""

from __future__ import annotations

import datetime
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from guanxi.activities.models import Task
from guanxi.analytics.models import GradeRule, StagePlaybook, WinBack
from guanxi.analytics.scoring import scores_compute
from guanxi.analytics.selectors import win_back_outcome
from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.sales.models import Order

pytestmark = pytest.mark.django_db

_numbers = count(1)


def order(customer: Customer, day: datetime.date, total: str) -> Order:
    return Order.objects.create(
        number=f"V{next(_numbers):06d}",
        customer=customer,
        order_date=day,
        total=Decimal(total),
        profit=Decimal(total) / 4,
    )


def slipping_customer(owner: Any, name: str) -> Customer:
    """Bought monthly for a year, nothing for the last 100 days: a frequency drop."""
    customer = CustomerFactory(owner=owner, name=name)
    today = timezone.localdate()
    for days in range(100, 460, 30):
        order(customer, today - datetime.timedelta(days=days), "3000.00")
    return customer


@pytest.fixture
def warned(org: Any) -> dict[str, Customer]:
    customers = {
        "east": slipping_customer(org.east_rep, "东方贸易"),
        "west": slipping_customer(org.west_rep, "西部物流"),
    }
    scores_compute()
    return customers


def test_churn_list_shows_reasons_ranked_and_only_in_scope(client, org, warned) -> None:
    client.force_login(org.east_rep)

    html = client.get(reverse("analytics:churn_list")).content.decode()

    assert html.count('data-testid="churn-row"') == 1
    assert "东方贸易" in html and "西部物流" not in html
    assert "Purchases down 100%" in html or "100%" in html

    client.force_login(org.admin)
    html = client.get(reverse("analytics:churn_list")).content.decode()
    assert html.count('data-testid="churn-row"') == 2


def test_churn_list_shows_customers_in_the_shared_pool(client, org) -> None:
    slipping_customer(None, "公海贸易")
    scores_compute()
    client.force_login(org.admin)

    response = client.get(reverse("analytics:churn_list"))

    assert response.status_code == 200
    assert "公海贸易" in response.content.decode()


def test_win_back_creates_a_task_for_the_owner_and_counts_in_the_outcome(
    client, org, warned
) -> None:
    customer = warned["east"]
    client.force_login(org.manager)

    response = client.post(
        reverse("analytics:win_back_start", args=[customer.pk]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert 'data-testid="win-back-started"' in response.content.decode()
    task = Task.objects.get(customer=customer)
    assert task.assignee == org.east_rep
    assert "东方贸易" in task.title and "下降" in task.notes
    assert WinBack.objects.filter(customer=customer, started_by=org.manager).exists()

    order(customer, timezone.localdate(), "500.00")
    rows = win_back_outcome(actor=org.admin, days=30, today=timezone.localdate())
    contacted, not_contacted = rows
    assert (contacted.customers, contacted.bought_again) == (1, 1)  # the day of the call counts
    assert not_contacted.customers == 1


def test_win_back_outside_scope_or_without_warning_is_refused(client, org, warned) -> None:
    client.force_login(org.east_rep)
    url = reverse("analytics:win_back_start", args=[warned["west"].pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert not WinBack.objects.exists()

    calm = CustomerFactory(owner=org.east_rep)
    response = client.post(reverse("analytics:win_back_start", args=[calm.pk]))
    assert response.status_code == 302
    assert not Task.objects.filter(customer=calm).exists()


def test_settings_page_saves_rules_and_refuses_bad_input(client, org) -> None:
    url = reverse("analytics:scoring_settings")
    client.force_login(org.east_rep)
    assert client.get(url).status_code == 403

    client.force_login(org.admin)
    page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="grade-rule"') == 6  # 4 defaults + 2 empty

    data = {
        "rfm_period_days": "180",
        "annual_discount_rate": "0.08",
        "new_customer_days": "60",
        "loyal_min_purchases": "4",
        "loyal_max_recency_days": "60",
        "dormant_days": "120",
        "lost_days": "300",
        "churn_window_days": "60",
        "churn_drop_percent": "40",
        "churn_p_alive_threshold": "0.25",
        "win_back_days": "21",
        "rules-TOTAL_FORMS": "2",
        "rules-INITIAL_FORMS": "0",
        "rules-0-grade": "A",
        "rules-0-min_spend": "80000",
        "rules-1-grade": "B",
        "rules-1-min_rfm_score": "12",
        "playbook-new-is_active": "on",
        "playbook-new-task_title": "欢迎电话",
        "playbook-new-due_in_working_days": "3",
    }
    for stage in ("prospect", "active", "loyal", "dormant", "lost"):
        data[f"playbook-{stage}-due_in_working_days"] = "3"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(GradeRule.objects.values_list("grade", flat=True)) == ["A", "B"]
    assert StagePlaybook.objects.get(stage="new").is_active

    data["rules-1-min_rfm_score"] = "20"
    data["lost_days"] = "abc"
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="error-lost_days"' in html
    assert "3 到 15" in html


def test_playbook_task_on_entering_a_stage(org) -> None:
    StagePlaybook.objects.update_or_create(
        stage="new",
        defaults={"is_active": True, "task_title": "欢迎电话", "due_in_working_days": 3},
    )
    customer = CustomerFactory(owner=org.east_rep)
    scores_compute()  # first run ever: no playbook tasks
    order(customer, timezone.localdate(), "100.00")

    result = scores_compute()

    assert result.playbook_tasks == 1
    task = Task.objects.get(customer=customer)
    assert task.assignee == org.east_rep and task.title.startswith("欢迎电话")


def test_360_panel_shows_scores_and_grade_history(org, warned, django_assert_num_queries) -> None:
    customer = warned["east"]
    request = RequestFactory().get("/")
    request.user = org.east_rep
    template = engines["django"].from_string(
        '{% include "analytics/partials/customer_scores.html" %}'
    )

    template.render({"customer": customer, "request": request})  # the role, once
    with django_assert_num_queries(2):  # the score; grade and stage history in one UNION
        html = template.render({"customer": customer, "request": request})

    assert 'data-testid="customer-scores"' in html
    assert 'data-testid="stage-change"' in html
    assert 'data-testid="scores-at-risk"' in html
    assert 'data-testid="grade-change"' in html  # '' → B on the first run

    request.user = org.west_rep  # not their customer: nothing shown
    html = template.render({"customer": customer, "request": request})
    assert 'data-testid="grade-change"' not in html


def test_stage_flow_counts_moves_in_scope(client, org, warned) -> None:
    client.force_login(org.east_rep)

    response = client.get(reverse("analytics:stage_flow"), {"months": "3"})

    html = response.content.decode()
    assert html.count('data-testid="stage-flow-row"') == 1
    assert 'id="stage-flow-data"' in html
    client.force_login(org.admin)
    html = client.get(reverse("analytics:stage_flow"), {"months": "x"}).content.decode()
    assert html.count('data-testid="stage-flow-row"') == 1  # both moved prospect → active
    assert ">2<" in html
