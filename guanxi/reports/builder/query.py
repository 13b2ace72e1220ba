"""Running a built report: a few set-based GROUP BY queries, merged by group key.

Scope: like the sales reports (reports/selectors.py), the actor needs
`reports.view_sales_reports`, and every query is filtered by `scope_condition` of
its model (customers by their owner/team, orders by their customer's), so a rep's
report never counts another rep's customers.

Per dimension there are at most two queries:
 - customer measures (count, CLV, churn risk) group the customers in scope
   (CustomerScore joined one-to-one);
 - order measures (orders, revenue, profit) group the counted orders
   (`counted_orders`: confirmed + completed, neither they nor their customer in the
   recycle bin) whose order date lies in the period.
Product groups order lines instead (revenue = line totals, profit = line total −
line cost) and counts each buying customer once per product (a DISTINCT pair
sub-query joined to the scores). Month groups orders by order month and customers
by the month they were created (a cohort), every month of the period shown.
Reads the customers, sales and analytics tables directly: a GROUP BY over a million
rows cannot go through row selectors (STYLE rule 20's exception, as reports/services).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Team, User
from guanxi.analytics.models import CustomerScore
from guanxi.customers.models import Customer, LifecycleStage, Tag
from guanxi.platform.exceptions import ValidationError
from guanxi.platform.scoping import scope_condition
from guanxi.reports.builder.definition import (
    CORRECT_ERRORS,
    CUSTOMER_MEASURES,
    DIMENSIONS,
    LABEL_SORT,
    MEASURES,
    MONEY_MEASURES,
    ORDER_MEASURES,
    Definition,
)
from guanxi.reports.selectors import (
    CENT,
    UNKNOWN_OWNER,
    UNKNOWN_TEAM,
    Period,
    ReportFilter,
    filter_choices,
    require_reports,
    resolve_filter,
)
from guanxi.reports.services import MonthStart
from guanxi.sales.models import COUNTED_STATUSES, Order, OrderLine, Product

OTHER = "__other__"
NONE = "__none__"
# the customer field each customer-attribute dimension groups by
CUSTOMER_KEYS = {
    "owner": "owner_id",
    "team": "team_id",
    "region": "province",
    "industry": "industry",
    "source": "source",
    "tag": "tags__id",
    "grade": "grade",
    "stage": "lifecycle_stage",
}
# customer list filter that a group drills down to (the others have none)
DRILL_PARAMS = {
    "owner": "owner",
    "team": "team",
    "tag": "tag",
    "grade": "grade",
    "stage": "stage",
    "source": "source",
}


def _money(value: Any) -> Decimal:
    # SQLite's SUM drops the scale (and may be a float): quantize to cents.
    return Decimal(str(value or 0)).quantize(CENT)


@dataclass
class Sums:
    """Everything a group can hold; `values()` picks the requested measures."""

    customers: int = 0
    orders: int = 0
    revenue: Decimal = Decimal("0.00")
    profit: Decimal = Decimal("0.00")
    clv_sum: Decimal = Decimal("0.00")
    clv_count: int = 0
    at_risk: int = 0
    value_at_risk: Decimal = Decimal("0.00")

    def add(self, other: Sums) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def value(self, measure: str) -> Decimal | int | None:
        if measure == "clv_total":
            return self.clv_sum
        if measure == "clv_average":
            if not self.clv_count:
                return None
            return (self.clv_sum / self.clv_count).quantize(CENT)
        return getattr(self, measure)


@dataclass
class ResultRow:
    key: Any  # the group's id / value / month; OTHER for the rest after top N
    label: str
    values: dict[str, Decimal | int | None]
    url: str = ""  # drill-down (customer list, or the order list for a month)

    @property
    def is_other(self) -> bool:
        return self.key == OTHER

    @property
    def cells(self) -> list[Decimal | int | None]:
        return list(self.values.values())


@dataclass
class ReportResult:
    definition: Definition
    period: Period
    rows: list[ResultRow]
    totals: dict[str, Decimal | int | None]
    group_count: int  # groups before top N folded the rest into "other"
    duration_ms: int
    owner: Any = None
    team: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def dimension_label(self) -> str:
        return str(DIMENSIONS[self.definition.dimension])

    @property
    def measure_labels(self) -> list[str]:
        return [str(MEASURES[m]) for m in self.definition.measures]

    @property
    def header(self) -> list[str]:
        return [self.dimension_label, *self.measure_labels]

    @property
    def is_money(self) -> list[bool]:
        return [m in MONEY_MEASURES for m in self.definition.measures]

    @property
    def counts_twice(self) -> bool:
        """Tags and products: a customer (or an order) may fall in several groups, so
        the total of customer counts can exceed the number of customers."""
        return self.definition.dimension in ("tag", "product")


# --------------------------------------------------------------------- queries
def _customers(actor: Any, definition: Definition, owner: Any, team: Any) -> QuerySet[Customer]:
    qs = Customer.objects.filter(deleted_at__isnull=True)
    condition = scope_condition(Customer, actor)
    if condition is not None:
        qs = qs.filter(condition)
    if owner is not None:
        qs = qs.filter(owner_id=owner.pk)
    if team is not None:
        qs = qs.filter(team__path__startswith=team.path)
    if definition.grade:
        qs = qs.filter(grade=definition.grade)
    if definition.stage:
        qs = qs.filter(lifecycle_stage=definition.stage)
    return qs


def _order_condition(
    actor: Any, definition: Definition, owner: Any, team: Any, period: Period
) -> Q:
    """Counted orders of the period in scope (the rows of `counted_orders`, as a Q so
    that order lines can be filtered through the same condition)."""
    condition = Q(
        status__in=COUNTED_STATUSES,
        deleted_at__isnull=True,
        customer__deleted_at__isnull=True,
        order_date__gte=period.start,
        order_date__lte=period.last_day,
    )
    scope = scope_condition(Order, actor)
    if scope is not None:
        condition &= scope
    if owner is not None:
        condition &= Q(customer__owner_id=owner.pk)
    if team is not None:
        condition &= Q(customer__team__path__startswith=team.path)
    if definition.grade:
        condition &= Q(customer__grade=definition.grade)
    if definition.stage:
        condition &= Q(customer__lifecycle_stage=definition.stage)
    return condition


def _score_annotations(measures: tuple[str, ...], prefix: str = "") -> dict[str, Any]:
    wanted: dict[str, Any] = {"customers": Count("id")}
    if {"clv_total", "clv_average"} & set(measures):
        wanted["clv_sum"] = Sum(f"{prefix}score__clv_12m")
        wanted["clv_count"] = Count(f"{prefix}score__clv_12m")
    if {"at_risk", "value_at_risk"} & set(measures):
        at_risk = Q(**{f"{prefix}score__is_at_risk": True})
        wanted["at_risk"] = Count("id", filter=at_risk)
        wanted["value_at_risk"] = Sum(f"{prefix}score__value_at_risk", filter=at_risk)
    return wanted


def _sums(row: dict[str, Any]) -> Sums:
    return Sums(
        customers=int(row.get("customers") or 0),
        orders=int(row.get("orders") or 0),
        revenue=_money(row.get("revenue")),
        profit=_money(row.get("profit")),
        clv_sum=_money(row.get("clv_sum")),
        clv_count=int(row.get("clv_count") or 0),
        at_risk=int(row.get("at_risk") or 0),
        value_at_risk=_money(row.get("value_at_risk")),
    )


def _merge(groups: dict[Any, Sums], key: Any, sums: Sums) -> None:
    if key in groups:
        groups[key].add(sums)
    else:
        groups[key] = sums


def _month_key(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10]).replace(day=1)
    return value.replace(day=1)


def _group_attribute(
    definition: Definition, customers: QuerySet[Customer], orders: QuerySet[Order]
) -> dict[Any, Sums]:
    key = CUSTOMER_KEYS[definition.dimension]
    measures = set(definition.measures)
    groups: dict[Any, Sums] = {}
    if measures & CUSTOMER_MEASURES:
        rows = (
            customers.annotate(k=F(key))
            .values("k")
            .annotate(**_score_annotations(definition.measures))
            .order_by()
        )
        for row in rows:
            _merge(groups, row["k"] or None, _sums(row))  # "" and NULL: one "not set"
    if measures & ORDER_MEASURES:
        rows = (
            orders.annotate(k=F(f"customer__{key}"))
            .values("k")
            .annotate(orders=Count("id"), revenue=Sum("total"), profit=Sum("profit"))
            .order_by()
        )
        for row in rows:
            _merge(groups, row["k"] or None, _sums(row))
    return groups


def _prefixed(condition: Q, prefix: str) -> Q:
    """The same condition seen from a model one relation away (orders -> order lines)."""
    clone = Q()
    clone.connector, clone.negated = condition.connector, condition.negated
    clone.children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1])
        for child in condition.children
    ]
    return clone


def _group_product(definition: Definition, orders: Q) -> dict[Any, Sums]:
    measures = set(definition.measures)
    # the lines joined to the counted orders (a join plans better than `IN (subquery)`)
    lines = OrderLine.objects.filter(_prefixed(orders, "order__"))
    groups: dict[Any, Sums] = {}
    if measures & ORDER_MEASURES:
        rows = (
            lines.values("product_id")
            .annotate(
                orders=Count("order_id", distinct=True),
                revenue=Sum("line_total"),
                profit=Sum(F("line_total") - F("line_cost")),
            )
            .order_by()
        )
        for row in rows:
            _merge(groups, row["product_id"], _sums(row))
    if measures & CUSTOMER_MEASURES:
        # each buying customer once per product: DISTINCT (product, customer) pairs
        pairs = lines.annotate(pair_product=F("product_id"), pair_customer=F("order__customer_id"))
        pairs_sql, params = (
            pairs.values("pair_product", "pair_customer").distinct().order_by().query
        ).sql_with_params()
        score_table = connection.ops.quote_name(CustomerScore._meta.db_table)
        sql = (
            "SELECT p.pair_product, COUNT(*), SUM(s.clv_12m), COUNT(s.clv_12m),"
            " SUM(CASE WHEN s.is_at_risk THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN s.is_at_risk THEN s.value_at_risk ELSE 0 END)"
            f" FROM ({pairs_sql}) p LEFT JOIN {score_table} s ON s.customer_id = p.pair_customer"
            " GROUP BY p.pair_product"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for product_id, customers, clv_sum, clv_count, at_risk, value in cursor.fetchall():
                _merge(
                    groups,
                    product_id,
                    _sums(
                        {
                            "customers": customers,
                            "clv_sum": clv_sum,
                            "clv_count": clv_count,
                            "at_risk": at_risk,
                            "value_at_risk": value,
                        }
                    ),
                )
    return groups


def _group_month(
    definition: Definition,
    customers: QuerySet[Customer],
    orders: QuerySet[Order],
    period: Period,
) -> dict[Any, Sums]:
    measures = set(definition.measures)
    groups: dict[Any, Sums] = {month: Sums() for month in period.months}
    if measures & CUSTOMER_MEASURES:
        tz = timezone.get_current_timezone()
        start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min), tz)
        end = timezone.make_aware(
            dt.datetime.combine(period.last_day + dt.timedelta(days=1), dt.time.min), tz
        )
        rows = (
            customers.filter(created_at__gte=start, created_at__lt=end)
            .annotate(k=TruncMonth("created_at", output_field=DateField(), tzinfo=tz))
            .values("k")
            .annotate(**_score_annotations(definition.measures))
            .order_by()
        )
        for row in rows:
            _merge(groups, _month_key(row["k"]), _sums(row))
    if measures & ORDER_MEASURES:
        rows = (
            orders.annotate(k=MonthStart("order_date"))
            .values("k")
            .annotate(orders=Count("id"), revenue=Sum("total"), profit=Sum("profit"))
            .order_by()
        )
        for row in rows:
            _merge(groups, _month_key(row["k"]), _sums(row))
    return groups


# --------------------------------------------------------------------- labels
def _labels(dimension: str, keys: list[Any]) -> dict[Any, str]:
    ids = [k for k in keys if k is not None]
    if dimension == "owner":
        return {
            u.pk: u.display_name or u.username
            for u in User.objects.filter(pk__in=ids).only("id", "display_name", "username")
        }
    if dimension == "team":
        return dict(Team.objects.filter(pk__in=ids).values_list("id", "name"))
    if dimension == "tag":
        return dict(Tag.objects.filter(pk__in=ids).values_list("id", "name"))
    if dimension == "product":
        return dict(Product.objects.filter(pk__in=ids).values_list("id", "name"))
    if dimension == "stage":
        return {value: str(label) for value, label in LifecycleStage.choices}
    if dimension == "month":
        return {k: f"{k:%Y-%m}" for k in ids}
    return {k: str(k) for k in ids if k != ""}


def _missing_label(dimension: str) -> str:
    return {
        "owner": _("(no owner)"),
        "team": _("(no team)"),
        "tag": _("(no tag)"),
        "grade": _("(no grade)"),
    }.get(dimension, _("(not set)"))


def _drill_url(definition: Definition, key: Any, owner: Any, team: Any) -> str:
    dimension = definition.dimension
    if dimension == "month":
        last = (key.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        query = {"date_from": key.isoformat(), "date_to": last.isoformat()}
        return f"{reverse('sales:order_list')}?{urlencode(query)}"
    if dimension not in DRILL_PARAMS or key in (None, ""):
        return ""
    params: dict[str, Any] = {}
    if owner is not None:
        params["owner"] = owner.pk
    if team is not None and dimension != "team":
        params["team"] = team.pk
    if definition.grade:
        params["grade"] = definition.grade
    if definition.stage:
        params["stage"] = definition.stage
    params[DRILL_PARAMS[dimension]] = key
    return f"{reverse('customers:customer_list')}?{urlencode(params)}"


# --------------------------------------------------------------------- run
def _sorted(definition: Definition, rows: list[tuple[Any, str, Sums]]) -> list[Any]:
    if definition.dimension == "month":
        return sorted(rows, key=lambda row: row[0])
    sort = definition.sort_key
    if sort == LABEL_SORT:
        return sorted(rows, key=lambda row: row[1], reverse=definition.descending)

    def value(row: tuple[Any, str, Sums]) -> tuple[int, Any]:
        number = row[2].value(sort)
        if number is None:  # no value (an average of nothing) goes last either way
            return (0 if definition.descending else 1, 0)
        return (1 if definition.descending else 0, number)

    ordered = sorted(rows, key=lambda row: row[1])  # ties: by label
    return sorted(ordered, key=value, reverse=definition.descending)


def _check_in_scope(actor: Any, owner: Any, team: Any) -> None:
    """An owner/team filter outside the actor's data scope is a field error (it could
    only give an empty report, which would look like "no sales")."""
    if owner is None and team is None:
        return
    owners, teams = filter_choices(actor=actor)
    errors: dict[str, list[str]] = {}
    if owner is not None and owner.pk not in {user.pk for user in owners}:
        errors["owner"] = [str(UNKNOWN_OWNER)]
    if team is not None and team.pk not in {item.pk for item in teams}:
        errors["team"] = [str(UNKNOWN_TEAM)]
    if errors:
        raise ValidationError(str(CORRECT_ERRORS), field_errors=errors)


def report_run(*, actor: Any, definition: Definition) -> ReportResult:
    """The report for the actor: rows (top N and "other"), totals, drill-down links.

    Filters: the period (whole months, default the last 12, as the sales reports),
    the customer's owner and team (sub-teams included), grade and stage. The owner
    and team must be ones the actor may see (field error otherwise).
    """
    require_reports(actor)
    started = time.perf_counter()
    period, owner, team = resolve_filter(
        actor=actor,
        filters=ReportFilter(
            date_from=definition.date_from,
            date_to=definition.date_to,
            owner=definition.owner,
            team=definition.team,
        ),
    )
    _check_in_scope(actor, owner, team)
    customers = _customers(actor, definition, owner, team)
    condition = _order_condition(actor, definition, owner, team, period)
    orders = Order.objects.filter(condition)
    if definition.dimension == "product":
        groups = _group_product(definition, condition)
    elif definition.dimension == "month":
        groups = _group_month(definition, customers, orders, period)
    else:
        groups = _group_attribute(definition, customers, orders)
    labels = _labels(definition.dimension, list(groups))
    missing = _missing_label(definition.dimension)
    named = [(key, labels.get(key) or missing, sums) for key, sums in groups.items()]
    ordered = _sorted(definition, named)
    totals = Sums()
    for _key, _label, sums in ordered:
        totals.add(sums)
    kept = ordered
    rest: list[Any] = []
    if definition.top_n and definition.dimension != "month" and len(ordered) > definition.top_n:
        kept, rest = ordered[: definition.top_n], ordered[definition.top_n :]

    def values(sums: Sums) -> dict[str, Decimal | int | None]:
        return {m: sums.value(m) for m in definition.measures}

    rows = [
        ResultRow(
            key=key,
            label=label,
            values=values(sums),
            url=_drill_url(definition, key, owner, team),
        )
        for key, label, sums in kept
    ]
    if rest:
        other = Sums()
        for _key, _label, sums in rest:
            other.add(sums)
        label = _("Other (%(count)s)") % {"count": len(rest)}
        rows.append(ResultRow(key=OTHER, label=label, values=values(other)))
    return ReportResult(
        definition=definition,
        period=period,
        rows=rows,
        totals=values(totals),
        group_count=len(ordered),
        duration_ms=round((time.perf_counter() - started) * 1000),
        owner=owner,
        team=team,
    )
