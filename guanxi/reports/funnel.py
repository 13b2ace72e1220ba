"""Funnel and weighted pipeline from opportunities (guanxi.deals), aggregated in SQL.

Funnel: the opportunities of one pipeline created in the period (the cohort),
in the actor's scope (the opportunity's owner/team, like the deals pages).
An opportunity "reached" a stage when it is in that stage or a later open/won
stage: a deal moved from 初步接洽 straight to 谈判审批 passed the stages in
between. Lost stages are not steps: a lost deal counts up to the furthest
open stage in its stage history. An open deal moved back counts at its current
stage (reading every deal's history would double the cost for a rare case).
Won deals reach every step. Conversion = reached(this) / reached(previous).
One GROUP BY (stage reached, status) over the cohort; the steps are sums of
those few rows.

Weighted pipeline: open opportunities' amount × stage probability, by the month
of their expected close date; open deals whose close date has passed count in
the current month (they are still expected to close).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanxi.platform.exceptions import NotFound
from guanxi.platform.scoping import scope_condition
from guanxi.reports.selectors import (
    CENT,
    Period,
    ReportFilter,
    _money,
    require_reports,
    resolve_filter,
)
from guanxi.reports.services import MonthStart, add_months, month_start

ZERO = Decimal("0.00")


def _deals_ready() -> bool:
    try:
        from guanxi.deals.models import Opportunity  # noqa: F401
    except ImportError:  # pragma: no cover - the deals app not installed yet
        return False
    return True


def _scoped_opportunities(actor: Any, owner: Any, team: Any) -> QuerySet[Any]:
    from guanxi.deals.models import Opportunity

    qs = Opportunity.objects.filter(deleted_at__isnull=True, customer__deleted_at__isnull=True)
    condition = scope_condition(Opportunity, actor)
    if condition is not None:
        qs = qs.filter(condition)
    if owner is not None:
        qs = qs.filter(owner_id=owner.pk)
    if team is not None:
        qs = qs.filter(team__path__startswith=team.path)
    return qs


def weighted_pipeline(
    *, actor: Any, start: dt.date, months: int, owner: Any = None, team: Any = None
) -> dict[dt.date, Decimal] | None:
    """{month: Σ amount × probability / 100} for `months` months from `start` (the
    current month); None when there are no opportunities to read (no deals app)."""
    if not _deals_ready():
        return None
    end = add_months(start, months)
    weighted = ExpressionWrapper(
        F("amount") * F("stage__probability") / Value(100),
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )
    rows = (
        _scoped_opportunities(actor, owner, team)
        .filter(status="open", expected_close_on__lt=end)
        .annotate(month=MonthStart("expected_close_on"))
        .values("month")
        .annotate(weighted=Sum(weighted))
        .order_by()
    )
    result: dict[dt.date, Decimal] = {}
    for row in rows:
        month = max(month_start(row["month"]), start)
        result[month] = result.get(month, Decimal("0.00")) + _money(row["weighted"])
    return result


@dataclass
class FunnelStep:
    stage_id: int
    name: str
    probability: int
    kind: str
    count: int
    amount: Decimal
    conversion: float | None  # from the step before, percent
    of_first: float | None  # from the first step, percent


@dataclass
class FunnelOwnerRow:
    owner_id: int | None
    owner_name: str
    created: int
    amount: Decimal
    won: int
    won_amount: Decimal
    lost: int
    open: int

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return round(self.won / closed * 100, 1) if closed else None


@dataclass
class SalesFunnel:
    period: Period
    pipeline: Any
    pipelines: list[Any]
    steps: list[FunnelStep]
    created: int
    won: int
    won_amount: Decimal
    lost: int
    lost_amount: Decimal
    owners: list[FunnelOwnerRow]
    owner: Any = None
    team: Any = None

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return round(self.won / closed * 100, 1) if closed else None


def _percent(part: int, whole: int) -> float | None:
    return round(part / whole * 100, 1) if whole else None


def sales_funnel(*, actor: Any, filters: ReportFilter, pipeline_id: Any = None) -> SalesFunnel:
    """Counts and amounts that reached each stage of one pipeline, for the
    opportunities created in the period; plus won/lost and a per-owner table."""
    require_reports(actor)
    period, owner, team = resolve_filter(actor=actor, filters=filters)
    from guanxi.deals.models import StageHistory, StageKind
    from guanxi.deals.selectors import pipeline_get, pipeline_list

    pipelines = pipeline_list(actor=actor)
    try:
        pipeline = pipeline_get(actor=actor, pipeline_id=pipeline_id)
    except NotFound:
        if pipeline_id not in (None, ""):
            raise
        pipeline = None
    if pipeline is None:
        return SalesFunnel(
            period, None, pipelines, [], 0, 0, Decimal("0.00"), 0, Decimal("0.00"), [], owner, team
        )
    zone = timezone.get_current_timezone()
    starts = dt.datetime.combine(period.start, dt.time.min, tzinfo=zone)
    ends = dt.datetime.combine(add_months(period.end, 1), dt.time.min, tzinfo=zone)
    cohort = _scoped_opportunities(actor, owner, team).filter(
        pipeline_id=pipeline.pk, created_at__gte=starts, created_at__lt=ends
    )
    # Where each opportunity got to: its current stage, or for a lost one the
    # furthest open/won stage in its history (an indexed lookup for those rows only).
    lost_reached = Subquery(
        StageHistory.objects.filter(
            opportunity_id=OuterRef("pk"), to_stage__pipeline_id=pipeline.pk
        )
        .exclude(to_stage__kind=StageKind.LOST)
        .order_by()
        .values("opportunity_id")
        .annotate(furthest=Max("to_stage__order"))
        .values("furthest")[:1],
        output_field=IntegerField(),
    )
    reached = Case(
        When(~Q(stage__kind=StageKind.LOST), then=F("stage__order")),
        default=Coalesce(lost_reached, Value(-1)),
        output_field=IntegerField(),
    )
    # One row per (stage reached, status): a handful of rows, summed up below.
    groups = list(
        cohort.annotate(reached=reached)
        .values("reached", "status")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by()
    )
    stages = [s for s in pipeline.stage_list if s.kind != StageKind.LOST]

    def total(rows: list[dict[str, Any]]) -> tuple[int, Decimal]:
        return sum(r["count"] for r in rows), sum((_money(r["amount"]) for r in rows), ZERO)

    steps: list[FunnelStep] = []
    for index, stage in enumerate(stages):
        if stage.kind == StageKind.WON:
            rows = [r for r in groups if r["status"] == "won"]
        else:
            rows = [
                r
                for r in groups
                if r["status"] == "won"
                or (r["reached"] is not None and r["reached"] >= stage.order)
            ]
        count, amount = total(rows)
        previous = steps[-1].count if steps else None
        first = steps[0].count if steps else count
        steps.append(
            FunnelStep(
                stage_id=stage.pk,
                name=stage.name,
                probability=stage.probability,
                kind=stage.kind,
                count=count,
                amount=amount,
                conversion=_percent(count, previous) if previous is not None else None,
                of_first=_percent(count, first) if index else None,
            )
        )
    created, _created_amount = total(groups)
    won, won_amount = total([r for r in groups if r["status"] == "won"])
    lost, lost_amount = total([r for r in groups if r["status"] == "lost"])
    owners = [
        FunnelOwnerRow(
            owner_id=row["owner_id"],
            owner_name=row["owner__display_name"] or row["owner__username"] or "—",
            created=row["created"],
            amount=_money(row["created_amount"]),
            won=row["won"],
            won_amount=_money(row["won_amount"]),
            lost=row["lost"],
            open=row["open"],
        )
        for row in cohort.values("owner_id", "owner__display_name", "owner__username")
        .annotate(
            created=Count("id"),
            created_amount=Sum("amount"),
            won=Count("id", filter=Q(status="won")),
            won_amount=Sum("amount", filter=Q(status="won")),
            lost=Count("id", filter=Q(status="lost")),
            open=Count("id", filter=Q(status="open")),
        )
        .order_by(F("won_amount").desc(nulls_last=True), "-created", "owner_id")[:100]
    ]
    return SalesFunnel(
        period=period,
        pipeline=pipeline,
        pipelines=pipelines,
        steps=steps,
        created=created,
        won=won,
        won_amount=won_amount,
        lost=lost,
        lost_amount=lost_amount,
        owners=owners,
        owner=owner,
        team=team,
    )


__all__ = ["CENT", "SalesFunnel", "sales_funnel", "weighted_pipeline"]
