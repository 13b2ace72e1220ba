"""The board: columns and totals, filters, one query for all cards, moves over htmx."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.customers.tests.factories import CustomerFactory
from guanxi.deals import services
from guanxi.deals.models import Opportunity, StageKind
from guanxi.deals.tests.factories import days_from_today, make_opportunity, stages_of

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _board_queries(client: Client, **params: Any) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("deals:opportunity_board"), params)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_board_shows_columns_totals_and_weighted_totals(org: Any) -> None:
    stages = stages_of()
    make_opportunity(actor=org.east_rep, title="甲项目", amount="1000")
    second = make_opportunity(actor=org.east_rep, title="乙项目", amount="3000")
    services.opportunity_stage_change(
        actor=org.east_rep, opportunity=second, stage=stages[2], expected_version=1
    )
    make_opportunity(actor=org.west_rep, title="别人的项目", amount="7000")
    _count, page = _board_queries(_client(org.east_rep))
    assert "甲项目" in page and "乙项目" in page and "别人的项目" not in page
    assert 'data-testid="column-head"' in page
    # 方案报价 is 50 %: ¥3,000 weighted ¥1,500.
    head = page.split(f'id="column-head-{stages[2].pk}"')[1].split("</header>")[0]
    assert "3,000" in head and "1,500" in head
    summary = page.split('data-testid="board-summary"')[1].split("</div>")[0]
    assert "2" in summary and "4,000" in summary and "1,600" in summary  # 100 + 1,500


def test_board_uses_one_query_for_all_cards(org: Any) -> None:
    customers = [CustomerFactory(owner=org.east_rep) for _ in range(3)]
    for index in range(5):
        make_opportunity(actor=org.east_rep, customer=customers[index % 3])
    client = _client(org.manager)
    few, _page = _board_queries(client)
    for _index in range(25):
        make_opportunity(actor=org.west_rep, customer=CustomerFactory(owner=org.west_rep))
    many, page = _board_queries(client)
    assert page.count('data-testid="board-card"') == 30
    assert many == few  # no per-card query
    assert many <= 12


def test_board_filters_by_owner_team_and_close_month(org: Any) -> None:
    make_opportunity(actor=org.east_rep, title="东区项目", expected_close_on=days_from_today(3))
    make_opportunity(actor=org.west_rep, title="西区项目", expected_close_on=days_from_today(70))
    client = _client(org.manager)
    _c, by_owner = _board_queries(client, owner=org.west_rep.pk)
    assert "西区项目" in by_owner and "东区项目" not in by_owner
    _c, by_team = _board_queries(client, team=org.east.pk)
    assert "东区项目" in by_team and "西区项目" not in by_team
    month = days_from_today(70).strftime("%Y-%m")
    _c, by_month = _board_queries(client, close_month=month)
    assert "西区项目" in by_month
    response = client.get(
        reverse("deals:opportunity_board"), {"close_month": "garbage", "owner": "x"}, **HTMX
    )
    assert response.status_code == 200
    partial = client.get(
        reverse("deals:opportunity_board"),
        {"owner": org.east_rep.pk},
        HTTP_HX_TARGET="board",
        **HTMX,
    ).content.decode()
    assert partial.lstrip().startswith('<div id="board"') and "<html" not in partial
    rep_page = _client(org.east_rep).get(reverse("deals:opportunity_board")).content.decode()
    assert 'name="owner"' not in rep_page  # a rep sees only their own


def test_move_over_htmx_answers_card_and_totals(org: Any) -> None:
    stages = stages_of()
    card = make_opportunity(actor=org.east_rep, amount="2000")
    client = _client(org.east_rep)
    response = client.post(
        reverse("deals:opportunity_move", args=[card.pk]),
        {"stage": stages[1].pk, "version": card.version, "after": "", "before": ""},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-status="ok"' in body and f'id="card-{card.pk}"' in body
    assert f'id="column-head-{stages[1].pk}"' in body and "2,000" in body
    card.refresh_from_db()
    assert card.stage == stages[1] and card.version == 2


def test_stale_move_is_refused_with_who_changed_it(org: Any) -> None:
    stages = stages_of()
    card = make_opportunity(actor=org.east_rep)
    services.opportunity_stage_change(
        actor=org.manager, opportunity=card, stage=stages[2], expected_version=1
    )
    response = _client(org.east_rep).post(
        reverse("deals:opportunity_move", args=[card.pk]),
        {"stage": stages[1].pk, "version": 1},
        **HTMX,
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-status="conflict"' in body
    assert "王经理" in body and stages[2].name in body
    assert f'data-stage-id="{stages[2].pk}"' in body
    card.refresh_from_db()
    assert card.stage == stages[2]


def test_lost_drop_without_reason_is_refused(org: Any) -> None:
    lost = next(s for s in stages_of() if s.kind == StageKind.LOST)
    card = make_opportunity(actor=org.east_rep)
    client = _client(org.east_rep)
    url = reverse("deals:opportunity_move", args=[card.pk])
    refused = client.post(url, {"stage": lost.pk, "version": 1}, **HTMX)
    assert refused.status_code == 422 and 'data-status="invalid"' in refused.content.decode()
    done = client.post(url, {"stage": lost.pk, "version": 1, "lost_reason": "预算取消"}, **HTMX)
    assert done.status_code == 200
    card.refresh_from_db()
    assert card.status == "lost" and card.lost_reason == "预算取消"


def test_move_garbage_and_scope(org: Any) -> None:
    card = make_opportunity(actor=org.east_rep)
    url = reverse("deals:opportunity_move", args=[card.pk])
    assert _client(org.west_rep).post(url, {"stage": 1, "version": 1}, **HTMX).status_code == 404
    assert _client(org.service_agent).post(url, {"stage": 1}, **HTMX).status_code == 403
    client = _client(org.east_rep)
    for data in ({"stage": "abc", "version": "x"}, {"stage": 999999}, {}):
        response = client.post(url, data, **HTMX)
        assert response.status_code in (409, 422)
    plain = client.post(url, {"stage": stages_of()[1].pk, "version": 1})
    assert plain.status_code == 302
    assert Opportunity.objects.get(pk=card.pk).stage == stages_of()[1]
    assert Opportunity.objects.get(pk=card.pk).amount == Decimal("10000.00")


def test_closed_columns_show_the_newest_cards_and_count_them_all(org: Any, monkeypatch) -> None:
    from guanxi.deals import selectors

    monkeypatch.setattr(selectors, "CLOSED_CARD_LIMIT", 2)
    won = next(s for s in stages_of() if s.kind == StageKind.WON)
    customer = CustomerFactory(owner=org.east_rep)
    cards = [make_opportunity(actor=org.east_rep, customer=customer) for _ in range(3)]
    for card in cards:
        services.opportunity_win(actor=org.east_rep, opportunity=card, expected_version=1)
    old = make_opportunity(actor=org.east_rep, customer=customer, title="上个月赢单")
    services.opportunity_win(actor=org.east_rep, opportunity=old, expected_version=1)
    Opportunity.objects.filter(pk=old.pk).update(
        stage_entered_at=old.stage_entered_at - dt.timedelta(days=40)
    )
    count, page = _board_queries(_client(org.east_rep))
    head = page.split(f'id="column-head-{won.pk}"')[1].split("</header>")[0]
    assert '<span data-testid="column-count">3</span>' in head and "30,000" in head
    column = page.split(f'data-stage-id="{won.pk}" data-stage-kind="won"')[1].split("</section>")[0]
    assert column.count('data-testid="board-card"') == 2
    assert "上个月赢单" not in page
    assert count <= 14
