"""Contract reads: every one starts from scoped() (owner / team / all, like customers).

Money derived in SQL, never stored:
 - received = the sum of the contract's live payments;
 - payments cover the instalments in sequence order (FIFO): an instalment's
   covered part = clamp(received − the instalments before it, 0, its amount);
 - status: paid (covered = amount), overdue (not paid and due before today),
   partly (something covered), unpaid;
 - the part of the amount outside any instalment is due on the contract's end
   date (a contract without a plan is one instalment due at its end).
Receivables are counted on signed and finished contracts only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from guanxi.contracts.models import (
    RECEIVABLE_STATUSES,
    Contract,
    ContractApproval,
    ContractFile,
    ContractStatus,
    Payment,
    PaymentPlan,
)
from guanxi.platform.exceptions import NotFound
from guanxi.platform.scoping import is_own_scope, may_act, scoped
from guanxi.sales.services._common import money

MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY_FIELD)
CONTRACT_SORTS: dict[str, list[str]] = {
    "-id": ["-id"],
    "id": ["id"],
    "end": ["end_on", "id"],
    "-amount": ["-amount", "-id"],
}
ENDING_SOON_DAYS = 60
CUSTOMER_CONTRACT_LIMIT = 10
HOME_OVERDUE_LIMIT = 10
BUCKETS = ("not_due", "d1_30", "d31_60", "d61_90", "d90_plus")


@dataclass
class ContractFilter:
    q: str = ""
    status: str = ""
    owner: int | None = None
    customer: int | None = None
    is_ending_soon: bool = False
    has_overdue: bool = False


def with_money(qs: QuerySet[Contract]) -> QuerySet[Contract]:
    """Annotate received, planned and outstanding (from the stored totals)."""
    return qs.annotate(
        received=F("received_amount"),
        planned=F("planned_amount"),
        outstanding=ExpressionWrapper(F("amount") - F("received_amount"), output_field=MONEY_FIELD),
    )


def contract_list(
    *,
    actor: Any,
    filters: ContractFilter | None = None,
    action: str = "view",
    include_deleted: bool = False,
) -> QuerySet[Contract]:
    filters = filters or ContractFilter()
    qs = scoped(Contract.objects.all(), actor=actor, action=action, include_deleted=include_deleted)
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(
            Q(number__icontains=text) | Q(title__icontains=text) | Q(customer__name__icontains=text)
        )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.is_ending_soon:
        today = timezone.localdate()
        qs = qs.filter(
            status=ContractStatus.SIGNED,
            end_on__gte=today,
            end_on__lte=today + dt.timedelta(days=ENDING_SOON_DAYS),
        )
    if filters.has_overdue:
        overdue_ids = overdue_instalments_qs().values("contract_id")
        qs = qs.filter(pk__in=overdue_ids)
    return qs.select_related("customer", "owner")


def contract_get(*, actor: Any, contract_id: Any, action: str = "view") -> Contract:
    """One live contract in scope (with received/outstanding); anything else 404s."""
    try:
        pk = int(contract_id)
    except (TypeError, ValueError) as error:
        raise NotFound("contract") from error
    contract = (
        with_money(contract_list(actor=actor, action=action).filter(pk=pk))
        .select_related("contact", "opportunity", "quote")
        .first()
        if 0 < pk < 2**63
        else None
    )
    if contract is None:
        raise NotFound("contract")
    return contract


def instalments_with_status(
    qs: QuerySet[PaymentPlan] | None = None, *, today: dt.date | None = None
) -> QuerySet[PaymentPlan]:
    """Instalments annotated with covered, outstanding and status (see module doc)."""
    today = today or timezone.localdate()
    qs = qs if qs is not None else PaymentPlan.objects.all()
    covered = Greatest(
        Least(
            F("contract__received_amount") - F("before_amount"),
            F("amount"),
            output_field=MONEY_FIELD,
        ),
        ZERO,
        output_field=MONEY_FIELD,
    )
    return (
        qs.annotate(covered=covered)
        .annotate(
            outstanding=ExpressionWrapper(F("amount") - F("covered"), output_field=MONEY_FIELD)
        )
        .annotate(
            pay_status=Case(
                When(covered__gte=F("amount"), then=Value("paid")),
                When(due_on__lt=today, then=Value("overdue")),
                When(covered__gt=0, then=Value("partly")),
                default=Value("unpaid"),
                output_field=CharField(),
            )
        )
    )


def contract_instalments(contract: Contract, *, today: dt.date | None = None) -> list[PaymentPlan]:
    return list(
        instalments_with_status(
            PaymentPlan.objects.filter(contract=contract), today=today
        ).order_by("sequence", "id")
    )


def contract_payments(contract: Contract) -> list[Payment]:
    return list(
        Payment.objects.filter(contract=contract, deleted_at__isnull=True)
        .select_related("instalment", "recorded_by")
        .order_by("-received_on", "-id")
    )


def payment_get(*, actor: Any, contract: Contract, payment_id: Any) -> Payment:
    try:
        pk = int(payment_id)
    except (TypeError, ValueError) as error:
        raise NotFound("payment") from error
    payment = (
        Payment.objects.filter(pk=pk, contract=contract, deleted_at__isnull=True).first()
        if 0 < pk < 2**63
        else None
    )
    if payment is None:
        raise NotFound("payment")
    return payment


def contract_approvals(contract: Contract) -> list[ContractApproval]:
    return list(contract.approvals.select_related("actor").order_by("id"))


def contract_files(contract: Contract) -> list[ContractFile]:
    return list(
        ContractFile.objects.filter(contract=contract, deleted_at__isnull=True)
        .select_related("uploaded_by")
        .order_by("id")
    )


def contract_file_get(*, actor: Any, contract_id: Any, file_id: Any) -> ContractFile:
    """A live attachment of a contract the actor can see; anything else 404s."""
    contract = contract_get(actor=actor, contract_id=contract_id)
    try:
        pk = int(file_id)
    except (TypeError, ValueError) as error:
        raise NotFound("file") from error
    item = (
        ContractFile.objects.filter(pk=pk, contract=contract, deleted_at__isnull=True).first()
        if 0 < pk < 2**63
        else None
    )
    if item is None:
        raise NotFound("file")
    return item


def overdue_instalments_qs(*, today: dt.date | None = None) -> QuerySet[PaymentPlan]:
    """Overdue instalments of live receivable contracts (no scope: callers add it)."""
    today = today or timezone.localdate()
    return instalments_with_status(
        PaymentPlan.objects.filter(
            due_on__lt=today,
            contract__status__in=RECEIVABLE_STATUSES,
            contract__deleted_at__isnull=True,
            contract__customer__deleted_at__isnull=True,
        ),
        today=today,
    ).filter(covered__lt=F("amount"))


def overdue_instalments(
    *,
    actor: Any,
    owner_id: int | None = None,
    customer_id: int | None = None,
    today: dt.date | None = None,
    limit: int = HOME_OVERDUE_LIMIT,
) -> list[PaymentPlan]:
    """Overdue instalments in the actor's scope, oldest first."""
    contracts = contract_list(actor=actor)
    if owner_id:
        contracts = contracts.filter(owner_id=owner_id)
    if customer_id:
        contracts = contracts.filter(customer_id=customer_id)
    return list(
        overdue_instalments_qs(today=today)
        .filter(contract__in=contracts.values("pk"))
        .select_related("contract", "contract__customer")
        .order_by("due_on", "id")[:limit]
    )


@dataclass
class CustomerContracts:
    contracts: list[Contract]
    count: int
    total_amount: Decimal
    total_received: Decimal
    total_outstanding: Decimal
    overdue: list[PaymentPlan]


def customer_contracts(*, actor: Any, customer_id: int) -> CustomerContracts | None:
    """The 360 panel: latest contracts with money, receivable totals, overdue instalments."""
    if not may_act(actor, Contract):
        return None
    qs = contract_list(actor=actor, filters=ContractFilter(customer=customer_id))
    contracts = list(with_money(qs).order_by("-id")[:CUSTOMER_CONTRACT_LIMIT])
    if not contracts:  # one query for the many customers without contracts
        zero = Decimal("0.00")
        return CustomerContracts(
            contracts=[],
            count=0,
            total_amount=zero,
            total_received=zero,
            total_outstanding=zero,
            overdue=[],
        )
    totals = (
        qs.filter(status__in=RECEIVABLE_STATUSES)
        .order_by()
        .aggregate(amount=Sum("amount"), received=Sum("received_amount"))
    )
    amount = totals["amount"] or Decimal("0.00")
    received = totals["received"] or Decimal("0.00")
    return CustomerContracts(
        contracts=contracts,
        count=len(contracts),
        total_amount=amount,
        total_received=received,
        total_outstanding=amount - received,
        overdue=overdue_instalments(actor=actor, customer_id=customer_id),
    )


# --- receivables by age ----------------------------------------------------------------


@dataclass
class AgeRow:
    key: Any
    label: str
    buckets: dict[str, Decimal] = field(
        default_factory=lambda: dict.fromkeys(BUCKETS, Decimal("0.00"))
    )

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), Decimal("0.00"))

    @property
    def overdue(self) -> Decimal:
        return self.total - self.buckets["not_due"]

    def bucket_list(self) -> list[Decimal]:
        return [self.buckets[name] for name in BUCKETS]


@dataclass
class ReceivablesReport:
    today: dt.date
    by_customer: list[AgeRow]
    by_owner: list[AgeRow]
    totals: AgeRow


def _bucket_of(due_field: str, today: dt.date) -> Case:
    """The age bucket of `due_field` on `today` (days past due) as a label."""
    day = dt.timedelta
    return Case(
        When(**{f"{due_field}__gte": today}, then=Value("not_due")),
        When(**{f"{due_field}__gte": today - day(30)}, then=Value("d1_30")),
        When(**{f"{due_field}__gte": today - day(60)}, then=Value("d31_60")),
        When(**{f"{due_field}__gte": today - day(90)}, then=Value("d61_90")),
        default=Value("d90_plus"),
        output_field=CharField(),
    )


def receivables_report(
    *, actor: Any, today: dt.date | None = None, owner_id: int | None = None
) -> ReceivablesReport:
    """Outstanding money by age bucket per customer and per owner, with totals; summed
    in SQL (four grouped queries plus the names), scoped like the contract list."""
    today = today or timezone.localdate()
    contracts = contract_list(actor=actor).filter(status__in=RECEIVABLE_STATUSES)
    if owner_id:
        contracts = contracts.filter(owner_id=owner_id)
    contract_ids = contracts.order_by().values("pk")
    instalments = instalments_with_status(
        PaymentPlan.objects.filter(contract__in=contract_ids), today=today
    )
    unplanned = with_money(Contract.objects.filter(pk__in=contract_ids)).annotate(
        unplanned=Greatest(
            F("amount")
            - F("planned")
            - Greatest(F("received") - F("planned"), ZERO, output_field=MONEY_FIELD),
            ZERO,
            output_field=MONEY_FIELD,
        )
    )
    groups: dict[str, dict[Any, AgeRow]] = {"customer": {}, "owner": {}}
    for group, path in (("customer", "customer_id"), ("owner", "owner_id")):
        rows_by_key = groups[group]
        # One Sum per (key, bucket): the outstanding expression (two correlated
        # subqueries) appears once, not once per bucket column.
        planned_rows = (
            instalments.annotate(bucket=_bucket_of("due_on", today))
            .order_by()
            .values(f"contract__{path}", "bucket")
            .annotate(money=Sum("outstanding"))
        )
        unplanned_rows = (
            unplanned.annotate(bucket=_bucket_of("end_on", today))
            .order_by()
            .values(path, "bucket")
            .annotate(money=Sum("unplanned"))
        )
        for row, key_name in ((planned_rows, f"contract__{path}"), (unplanned_rows, path)):
            for values in row:
                key = values[key_name]
                target = rows_by_key.setdefault(key, AgeRow(key=key, label=""))
                target.buckets[values["bucket"]] += money(Decimal(values["money"] or 0))
    _label_rows(groups)
    by_customer = sorted(
        (row for row in groups["customer"].values() if row.total > 0),
        key=lambda row: (-row.overdue, -row.total, row.label),
    )
    by_owner = sorted(
        (row for row in groups["owner"].values() if row.total > 0),
        key=lambda row: (-row.overdue, -row.total, row.label),
    )
    totals = AgeRow(key=None, label="")
    for row in by_owner:
        for bucket in BUCKETS:
            totals.buckets[bucket] += row.buckets[bucket]
    return ReceivablesReport(today=today, by_customer=by_customer, by_owner=by_owner, totals=totals)


def _label_rows(groups: dict[str, dict[Any, AgeRow]]) -> None:
    from guanxi.customers.models import Customer

    customer_names = dict(
        Customer.objects.filter(pk__in=list(groups["customer"])).values_list("pk", "name")
    )
    for key, row in groups["customer"].items():
        row.label = customer_names.get(key, str(key))
    users = {
        user.pk: str(user) for user in get_user_model().objects.filter(pk__in=list(groups["owner"]))
    }
    for key, row in groups["owner"].items():
        row.label = users.get(key, str(key))


def owner_choices(*, actor: Any) -> list[Any] | None:
    """Owners a manager can filter by; None for reps (they see their own)."""
    if is_own_scope(actor):
        return None
    return list(
        get_user_model().objects.filter(is_active=True).order_by("display_name", "username")[:500]
    )
