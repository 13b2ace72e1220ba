"""Contracts benchmark: the contract list (first page, manager and rep, "with overdue
instalments"), one contract's instalments with their derived status, the 360 panel,
the rep's overdue receivables on the home page, the receivables-by-age report over
all data, recording a payment, and the daily renewal-reminder job.

    python -m bench.contracts --contracts 100000 --customers 20000 [--backends sqlite,postgres]

Each backend gets a fresh database (SQLite file under --work, PostgreSQL database
`gx_contracts_bench`), migrated, then M customers and N signed contracts with 3
instalments each and payments for ~70 % of the past-due ones, bulk-inserted
(20 reps in 2 groups of one department). Timings are medians of repeated calls of
the selectors and services (no HTTP), in a child process per backend.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import fresh_env, median_ms, print_table, run_child

PG_NAME = "gx_contracts_bench"
BATCH = 10_000
REPS = 20


def child(contracts: int, customers: int, seed: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", "--no-input", verbosity=0)
    from guanxi.accounts.models import User
    from guanxi.accounts.services import builtin_roles_ensure, team_create
    from guanxi.contracts import selectors, services
    from guanxi.contracts.models import Contract, Payment, PaymentPlan
    from guanxi.contracts.permissions import MANAGER_CODES, REP_CODES
    from guanxi.customers.models import Customer
    from guanxi.platform.bulk import insert_many

    rng = random.Random(seed)
    roles = builtin_roles_ensure()
    for code, wanted in (("manager", MANAGER_CODES), ("sales", REP_CODES)):
        role = roles[code]
        role.permissions = sorted({*role.permissions, *wanted})
        role.save(update_fields=["permissions"])
    hq = team_create(actor=None, name="总公司")
    department = team_create(actor=None, name="销售部", parent=hq)
    groups = [team_create(actor=None, name=f"销售{n + 1}组", parent=department) for n in (0, 1)]
    manager = User.objects.create(
        username="manager", display_name="经理", team=department, role=roles["manager"]
    )
    reps = [
        User.objects.create(
            username=f"rep{n}", display_name=f"销售{n}", team=groups[n % 2], role=roles["sales"]
        )
        for n in range(REPS)
    ]
    started = time.perf_counter()
    for start in range(0, customers, BATCH):
        rows = []
        for index in range(start, min(start + BATCH, customers)):
            rep = reps[index % REPS]
            name = f"基准客户{index}科技有限公司"
            rows.append(Customer(name=name, sort_name=name, owner_id=rep.pk, team_id=rep.team_id))
        with transaction.atomic():
            insert_many(Customer, rows)
    customer_ids = list(Customer.objects.order_by("id").values_list("id", "owner_id"))
    team_of = {rep.pk: rep.team_id for rep in reps}
    today = timezone.localdate()
    for start in range(0, contracts, BATCH):
        header = []
        for index in range(start, min(start + BATCH, contracts)):
            customer_id, owner_id = customer_ids[index % len(customer_ids)]
            start_on = today - dt.timedelta(days=rng.randint(0, 700))
            header.append(
                Contract(
                    number=f"HT-BENCH-{index:08d}",
                    title="基准合同",
                    customer_id=customer_id,
                    owner_id=owner_id,
                    team_id=team_of[owner_id],
                    amount=Decimal("30000.00"),
                    planned_amount=Decimal("30000.00"),
                    start_on=start_on,
                    end_on=start_on + dt.timedelta(days=364),
                    signed_on=start_on,
                    status="signed",
                )
            )
        with transaction.atomic():
            created = Contract.objects.bulk_create(header, batch_size=2000)
            plan, paid = [], []
            for contract in created:
                for sequence in (1, 2, 3):
                    due_on = contract.start_on + dt.timedelta(days=120 * (sequence - 1))
                    plan.append(
                        PaymentPlan(
                            contract_id=contract.pk,
                            sequence=sequence,
                            due_on=due_on,
                            amount=Decimal("10000.00"),
                            before_amount=Decimal(10000 * (sequence - 1)),
                        )
                    )
                    if due_on <= today and rng.random() < 0.7:
                        paid.append(
                            Payment(
                                contract_id=contract.pk,
                                received_on=due_on,
                                amount=Decimal("10000.00"),
                                method="bank_transfer",
                            )
                        )
            PaymentPlan.objects.bulk_create(plan, batch_size=2000)
            Payment.objects.bulk_create(paid, batch_size=2000)
            received: dict[int, Decimal] = {}
            for payment in paid:
                received[payment.contract_id] = (
                    received.get(payment.contract_id, 0) + payment.amount
                )
            for contract in created:
                contract.received_amount = received.get(contract.pk, Decimal(0))
            Contract.objects.bulk_update(created, ["received_amount"], batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_seconds = round(time.perf_counter() - started, 1)
    rep = reps[0]
    contract = Contract.objects.filter(owner=rep).order_by("id").first()

    def first_page(actor: Any, **filters: Any) -> None:
        qs = selectors.with_money(
            selectors.contract_list(actor=actor, filters=selectors.ContractFilter(**filters))
        )
        list(qs.order_by("-id")[:51])

    results: dict[str, Any] = {"load_seconds": load_seconds}
    results["list_manager_ms"] = median_ms(lambda: first_page(manager), 10)
    results["list_rep_ms"] = median_ms(lambda: first_page(rep), 10)
    results["list_overdue_ms"] = median_ms(lambda: first_page(rep, has_overdue=True), 5)
    results["detail_plan_ms"] = median_ms(
        lambda: (
            selectors.contract_get(actor=rep, contract_id=contract.pk),
            selectors.contract_instalments(contract),
        ),
        20,
    )
    results["panel_360_ms"] = median_ms(
        lambda: selectors.customer_contracts(actor=rep, customer_id=contract.customer_id), 20
    )
    results["home_overdue_ms"] = median_ms(
        lambda: selectors.overdue_instalments(actor=rep, owner_id=rep.pk), 5
    )
    results["receivables_manager_ms"] = median_ms(
        lambda: selectors.receivables_report(actor=manager), 3
    )
    results["receivables_rep_ms"] = median_ms(lambda: selectors.receivables_report(actor=rep), 3)
    open_contract = (
        selectors.with_money(Contract.objects.filter(owner=rep)).filter(outstanding__gt=0).first()
    )
    results["payment_record_ms"] = median_ms(
        lambda: services.payment_record(
            actor=rep, contract=open_contract, received_on=today, amount=Decimal("1.00")
        ),
        20,
    )
    started = time.perf_counter()
    results["renewal_reminders"] = services.contracts_renewal_remind(today=today)
    results["renewal_job_s"] = round(time.perf_counter() - started, 2)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--work", type=Path, default=Path("/tmp/guanxi-bench-contracts"))
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.contracts, args.customers, args.seed)))
        return
    table: dict[str, Any] = {}
    for backend in args.backends.split(","):
        env = fresh_env(backend, args.work, PG_NAME)
        arguments = ["--contracts", str(args.contracts), "--customers", str(args.customers)]
        arguments += ["--seed", str(args.seed)]
        table[backend] = run_child("bench.contracts", arguments, env, backend)
    print_table(f"contracts {args.contracts:,}", table)


if __name__ == "__main__":
    main()
