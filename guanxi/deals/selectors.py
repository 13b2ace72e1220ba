"""Opportunity and pipeline reads.

Who sees an opportunity: `scoped()` on its own owner and team (like customers:
own / team / team and sub-teams / all), live rows of live customers only.
Pipelines and stages are shared configuration: whoever may view opportunities
sees them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanxi.accounts.models import Team
from guanxi.deals.models import (
    Opportunity,
    OpportunityStatus,
    Pipeline,
    Stage,
    StageHistory,
    StageKind,
)
from guanxi.deals.services._common import as_pk
from guanxi.deals.services.pipelines import pipeline_ensure_default
from guanxi.platform.exceptions import NotFound
from guanxi.platform.models import AuditEntry
from guanxi.platform.scoping import is_own_scope, may_act, scoped
from guanxi.platform.selectors import audit_list_for_object

OPPORTUNITY_SORTS: dict[str, list[str]] = {
    "-id": ["-id"],
    "id": ["id"],
    "close": ["expected_close_on", "id"],
    "-close": ["-expected_close_on", "-id"],
    "amount": ["amount", "id"],
    "-amount": ["-amount", "-id"],
    "-updated": ["-updated_at", "-id"],
}
CUSTOMER_OPPORTUNITY_LIMIT = 10
BOARD_CARD_LIMIT = 5000
CLOSED_CARD_LIMIT = 30
BOARD_CARD_FIELDS = (
    "id",
    "title",
    "amount",
    "expected_close_on",
    "status",
    "stage_id",
    "version",
    "customer__name",
    "owner__display_name",
    "owner__username",
)
ZERO = Decimal("0.00")


@dataclass
class OpportunityFilter:
    q: str = ""
    status: str = ""
    pipeline: int | None = None
    stage: int | None = None
    owner: int | None = None
    team: int | None = None
    customer: int | None = None
    close_month: str = ""  # "YYYY-MM"
    close_from: dt.date | None = None
    close_to: dt.date | None = None
    is_mine: bool = False


def month_bounds(value: str) -> tuple[dt.date, dt.date] | None:
    """ "2026-11" -> (2026-11-01, 2026-11-30); None for anything else."""
    try:
        year, month = (int(part) for part in str(value).split("-", 1))
        start = dt.date(year, month, 1)
    except (TypeError, ValueError):
        return None
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, end


def opportunity_list(
    *,
    actor: Any,
    filters: OpportunityFilter | None = None,
    action: str = "view",
    include_deleted: bool = False,
) -> QuerySet[Opportunity]:
    filters = filters or OpportunityFilter()
    qs = scoped(
        Opportunity.objects.all(), actor=actor, action=action, include_deleted=include_deleted
    )
    if filters.q:
        text = filters.q.strip()[:100]
        qs = qs.filter(Q(title__icontains=text) | Q(customer__name__icontains=text))
    if filters.status in OpportunityStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.pipeline:
        qs = qs.filter(pipeline_id=filters.pipeline)
    if filters.stage:
        qs = qs.filter(stage_id=filters.stage)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.is_mine:
        qs = qs.filter(owner_id=actor.pk)
    if filters.team:
        team = Team.objects.filter(pk=filters.team).only("path").first()
        qs = qs.filter(team__path__startswith=team.path) if team else qs.none()
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    bounds = month_bounds(filters.close_month) if filters.close_month else None
    if filters.close_month and bounds is None:
        qs = qs.none()
    if bounds:
        qs = qs.filter(expected_close_on__range=bounds)
    if filters.close_from:
        qs = qs.filter(expected_close_on__gte=filters.close_from)
    if filters.close_to:
        qs = qs.filter(expected_close_on__lte=filters.close_to)
    return qs.select_related("customer", "owner", "stage", "pipeline", "team")


def opportunity_get(*, actor: Any, opportunity_id: Any, action: str = "view") -> Opportunity:
    """One live opportunity the actor may see (or change/delete); anything else 404s."""
    pk = as_pk(opportunity_id)
    found = (
        opportunity_list(actor=actor, action=action)
        .select_related("contact", "created_by")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None:
        raise NotFound("opportunity")
    return found


def opportunity_is_restorable(opportunity: Opportunity, *, actor: Any) -> bool:
    return (
        opportunity_list(actor=actor, action="delete", include_deleted=True)
        .filter(pk=opportunity.pk, customer__deleted_at__isnull=True)
        .exists()
    )


def customer_opportunities(*, actor: Any, customer_id: int) -> list[Opportunity]:
    """The customer's opportunities for its 360 page: open ones first (soonest close)."""
    return list(
        opportunity_list(actor=actor, filters=OpportunityFilter(customer=customer_id)).order_by(
            "-status", "expected_close_on", "-id"
        )[:CUSTOMER_OPPORTUNITY_LIMIT]
    )


# --- pipelines -------------------------------------------------------------------------


def pipeline_list(*, actor: Any, include_inactive: bool = False) -> list[Pipeline]:
    """Pipelines with their stages (one query each), default first."""
    if not may_act(actor, Opportunity, "view"):
        return []
    pipeline_ensure_default()
    qs = Pipeline.objects.all()
    if not include_inactive:
        qs = qs.filter(is_active=True)
    pipelines = list(qs.order_by("-is_default", "order", "id"))
    stages: dict[int, list[Stage]] = {p.pk: [] for p in pipelines}
    for stage in Stage.objects.filter(pipeline__in=pipelines).order_by("order", "id"):
        stages[stage.pipeline_id].append(stage)
    for pipeline in pipelines:
        pipeline.stage_list = stages[pipeline.pk]  # type: ignore[attr-defined]
    return pipelines


def pipeline_get(*, actor: Any, pipeline_id: Any = None) -> Pipeline:
    """A pipeline with `stage_list`; the default one when no id is given."""
    if not may_act(actor, Opportunity, "view"):
        raise NotFound("pipeline")
    pk = as_pk(pipeline_id) if pipeline_id not in (None, "") else None
    if pipeline_id not in (None, "") and pk is None:
        raise NotFound("pipeline")
    pipeline = Pipeline.objects.filter(pk=pk).first() if pk else pipeline_ensure_default()
    if pipeline is None:
        raise NotFound("pipeline")
    pipeline.stage_list = list(pipeline.stages.order_by("order", "id"))  # type: ignore[attr-defined]
    return pipeline


def stage_get(*, pipeline: Pipeline, stage_id: Any) -> Stage:
    pk = as_pk(stage_id)
    for stage in getattr(pipeline, "stage_list", None) or pipeline.stages.all():
        if stage.pk == pk:
            return stage
    raise NotFound("stage")


# --- the board -------------------------------------------------------------------------


@dataclass(slots=True)
class BoardCard:
    """What a card shows: read as plain values (no model instances for thousands of rows)."""

    pk: int
    title: str
    amount: Decimal
    expected_close_on: dt.date
    status: str
    stage_id: int
    version: int
    customer_name: str
    owner_name: str

    @classmethod
    def of(cls, opportunity: Opportunity) -> BoardCard:
        owner = opportunity.owner
        return cls(
            pk=opportunity.pk,
            title=opportunity.title,
            amount=opportunity.amount,
            expected_close_on=opportunity.expected_close_on,
            status=opportunity.status,
            stage_id=opportunity.stage_id,
            version=opportunity.version,
            customer_name=opportunity.customer.name,
            owner_name=str(owner) if owner is not None else "",
        )


def _board_cards(qs: QuerySet[Opportunity]) -> Iterator[BoardCard]:
    for row in qs.values_list(*BOARD_CARD_FIELDS):
        yield BoardCard(*row[:8], owner_name=row[8] or row[9] or "")


@dataclass
class BoardColumn:
    stage: Stage
    cards: list[BoardCard] = field(default_factory=list)
    count: int = 0
    total: Decimal = ZERO
    weighted: Decimal = ZERO

    @property
    def is_truncated(self) -> bool:
        return self.count > len(self.cards)


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[BoardColumn]
    count: int
    total: Decimal
    weighted: Decimal


def _weighted(amount: Decimal, probability: int) -> Decimal:
    return (amount * Decimal(probability) / 100).quantize(Decimal("0.01"))


def _closed_since(filters: OpportunityFilter) -> Q:
    """Won and lost opportunities closed in the chosen close month (or this month when
    none is chosen): the won and lost columns do not grow forever."""
    closed = Q(status__in=[OpportunityStatus.WON, OpportunityStatus.LOST])
    if not (filters.close_month or filters.close_from or filters.close_to):
        today = timezone.localdate()
        start = timezone.make_aware(dt.datetime.combine(today.replace(day=1), dt.time.min))
        closed &= Q(stage_entered_at__gte=start)
    return closed


def _board_queryset(
    *, actor: Any, pipeline: Pipeline, filters: OpportunityFilter
) -> QuerySet[Opportunity]:
    """What the board counts: every open opportunity, plus the recently closed ones."""
    filters.pipeline = pipeline.pk
    qs = opportunity_list(actor=actor, filters=filters)
    return qs.filter(Q(status=OpportunityStatus.OPEN) | _closed_since(filters))


def _columns(pipeline: Pipeline) -> dict[int, BoardColumn]:
    stages = getattr(pipeline, "stage_list", None) or list(pipeline.stages.order_by("order", "id"))
    return {stage.pk: BoardColumn(stage=stage) for stage in stages}


def _board(pipeline: Pipeline, columns: dict[int, BoardColumn]) -> Board:
    for column in columns.values():
        column.weighted = _weighted(column.total, column.stage.probability)
    ordered = list(columns.values())
    is_open = [c for c in ordered if c.stage.kind == StageKind.OPEN]
    return Board(
        pipeline=pipeline,
        columns=ordered,
        count=sum(c.count for c in is_open),
        total=sum((c.total for c in is_open), ZERO),
        weighted=sum((c.weighted for c in is_open), ZERO),
    )


def board_get(*, actor: Any, pipeline: Pipeline, filters: OpportunityFilter | None = None) -> Board:
    """The kanban board. Open cards: ONE query (customer and owner joined, only the
    columns a card shows), counted and summed in Python. The won and lost columns
    show their newest CLOSED_CARD_LIMIT cards (one query each) and take their counts
    and totals from one GROUP BY: a constant number of queries, whatever the size."""
    filters = filters or OpportunityFilter()
    filters.pipeline = pipeline.pk
    columns = _columns(pipeline)
    visible = opportunity_list(actor=actor, filters=filters)
    open_cards = visible.filter(status=OpportunityStatus.OPEN).order_by("position", "-id")
    for card in _board_cards(open_cards[:BOARD_CARD_LIMIT]):
        column = columns.get(card.stage_id)
        if column is None:
            continue
        column.cards.append(card)
        column.count += 1
        column.total += card.amount
    closed = visible.filter(_closed_since(filters))
    for row in (
        closed.order_by().values("stage_id").annotate(count=Count("id"), total=Sum("amount"))
    ):
        column = columns.get(row["stage_id"])
        if column is not None:
            column.count, column.total = row["count"], row["total"] or ZERO
    for column in columns.values():
        if column.stage.kind == StageKind.OPEN or not column.count:
            continue
        newest = closed.filter(stage_id=column.stage.pk).order_by("-stage_entered_at", "-id")
        column.cards = list(_board_cards(newest[:CLOSED_CARD_LIMIT]))
    return _board(pipeline, columns)


def board_totals(
    *, actor: Any, pipeline: Pipeline, filters: OpportunityFilter | None = None
) -> Board:
    """Counts and amounts per column without the cards (after a move): one GROUP BY."""
    filters = filters or OpportunityFilter()
    columns = _columns(pipeline)
    rows = (
        _board_queryset(actor=actor, pipeline=pipeline, filters=filters)
        .order_by()
        .values("stage_id")
        .annotate(count=Count("id"), total=Sum("amount"))
    )
    for row in rows:
        column = columns.get(row["stage_id"])
        if column is not None:
            column.count = row["count"]
            column.total = row["total"] or ZERO
    return _board(pipeline, columns)


def last_change(*, actor: Any, opportunity: Opportunity) -> AuditEntry | None:
    """The newest audit entry of the opportunity (who moved or edited it last)."""
    return (
        audit_list_for_object(actor=actor, instance=opportunity)
        .order_by("-created_at", "-id")
        .first()
    )


def stage_history(*, opportunity: Opportunity) -> list[StageHistory]:
    return list(
        StageHistory.objects.filter(opportunity=opportunity)
        .select_related("changed_by")
        .order_by("changed_at", "id")
    )


@dataclass
class StageTime:
    name: str
    seconds: int
    is_current: bool


def time_in_stages(*, opportunity: Opportunity, history: list[StageHistory]) -> list[StageTime]:
    """Total time spent in each stage (a stage visited twice adds up), current last."""
    totals: dict[str, int] = {}
    for row in history:
        if row.from_stage_name:
            totals[row.from_stage_name] = totals.get(row.from_stage_name, 0) + max(
                0, row.seconds_in_previous
            )
    current_name = opportunity.stage.name
    if opportunity.is_open and opportunity.stage_entered_at:
        elapsed = int((timezone.now() - opportunity.stage_entered_at).total_seconds())
        totals[current_name] = totals.get(current_name, 0) + max(0, elapsed)
    else:
        totals.setdefault(current_name, 0)
    return [
        StageTime(name=name, seconds=seconds, is_current=name == current_name)
        for name, seconds in totals.items()
    ]


def owner_choices(*, actor: Any) -> list[Any]:
    return list(
        get_user_model().objects.filter(is_active=True).order_by("display_name", "username")[:500]
    )


def team_choices(*, actor: Any) -> list[Team]:
    return list(Team.objects.order_by("path")[:500])


def can_filter_by_owner(actor: Any) -> bool:
    return not is_own_scope(actor)


def pipeline_summary(*, actor: Any, pipeline: Pipeline) -> dict[int, dict[str, Any]]:
    """Counts and amounts of the open opportunities per stage, aggregated in SQL."""
    rows = (
        opportunity_list(actor=actor, filters=OpportunityFilter(pipeline=pipeline.pk))
        .filter(status=OpportunityStatus.OPEN)
        .values("stage_id")
        .annotate(
            count=Count("id"),
            total=Coalesce(Sum("amount"), Value(ZERO), output_field=DecimalField()),
            weighted=Coalesce(
                Sum(
                    ExpressionWrapper(
                        F("amount") * F("stage__probability") / 100,
                        output_field=DecimalField(max_digits=16, decimal_places=2),
                    )
                ),
                Value(ZERO),
                output_field=DecimalField(),
            ),
        )
    )
    return {row["stage_id"]: row for row in rows}
