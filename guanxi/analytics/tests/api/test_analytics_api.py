"""The API gives the pages' figures with the same scoping."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.analytics.scoring import scores_compute
from guanxi.analytics.tests.views.test_churn_and_settings import slipping_customer
from guanxi.platform.testing.api_client import assert_problem

pytestmark = pytest.mark.django_db


def test_churn_list_score_and_win_back_in_scope(org: Any, api_as: Any) -> None:
    east = slipping_customer(org.east_rep, "东方贸易")
    west = slipping_customer(org.west_rep, "西部物流")
    scores_compute()
    rep = api_as(org.east_rep)

    listed = rep.get("/api/v1/analytics/churn")
    assert listed.status_code == 200, listed.content
    body = listed.json()
    assert body["count"] == 1
    assert body["items"][0]["customer"] == east.pk
    assert body["items"][0]["churn_reasons"][0]["text"]

    score = rep.get(f"/api/v1/analytics/customers/{east.pk}/score").json()
    assert score["rfm_score"] > 0 and score["is_at_risk"]
    assert_problem(rep.get(f"/api/v1/analytics/customers/{west.pk}/score"), 404)

    created = rep.post("/api/v1/analytics/win-backs", {"customer": east.pk})
    assert created.status_code == 200, created.content
    assert created.json()["task"]
    assert_problem(rep.post("/api/v1/analytics/win-backs", {"customer": west.pk}), 404)
    assert_problem(rep.post("/api/v1/analytics/win-backs", {"customer": "x"}), 422)
