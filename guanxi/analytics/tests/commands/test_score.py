from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from guanxi.analytics.models import CustomerScore
from guanxi.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_score_command_prints_what_it_did() -> None:
    CustomerFactory.create_batch(2)
    out = StringIO()

    with translation.override("en"):
        call_command("score", "--as-of", "2026-06-30", "--no-progress", stdout=out)

    text = out.getvalue()
    assert "2 customers scored" in text
    assert "CLV model not fitted" in text
    assert "without orders" in text
    assert CustomerScore.objects.count() == 2


def test_score_command_json_and_selected_customers() -> None:
    first, _second = CustomerFactory.create_batch(2)
    out = StringIO()

    call_command("score", "--customer", str(first.pk), "--json", "--no-progress", stdout=out)

    result = json.loads(out.getvalue())
    assert result["mode"] == "customers" and result["customers"] == 1


def test_score_command_refuses_a_bad_date() -> None:
    with pytest.raises(CommandError):
        call_command("score", "--as-of", "30/06/2026", "--no-progress")
