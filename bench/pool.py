"""Pool-recycling benchmark: the nightly `pool_recycle_run` over N owned customers.

    python -m bench.pool --customers 100000 [--backends sqlite,postgres]

For each backend: a fresh database (SQLite file under --work, PostgreSQL database
`gx_pool_bench`), migrated; then N customers owned by 50 reps in 5 groups of one
department whose pool rule says "no follow-up for 30 days or no order for 365
days → back to the pool, warn 5 days before" (the groups inherit it). Customers
were taken 0–730 days ago; 85 % were followed up within the last 28 days, 60 %
have an order within the last 300 days. That is a first run with a large
backlog (about a third goes back): the worst night, not a usual one.

Rows are bulk-inserted (platform.bulk.insert_many), so loading is quick. The run
itself is the `guanxi pool_recycle` command under /usr/bin/time (wall time, CPU,
peak RSS of that process only). Target (docs/benchmarks.md): 1,000,000 customers
in < 60 s on SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import PROJECT_DIR, fresh_env

GUANXI = str(PROJECT_DIR / ".venv" / "bin" / "guanxi")
PG_NAME = "gx_pool_bench"
BATCH = 10_000
REPS = 50
GROUPS = 5


# --- child: load (runs inside Django) ----------------------------------------------------


def load(customers: int, seed: int) -> None:
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from guanxi.accounts.services import builtin_roles_ensure, team_create
    from guanxi.customers.models import Customer
    from guanxi.platform.bulk import insert_many
    from guanxi.pool.models import PoolRule
    from guanxi.sales.models import Order

    rng = random.Random(seed)
    roles = builtin_roles_ensure()
    from guanxi.accounts.models import User

    hq = team_create(actor=None, name="总公司")
    department = team_create(actor=None, name="销售部", parent=hq)
    groups = [
        team_create(actor=None, name=f"销售{n + 1}组", parent=department) for n in range(GROUPS)
    ]
    reps = [
        User.objects.create(
            username=f"rep{n}",
            display_name=f"销售{n}",
            team=groups[n % GROUPS],
            role=roles["sales"],
        )
        for n in range(REPS)
    ]
    PoolRule.objects.create(
        team=department,
        recycle_without_follow_up_days=30,
        recycle_without_deal_days=365,
        warn_days_before=5,
    )
    now = timezone.now()
    today = timezone.localdate()
    started = time.perf_counter()
    order_number = 0
    for start in range(0, customers, BATCH):
        rows: list[Customer] = []
        orders: list[Order] = []
        for index in range(start, min(start + BATCH, customers)):
            rep = reps[index % REPS]
            draw = rng.random()
            if draw < 0.85:
                followed: dt.datetime | None = now - dt.timedelta(days=rng.uniform(0, 28))
            elif draw < 0.925:
                followed = now - dt.timedelta(days=rng.uniform(28, 730))
            else:
                followed = None
            name = f"基准客户{index}"
            rows.append(
                Customer(
                    name=name,
                    sort_name=name,
                    search_text=name,
                    owner_id=rep.pk,
                    team_id=rep.team_id,
                    last_interaction_at=followed,
                )
            )
        with transaction.atomic():
            insert_many(Customer, rows)
            for customer in rows:
                if rng.random() < 0.6:
                    order_number += 1
                    orders.append(
                        Order(
                            number=f"B{order_number:09d}",
                            customer_id=customer.pk,
                            order_date=today - dt.timedelta(days=rng.randint(0, 300)),
                            status="completed",
                            owner_id=customer.owner_id,
                        )
                    )
            insert_many(Order, orders)
        done = min(start + BATCH, customers)
        rate = done / (time.perf_counter() - started)
        print(f"\rloaded {done:,}/{customers:,} ({rate:,.0f}/s)", end="", file=sys.stderr)
    print(file=sys.stderr)


def spread_created_at() -> None:
    """insert_many's pre_save sets created_at (= held since) to now: spread it over
    0–730 days deterministically from the id, in one UPDATE."""
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE customers_customer SET created_at = now() - "
                "((id * 7919) % 730) * interval '1 day'"
            )
        else:
            cursor.execute(
                "UPDATE customers_customer SET created_at = "
                "strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ((id * 7919) % 730) || ' days')"
            )
        # Planner statistics, as a live database has them (demo_create does the same).
        cursor.execute("ANALYZE")


# --- parent ------------------------------------------------------------------------------


def prepare(backend: str, work: Path) -> dict[str, str]:
    env = fresh_env(backend, work, PG_NAME)
    subprocess.run([GUANXI, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    return env


def timed_run(env: dict[str, str]) -> dict[str, Any]:
    command = ["/usr/bin/time", "-v", GUANXI, "pool_recycle", "--no-progress"]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"pool_recycle failed ({done.returncode})")

    def number(label: str) -> float:
        found = re.search(rf"{re.escape(label)}: ([0-9.:]+)", done.stderr)
        return float(found.group(1)) if found else 0.0

    def count(label: str) -> int:
        found = re.search(rf"{label}\s*│\s*([0-9,]+)", done.stdout)
        return int(found.group(1).replace(",", "")) if found else -1

    inside = re.search(r"pool recycling \(([0-9.]+) s", done.stdout)
    return {
        "run_seconds": float(inside.group(1)) if inside else None,
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(number("User time (seconds)") + number("System time (seconds)"), 1),
        "peak_rss_mb": round(number("Maximum resident set size (kbytes)") / 1024),
        "recycled": count("recycled"),
        "warned": count("warned"),
        "output": done.stdout[-1500:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--work", default="/tmp/guanxi-bench-pool")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", default=str(PROJECT_DIR / "bench" / "results" / "pool.json"))
    parser.add_argument("--child", choices=["load"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "load":
        load(args.customers, args.seed)
        spread_created_at()
        return
    work = Path(args.work)
    results: dict[str, Any] = {"customers": args.customers, "loadavg_start": os.getloadavg()}
    for backend in [b for b in args.backends.split(",") if b]:
        env = prepare(backend, work)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bench.pool", "--child", "load",
             "--customers", str(args.customers), "--seed", str(args.seed)],
            env=env, check=True, cwd=PROJECT_DIR,
        )  # fmt: skip
        load_seconds = round(time.perf_counter() - started, 1)
        run = timed_run(env)
        second = timed_run(env)  # the next night: nothing new is due
        results[backend] = {
            "load_seconds": load_seconds,
            "first_run": run,
            "second_run": {k: v for k, v in second.items() if k != "output"},
        }
        print(
            f"{backend}: {args.customers:,} customers (loaded in {load_seconds} s) · first run "
            f"{run['run_seconds']} s in the job, {run['wall_seconds']} s for the whole command "
            f"({run['recycled']:,} recycled, {run['warned']:,} warned, peak RSS "
            f"{run['peak_rss_mb']} MB) · second run {second['run_seconds']} s"
        )
    results["loadavg_end"] = os.getloadavg()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
