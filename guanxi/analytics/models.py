"""Customer analytics: RFM, grades, lifecycle, churn and CLV.

`CustomerScore` is derived data: one row per live customer, rewritten by the scoring
run (`analytics.scoring.scores_compute`), never edited by people. The settings,
grade rules and playbooks are what an admin edits; grade and stage changes are kept
as history so the 360 page can say why a customer's grade moved.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Grade, LifecycleStage
from guanxi.platform.models import TimestampedModel

MONEY = {"max_digits": 16, "decimal_places": 2}


def _scope_owner(*, db_index: bool = True) -> models.ForeignKey:
    """The customer's owner as a key of derived rows (no FK constraint: they are
    rewritten wholesale, and a user is never deleted, only deactivated)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer owner"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=db_index,
        related_name="+",
    )


class ScoringSettings(TimestampedModel):
    """The one row (pk=1) of scoring settings; `scoring_settings_get` creates it."""

    rfm_period_days = models.PositiveIntegerField(
        _("RFM period (days)"),
        default=365,
        help_text=_("Frequency, spend and profit count orders of this many days."),
    )
    annual_discount_rate = models.DecimalField(
        _("annual discount rate"), max_digits=5, decimal_places=4, default=Decimal("0.10")
    )
    new_customer_days = models.PositiveIntegerField(
        _("new customer: first order within (days)"), default=90
    )
    loyal_min_purchases = models.PositiveIntegerField(
        _("loyal: purchases in the RFM period at least"), default=3
    )
    loyal_max_recency_days = models.PositiveIntegerField(
        _("loyal: last purchase within (days)"), default=90
    )
    dormant_days = models.PositiveIntegerField(_("dormant: no purchase for (days)"), default=180)
    lost_days = models.PositiveIntegerField(_("lost: no purchase for (days)"), default=365)
    churn_window_days = models.PositiveIntegerField(
        _("churn: recent window (days)"),
        default=90,
        help_text=_("Compared with the same length of time in the 12 months before it."),
    )
    churn_drop_percent = models.PositiveIntegerField(_("churn: drop of more than (%)"), default=50)
    churn_p_alive_threshold = models.DecimalField(
        _("churn: P(alive) below"), max_digits=4, decimal_places=3, default=Decimal("0.300")
    )
    win_back_days = models.PositiveIntegerField(
        _("win-back: bought again within (days)"), default=30
    )

    class Meta:
        verbose_name = _("scoring settings")
        verbose_name_plural = _("scoring settings")

    def __str__(self) -> str:
        return str(_("Scoring settings"))


class ScoringRunMode(models.TextChoices):
    FULL = "full", _("Full")
    INCREMENTAL = "incremental", _("Incremental")
    CUSTOMERS = "customers", _("Selected customers")


class ScoringRun(models.Model):
    """One scoring run: what it did (notes on bad input) and the fitted parameters,
    which incremental runs reuse for the customers they rescore."""

    mode = models.CharField(_("mode"), max_length=20, choices=ScoringRunMode.choices)
    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    customers = models.PositiveIntegerField(_("customers scored"), default=0)
    grade_changes = models.PositiveIntegerField(_("grade changes"), default=0)
    stage_changes = models.PositiveIntegerField(_("stage changes"), default=0)
    notes = models.JSONField(_("notes"), default=dict, blank=True)
    fit = models.JSONField(_("fitted parameters"), default=dict, blank=True)
    fit_error = models.TextField(_("fit error"), blank=True)

    class Meta:
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.mode} {self.as_of}"


class CustomerScore(models.Model):
    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="score",
        # Derived rows, rewritten by every full run: no database FK (PostgreSQL checked
        # 1,000,000 deferred FK triggers at each nightly commit, ~110 s). Django's
        # CASCADE still deletes them with the customer (the recycle bin's purge).
        db_constraint=False,
    )
    recency_days = models.PositiveIntegerField(_("days since last purchase"), null=True)
    frequency = models.PositiveIntegerField(_("purchases in the period"), default=0)
    monetary = models.DecimalField(_("spend in the period"), default=0, **MONEY)
    profit = models.DecimalField(_("profit in the period"), default=0, **MONEY)
    purchases = models.PositiveIntegerField(_("purchase days, all time"), default=0)
    first_purchase_on = models.DateField(_("first purchase"), null=True)
    last_purchase_on = models.DateField(_("last purchase"), null=True)
    interactions = models.PositiveIntegerField(_("interactions in the period"), default=0)
    r_score = models.PositiveSmallIntegerField(_("R"), default=0)
    f_score = models.PositiveSmallIntegerField(_("F"), default=0)
    m_score = models.PositiveSmallIntegerField(_("M"), default=0)
    rfm_score = models.PositiveSmallIntegerField(_("RFM score"), default=0)
    p_alive = models.FloatField(_("P(alive)"), null=True)
    expected_purchases_90 = models.FloatField(_("expected purchases, 90 days"), null=True)
    expected_purchases_365 = models.FloatField(_("expected purchases, 365 days"), null=True)
    clv_12m = models.DecimalField(_("12-month CLV"), null=True, **MONEY)
    is_at_risk = models.BooleanField(_("churn warning"), default=False)
    churn_reasons = models.JSONField(_("churn reasons"), default=list)
    value_at_risk = models.DecimalField(_("value at risk"), default=0, **MONEY)
    computed_at = models.DateTimeField(_("computed at"))
    # The customer's owner when scored: a rep's top lists walk the two owner indexes
    # below (10 rows) instead of reading and sorting all the rep's customers. Pages
    # still check the customer's current owner through the join; a new owner's lists
    # show the customer after its next scoring (an owner change marks it changed).
    scope_owner = _scope_owner(db_index=False)  # the indexes below lead with it

    class Meta:
        verbose_name = _("customer score")
        verbose_name_plural = _("customer scores")
        indexes = [
            models.Index(
                fields=["-value_at_risk", "customer"],
                name="score_at_risk",
                condition=Q(is_at_risk=True),
            ),
            models.Index(fields=["-clv_12m", "customer"], name="score_clv"),
            models.Index(
                fields=["scope_owner", "-value_at_risk", "customer"],
                name="score_owner_at_risk",
                condition=Q(is_at_risk=True),
            ),
            models.Index(fields=["scope_owner", "-clv_12m", "customer"], name="score_owner_clv"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.r_score}{self.f_score}{self.m_score}"


class GradeRule(TimestampedModel):
    """Grade a customer gets when every filled-in condition holds; rules are tried in
    `position` order and the first matching one wins."""

    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    position = models.PositiveIntegerField(_("order"), default=0)
    min_spend = models.DecimalField(_("spend at least"), null=True, blank=True, **MONEY)
    min_profit = models.DecimalField(_("profit at least"), null=True, blank=True, **MONEY)
    min_frequency = models.PositiveIntegerField(_("purchases at least"), null=True, blank=True)
    max_recency_days = models.PositiveIntegerField(
        _("last purchase within (days)"), null=True, blank=True
    )
    min_interactions = models.PositiveIntegerField(
        _("interactions at least"), null=True, blank=True
    )
    min_rfm_score = models.PositiveSmallIntegerField(_("RFM score at least"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("grade rule")
        verbose_name_plural = _("grade rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.position}: {self.grade}"


class GradeChange(models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="grade_changes",
        db_constraint=False,  # written in bulk by scoring; see CustomerScore.customer
    )
    from_grade = models.CharField(_("from"), max_length=1, blank=True)
    to_grade = models.CharField(_("to"), max_length=1, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["customer", "-changed_at"], name="grade_change_customer")]

    def __str__(self) -> str:
        return f"{self.from_grade or '-'} → {self.to_grade or '-'}"


class StageChange(models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="stage_changes",
        db_constraint=False,  # written in bulk by scoring; see CustomerScore.customer
    )
    from_stage = models.CharField(_("from"), max_length=20, choices=LifecycleStage.choices)
    to_stage = models.CharField(_("to"), max_length=20, choices=LifecycleStage.choices)
    reason = models.TextField(_("reason"), blank=True)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-changed_at"], name="stage_change_customer"),
            models.Index(
                fields=["-changed_at", "from_stage", "to_stage"], name="stage_change_flow"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class StagePlaybook(TimestampedModel):
    """What to do when a customer enters a stage; a task for the owner is created."""

    stage = models.CharField(_("stage"), max_length=20, choices=LifecycleStage.choices, unique=True)
    instructions = models.TextField(_("playbook"), blank=True)
    task_title = models.CharField(_("task title"), max_length=200, blank=True)
    due_in_working_days = models.PositiveIntegerField(_("due in working days"), default=3)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("stage playbook")
        verbose_name_plural = _("stage playbooks")

    def __str__(self) -> str:
        return self.stage


class WinBack(models.Model):
    """A win-back started from the churn warning list (a task for the owner)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="win_backs",
    )
    started_at = models.DateTimeField(_("started at"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    task_id_ref = models.PositiveBigIntegerField(_("task"), null=True, blank=True)
    value_at_risk = models.DecimalField(_("value at risk"), default=0, **MONEY)
    reasons = models.JSONField(_("reasons"), default=list)

    class Meta:
        verbose_name = _("win-back")
        verbose_name_plural = _("win-backs")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["customer", "-started_at"], name="win_back_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.started_at:%Y-%m-%d}"


# --- dashboards: pre-aggregated tables ------------------------------------------------
#
# Derived data rewritten by `analytics.dashboards.services.dashboard_tables_refresh`
# (after each scoring run). Keyed like reports.SalesMonth by the customer's owner and
# team (`scope_owner`, `team`, no FK constraints), so `scope_condition` applies and a
# dashboard reads hundreds of rows instead of scanning customers and orders. Months
# are integers (year * 12 + month - 1), quarters year * 4 + quarter - 1, years the
# year; see docs/analytics.md "Dashboards and KPIs".


def _scope_keys() -> tuple[models.ForeignKey, models.ForeignKey]:
    owner = _scope_owner()
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    return owner, team


class KpiPeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
    # 12-month windows counted back from the refresh's month: 0 = the last 12 months
    # up to and including that month, -1 = the 12 before them, …
    TRAILING_YEAR = "trailing12", _("Last 12 months")


class KpiPeriod(models.Model):
    """Purchase KPIs of one period per customer owner and team. Distinct-customer
    counts add up over the keys (a customer has one owner and team) but not over
    periods; `churned` rows come from the stage history (other columns 0)."""

    kind = models.CharField(_("period kind"), max_length=10, choices=KpiPeriodKind.choices)
    period = models.IntegerField(_("period"))
    scope_owner, team = _scope_keys()
    buyers = models.PositiveIntegerField(_("buying customers"), default=0)
    new_customers = models.PositiveIntegerField(_("new customers"), default=0)
    retained = models.PositiveIntegerField(_("bought in the previous period too"), default=0)
    repeat_buyers = models.PositiveIntegerField(_("repeat buyers"), default=0)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    revenue = models.DecimalField(_("revenue"), default=0, max_digits=18, decimal_places=2)
    profit = models.DecimalField(_("profit"), default=0, max_digits=18, decimal_places=2)
    churned = models.PositiveIntegerField(_("moved to lost"), default=0)

    class Meta:
        verbose_name = _("KPI period")
        verbose_name_plural = _("KPI periods")
        indexes = [
            models.Index(fields=["kind", "period"], name="kpi_period"),
            models.Index(fields=["scope_owner", "kind", "period"], name="kpi_scope_owner"),
            models.Index(fields=["team", "kind", "period"], name="kpi_team"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} {self.scope_owner_id}/{self.team_id}"


class CustomerSnapshot(models.Model):
    """Customers per grade and stage at a month's end (the last refresh in that
    month writes it), with their CLV sums: the past counts the KPIs compare with."""

    month = models.IntegerField(_("month"))
    scope_owner, team = _scope_keys()
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    stage = models.CharField(_("stage"), max_length=20, blank=True)
    customers = models.PositiveIntegerField(_("customers"), default=0)
    clv_sum = models.DecimalField(_("CLV sum"), null=True, max_digits=20, decimal_places=2)
    clv_customers = models.PositiveIntegerField(_("customers with a CLV"), default=0)

    class Meta:
        verbose_name = _("customer snapshot")
        verbose_name_plural = _("customer snapshots")
        indexes = [
            models.Index(fields=["month"], name="snapshot_month"),
            models.Index(fields=["scope_owner", "month"], name="snapshot_scope_owner"),
            models.Index(fields=["team", "month"], name="snapshot_team"),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.grade}/{self.stage}: {self.customers}"


class ScoreCell(models.Model):
    """Current customers per (owner, team, grade, stage, R, F): grade distribution,
    stage counts and the RFM heat map come from these few thousand rows."""

    scope_owner, team = _scope_keys()
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    stage = models.CharField(_("stage"), max_length=20, blank=True)
    r_score = models.PositiveSmallIntegerField(_("R"), default=0)
    f_score = models.PositiveSmallIntegerField(_("F"), default=0)
    customers = models.PositiveIntegerField(_("customers"), default=0)
    monetary = models.DecimalField(
        _("spend in the period"), default=0, max_digits=20, decimal_places=2
    )
    clv_sum = models.DecimalField(_("CLV sum"), null=True, max_digits=20, decimal_places=2)
    clv_customers = models.PositiveIntegerField(_("customers with a CLV"), default=0)
    at_risk = models.PositiveIntegerField(_("churn warnings"), default=0)
    value_at_risk = models.DecimalField(
        _("value at risk"), default=0, max_digits=20, decimal_places=2
    )

    class Meta:
        verbose_name = _("score cell")
        verbose_name_plural = _("score cells")
        indexes = [
            models.Index(fields=["scope_owner"], name="scorecell_scope_owner"),
            models.Index(fields=["team"], name="scorecell_team"),
        ]

    def __str__(self) -> str:
        return f"{self.grade}/{self.stage} R{self.r_score}F{self.f_score}: {self.customers}"


class StageFlowMonth(models.Model):
    """Lifecycle stage changes per month (local time) and (from, to) stage."""

    month = models.IntegerField(_("month"))
    scope_owner, team = _scope_keys()
    from_stage = models.CharField(_("from"), max_length=20)
    to_stage = models.CharField(_("to"), max_length=20)
    changes = models.PositiveIntegerField(_("changes"), default=0)

    class Meta:
        verbose_name = _("stage flow month")
        verbose_name_plural = _("stage flow months")
        indexes = [
            models.Index(fields=["month"], name="stageflow_month"),
            models.Index(fields=["scope_owner", "month"], name="stageflow_scope_owner"),
            models.Index(fields=["team", "month"], name="stageflow_team"),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.from_stage}→{self.to_stage}: {self.changes}"


# Per-customer detail the aggregates above are summed from, kept so that an
# incremental refresh can take a changed customer's old contribution out of them and
# put the new one in (docs/analytics.md "Incremental refresh"). Written only by the
# refresh; no FK constraints (derived data, rewritten wholesale every night).


class DashboardCustomer(models.Model):
    """What one live customer adds to ScoreCell (and the current CustomerSnapshot)."""

    customer = models.OneToOneField(
        "customers.Customer",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    scope_owner, team = _scope_keys()
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    stage = models.CharField(_("stage"), max_length=20, blank=True)
    r_score = models.PositiveSmallIntegerField(_("R"), default=0)
    f_score = models.PositiveSmallIntegerField(_("F"), default=0)
    monetary = models.DecimalField(_("spend in the period"), default=0, **MONEY)
    clv_12m = models.DecimalField(_("12-month CLV"), null=True, **MONEY)
    is_at_risk = models.BooleanField(_("churn warning"), default=False)
    value_at_risk = models.DecimalField(_("value at risk"), default=0, **MONEY)

    class Meta:
        verbose_name = _("dashboard customer")
        verbose_name_plural = _("dashboard customers")

    def __str__(self) -> str:
        return str(self.customer_id)


class DashboardCustomerMonth(models.Model):
    """One live customer's counted orders of one month (and whether the customer
    moved to lost in it): what the customer adds to KpiPeriod. A month can have two
    rows, one of orders and one of the move to lost."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    month = models.IntegerField(_("month"))
    scope_owner, team = _scope_keys()
    orders = models.PositiveIntegerField(_("orders"), default=0)
    days = models.PositiveIntegerField(_("purchase days"), default=0)
    revenue = models.DecimalField(_("revenue"), default=0, max_digits=18, decimal_places=2)
    profit = models.DecimalField(_("profit"), default=0, max_digits=18, decimal_places=2)
    lost = models.PositiveSmallIntegerField(_("moved to lost"), default=0)

    class Meta:
        verbose_name = _("dashboard customer month")
        verbose_name_plural = _("dashboard customer months")
        indexes = [models.Index(fields=["customer", "month"], name="dash_customer_month")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month}"


class DashboardRefreshMode(models.TextChoices):
    FULL = "full", _("Full rewrite")
    INCREMENTAL = "incremental", _("Changed customers only")


class DashboardRefresh(models.Model):
    """The one row (pk=1): when the dashboard tables were last rewritten, as of
    which day, and the month the trailing 12-month windows are counted back from.
    `refreshed_at` is when the refresh started reading (changes after it are the
    next incremental refresh's); `stage_change_id` the last stage change it counted
    (None: the detail tables are not complete, the next refresh rewrites all)."""

    as_of = models.DateField(_("as of"))
    anchor_month = models.IntegerField(_("month of the last 12 months"))
    refreshed_at = models.DateTimeField(_("refreshed at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    rows = models.JSONField(_("rows"), default=dict)
    mode = models.CharField(
        _("mode"), max_length=20, choices=DashboardRefreshMode.choices, default="full"
    )
    customers = models.PositiveIntegerField(_("customers refreshed"), default=0)
    stage_change_id = models.BigIntegerField(_("last stage change counted"), null=True)

    class Meta:
        verbose_name = _("dashboard refresh")
        verbose_name_plural = _("dashboard refreshes")

    def __str__(self) -> str:
        return f"{self.as_of} @ {self.refreshed_at}"
