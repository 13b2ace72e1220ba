"""Kanban benchmark: the opportunity board with N open cards among M opportunities.

    python -m bench.kanban                                   # 200,000 opportunities, 2,000 open
    python -m bench.kanban --opportunities 20000 --open 2000 --backends sqlite

Each backend gets a fresh database (SQLite file under --work, PostgreSQL database
`gx_kanban_bench`), migrated, then customers (one per 10 opportunities), 20 reps
in 2 groups and the opportunities bulk-inserted: `--open` open ones spread over
the default pipeline's open stages, the rest won or lost over the past three years
(each with its stage-history rows). Times are server times of whole requests
through Django's test Client (view, selectors, template), p50/p95 over --runs
runs after 3 warm-ups, in a child process per backend: the board for an admin
(every card), for a group manager, for one rep, filtered by owner and by close
month, and one card move (POST, then moved back).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import fresh_env, percentile, print_table, run_child, samples_ms

PG_NAME = "gx_kanban_bench"
BATCH = 10_000
REPS = 20
TARGET_MS = 300.0


def _measure(call: Any, runs: int) -> dict[str, float]:
    samples = samples_ms(call, repeat=runs, warmup=3)
    return {
        "p50": round(statistics.median(samples), 1),
        "p95": round(percentile(samples, 0.95), 1),
    }


def _load(opportunities: int, open_count: int, seed: int) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from guanxi.accounts.models import User
    from guanxi.accounts.services import builtin_roles_ensure, team_create
    from guanxi.customers.models import Customer
    from guanxi.deals.models import Opportunity, StageHistory
    from guanxi.deals.permissions import BUILTIN_GRANTS
    from guanxi.deals.services import pipeline_ensure_default
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
    admin = User.objects.create(username="boss", display_name="老板", team=hq, role=roles["admin"])
    manager = User.objects.create(
        username="manager", display_name="一组经理", team=groups[0], role=roles["manager"]
    )
    reps = [
        User.objects.create(
            username=f"rep{n}", display_name=f"销售{n}", team=groups[n % 2], role=roles["sales"]
        )
        for n in range(REPS)
    ]
    pipeline = pipeline_ensure_default()
    stages = list(pipeline.stages.order_by("order", "id"))
    open_stages = [s for s in stages if s.kind == "open"]
    won = next(s for s in stages if s.kind == "won")
    lost = next(s for s in stages if s.kind == "lost")
    now = timezone.now()
    today = timezone.localdate(now)
    customers = max(1, opportunities // 10)
    started = time.perf_counter()
    customer_ids: list[int] = []
    for start in range(0, customers, BATCH):
        rows = []
        for index in range(start, min(start + BATCH, customers)):
            rep = reps[index % REPS]
            name = f"基准客户{index}科技有限公司"
            rows.append(
                Customer(
                    name=name,
                    sort_name=name,
                    search_text=build_search_text(names=[name]),
                    owner_id=rep.pk,
                    team_id=rep.team_id,
                    created_at=now,
                    updated_at=now,
                )
            )
        with transaction.atomic():
            insert_many(Customer, rows)
        customer_ids.extend(row.pk for row in rows)
    made = 0
    while made < opportunities:
        size = min(BATCH, opportunities - made)
        rows = []
        walks = []
        for index in range(made, made + size):
            customer_id = customer_ids[index % customers]
            rep = reps[(index % customers) % REPS]
            is_open = index < open_count
            if is_open:
                stage = open_stages[index % len(open_stages)]
                close_on = today + dt.timedelta(days=rng.randint(0, 120))
                entered = now - dt.timedelta(days=rng.uniform(0, 60))
                status = "open"
            else:
                stage = won if rng.random() < 0.55 else lost
                close_on = today - dt.timedelta(days=rng.randint(1, 3 * 365))
                entered = timezone.make_aware(dt.datetime.combine(close_on, dt.time(15)))
                status = stage.kind
            created = entered - dt.timedelta(days=rng.uniform(1, 60))
            rows.append(
                Opportunity(
                    title=f"基准商机{index}",
                    customer_id=customer_id,
                    pipeline_id=pipeline.pk,
                    stage_id=stage.pk,
                    amount=Decimal(rng.randrange(5_000, 500_000, 100)),
                    currency="CNY",
                    expected_close_on=close_on,
                    owner_id=rep.pk,
                    team_id=rep.team_id,
                    status=status,
                    lost_reason="价格" if status == "lost" else "",
                    won_at=entered if status == "won" else None,
                    lost_at=entered if status == "lost" else None,
                    stage_entered_at=entered,
                    position=-index * 1024,
                    version=1,
                    created_by_id=rep.pk,
                    created_at=created,
                    updated_at=entered,
                )
            )
            walks.append((open_stages[0], stage, created, entered))
        with transaction.atomic():
            insert_many(Opportunity, rows)
            history = []
            for row, (first, last, created, entered) in zip(rows, walks, strict=True):
                history.append(
                    StageHistory(
                        opportunity_id=row.pk,
                        to_stage_id=first.pk,
                        to_stage_name=first.name,
                        changed_at=created,
                        changed_by_id=row.owner_id,
                    )
                )
                if last.pk != first.pk:
                    history.append(
                        StageHistory(
                            opportunity_id=row.pk,
                            from_stage_id=first.pk,
                            from_stage_name=first.name,
                            to_stage_id=last.pk,
                            to_stage_name=last.name,
                            changed_at=entered,
                            changed_by_id=row.owner_id,
                            seconds_in_previous=int((entered - created).total_seconds()),
                        )
                    )
            insert_many(StageHistory, history)
        made += size
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "admin": admin,
        "manager": manager,
        "rep": reps[0],
        "pipeline": pipeline,
        "stages": open_stages,
        "load_seconds": round(time.perf_counter() - started, 1),
    }


def child(opportunities: int, open_count: int, runs: int, seed: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", "--no-input", verbosity=0)
    from django.conf import settings
    from django.test.utils import override_settings

    # No collectstatic here: plain static URLs (the manifest storage needs one).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()
    from guanxi.deals.models import Opportunity

    data = _load(opportunities, open_count, seed)
    board = reverse("deals:opportunity_board")

    def client_for(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def get(client: Client, expected_cards: int | None = None, **params: Any) -> Any:
        def call() -> None:
            response = client.get(board, params)
            assert response.status_code == 200, response.status_code
            if expected_cards is not None:
                assert response.content.count(b'data-testid="board-card"') >= expected_cards

        return call

    admin, manager, rep = (client_for(data[key]) for key in ("admin", "manager", "rep"))
    results: dict[str, Any] = {"load_seconds": data["load_seconds"]}
    first = admin.get(board)
    results["admin_cards"] = first.content.count(b'data-testid="board-card"')
    results["admin_html_kb"] = round(len(first.content) / 1024)
    results["board_admin_all_cards"] = _measure(get(admin, open_count), runs)
    results["board_manager_group"] = _measure(get(manager), runs)
    results["board_rep_own"] = _measure(get(rep), runs)
    results["board_admin_owner_filter"] = _measure(get(admin, owner=data["rep"].pk), runs)
    month = (dt.date.today() + dt.timedelta(days=40)).strftime("%Y-%m")
    results["board_admin_close_month"] = _measure(get(admin, close_month=month), runs)
    card = Opportunity.objects.filter(status="open").order_by("id").first()
    stages = data["stages"]
    toggle = {"stage": 0}

    def move() -> None:
        card.refresh_from_db(fields=["version", "stage"])
        target = stages[1] if card.stage_id == stages[0].pk else stages[0]
        response = admin.post(
            reverse("deals:opportunity_move", args=[card.pk]),
            {"stage": target.pk, "version": card.version},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200, response.content[:300]
        toggle["stage"] += 1

    Opportunity.objects.filter(pk=card.pk).update(stage=stages[0])
    results["move_card"] = _measure(move, runs)
    return results


def _cell(value: Any) -> str:
    if isinstance(value, dict):
        mark = "" if value["p95"] < TARGET_MS else " !"
        return f"{value['p50']:.0f}/{value['p95']:.0f}{mark}"
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--opportunities", type=int, default=200_000)
    parser.add_argument("--open", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--work", type=Path, default=Path("/tmp/guanxi-bench-kanban"))
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.opportunities, args.open, args.runs, args.seed)))
        return
    table: dict[str, Any] = {}
    for backend in args.backends.split(","):
        env = fresh_env(backend, args.work, PG_NAME)
        arguments = ["--opportunities", str(args.opportunities), "--open", str(args.open)]
        arguments += ["--runs", str(args.runs), "--seed", str(args.seed)]
        table[backend] = run_child("bench.kanban", arguments, env, backend)
    title = f"{args.opportunities:,} opportunities, {args.open:,} open (p50/p95 ms)"
    print_table(title, table, width=58, cell_width=14, cell=_cell)
    print(f"target: board p95 < {TARGET_MS:.0f} ms ('!' marks a miss)")
    if args.out:
        args.out.write_text(json.dumps({"args": vars(args), **table}, default=str))


if __name__ == "__main__":
    main()
