"""Leads benchmark: the lead list (first page, filtered, searched), creation through a
round-robin rule, and conversion with the duplicate check, over N leads and N customers.

    python -m bench.leads --leads 20000 --customers 20000 [--backends sqlite,postgres]

Each backend gets a fresh database (SQLite file under --work, PostgreSQL database
`gx_leads_bench`), migrated, then N customers and N leads bulk-inserted (20 reps in
2 groups of one department). Timings are medians of repeated calls of the
selectors and services (no HTTP), in a child process per backend.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

from bench.common import fresh_env, median_ms, print_table, run_child

PG_NAME = "gx_leads_bench"
BATCH = 10_000
REPS = 20


def child(leads: int, customers: int, seed: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", "--no-input", verbosity=0)
    from guanxi.accounts.models import User
    from guanxi.accounts.services import builtin_roles_ensure, team_create
    from guanxi.customers.models import Customer
    from guanxi.leads import selectors, services
    from guanxi.leads.models import Lead
    from guanxi.leads.permissions import BUILTIN_GRANTS
    from guanxi.platform.bulk import insert_many
    from guanxi.platform.search import build_search_text

    rng = random.Random(seed)
    roles = builtin_roles_ensure()
    for code, wanted in BUILTIN_GRANTS.items():
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
            phone = f"+86138{index:08d}"
            rows.append(
                Customer(
                    name=name,
                    sort_name=name,
                    phones=[phone],
                    search_text=build_search_text(names=[name], phones=[phone]),
                    owner_id=rep.pk,
                    team_id=rep.team_id,
                )
            )
        with transaction.atomic():
            insert_many(Customer, rows)
    for start in range(0, leads, BATCH):
        rows = []
        for index in range(start, min(start + BATCH, leads)):
            rep = reps[index % REPS]
            rows.append(
                Lead(
                    name=f"线索{index}",
                    company=f"线索公司{index}",
                    mobile=f"+86139{index:08d}",
                    source=rng.choice(["web_form", "referral", "exhibition", "manual"]),
                    status=rng.choice(["new", "contacted", "qualified"]),
                    owner_id=None if index % 7 == 0 else rep.pk,
                    team_id=rep.team_id,
                )
            )
        with transaction.atomic():
            insert_many(Lead, rows)
    load_seconds = round(time.perf_counter() - started, 1)

    rep = reps[0]
    services.assignment_rule_save(
        actor=manager, team=groups[0], method="round_robin", members=[r.pk for r in reps[::2]]
    )

    def first_page(actor: Any, **filters: Any) -> None:
        qs = selectors.lead_list(actor=actor, filters=selectors.LeadFilter(**filters))
        list(qs.order_by(*selectors.LEAD_SORTS["-id"])[:51])

    results: dict[str, Any] = {"load_seconds": load_seconds}
    results["list_manager_ms"] = median_ms(lambda: first_page(manager), 20)
    results["list_rep_ms"] = median_ms(lambda: first_page(rep), 20)
    results["list_rep_pool_ms"] = median_ms(lambda: first_page(rep, owner="pool"), 20)
    results["list_manager_status_source_ms"] = median_ms(
        lambda: first_page(manager, status="qualified", source="referral"), 20
    )
    results["list_manager_search_ms"] = median_ms(lambda: first_page(manager, q="线索公司1234"), 10)
    counter = iter(range(10**9))
    results["create_round_robin_ms"] = median_ms(
        lambda: services.lead_create(actor=manager, name=f"新线索{next(counter)}", team=groups[0]),
        100,
    )
    to_convert = list(Lead.objects.filter(owner=rep, status="new").order_by("id")[:40])
    for lead in to_convert[:20]:  # half of them collide with an existing customer's phone
        Lead.objects.filter(pk=lead.pk).update(mobile=f"+86138{lead.pk % customers:08d}")
    convert_iter = iter(to_convert)

    def convert_one() -> None:
        lead = next(convert_iter)
        lead.refresh_from_db()
        selectors.duplicate_candidates(actor=rep, lead=lead)
        services.lead_convert(actor=rep, lead=lead)

    results["duplicate_check_and_convert_ms"] = median_ms(convert_one, len(to_convert))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--work", type=Path, default=Path("/tmp/guanxi-bench-leads"))
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.leads, args.customers, args.seed)))
        return
    table: dict[str, Any] = {}
    for backend in args.backends.split(","):
        env = fresh_env(backend, args.work, PG_NAME)
        arguments = ["--leads", str(args.leads)]
        arguments += ["--customers", str(args.customers), "--seed", str(args.seed)]
        table[backend] = run_child("bench.leads", arguments, env, backend)
    print_table(f"leads {args.leads:,}", table)


if __name__ == "__main__":
    main()
