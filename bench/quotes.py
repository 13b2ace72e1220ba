"""Quotes benchmark: the quote list (first page, by status, by customer), the 360 quotes
panel, creating a quote with lines, rendering a 20-line PDF, and the expiry job over
N quotes of M customers.

    python -m bench.quotes --quotes 100000 --customers 20000 [--backends sqlite,postgres]

Each backend gets a fresh database (SQLite file under --work, PostgreSQL database
`gx_quotes_bench`), migrated, then M customers and N quotes with 3 lines each
bulk-inserted (20 reps in 2 groups of one department; a third of the quotes past
their validity). Timings are medians of repeated calls of the selectors and
services (no HTTP), in a child process per backend.
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

PG_NAME = "gx_quotes_bench"
BATCH = 10_000
REPS = 20


def child(quotes: int, customers: int, seed: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", "--no-input", verbosity=0)
    from guanxi.accounts.models import User
    from guanxi.accounts.services import builtin_roles_ensure, team_create
    from guanxi.customers.models import Customer
    from guanxi.platform.bulk import insert_many
    from guanxi.sales import selectors, services
    from guanxi.sales.models import Product, Quote, QuoteLine
    from guanxi.sales.permissions import QUOTE_BUILTIN_GRANTS
    from guanxi.sales.quote_pdf import quote_pdf_bytes

    rng = random.Random(seed)
    roles = builtin_roles_ensure()
    for code, wanted in QUOTE_BUILTIN_GRANTS.items():
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
    products = [
        Product.objects.create(
            sku=f"P-{n:03d}", name=f"产品{n}", unit="个", list_price=Decimal(100 + n), cost=50
        )
        for n in range(30)
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
    today = timezone.localdate()
    statuses = ["draft", "sent", "accepted", "rejected"]
    for start in range(0, quotes, BATCH):
        header = []
        for index in range(start, min(start + BATCH, quotes)):
            customer_id, owner_id = customer_ids[index % len(customer_ids)]
            issued = today - dt.timedelta(days=rng.randint(0, 90))
            header.append(
                Quote(
                    number=f"Q-BENCH-{index:08d}",
                    customer_id=customer_id,
                    owner_id=owner_id,
                    issued_on=issued,
                    valid_until=issued + dt.timedelta(days=30),
                    status=rng.choice(statuses),
                    subtotal=Decimal("300.00"),
                    total=Decimal("339.00"),
                    tax_rate=Decimal(13),
                    tax_amount=Decimal("39.00"),
                )
            )
        with transaction.atomic():
            created = Quote.objects.bulk_create(header, batch_size=2000)
            lines = [
                QuoteLine(
                    quote_id=quote.pk,
                    position=position,
                    product_id=products[(quote.pk + position) % 30].pk,
                    description="产品",
                    quantity=1,
                    unit="个",
                    unit_price=Decimal(100),
                    amount=Decimal(100),
                )
                for quote in created
                for position in (1, 2, 3)
            ]
            insert_many(QuoteLine, lines)
    # Fresh tables have no planner statistics (PostgreSQL would pick nested loops for
    # 20,000 rows it believes are 1); a real installation's autovacuum analyzes them.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_seconds = round(time.perf_counter() - started, 1)
    rep = reps[0]
    rep_customer = Customer.objects.filter(owner=rep).order_by("id").first()

    def first_page(actor: Any, **filters: Any) -> None:
        qs = selectors.quote_list(actor=actor, filters=selectors.QuoteFilter(**filters))
        list(qs.order_by(*selectors.QUOTE_SORTS["-date"])[:51])

    results: dict[str, Any] = {"load_seconds": load_seconds}
    results["list_manager_ms"] = median_ms(lambda: first_page(manager), 20)
    results["list_rep_ms"] = median_ms(lambda: first_page(rep), 20)
    results["list_manager_sent_ms"] = median_ms(lambda: first_page(manager, status="sent"), 20)
    results["list_customer_ms"] = median_ms(lambda: first_page(rep, customer=rep_customer.pk), 20)
    results["panel_360_ms"] = median_ms(
        lambda: selectors.customer_quotes_summary(actor=rep, customer_id=rep_customer.pk), 20
    )
    lines = [{"product": p.pk, "quantity": 2, "discount_percent": 5} for p in products[:5]]
    results["create_5_lines_ms"] = median_ms(
        lambda: services.quote_create(actor=rep, customer=rep_customer, lines=lines, tax_rate=13),
        30,
    )
    big = services.quote_create(
        actor=rep,
        customer=rep_customer,
        lines=[{"product": p.pk, "quantity": 3} for p in products[:20]],
        tax_rate=13,
        terms="款到发货。",
    )
    results["pdf_20_lines_ms"] = median_ms(
        lambda: quote_pdf_bytes(selectors.quote_get(actor=rep, quote_id=big.pk)), 10
    )
    started = time.perf_counter()
    expired = services.quotes_expire(today=today + dt.timedelta(days=61))
    results["expire_job_s"] = round(time.perf_counter() - started, 2)
    results["expired"] = expired
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--work", type=Path, default=Path("/tmp/guanxi-bench-quotes"))
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.quotes, args.customers, args.seed)))
        return
    table: dict[str, Any] = {}
    for backend in args.backends.split(","):
        env = fresh_env(backend, args.work, PG_NAME)
        arguments = ["--quotes", str(args.quotes)]
        arguments += ["--customers", str(args.customers), "--seed", str(args.seed)]
        table[backend] = run_child("bench.quotes", arguments, env, backend)
    print_table(f"quotes {args.quotes:,}", table)


if __name__ == "__main__":
    main()
