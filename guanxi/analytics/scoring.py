"""The scoring run: RFM, CLV, churn signals, grades and lifecycle stages per customer.

One pass over the data, set-based:

1. per-customer aggregates of the orders in SQL (orders merged per day, then grouped
   by customer) and of the interactions (one GROUP BY each);
2. numpy for the quintiles, the BG/NBD + Gamma-Gamma fit and predictions (when the
   data is too small the fit is skipped and the churn list relies on the rules),
   the churn rules, grades and stages;
3. bulk writes: `CustomerScore` rows deleted and re-inserted in chunks, grade and
   stage changes applied with one UPDATE per (value, chunk) plus history rows and
   audit entries.

Which orders count: status confirmed or completed, not deleted, dated on or before
`today`. An order in status "refunded" was given back in full and counts as nothing.
A negative total (a credit note) lowers the spend of its day; a day whose net total
is negative is a refund day, not a purchase. Orders dated after `today` are ignored
and counted in the run's notes, as are the other odd cases.
"""

from __future__ import annotations

import contextlib
import datetime
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from guanxi.analytics.clv import bgnbd, gamma_gamma
from guanxi.analytics.clv.clv import predict_customers
from guanxi.analytics.clv.errors import InsufficientDataError
from guanxi.analytics.clv.fitting import fit_summary
from guanxi.analytics.clv.summary import Summary
from guanxi.analytics.models import (
    CustomerScore,
    GradeChange,
    GradeRule,
    ScoringRun,
    ScoringRunMode,
    ScoringSettings,
    StageChange,
)
from guanxi.analytics.rfm import quantile_scores
from guanxi.customers.models import Customer, Interaction, LifecycleStage
from guanxi.platform.models import AuditEntry
from guanxi.platform.request_context import current_origin
from guanxi.sales.models import COUNTED_STATUSES, Order, OrderStatus

CHUNK = 5000
BASELINE_DAYS = 365  # the churn baseline: the 12 months before the recent window
Progress = Callable[[str, int, int], None]

# Churn reason codes stored in CustomerScore.churn_reasons, rendered by churn_reason_text.
FREQUENCY_DOWN = "frequency_down"
AMOUNT_DOWN = "amount_down"
INTERACTIONS_DOWN = "interactions_down"
LOW_P_ALIVE = "low_p_alive"

REASON_TEXTS = {
    FREQUENCY_DOWN: _(
        "Purchases down %(percent)s%%: %(recent)s in the last %(days)s days, "
        "%(expected)s expected from the year before"
    ),
    AMOUNT_DOWN: _(
        "Spend down %(percent)s%%: ¥%(recent)s in the last %(days)s days, "
        "¥%(expected)s expected from the year before"
    ),
    INTERACTIONS_DOWN: _(
        "Interactions down %(percent)s%%: %(recent)s in the last %(days)s days, "
        "%(expected)s expected from the year before"
    ),
    LOW_P_ALIVE: _("Probability still active (BG/NBD) is %(p_alive)s%%, below %(threshold)s%%"),
}

NOTE_TEXTS = {
    "future_orders_ignored": _("%(count)s orders dated in the future were ignored"),
    "refunded_orders_ignored": _("%(count)s refunded orders count as nothing"),
    "refund_days": _(
        "%(count)s customer-days with a negative net total are refunds, not purchases"
    ),
    "zero_value_days": _("%(count)s purchase days of zero value counted as purchases"),
    "customers_without_orders": _("%(count)s customers without orders are prospects (not scored)"),
    "one_purchase_customers": _("%(count)s customers bought on one day only (no repeat purchase)"),
}


def churn_reason_text(reason: dict[str, Any]) -> str:
    template = REASON_TEXTS.get(reason.get("code", ""))
    if template is None:
        return str(reason.get("code", ""))
    return str(template) % reason


def note_texts(notes: dict[str, int]) -> list[str]:
    return [str(NOTE_TEXTS[key]) % {"count": count} for key, count in notes.items() if count]


@dataclass
class ScoringResult:
    run_id: int
    mode: str
    customers: int
    grade_changes: int
    stage_changes: int
    playbook_tasks: int = 0
    notes: dict[str, int] = field(default_factory=dict)
    fit: dict[str, Any] = field(default_factory=dict)
    fit_error: str = ""
    seconds: float = 0.0
    # Seconds per phase (read, SQL aggregates, fit, predictions, writes), for the
    # benchmarks and the command's --json output.
    phases: dict[str, float] = field(default_factory=dict)
    # The process's peak RSS (MB) so far at the end of each phase: where memory grows.
    peak_rss_mb: dict[str, int] = field(default_factory=dict)


def _peak_rss_mb() -> int:
    try:
        import resource
    except ImportError:  # not on Unix
        return 0
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


class _Laps:
    """Wall-clock seconds per phase of a run, each lap ending where the next starts,
    and the peak RSS so far at the end of each."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_rss_mb: dict[str, int] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(self.seconds.get(name, 0.0) + now - self._last, 3)
        self.peak_rss_mb[name] = _peak_rss_mb()
        self._last = now


def scoring_settings_get() -> ScoringSettings:
    found = ScoringSettings.objects.filter(pk=1).first()
    if found is None:
        found, _created = ScoringSettings.objects.get_or_create(pk=1)
    return found


# --------------------------------------------------------------------------- reading


def _id_chunks(ids: np.ndarray) -> list[np.ndarray | None]:
    return [ids[start : start + 900] for start in range(0, ids.size, 900)]


def _date_param(value: datetime.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()


def _ordinals(values: Sequence[Any]) -> np.ndarray:
    """date.toordinal() of dates or ISO date strings (SQLite), -1 for None."""
    days = np.array(values, dtype="datetime64[D]")
    return np.where(np.isnat(days), -1, days.astype(np.int64) + EPOCH_ORDINAL)


def _changed_customer_ids(since: datetime.datetime) -> list[int]:
    """Customers whose orders, interactions or record changed since the last run.

    Unordered: with the models' default orderings SQLite walked the date index to
    avoid a sort and fetched every one of 10,000,000 orders by rowid (45 s per hourly
    run); a plain scan reads them in table order."""
    ids: set[int] = set()
    for model, column in ((Order, "customer_id"), (Interaction, "customer_id"), (Customer, "id")):
        rows = model.objects.filter(updated_at__gt=since).order_by()
        ids.update(rows.values_list(column, flat=True).iterator(chunk_size=10_000))
    return sorted(ids)


PAGE = 100_000  # rows per keyset page when reading every customer


def _live_customers(customer_ids: list[int] | None) -> dict[str, np.ndarray]:
    """id, grade, stage and owner (0: none) of the live customers (all, or the given
    ones).

    Read in keyset pages into arrays, the grade and stage strings shared (one object
    per value): a list of 1,000,000 row tuples with their own strings cost hundreds of
    MB. Names are read later, for the customers whose grade or stage changes."""
    shared: dict[str, str] = {}
    pages: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    base = Customer.objects.filter(deleted_at__isnull=True).order_by("id")
    columns = ("id", "grade", "lifecycle_stage", "owner_id")

    def add(rows: list[tuple[Any, ...]]) -> None:
        pages.append(
            (
                np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows)),
                np.array([shared.setdefault(row[1], row[1]) for row in rows], dtype=object),
                np.array([shared.setdefault(row[2], row[2]) for row in rows], dtype=object),
                np.fromiter((row[3] or 0 for row in rows), dtype=np.int64, count=len(rows)),
            )
        )

    if customer_ids is None:
        last = 0
        while rows := list(base.filter(id__gt=last).values_list(*columns)[:PAGE]):
            add(rows)
            last = rows[-1][0]
    else:
        for start in range(0, len(customer_ids), 900):
            if rows := list(
                base.filter(id__in=customer_ids[start : start + 900]).values_list(*columns)
            ):
                add(rows)
    if not pages:
        return {
            "id": np.zeros(0, dtype=np.int64),
            "grade": np.zeros(0, dtype=object),
            "stage": np.zeros(0, dtype=object),
            "owner": np.zeros(0, dtype=np.int64),
        }
    return {
        name: np.concatenate([page[index] for page in pages])
        for index, name in enumerate(("id", "grade", "stage", "owner"))
    }


ORDER_AGGREGATE_SQL = """
SELECT cid,
  COUNT(CASE WHEN amount >= 0 THEN 1 END),
  MIN(CASE WHEN amount >= 0 THEN d END),
  MAX(CASE WHEN amount >= 0 THEN d END),
  SUM(CASE WHEN amount >= 0 AND d = first_d THEN amount ELSE 0 END),
  SUM(CASE WHEN amount >= 0 THEN amount ELSE 0 END),
  COUNT(CASE WHEN amount >= 0 AND d > %(period_start)s THEN 1 END),
  SUM(CASE WHEN d > %(period_start)s THEN amount ELSE 0 END),
  SUM(CASE WHEN d > %(period_start)s THEN profit ELSE 0 END),
  COUNT(CASE WHEN amount >= 0 AND d > %(recent_start)s THEN 1 END),
  SUM(CASE WHEN d > %(recent_start)s THEN amount ELSE 0 END),
  COUNT(CASE WHEN amount >= 0 AND d > %(base_start)s AND d <= %(recent_start)s THEN 1 END),
  SUM(CASE WHEN d > %(base_start)s AND d <= %(recent_start)s THEN amount ELSE 0 END),
  COUNT(CASE WHEN amount < 0 THEN 1 END),
  COUNT(CASE WHEN amount = 0 THEN 1 END)
FROM (
  SELECT customer_id AS cid, order_date AS d, SUM(total) AS amount, SUM(profit) AS profit,
    MIN(CASE WHEN SUM(total) >= 0 THEN order_date END) OVER (PARTITION BY customer_id) AS first_d
  FROM {order_table}
  WHERE deleted_at IS NULL AND status IN (%(status_a)s, %(status_b)s) AND order_date <= %(today)s
    {customer_filter}
  GROUP BY customer_id, order_date
) days
GROUP BY cid
"""

ORDER_COLUMNS = (
    "purchases",
    "first",
    "last",
    "first_amount",
    "purchase_amount",
    "frequency",
    "monetary",
    "profit",
    "recent_frequency",
    "recent_amount",
    "base_frequency",
    "base_amount",
    "refund_days",
    "zero_days",
)


def _order_table(*, is_all: bool) -> str:
    """The orders table for the aggregate query. On a full run SQLite must read it
    front to back: it otherwise walks the (customer, date) index and fetches every
    order's row by rowid, a random read each (10,000,000 orders in a database bigger
    than its page cache: tens of minutes instead of a minute)."""
    table = connection.ops.quote_name(Order._meta.db_table)
    return f"{table} NOT INDEXED" if is_all and connection.vendor == "sqlite" else table


def _order_aggregates(
    ids: np.ndarray, *, today: datetime.date, settings: ScoringSettings, is_all: bool
) -> dict[str, np.ndarray]:
    size = ids.size
    result = {name: np.zeros(size, dtype=np.float64) for name in ORDER_COLUMNS}
    result["first"] = np.full(size, -1, dtype=np.int64)
    result["last"] = np.full(size, -1, dtype=np.int64)
    recent_start = today - datetime.timedelta(days=settings.churn_window_days)
    params: dict[str, Any] = {
        "period_start": _date_param(today - datetime.timedelta(days=settings.rfm_period_days)),
        "recent_start": _date_param(recent_start),
        "base_start": _date_param(recent_start - datetime.timedelta(days=BASELINE_DAYS)),
        "today": _date_param(today),
        "status_a": str(COUNTED_STATUSES[0]),
        "status_b": str(COUNTED_STATUSES[1]),
    }
    chunks: list[np.ndarray | None] = [None] if is_all else _id_chunks(ids)
    for chunk in chunks:
        customer_filter = ""
        if chunk is not None:
            if not chunk.size:
                continue
            customer_filter = "AND customer_id IN (" + ",".join(str(int(v)) for v in chunk) + ")"
        sql = ORDER_AGGREGATE_SQL.format(
            order_table=_order_table(is_all=chunk is None),
            customer_filter=customer_filter,
        )
        with _big_read(), connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(CHUNK * 4):
                # Column by column through numpy (a generator per cell cost seconds).
                columns = list(zip(*rows, strict=True))
                cids = np.array(columns[0], dtype=np.int64)
                where = np.searchsorted(ids, cids)
                where = np.minimum(where, max(size - 1, 0))
                known = (ids[where] == cids) if size else np.zeros(len(rows), dtype=bool)
                positions = where[known]
                for index, name in enumerate(ORDER_COLUMNS, start=1):
                    if name in ("first", "last"):
                        values = _ordinals(columns[index])
                    else:
                        values = np.nan_to_num(np.array(columns[index], dtype=np.float64))
                    result[name][positions] = values[known]
    return result


SQLITE_AGGREGATE_CACHE_KB = 16384
POSTGRESQL_AGGREGATE_WORK_MEM = "64MB"


@contextlib.contextmanager
def _big_read() -> Iterator[None]:
    """Settings for an aggregate over every order or interaction, read in batches
    through `connection.chunked_cursor()` or `.iterator()`.

    PostgreSQL (in a transaction, for SET LOCAL): the server-side cursor is planned for
    the whole result (the default cursor_tuple_fraction of 0.1 favours a fast-start
    plan: an index walk over 10,000,000 orders), and work_mem is raised from the
    server's 4 MB so the per-day hash and the sorts spill less (at 2,000,000 orders
    they wrote ~800 MB of temporary files). A client-side cursor would hold the whole
    result in libpq memory (~200 MB for 1,000,000 customers).
    SQLite: a smaller page cache while the query runs: each of its sorts and temporary
    B-trees may take as much memory as the cache size (64 MB in the settings: ~250 MB
    in this process for the orders aggregate; 16 MB: ~60 MB)."""
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
            cursor.execute(f"SET LOCAL work_mem = '{POSTGRESQL_AGGREGATE_WORK_MEM}'")
            yield
        return
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_AGGREGATE_CACHE_KB}")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA cache_size = {previous}")


def _interaction_counts(
    ids: np.ndarray, *, now: datetime.datetime, settings: ScoringSettings, is_all: bool
) -> dict[str, np.ndarray]:
    size = ids.size
    counts = {name: np.zeros(size, dtype=np.float64) for name in ("period", "recent", "base")}
    recent_start = now - datetime.timedelta(days=settings.churn_window_days)
    base_start = recent_start - datetime.timedelta(days=BASELINE_DAYS)
    period_start = now - datetime.timedelta(days=settings.rfm_period_days)
    queryset = Interaction.objects.filter(deleted_at__isnull=True, occurred_at__lte=now)
    chunks: list[np.ndarray | None] = [None] if is_all else _id_chunks(ids)
    for chunk in chunks:
        selected = queryset
        if chunk is not None:
            if not chunk.size:
                continue
            selected = queryset.filter(customer_id__in=chunk.tolist())
        rows = (
            selected.order_by()
            .values("customer_id")
            .annotate(
                period=Count("id", filter=Q(occurred_at__gt=period_start)),
                recent=Count("id", filter=Q(occurred_at__gt=recent_start)),
                base=Count(
                    "id", filter=Q(occurred_at__gt=base_start, occurred_at__lte=recent_start)
                ),
            )
            .values_list("customer_id", "period", "recent", "base")
        )
        if not size:
            continue
        # In batches: a list of 1,000,000 result tuples is ~150 MB.
        with _big_read():
            for batch in _batches(rows.iterator(chunk_size=CHUNK * 4), CHUNK * 4):
                table = np.array(batch, dtype=np.int64).reshape(-1, 4)
                where = np.minimum(np.searchsorted(ids, table[:, 0]), size - 1)
                known = ids[where] == table[:, 0]
                for index, name in enumerate(("period", "recent", "base"), start=1):
                    counts[name][where[known]] = table[known, index]
    return counts


def _batches(rows: Iterable[Any], size: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --------------------------------------------------------------------------- computing


@dataclass
class _Fit:
    bgnbd: bgnbd.BgNbdParams | None = None
    gamma_gamma: gamma_gamma.GammaGammaParams | None = None
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        if self.bgnbd is None or self.gamma_gamma is None:
            return {}
        return {
            "bgnbd": {**self.bgnbd.as_dict(), "customers": self.bgnbd.customers},
            "gamma_gamma": {
                **self.gamma_gamma.as_dict(),
                "customers": self.gamma_gamma.customers,
                "fallback_mean": self.gamma_gamma.fallback_mean,
            },
            "warnings": [*self.bgnbd.at_bounds, *self.gamma_gamma.at_bounds],
        }


def _fit_from_stored(stored: dict[str, Any]) -> _Fit:
    if not stored:
        return _Fit(error=_gettext("No earlier full run with a model fit."))
    purchases = stored["bgnbd"]
    spend = stored["gamma_gamma"]
    return _Fit(
        bgnbd=bgnbd.BgNbdParams(
            r=purchases["r"], alpha=purchases["alpha"], a=purchases["a"], b=purchases["b"]
        ),
        gamma_gamma=gamma_gamma.GammaGammaParams(
            p=spend["p"],
            q=spend["q"],
            gamma=spend["gamma"],
            fallback_mean=spend.get("fallback_mean", float("nan")),
        ),
    )


def _clv_inputs(orders: dict[str, np.ndarray], today_ordinal: int) -> tuple[np.ndarray, ...]:
    bought = orders["purchases"] > 0
    frequency = np.where(bought, orders["purchases"] - 1, 0.0)
    recency = np.where(bought, orders["last"] - orders["first"], 0).astype(np.float64)
    age = np.where(bought, today_ordinal - orders["first"], 0).astype(np.float64)
    repeat_amount = orders["purchase_amount"] - orders["first_amount"]
    monetary = np.divide(
        repeat_amount, frequency, out=np.zeros_like(repeat_amount), where=frequency > 0
    )
    return bought, frequency, recency, age, np.maximum(monetary, 0.0)


def _predict(
    fit: _Fit,
    orders: dict[str, np.ndarray],
    *,
    today: datetime.date,
    settings: ScoringSettings,
    is_fitting: bool,
    laps: _Laps | None = None,
) -> tuple[_Fit, dict[str, np.ndarray] | None]:
    laps = laps or _Laps()
    bought, frequency, recency, age, monetary = _clv_inputs(orders, today.toordinal())
    if is_fitting:
        summary = Summary(
            customer_ids=np.flatnonzero(bought),
            frequency=frequency[bought],
            recency=recency[bought],
            age=age[bought],
            monetary=monetary[bought],
            time_unit="days",
            calibration_end=today,
        )
        try:
            if not summary.customers:
                raise InsufficientDataError(_gettext("No customer has bought anything yet."))
            report = fit_summary(summary)
        except InsufficientDataError as error:
            return _Fit(error=str(error.args[0] if error.args else error)), None
        fit = _Fit(bgnbd=report.bgnbd, gamma_gamma=report.gamma_gamma)
        laps.lap("fit")
    if fit.bgnbd is None or fit.gamma_gamma is None or not np.any(bought):
        return fit, None
    predictions = predict_customers(
        fit.bgnbd,
        fit.gamma_gamma,
        frequency[bought],
        recency[bought],
        age[bought],
        monetary[bought],
        time_unit="days",
        annual_discount_rate=float(settings.annual_discount_rate),
    )
    size = bought.size
    values: dict[str, np.ndarray] = {}
    for name, array in (
        ("p_alive", predictions.probability_alive),
        ("purchases_90", predictions.purchases_90_days),
        ("purchases_365", predictions.purchases_365_days),
        ("clv", predictions.clv_12_months),
    ):
        full = np.full(size, np.nan)
        full[bought] = array
        values[name] = full
    laps.lap("predict")
    return fit, values


@dataclass
class _ChurnReasons:
    """The churn reasons of every customer as arrays, one signal per code; the JSON
    text of a row is made only when its slice of score rows is written (dicts for
    1,000,000 flagged customers cost seconds and hundreds of MB).

    The text is what json.dumps writes for the list of reason dicts that
    `churn_reason_text` renders."""

    window: int
    # (code, flagged, recent, expected, is_money)
    drops: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, bool]] = field(default_factory=list)
    low_p_alive: np.ndarray | None = None
    p_alive: np.ndarray | None = None
    threshold: float = 0.0

    def json_texts(self, start: int, stop: int) -> dict[int, str]:
        """JSON text of the reasons of rows start..stop-1 that have any, by offset."""
        parts: dict[int, list[str]] = {}
        for code, flagged, recent, expected, is_money in self.drops:
            where = np.flatnonzero(flagged[start:stop])
            if not where.size:
                continue
            recents = recent[start:stop][where]
            expecteds = expected[start:stop][where]
            percents = np.rint(100 * (1 - recents / expecteds)).astype(np.int64).tolist()
            template = (
                f'{{"code": "{code}", "percent": %d, "recent": "%s", "expected": "%s", '
                f'"days": {self.window}}}'
            )
            for offset, percent, shown_recent, shown_expected in zip(
                where.tolist(),
                percents,
                _shown_all(recents, is_money),
                _shown_all(expecteds, is_money),
                strict=True,
            ):
                parts.setdefault(offset, []).append(
                    template % (percent, shown_recent, shown_expected)
                )
        if self.low_p_alive is not None and self.p_alive is not None:
            where = np.flatnonzero(self.low_p_alive[start:stop])
            template = (
                f'{{"code": "{LOW_P_ALIVE}", "p_alive": %d, '
                f'"threshold": {round(100 * self.threshold)}}}'
            )
            percents = np.rint(100 * self.p_alive[start:stop][where]).astype(np.int64).tolist()
            for offset, percent in zip(where.tolist(), percents, strict=True):
                parts.setdefault(offset, []).append(template % percent)
        return {offset: "[" + ", ".join(items) + "]" for offset, items in parts.items()}


def _churn(
    orders: dict[str, np.ndarray],
    interactions: dict[str, np.ndarray],
    predictions: dict[str, np.ndarray] | None,
    settings: ScoringSettings,
) -> tuple[np.ndarray, _ChurnReasons, np.ndarray]:
    """Churn flag, reasons and value at risk per customer."""
    size = orders["purchases"].size
    scale = settings.churn_window_days / BASELINE_DAYS
    keep = 1 - settings.churn_drop_percent / 100
    reasons = _ChurnReasons(window=settings.churn_window_days)
    is_at_risk = np.zeros(size, dtype=bool)

    def flag(code: str, recent: np.ndarray, base: np.ndarray, minimum: float, money: bool) -> None:
        expected = base * scale
        dropped = (base >= minimum) & (recent < expected * keep)
        is_at_risk[dropped] = True
        reasons.drops.append((code, dropped, recent, expected, money))

    flag(FREQUENCY_DOWN, orders["recent_frequency"], orders["base_frequency"], 2, False)
    flag(AMOUNT_DOWN, np.maximum(orders["recent_amount"], 0), orders["base_amount"], 0.01, True)
    flag(INTERACTIONS_DOWN, interactions["recent"], interactions["base"], 2, False)
    if predictions is not None:
        threshold = float(settings.churn_p_alive_threshold)
        p_alive = predictions["p_alive"]
        with np.errstate(invalid="ignore"):
            low = ~np.isnan(p_alive) & (p_alive < threshold) & (orders["purchases"] > 1)
        is_at_risk |= low
        reasons.low_p_alive, reasons.p_alive, reasons.threshold = low, p_alive, threshold
    # Value at risk: what the customer brought in the 12 months before the recent
    # window, or the expected 12-month CLV if that is larger.
    value = np.maximum(orders["base_amount"], 0.0)
    if predictions is not None:
        value = np.maximum(value, np.nan_to_num(predictions["clv"], nan=0.0))
    value = np.where(is_at_risk, value, 0.0)
    return is_at_risk, reasons, value


def _shown_all(values: np.ndarray, is_money: bool) -> list[str]:
    if is_money:
        return [f"{value:,.0f}" for value in values.tolist()]
    return [f"{value:.1f}".rstrip("0").rstrip(".") for value in values.tolist()]


def _money_text(value: Any) -> str:
    return f"{Decimal(value):,.0f}"


def _grades(
    rules: list[GradeRule],
    values: dict[str, np.ndarray],
    period_days: int,
) -> tuple[np.ndarray, list[str]]:
    """First matching rule per customer ('' where none matches) and why it matched."""
    size = values["monetary"].size
    grades = np.full(size, "", dtype=object)
    rule_of = np.full(size, -1, dtype=np.int64)
    unassigned = np.ones(size, dtype=bool)
    for index, rule in enumerate(rules):
        matches = unassigned.copy()
        if rule.min_spend is not None:
            matches &= values["monetary"] >= float(rule.min_spend)
        if rule.min_profit is not None:
            matches &= values["profit"] >= float(rule.min_profit)
        if rule.min_frequency is not None:
            matches &= values["frequency"] >= rule.min_frequency
        if rule.max_recency_days is not None:
            matches &= values["has_purchase"] & (values["recency"] <= rule.max_recency_days)
        if rule.min_interactions is not None:
            matches &= values["interactions"] >= rule.min_interactions
        if rule.min_rfm_score is not None:
            matches &= values["rfm_score"] >= rule.min_rfm_score
        grades[matches] = rule.grade
        rule_of[matches] = index
        unassigned &= ~matches
    texts = [_rule_reason(rule, period_days) for rule in rules]
    reasons = [texts[index] if index >= 0 else str(NO_RULE_MATCHED) for index in rule_of.tolist()]
    return grades, reasons


NO_RULE_MATCHED = _("no grade rule matches")
CATCH_ALL = _("every other customer")


def _rule_reason(rule: GradeRule, period_days: int) -> str:
    parts = []
    if rule.min_spend is not None:
        parts.append(
            _gettext("spend over ¥%(amount)s in %(days)s days")
            % {"amount": _money_text(rule.min_spend), "days": period_days}
        )
    if rule.min_profit is not None:
        parts.append(
            _gettext("profit over ¥%(amount)s in %(days)s days")
            % {"amount": _money_text(rule.min_profit), "days": period_days}
        )
    if rule.min_frequency is not None:
        parts.append(
            _gettext("at least %(count)s purchases in %(days)s days")
            % {"count": rule.min_frequency, "days": period_days}
        )
    if rule.max_recency_days is not None:
        parts.append(
            _gettext("last purchase within %(days)s days") % {"days": rule.max_recency_days}
        )
    if rule.min_interactions is not None:
        parts.append(
            _gettext("at least %(count)s interactions in %(days)s days")
            % {"count": rule.min_interactions, "days": period_days}
        )
    if rule.min_rfm_score is not None:
        parts.append(_gettext("RFM score at least %(score)s") % {"score": rule.min_rfm_score})
    return "; ".join(parts) if parts else str(CATCH_ALL)


STAGE_REASONS = {
    LifecycleStage.PROSPECT: _("no purchase yet"),
    LifecycleStage.NEW: _("first purchase within %(days)s days"),
    LifecycleStage.LOYAL: _(
        "%(count)s purchases in %(period)s days, the last within %(days)s days"
    ),
    LifecycleStage.ACTIVE: _("bought within %(days)s days"),
    LifecycleStage.DORMANT: _("no purchase for %(days)s days"),
    LifecycleStage.LOST: _("no purchase for %(days)s days"),
}


def _stages(
    values: dict[str, np.ndarray],
    orders: dict[str, np.ndarray],
    today_ordinal: int,
    settings: ScoringSettings,
) -> np.ndarray:
    has_purchase = values["has_purchase"]
    recency = values["recency"]
    since_first = np.where(has_purchase, today_ordinal - orders["first"], -1)
    stage = np.full(has_purchase.size, LifecycleStage.PROSPECT.value, dtype=object)
    is_lost = has_purchase & (recency > settings.lost_days)
    is_dormant = has_purchase & ~is_lost & (recency > settings.dormant_days)
    is_new = has_purchase & ~is_lost & ~is_dormant & (since_first <= settings.new_customer_days)
    is_loyal = (
        has_purchase
        & ~is_lost
        & ~is_dormant
        & ~is_new
        & (values["frequency"] >= settings.loyal_min_purchases)
        & (recency <= settings.loyal_max_recency_days)
    )
    is_active = has_purchase & ~is_lost & ~is_dormant & ~is_new & ~is_loyal
    stage[is_lost] = LifecycleStage.LOST.value
    stage[is_dormant] = LifecycleStage.DORMANT.value
    stage[is_new] = LifecycleStage.NEW.value
    stage[is_loyal] = LifecycleStage.LOYAL.value
    stage[is_active] = LifecycleStage.ACTIVE.value
    return stage


def _stage_reason(
    stage: str, index: int, values: dict[str, np.ndarray], settings: ScoringSettings
) -> str:
    """Why a customer is in `stage` (only computed for those whose stage changes)."""
    if stage == LifecycleStage.PROSPECT:
        args: dict[str, Any] = {}
    elif stage == LifecycleStage.NEW:
        args = {"days": settings.new_customer_days}
    elif stage == LifecycleStage.LOYAL:
        args = {
            "count": int(values["frequency"][index]),
            "period": settings.rfm_period_days,
            "days": settings.loyal_max_recency_days,
        }
    elif stage == LifecycleStage.ACTIVE:
        args = {"days": settings.dormant_days}
    else:
        args = {"days": int(values["recency"][index])}
    return str(STAGE_REASONS[LifecycleStage(stage)]) % args


# --------------------------------------------------------------------------- writing


SCORE_COLUMNS = (
    "customer_id",
    "recency_days",
    "frequency",
    "monetary",
    "profit",
    "purchases",
    "first_purchase_on",
    "last_purchase_on",
    "interactions",
    "r_score",
    "f_score",
    "m_score",
    "rfm_score",
    "p_alive",
    "expected_purchases_90",
    "expected_purchases_365",
    "clv_12m",
    "is_at_risk",
    "churn_reasons",
    "value_at_risk",
    "computed_at",
    "scope_owner_id",
)


def _insert_rows(table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """Plain tuples into `table`: COPY on PostgreSQL (a multi-row INSERT spends its
    time in the driver parsing placeholders, executemany in round trips), one
    executemany per CHUNK elsewhere. Values are already adapted for the backend."""
    ops = connection.ops
    names = ", ".join(ops.quote_name(name) for name in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            statement = f"COPY {ops.quote_name(table)} ({names}) FROM STDIN"
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        insert = (
            f"INSERT INTO {ops.quote_name(table)} ({names}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                cursor.executemany(insert, batch)
                batch = []
        if batch:
            cursor.executemany(insert, batch)


SLICE = 50_000  # score rows built per slice: Python objects for a slice only


def _write_scores(
    ids: np.ndarray,
    columns: dict[str, np.ndarray],
    reasons: _ChurnReasons,
    now: datetime.datetime,
    *,
    is_all: bool,
) -> None:
    """Replace the score rows: one DELETE (full run) or per 900 ids, then the rows as
    plain tuples (no model instances: 1,000,000 rows in seconds, not minutes).

    `columns` are numpy arrays (NaN where a value is missing); the Python values of
    a row are made one slice at a time, column by column (a function call per cell
    cost more than the database write, and whole columns of Python objects for
    1,000,000 customers cost more than a GB)."""
    ops = connection.ops
    table = CustomerScore._meta.db_table
    computed_at = ops.adapt_datetimefield_value(now)
    empty_reasons = "[]"  # JSON text: a string both backends store as is

    # A full run empties the table and rebuilds its secondary indexes after the insert:
    # building an index from sorted rows is several times faster than inserting
    # 1,000,000 entries one by one (on PostgreSQL 200,000 rows: 6 s instead of 21 s at
    # load 10). PostgreSQL's TRUNCATE (rolled back with the transaction like the rest)
    # also leaves no dead rows behind. Both lock the score table until the commit:
    # pages reading scores wait for the end of the nightly run's write phase.
    indexes = list(CustomerScore._meta.indexes) if is_all else []
    # Only to render the indexes' SQL (entering it would start its own transaction, and
    # SQLite's refuses to inside one).
    editor = connection.schema_editor()
    editor.deferred_sql = []
    with connection.cursor() as cursor:
        if is_all:
            empty = "TRUNCATE" if connection.vendor == "postgresql" else "DELETE FROM"
            cursor.execute(f"{empty} {ops.quote_name(table)}")
            for index in indexes:
                cursor.execute(str(index.remove_sql(CustomerScore, editor)))
        else:
            for start in range(0, ids.size, 900):
                chunk = ids[start : start + 900].tolist()
                CustomerScore.objects.filter(customer_id__in=chunk).delete()

    days: dict[int, Any] = {}

    def day_column(ordinals: np.ndarray) -> list[Any]:
        values = []
        for ordinal in ordinals.tolist():
            if ordinal not in days:
                days[ordinal] = (
                    ops.adapt_datefield_value(datetime.date.fromordinal(ordinal))
                    if ordinal > 0
                    else None
                )
            values.append(days[ordinal])
        return values

    def money(values: np.ndarray) -> list[str | None]:
        # Text both backends store as the decimal (COPY text; SQLite's numeric affinity).
        return [None if value != value else f"{value:.2f}" for value in values.tolist()]

    def integers(values: np.ndarray) -> list[int]:
        return values.astype(np.int64).tolist()

    def optional_integers(values: np.ndarray) -> list[int | None]:
        return [None if value != value else int(value) for value in values.tolist()]

    def optional_floats(values: np.ndarray) -> list[float | None]:
        return [None if value != value else value for value in values.tolist()]

    def rows() -> Iterable[tuple[Any, ...]]:
        for start in range(0, ids.size, SLICE):
            part = slice(start, start + SLICE)
            size = ids[part].size
            churn_reasons = [empty_reasons] * size
            for offset, text in reasons.json_texts(start, start + size).items():
                churn_reasons[offset] = text
            yield from zip(
                ids[part].tolist(),
                optional_integers(columns["recency_days"][part]),
                integers(columns["frequency"][part]),
                money(columns["monetary"][part]),
                money(columns["profit"][part]),
                integers(columns["purchases"][part]),
                day_column(columns["first"][part]),
                day_column(columns["last"][part]),
                integers(columns["interactions"][part]),
                integers(columns["r"][part]),
                integers(columns["f"][part]),
                integers(columns["m"][part]),
                integers(columns["rfm"][part]),
                optional_floats(columns["p_alive"][part]),
                optional_floats(columns["purchases_90"][part]),
                optional_floats(columns["purchases_365"][part]),
                money(columns["clv"][part]),
                columns["is_at_risk"][part].tolist(),
                churn_reasons,
                money(columns["value_at_risk"][part]),
                [computed_at] * size,
                [owner or None for owner in columns["owner"][part].tolist()],
                strict=True,
            )

    _insert_rows(table, SCORE_COLUMNS, rows())
    with connection.cursor() as cursor:
        for index in indexes:
            cursor.execute(str(index.create_sql(CustomerScore, editor)))


def _temp_table(name: str) -> str:
    """`name` in the connection's temporary schema (never a real table of that name)."""
    schema = "pg_temp" if connection.vendor == "postgresql" else "temp"
    return f"{schema}.{connection.ops.quote_name(name)}"


def customer_changes_apply(
    *,
    customers: dict[str, np.ndarray],
    grades: np.ndarray | None,
    grade_reasons: Sequence[str],
    stages: np.ndarray,
    stage_reason: Callable[[int], str],
    now: datetime.datetime,
) -> tuple[int, int]:
    """Set `grade` and `lifecycle_stage` where they changed, with history rows and
    audit entries; returns (grade changes, stage changes).

    One UPDATE … FROM a temporary table of (id, new grade, new stage): each changed
    customer row is rewritten once, through its 17 indexes, however many values
    change (a first run changes nearly everyone's grade and stage). Bumps `version`
    (a form open on the old value must not silently write it back) but not
    `updated_at` (derived data, not an edit; incremental runs would otherwise
    rescore everyone the next time)."""
    ids = customers["id"]
    is_grade_changed = (
        customers["grade"] != grades if grades is not None else np.zeros(ids.size, dtype=bool)
    )
    is_stage_changed = customers["stage"] != stages
    changed = np.flatnonzero(is_grade_changed | is_stage_changed)
    if not changed.size:
        return 0, 0
    ops = connection.ops
    temp = _temp_table("scoring_customer_changes")
    customer_table = ops.quote_name(Customer._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temp.split('.')[-1]} "
            "(id bigint PRIMARY KEY, grade varchar(1), stage varchar(20))"
        )
    new_grades = grades[changed] if grades is not None else np.full(changed.size, None)
    _insert_rows(
        temp.split(".")[-1],
        ("id", "grade", "stage"),
        zip(
            ids[changed].tolist(),
            np.where(is_grade_changed[changed], new_grades, None).tolist(),
            np.where(is_stage_changed[changed], stages[changed], None).tolist(),
            strict=True,
        ),
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {temp}")  # no statistics otherwise: a poor join plan
        cursor.execute(
            f"UPDATE {customer_table} SET "
            f"grade = COALESCE(t.grade, {customer_table}.grade), "
            f"lifecycle_stage = COALESCE(t.stage, {customer_table}.lifecycle_stage), "
            f"version = {customer_table}.version + 1 "
            f"FROM {temp} AS t WHERE {customer_table}.id = t.id"
        )
        # The names for the audit entries' repr, changed customers only.
        cursor.execute(
            f"SELECT c.id, c.name FROM {customer_table} AS c JOIN {temp} AS t ON t.id = c.id"
        )
        names: dict[int, str] = {}
        while rows := cursor.fetchmany(CHUNK * 4):
            names.update(rows)
        cursor.execute(f"DROP TABLE {temp}")
    grade_rows = np.flatnonzero(is_grade_changed)
    stage_rows = np.flatnonzero(is_stage_changed)
    if grade_rows.size and grades is not None:
        _history_write(
            field_name="grade",
            ids=ids[grade_rows].tolist(),
            befores=customers["grade"][grade_rows].tolist(),
            afters=grades[grade_rows].tolist(),
            reasons=[grade_reasons[index] for index in grade_rows.tolist()],
            names=names,
            now=now,
        )
    if stage_rows.size:
        _history_write(
            field_name="lifecycle_stage",
            ids=ids[stage_rows].tolist(),
            befores=customers["stage"][stage_rows].tolist(),
            afters=stages[stage_rows].tolist(),
            reasons=[stage_reason(index) for index in stage_rows.tolist()],
            names=names,
            now=now,
        )
    return int(grade_rows.size if grades is not None else 0), int(stage_rows.size)


def _history_write(
    *,
    field_name: str,
    ids: list[int],
    befores: list[str],
    afters: list[str],
    reasons: list[str],
    names: dict[int, str],
    now: datetime.datetime,
) -> None:
    """History rows and audit entries as plain tuples (what audit_record_many writes,
    without a model instance per row: 1,000,000 changes on a first run)."""
    ops = connection.ops
    changed_at = ops.adapt_datetimefield_value(now)
    model = GradeChange if field_name == "grade" else StageChange
    prefix = "grade" if field_name == "grade" else "stage"
    history_columns = ("customer_id", f"from_{prefix}", f"to_{prefix}", "reason", "changed_at")
    _insert_rows(
        model._meta.db_table,
        history_columns,
        zip(ids, befores, afters, reasons, [changed_at] * len(ids), strict=True),
    )
    origin = current_origin()
    action = f"analytics.customer.{'graded' if field_name == 'grade' else 'stage_changed'}"
    object_type = Customer._meta.label_lower
    audit_columns = (
        "actor_id",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
        "ip_address",
        "user_agent",
        "created_at",
    )
    created_at = ops.adapt_datetimefield_value(timezone.now())
    user_agent = origin.user_agent or ""
    _insert_rows(
        AuditEntry._meta.db_table,
        audit_columns,
        (
            (
                None,
                action,
                object_type,
                str(customer_id),
                str(names.get(customer_id, ""))[:300],
                ops.adapt_json_value({field_name: [before, after], "reason": reason}, None),
                origin.ip,
                user_agent,
                created_at,
            )
            for customer_id, before, after, reason in zip(
                ids, befores, afters, reasons, strict=True
            )
        ),
    )


# --------------------------------------------------------------------------- the run


def scores_compute(
    *,
    today: datetime.date | None = None,
    customer_ids: Iterable[int] | None = None,
    incremental: bool = False,
    progress: Progress | None = None,
) -> ScoringResult:
    """Score customers as of `today` (default: the local date).

    Full run (no `customer_ids`, not incremental): every live customer; quintiles
    over the whole company; BG/NBD and Gamma-Gamma are fitted (a too-small data set
    is recorded in `fit_error` and the churn list keeps the rule signals only).
    `customer_ids` or `incremental=True` (customers whose orders, interactions or
    record changed since the last run) rescore only those: their quintiles are placed
    among everyone's stored values and the last full run's fit is reused.
    Writes scores, grades, stages, their history and audit entries in one
    transaction; a failure leaves the previous scores in place.
    """
    started = time.monotonic()
    laps = _Laps()
    now = timezone.now()
    today = today or timezone.localdate()
    settings = scoring_settings_get()
    report = progress or (lambda _step, _done, _total: None)
    last_run = ScoringRun.objects.filter(finished_at__isnull=False).first()
    mode = ScoringRunMode.FULL
    selected: list[int] | None = None
    if customer_ids is not None:
        mode, selected = ScoringRunMode.CUSTOMERS, sorted({int(value) for value in customer_ids})
    elif incremental and last_run is not None:
        mode, selected = ScoringRunMode.INCREMENTAL, _changed_customer_ids(last_run.started_at)
    is_all = selected is None
    steps = 6
    report("customers", 0, steps)
    customers = _live_customers(selected)
    ids = customers["id"]
    laps.lap("read_customers")
    report("orders", 1, steps)
    orders = _order_aggregates(ids, today=today, settings=settings, is_all=is_all)
    laps.lap("sql_orders")
    interactions = _interaction_counts(ids, now=now, settings=settings, is_all=is_all)
    laps.lap("sql_interactions")
    notes = _notes(orders, today=today, is_all=is_all, ids=ids)
    laps.lap("sql_notes")

    report("rfm", 2, steps)
    has_purchase = orders["purchases"] > 0
    recency = np.where(has_purchase, today.toordinal() - orders["last"], np.nan).astype(np.float64)
    rfm = _rfm(recency, orders, has_purchase, is_all=is_all, ids=ids)
    laps.lap("rfm")

    report("clv", 3, steps)
    last_full = ScoringRun.objects.filter(
        mode=ScoringRunMode.FULL, finished_at__isnull=False
    ).first()
    fit = _Fit() if is_all else _fit_from_stored(last_full.fit if last_full else {})
    laps.lap("clv_prepare")
    fit, predictions = _predict(
        fit, orders, today=today, settings=settings, is_fitting=is_all, laps=laps
    )

    report("rules", 4, steps)
    is_at_risk, reasons, value_at_risk = _churn(orders, interactions, predictions, settings)
    values = {
        "monetary": orders["monetary"],
        "profit": orders["profit"],
        "frequency": orders["frequency"],
        "recency": recency,
        "has_purchase": has_purchase,
        "interactions": interactions["period"],
        "rfm_score": rfm["rfm"],
    }
    rules = list(GradeRule.objects.filter(is_active=True).order_by("position", "id"))
    stages = _stages(values, orders, today.toordinal(), settings)

    report("write", 5, steps)
    missing = np.full(ids.size, np.nan)
    columns = {
        "recency_days": recency,
        "frequency": orders["frequency"],
        "monetary": orders["monetary"],
        "profit": orders["profit"],
        "purchases": orders["purchases"],
        "first": orders["first"],
        "last": orders["last"],
        "interactions": interactions["period"],
        **rfm,
        "p_alive": missing if predictions is None else predictions["p_alive"],
        "purchases_90": missing if predictions is None else predictions["purchases_90"],
        "purchases_365": missing if predictions is None else predictions["purchases_365"],
        "clv": missing if predictions is None else predictions["clv"],
        "is_at_risk": is_at_risk,
        "value_at_risk": value_at_risk,
        "owner": customers["owner"],
    }
    laps.lap("rules")
    with transaction.atomic():
        run = ScoringRun.objects.create(mode=mode, as_of=today, started_at=now)
        _write_scores(ids, columns, reasons, now, is_all=is_all)
        del columns, reasons, predictions, interactions, missing
        laps.lap("write_scores")
        grades, grade_reasons = (
            _grades(rules, values, settings.rfm_period_days) if rules else (None, [])
        )
        laps.lap("grades")
        changed_stage = np.flatnonzero(customers["stage"] != stages)
        grade_changes, stage_changes = customer_changes_apply(
            customers=customers,
            grades=grades,
            grade_reasons=grade_reasons,
            stages=stages,
            stage_reason=lambda index: _stage_reason(stages[index], index, values, settings),
            now=now,
        )
        laps.lap("write_changes")
        run.customers = int(ids.size)
        run.grade_changes = grade_changes
        run.stage_changes = stage_changes
        run.notes = notes
        run.fit = fit.as_dict() if is_all else (last_full.fit if last_full else {})
        run.fit_error = fit.error
        run.finished_at = timezone.now()
        run.save()
    laps.lap("commit")
    if is_all and connection.vendor == "postgresql":
        # Fresh planner statistics for the pages reading the rewritten scores (a sample:
        # well under a second; autovacuum may come much later).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(CustomerScore._meta.db_table)}")
        laps.lap("analyze")
    playbook_tasks = 0
    if last_run is not None and changed_stage.size:
        # Not on the first run ever: every customer "enters" a stage then, and the
        # owners would drown in tasks.
        from guanxi.analytics.services import playbook_tasks_create

        playbook_tasks = playbook_tasks_create(
            entered=[(int(ids[index]), str(stages[index])) for index in changed_stage.tolist()]
        )
        laps.lap("playbook_tasks")
    report("done", steps, steps)
    return ScoringResult(
        run_id=run.pk,
        mode=str(mode),
        customers=int(ids.size),
        grade_changes=grade_changes,
        stage_changes=stage_changes,
        playbook_tasks=playbook_tasks,
        notes=notes,
        fit=run.fit,
        fit_error=fit.error,
        seconds=time.monotonic() - started,
        phases=laps.seconds,
        peak_rss_mb=laps.peak_rss_mb,
    )


def _rfm(
    recency: np.ndarray,
    orders: dict[str, np.ndarray],
    has_purchase: np.ndarray,
    *,
    is_all: bool,
    ids: np.ndarray,
) -> dict[str, np.ndarray]:
    """Quintile scores; a partial run ranks its customers among everyone's stored values."""
    recency_values = np.where(has_purchase, recency, np.nan)
    frequency = np.where(has_purchase, orders["frequency"], np.nan)
    monetary = np.where(has_purchase, orders["monetary"], np.nan)
    size = ids.size
    if not is_all:
        selected = set(ids.tolist())
        stored = [
            row
            for row in CustomerScore.objects.filter(purchases__gt=0).values_list(
                "customer_id", "recency_days", "frequency", "monetary"
            )
            if row[0] not in selected
        ]
        recency_values = np.concatenate([recency_values, [float(row[1]) for row in stored]])
        frequency = np.concatenate([frequency, [float(row[2]) for row in stored]])
        monetary = np.concatenate([monetary, [float(row[3]) for row in stored]])
    r = quantile_scores(recency_values, is_higher_better=False)[:size]
    f = quantile_scores(frequency)[:size]
    m = quantile_scores(monetary)[:size]
    return {"r": r, "f": f, "m": m, "rfm": np.where(r > 0, r + f + m, 0)}


def _notes(
    orders: dict[str, np.ndarray], *, today: datetime.date, is_all: bool, ids: np.ndarray
) -> dict[str, int]:
    counts = {"future": 0, "refunded": 0}
    sql = (
        "SELECT COUNT(CASE WHEN order_date > %s AND status IN (%s, %s) THEN 1 END), "
        "COUNT(CASE WHEN status = %s THEN 1 END) FROM {table} WHERE deleted_at IS NULL "
        "{customer_filter}"
    )
    params = [
        _date_param(today),
        str(COUNTED_STATUSES[0]),
        str(COUNTED_STATUSES[1]),
        str(OrderStatus.REFUNDED),
    ]
    with connection.cursor() as cursor:
        for chunk in [None] if is_all else _id_chunks(ids):
            customer_filter = ""
            if chunk is not None:
                if not chunk.size:
                    continue
                customer_filter = "AND customer_id IN (" + ",".join(map(str, chunk.tolist())) + ")"
            table = _order_table(is_all=chunk is None)
            cursor.execute(sql.format(table=table, customer_filter=customer_filter), params)
            future, refunded = cursor.fetchone()
            counts["future"] += future or 0
            counts["refunded"] += refunded or 0
    return {
        "future_orders_ignored": counts["future"],
        "refunded_orders_ignored": counts["refunded"],
        "refund_days": int(orders["refund_days"].sum()),
        "zero_value_days": int(orders["zero_days"].sum()),
        "customers_without_orders": int(np.count_nonzero(orders["purchases"] == 0)),
        "one_purchase_customers": int(np.count_nonzero(orders["purchases"] == 1)),
    }
