"""Demo contracts (合同) with payment plans and payments received (回款).

About 4 % of the reps' customers get a contract (1 in 5 of them a second one):
annual software/service agreements of ¥20,000–¥600,000 signed over the last two
years. Most are signed (the older ones finished), a few are drafts, in approval
or terminated with a reason. Signed contracts have 1–4 instalments; instalments
due in the past were mostly paid on time, some partly or late, and about one in
eight is still open, so the receivables report and the overdue flags have
something to show. Rows are bulk-inserted in batches; numbers follow the default
pattern HT-{yyyy}-{seq:05} and the sequence row is moved past them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

CONTRACT_SHARE = 0.04
SECOND_CONTRACT_SHARE = 0.2
MAX_CUSTOMERS_PER_REP = 5000
BATCH = 2000
CENT = Decimal("0.01")
TITLES = [
    "关系 CRM 年度订阅合同",
    "系统实施与培训服务合同",
    "年度运维支持服务合同",
    "硬件采购及安装合同",
    "数据迁移服务合同",
    "定制开发服务合同",
    "门店收银设备采购合同",
    "经营分析模块年度服务合同",
]
TERMINATION_REASONS = ["客户经营调整，双方协商解除", "客户被收购，合同终止", "项目取消"]
METHODS = ["bank_transfer"] * 6 + ["wechat", "alipay", "cheque", "cash"]


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _split(rng: random.Random, amount: Decimal, parts: int) -> list[Decimal]:
    """`amount` in `parts` instalments: 30/40/30-like shares, cents on the last one."""
    weights = [rng.choice((2, 3, 3, 4)) for _index in range(parts)]
    total = sum(weights)
    shares = [_money(amount * weight / total) for weight in weights[:-1]]
    return [*shares, amount - sum(shares, Decimal(0))]


def generate_contracts(
    *,
    rng: random.Random,
    customers: int,
    users: Sequence[Any],
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Create the demo contracts for the reps' customers; `customers` is how many
    customers this run loaded, `users` the demo staff. Returns counts."""
    from guanxi.accounts.models import User
    from guanxi.contracts.models import (
        ApprovalAction,
        Contract,
        ContractApproval,
        ContractSequence,
        ContractStatus,
        Payment,
        PaymentPlan,
    )
    from guanxi.customers.models import Customer

    counts = {"contracts": 0, "instalments": 0, "payments": 0}
    usernames = [user.username for user in users]
    people = User.objects.filter(username__in=usernames, is_active=True).select_related("role")
    reps = [
        u for u in people.order_by("id") if u.team_id and getattr(u.role, "code", "") == "sales"
    ]
    approver = next(
        (u for u in people.order_by("id") if getattr(u.role, "code", "") in ("manager", "admin")),
        None,
    )
    if not reps or customers <= 0:
        return counts
    today = timezone.localdate()
    per_year: dict[int, int] = {}

    def next_number(year: int) -> str:
        if year not in per_year:
            per_year[year] = Contract.objects.filter(number__startswith=f"HT-{year}-").count()
        per_year[year] += 1
        return f"HT-{year}-{per_year[year]:05d}"

    plan: list[tuple[Contract, list[tuple[dt.date, Decimal]], list[tuple]]] = []
    wanted = max(1, round(customers * CONTRACT_SHARE))
    done = 0
    for rep in reps:
        owned = list(
            Customer.objects.filter(owner_id=rep.pk, deleted_at__isnull=True)
            .order_by("-id")
            .values_list("id", flat=True)[:MAX_CUSTOMERS_PER_REP]
        )
        for customer_id in owned:
            if rng.random() >= CONTRACT_SHARE:
                continue
            for _copy in range(2 if rng.random() < SECOND_CONTRACT_SHARE else 1):
                plan.append(_one(rng, rep, customer_id, today, next_number, Contract))
        if len(plan) >= wanted * 2:
            break
    total = len(plan)
    for start in range(0, total, BATCH):
        chunk = plan[start : start + BATCH]
        with transaction.atomic():
            contracts = Contract.objects.bulk_create([item[0] for item in chunk])
            instalments: list[PaymentPlan] = []
            payments: list[tuple[int, int, tuple]] = []  # (contract index, instalment index, row)
            approvals: list[ContractApproval] = []
            for contract, (_unsaved, schedule, paid) in zip(contracts, chunk, strict=True):
                if contract.status != ContractStatus.DRAFT:
                    approvals.append(
                        ContractApproval(
                            contract=contract, action=ApprovalAction.SUBMITTED, actor=contract.owner
                        )
                    )
                if contract.approved_at is not None:
                    approvals.append(
                        ContractApproval(
                            contract=contract,
                            action=ApprovalAction.APPROVED,
                            actor=approver,
                            comment="同意",
                        )
                    )
                first = len(instalments)
                before = Decimal(0)
                for sequence, (due_on, amount) in enumerate(schedule, start=1):
                    instalments.append(
                        PaymentPlan(
                            contract=contract,
                            sequence=sequence,
                            due_on=due_on,
                            amount=amount,
                            before_amount=before,
                        )
                    )
                    before += amount
                for row in paid:
                    payments.append((contract.pk, first + row[0], row))
            ContractApproval.objects.bulk_create(approvals)
            saved_plan = PaymentPlan.objects.bulk_create(instalments)
            Payment.objects.bulk_create(
                [
                    Payment(
                        contract_id=contract_id,
                        instalment=saved_plan[index],
                        received_on=received_on,
                        amount=amount,
                        method=method,
                        reference=reference,
                        recorded_by_id=saved_plan[index].contract.owner_id,
                    )
                    for contract_id, index, (_i, received_on, amount, method, reference) in payments
                ]
            )
        counts["contracts"] += len(contracts)
        counts["instalments"] += len(instalments)
        counts["payments"] += len(payments)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    year = today.year
    if year in per_year:
        with transaction.atomic():
            sequence, _created = ContractSequence.objects.get_or_create(pk=1)
            sequence = ContractSequence.objects.select_for_update().get(pk=1)
            if sequence.period in ("", str(year)) and sequence.last_value < per_year[year]:
                sequence.period = str(year) if sequence.reset == "yearly" else ""
                sequence.last_value = (
                    per_year[year] if sequence.reset == "yearly" else sum(per_year.values())
                )
                sequence.save(update_fields=["period", "last_value", "updated_at"])
    return counts


def _one(
    rng: random.Random,
    rep: Any,
    customer_id: int,
    today: dt.date,
    next_number: Callable[[int], str],
    contract_model: Any,
) -> tuple[Any, list[tuple[dt.date, Decimal]], list[tuple]]:
    """One unsaved contract, its instalments (due, amount) and payments
    (instalment index, received on, amount, method, reference)."""
    start_on = today - dt.timedelta(days=rng.randint(-30, 700))
    end_on = start_on + dt.timedelta(days=rng.choice((364, 364, 364, 729, 180)))
    amount = Decimal(rng.choice((20, 36, 48, 68, 88, 120, 150, 240, 360, 600)) * 1000)
    roll = rng.random()
    if start_on > today:
        status = "draft" if roll < 0.5 else "in_approval"
    elif roll < 0.04:
        status = "terminated"
    elif end_on < today:
        status = "finished"
    elif roll < 0.08:
        status = "in_approval"
    else:
        status = "signed"
    is_signed = status in ("signed", "finished", "terminated")
    signed_on = min(today, start_on - dt.timedelta(days=rng.randint(0, 14))) if is_signed else None
    created = timezone.make_aware(
        dt.datetime.combine(signed_on or min(today, start_on), dt.time(10))
    ) - dt.timedelta(days=7)
    contract = contract_model(
        number=next_number((signed_on or created.date()).year),
        title=rng.choice(TITLES),
        customer_id=customer_id,
        owner_id=rep.pk,
        team_id=rep.team_id,
        amount=amount,
        currency="CNY",
        start_on=start_on,
        end_on=end_on,
        signed_on=signed_on,
        status=status,
        approved_at=created + dt.timedelta(days=2) if is_signed or roll < 0.06 else None,
        terminated_reason=rng.choice(TERMINATION_REASONS) if status == "terminated" else "",
        remind_days_before_end=rng.choice((30, 30, 30, 60, 15)),
        renewal_reminded_at=None,
        notes="",
    )
    contract.created_at = created
    contract.updated_at = created
    schedule: list[tuple[dt.date, Decimal]] = []
    payments: list[tuple] = []
    if not is_signed:
        return contract, schedule, payments
    parts = rng.choice((1, 2, 3, 3, 4))
    step = max(1, (end_on - start_on).days // parts)
    for index, share in enumerate(_split(rng, amount, parts)):
        due_on = start_on + dt.timedelta(days=index * step + rng.randint(0, 20))
        schedule.append((due_on, share))
    schedule.sort()
    contract.planned_amount = sum((share for _due, share in schedule), Decimal(0))
    for index, (due_on, share) in enumerate(schedule):
        if due_on > today or (status == "terminated" and rng.random() < 0.5):
            continue
        luck = rng.random()
        if luck < 0.12 and status != "finished":
            continue  # still open: overdue
        paid = share if luck >= 0.2 or status == "finished" else _money(share * Decimal("0.5"))
        received_on = min(today, due_on + dt.timedelta(days=rng.choice((0, 0, 3, 7, 15, 40))))
        method = rng.choice(METHODS)
        reference = (
            f"回单{rng.randint(10_000_000, 99_999_999)}" if method == "bank_transfer" else ""
        )
        payments.append((index, received_on, paid, method, reference))
    contract.received_amount = sum((row[2] for row in payments), Decimal(0))
    return contract, schedule, payments
