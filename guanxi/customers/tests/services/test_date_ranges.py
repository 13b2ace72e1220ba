"""Dates far outside business use (year 0001, 9999) are typos: a field error, not
a crash when the time is converted to UTC or stored."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.customers.models import Interaction
from guanxi.customers.services import customer_create, interaction_create
from guanxi.customers.services._common import DATE_OUT_OF_RANGE
from guanxi.platform.exceptions import ValidationError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "when",
    ["0001-01-01T00:00:00", "9999-12-31T23:59:59", dt.datetime(1, 1, 1),
     "0001-01-01T00:00:00+08:00", "1899-12-31T12:00:00"],
)  # fmt: skip
def test_a_follow_up_time_out_of_range_is_a_field_error_and_writes_nothing(org, when):
    customer = customer_create(actor=org.east_rep, name="张三")

    with pytest.raises(ValidationError) as caught:
        interaction_create(
            actor=org.east_rep, customer=customer, kind="call", content="电话", occurred_at=when
        )

    assert "occurred_at" in caught.value.field_errors
    assert not Interaction.objects.exists()


def test_a_birthday_in_year_one_is_refused(org):
    with pytest.raises(ValidationError) as caught:
        customer_create(actor=org.east_rep, name="张三", birthday="0001-02-03")
    expected = str(DATE_OUT_OF_RANGE) % {"earliest": 1900, "latest": 2200}
    assert caught.value.field_errors["birthday"] == [expected]


def test_ordinary_dates_are_accepted(org):
    customer = customer_create(actor=org.east_rep, name="张三", birthday="1985-06-01")
    interaction = interaction_create(
        actor=org.east_rep, customer=customer, kind="call", content="电话",
        occurred_at="2026-11-25T09:30:00", next_follow_up_on="2026-12-01",
    )  # fmt: skip
    assert interaction.occurred_at.year == 2026
