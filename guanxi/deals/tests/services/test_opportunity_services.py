"""Opportunity services: create defaults, validation (nothing written), stage changes,
win/lose/reopen, versions, recycle bin, merge."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from guanxi.customers.tests.factories import ContactFactory, CustomerFactory
from guanxi.deals import selectors, services
from guanxi.deals.models import Opportunity, OpportunityStatus, StageHistory, StageKind
from guanxi.deals.services._common import (
    CLOSE_DATE_IN_PAST,
    LOST_REASON_REQUIRED,
    NOT_NEGATIVE,
    STAGE_OTHER_PIPELINE,
)
from guanxi.deals.tests.factories import days_from_today, make_opportunity, stages_of
from guanxi.platform.exceptions import ConflictError, NotFound, PermissionDenied, ValidationError
from guanxi.platform.models import AuditEntry

pytestmark = pytest.mark.django_db


def _audit(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def test_create_defaults_to_default_pipeline_first_stage_owner_and_team(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    opportunity = services.opportunity_create(
        actor=org.east_rep,
        customer=customer,
        title="年度框架采购",
        amount="12,345.678",
        expected_close_on=days_from_today(10),
    )
    first = stages_of()[0]
    assert opportunity.stage == first and first.name == "初步接洽"
    assert opportunity.pipeline.is_default
    assert opportunity.owner == org.east_rep and opportunity.team == org.east
    assert opportunity.amount == Decimal("12345.68")
    assert opportunity.status == OpportunityStatus.OPEN
    assert opportunity.currency == "CNY"
    history = list(StageHistory.objects.filter(opportunity=opportunity))
    assert [(h.from_stage, h.to_stage, h.to_stage_name) for h in history] == [
        (None, first, "初步接洽")
    ]
    assert _audit("deals.opportunity.created") == 1
    assert selectors.opportunity_get(actor=org.east_rep, opportunity_id=opportunity.pk)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount": "-1"}, "amount", NOT_NEGATIVE),
        ({"amount": "abc"}, "amount", None),
        ({"amount": "NaN"}, "amount", None),
        ({"amount": "1e30"}, "amount", None),
        ({"expected_close_on": dt.date(2001, 1, 1)}, "expected_close_on", CLOSE_DATE_IN_PAST),
        ({"expected_close_on": "2026-02-30"}, "expected_close_on", None),
        ({"expected_close_on": None}, "expected_close_on", None),
        ({"expected_close_on": "9999-01-01"}, "expected_close_on", None),
        ({"title": "   "}, "title", None),
        ({"title": "x" * 201}, "title", None),
        ({"owner": 999999}, "owner", None),
        ({"customer": 999999}, "customer", None),
        ({"customer": "abc"}, "customer", None),
        ({"stage": 999999}, "stage", None),
        ({"pipeline": 999999}, "pipeline", None),
        ({"currency": "RMB!"}, "currency", None),
        ({"colour": "red"}, "colour", None),
    ],
)
def test_bad_input_gives_field_errors_and_writes_nothing(
    org: Any, fields: dict[str, Any], field: str, message: Any
) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    values: dict[str, Any] = {
        "customer": customer,
        "title": "项目",
        "amount": "100",
        "expected_close_on": days_from_today(5),
        **fields,
    }
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.opportunity_create(actor=org.east_rep, **values)
    assert field in caught.value.field_errors
    if message is not None:
        assert str(message) in caught.value.field_errors[field]
    assert Opportunity.objects.count() == 0
    assert StageHistory.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_stage_of_another_pipeline_is_a_field_error(org: Any) -> None:
    other = services.pipeline_create(actor=org.manager, name="渠道项目")
    foreign_stage = other.stages.order_by("order").first()
    with pytest.raises(ValidationError) as caught:
        make_opportunity(actor=org.east_rep, stage=foreign_stage)
    assert caught.value.field_errors["stage"] == [str(STAGE_OTHER_PIPELINE)]
    opportunity = make_opportunity(actor=org.east_rep)
    with pytest.raises(ValidationError):
        services.opportunity_stage_change(
            actor=org.east_rep,
            opportunity=opportunity,
            stage=foreign_stage,
            expected_version=opportunity.version,
        )
    with pytest.raises(ValidationError):
        services.opportunity_update(
            actor=org.east_rep,
            opportunity=opportunity,
            expected_version=opportunity.version,
            stage=foreign_stage.pk,
        )


def test_out_of_scope_customer_and_foreign_contact_are_refused(org: Any) -> None:
    west_customer = CustomerFactory(owner=org.west_rep)
    with pytest.raises(ValidationError) as caught:
        make_opportunity(actor=org.east_rep, customer=west_customer)
    assert "customer" in caught.value.field_errors
    mine = CustomerFactory(owner=org.east_rep)
    stranger = ContactFactory(customer=CustomerFactory(owner=org.east_rep))
    with pytest.raises(ValidationError) as caught:
        make_opportunity(actor=org.east_rep, customer=mine, contact=stranger)
    assert "contact" in caught.value.field_errors
    contact = ContactFactory(customer=mine)
    assert make_opportunity(actor=org.east_rep, customer=mine, contact=contact).contact == contact


def test_service_agent_cannot_create(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    with pytest.raises(PermissionDenied):
        make_opportunity(actor=org.service_agent, customer=customer)


def test_stage_change_writes_history_time_and_bumps_version(org: Any) -> None:
    opportunity = make_opportunity(actor=org.east_rep)
    stages = stages_of()
    StageHistory.objects.filter(opportunity=opportunity).update(
        changed_at=opportunity.stage_entered_at - dt.timedelta(days=3)
    )
    Opportunity.objects.filter(pk=opportunity.pk).update(
        stage_entered_at=opportunity.stage_entered_at - dt.timedelta(days=3)
    )
    opportunity.refresh_from_db()
    moved = services.opportunity_stage_change(
        actor=org.east_rep,
        opportunity=opportunity,
        stage=stages[2],
        expected_version=opportunity.version,
    )
    assert moved.stage == stages[2] and moved.version == opportunity.version + 1
    last = StageHistory.objects.filter(opportunity=opportunity).order_by("-id").first()
    assert last.from_stage == stages[0] and last.to_stage == stages[2]
    assert 3 * 86400 - 60 < last.seconds_in_previous < 3 * 86400 + 60
    assert _audit("deals.opportunity.stage_changed") == 1
    times = selectors.time_in_stages(
        opportunity=moved, history=selectors.stage_history(opportunity=moved)
    )
    assert times[0].name == "初步接洽" and times[0].seconds >= 3 * 86400 - 60
    assert times[-1].is_current and times[-1].name == stages[2].name


def test_stale_version_is_refused_and_nothing_changes(org: Any) -> None:
    opportunity = make_opportunity(actor=org.east_rep)
    stages = stages_of()
    services.opportunity_update(
        actor=org.east_rep,
        opportunity=opportunity,
        expected_version=opportunity.version,
        next_step="发方案",
    )
    with pytest.raises(ConflictError):
        services.opportunity_stage_change(
            actor=org.manager,
            opportunity=opportunity,
            stage=stages[1],
            expected_version=opportunity.version,
        )
    opportunity.refresh_from_db()
    assert opportunity.stage == stages[0]
    assert StageHistory.objects.filter(opportunity=opportunity).count() == 1


def test_moving_into_won_and_lost_stages_wins_and_loses(org: Any) -> None:
    stages = stages_of()
    won_stage = next(s for s in stages if s.kind == StageKind.WON)
    lost_stage = next(s for s in stages if s.kind == StageKind.LOST)
    opportunity = make_opportunity(actor=org.east_rep)
    won = services.opportunity_stage_change(
        actor=org.east_rep, opportunity=opportunity, stage=won_stage, expected_version=1
    )
    assert won.status == OpportunityStatus.WON and won.won_at is not None
    assert _audit("deals.opportunity.won") == 1

    other = make_opportunity(actor=org.east_rep)
    with pytest.raises(ValidationError) as caught:
        services.opportunity_stage_change(
            actor=org.east_rep, opportunity=other, stage=lost_stage, expected_version=1
        )
    assert caught.value.field_errors["lost_reason"] == [str(LOST_REASON_REQUIRED)]
    other.refresh_from_db()
    assert other.status == OpportunityStatus.OPEN and other.version == 1
    lost = services.opportunity_lose(
        actor=org.east_rep, opportunity=other, expected_version=1, reason="价格太高"
    )
    assert lost.status == OpportunityStatus.LOST and lost.lost_reason == "价格太高"
    assert lost.lost_at is not None and lost.stage == lost_stage

    with pytest.raises(ValidationError):
        services.opportunity_win(actor=org.east_rep, opportunity=lost, expected_version=2)
    reopened = services.opportunity_reopen(
        actor=org.east_rep, opportunity=lost, expected_version=lost.version
    )
    assert reopened.status == OpportunityStatus.OPEN
    assert reopened.stage == stages[0]  # the last open stage it was in
    assert reopened.lost_reason == "" and reopened.lost_at is None


def test_reopen_needs_a_future_close_date(org: Any) -> None:
    opportunity = make_opportunity(actor=org.east_rep)
    lost = services.opportunity_lose(
        actor=org.east_rep, opportunity=opportunity, expected_version=1, reason="预算取消"
    )
    Opportunity.objects.filter(pk=lost.pk).update(expected_close_on=dt.date(2020, 1, 1))
    lost.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.opportunity_reopen(actor=org.east_rep, opportunity=lost, expected_version=2)
    assert "expected_close_on" in caught.value.field_errors
    reopened = services.opportunity_reopen(
        actor=org.east_rep,
        opportunity=lost,
        expected_version=2,
        expected_close_on=days_from_today(7),
    )
    assert reopened.is_open and reopened.expected_close_on == days_from_today(7)


def test_update_validates_and_keeps_old_overdue_dates(org: Any) -> None:
    opportunity = make_opportunity(actor=org.east_rep)
    with pytest.raises(ValidationError) as caught:
        services.opportunity_update(
            actor=org.east_rep, opportunity=opportunity, expected_version=1, amount=-5
        )
    assert "amount" in caught.value.field_errors
    with pytest.raises(ValidationError) as caught:
        services.opportunity_update(
            actor=org.east_rep,
            opportunity=opportunity,
            expected_version=1,
            expected_close_on=days_from_today(-1),
        )
    assert caught.value.field_errors["expected_close_on"] == [str(CLOSE_DATE_IN_PAST)]
    Opportunity.objects.filter(pk=opportunity.pk).update(expected_close_on=dt.date(2024, 5, 1))
    opportunity.refresh_from_db()
    updated = services.opportunity_update(
        actor=org.east_rep, opportunity=opportunity, expected_version=1, title="改名"
    )
    assert updated.title == "改名" and updated.version == 2
    moved = services.opportunity_stage_change(
        actor=org.east_rep, opportunity=updated, stage=stages_of()[1], expected_version=2
    )
    assert moved.stage == stages_of()[1]


def test_reorder_within_a_column_changes_position_only(org: Any) -> None:
    first = make_opportunity(actor=org.east_rep)
    second = make_opportunity(actor=org.east_rep)
    third = make_opportunity(actor=org.east_rep)
    # Newest on top: third, second, first. Put first between third and second.
    moved = services.opportunity_stage_change(
        actor=org.east_rep,
        opportunity=first,
        stage=first.stage,
        expected_version=999,
        after_id=third.pk,
        before_id=second.pk,
    )
    assert moved.version == 1
    order = list(
        Opportunity.objects.filter(stage=first.stage)
        .order_by("position", "-id")
        .values_list("pk", flat=True)
    )
    assert order == [third.pk, first.pk, second.pk]


def test_position_renumbers_when_there_is_no_gap(org: Any) -> None:
    cards = [make_opportunity(actor=org.east_rep) for _ in range(3)]
    Opportunity.objects.filter(pk__in=[c.pk for c in cards]).update(position=0)
    top, middle, bottom = sorted(cards, key=lambda c: -c.pk)
    services.opportunity_stage_change(
        actor=org.east_rep,
        opportunity=bottom,
        stage=bottom.stage,
        expected_version=None,
        after_id=top.pk,
        before_id=middle.pk,
    )
    order = list(
        Opportunity.objects.filter(stage=top.stage)
        .order_by("position", "-id")
        .values_list("pk", flat=True)
    )
    assert order == [top.pk, bottom.pk, middle.pk]


def test_delete_restore_and_scope(org: Any) -> None:
    opportunity = make_opportunity(actor=org.east_rep)
    with pytest.raises(NotFound):
        selectors.opportunity_get(actor=org.west_rep, opportunity_id=opportunity.pk)
    services.opportunity_delete(actor=org.east_rep, opportunity=opportunity)
    with pytest.raises(NotFound):
        selectors.opportunity_get(actor=org.east_rep, opportunity_id=opportunity.pk)
    with pytest.raises(NotFound):
        services.opportunity_restore(actor=org.west_rep, instance=opportunity)
    services.opportunity_restore(actor=org.east_rep, instance=opportunity)
    assert selectors.opportunity_get(actor=org.east_rep, opportunity_id=opportunity.pk)


def test_customer_merge_moves_opportunities(org: Any) -> None:
    from guanxi.customers.services.merge import merge_handlers

    keep = CustomerFactory(owner=org.east_rep)
    gone = CustomerFactory(owner=org.east_rep)
    opportunity = make_opportunity(actor=org.east_rep, customer=gone)
    moved = merge_handlers()["deals.opportunity"](actor=org.admin, source=gone, target=keep)
    assert moved == [opportunity.pk]
    opportunity.refresh_from_db()
    assert opportunity.customer == keep


def test_opportunity_remembers_its_lead(org: Any) -> None:
    from guanxi.leads.tests.factories import make_lead

    lead = make_lead(actor=org.east_rep, owner=org.east_rep)
    by_instance = make_opportunity(actor=org.east_rep, lead=lead)
    assert by_instance.lead == lead
    assert make_opportunity(actor=org.east_rep, lead=lead.pk).lead == lead
    with pytest.raises(ValidationError) as caught:
        make_opportunity(actor=org.east_rep, lead=999999)
    assert "lead" in caught.value.field_errors
