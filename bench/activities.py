"""Activities benchmark: the calendar month (a rep's own, a manager looking at a rep),
My day, the iCal feed and the reminder job, over N tasks and N/10 meetings.

    python -m bench.activities --tasks 200000 [--backends sqlite,postgres]

Each backend gets a fresh database (SQLite file under --work, PostgreSQL database
`gx_activities_bench`), migrated, then 5,000 customers, N tasks over ±180 days and
N/10 meetings bulk-inserted for 20 reps in 2 groups of one department. Timings are
medians of repeated calls of the selectors and services (no HTTP), in a child
process per backend.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
PYTHON = str(PROJECT_DIR / ".venv" / "bin" / "python")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_NAME = "gx_activities_bench"
BATCH = 10_000
REPS = 20
CUSTOMERS = 5_000
SPREAD_DAYS = 180
REMINDERS_DUE = 300


def _median_ms(call: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def child(tasks: int, seed: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    call_command("migrate", "--no-input", verbosity=0)
    from guanxi.accounts.models import User
    from guanxi.accounts.services import builtin_roles_ensure, team_create
    from guanxi.activities import selectors, services
    from guanxi.activities.ical import calendar_feed
    from guanxi.activities.models import Meeting, Task
    from guanxi.activities.permissions import MEETING_ALL, MEETING_ROLES
    from guanxi.customers.models import Customer
    from guanxi.platform.bulk import insert_many

    rng = random.Random(seed)
    roles = builtin_roles_ensure()
    for code in MEETING_ROLES:
        role = roles[code]
        role.permissions = sorted({*role.permissions, *MEETING_ALL})
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
    today = timezone.localdate()
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        insert_many(
            Customer,
            [
                Customer(
                    name=f"基准客户{index}",
                    sort_name=f"基准客户{index}",
                    owner_id=reps[index % REPS].pk,
                    team_id=reps[index % REPS].team_id,
                )
                for index in range(CUSTOMERS)
            ],
        )
    customer_ids = list(Customer.objects.values_list("id", flat=True))
    for start in range(0, tasks, BATCH):
        rows = []
        for index in range(start, min(start + BATCH, tasks)):
            rep = reps[index % REPS]
            due_on = today + dt.timedelta(days=rng.randint(-SPREAD_DAYS, SPREAD_DAYS))
            rows.append(
                Task(
                    title=f"任务{index}",
                    assignee_id=rep.pk,
                    created_by_id=rep.pk,
                    due_on=due_on,
                    due_time=dt.time(10, 0) if index % 3 == 0 else None,
                    status="done" if due_on < today and index % 5 else "open",
                    customer_id=rng.choice(customer_ids) if index % 2 else None,
                    remind_minutes_before=15 if index < REMINDERS_DUE else None,
                    remind_at=now - dt.timedelta(minutes=1) if index < REMINDERS_DUE else None,
                )
            )
        with transaction.atomic():
            Task.objects.bulk_create(rows, batch_size=2000)
    meetings = []
    for index in range(tasks // 10):
        rep = reps[index % REPS]
        day = today + dt.timedelta(days=rng.randint(-SPREAD_DAYS, SPREAD_DAYS))
        starts_at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(9, 17))))
        meetings.append(
            Meeting(
                title=f"会议{index}",
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(hours=1),
                organiser_id=rep.pk,
                created_by_id=rep.pk,
                customer_id=rng.choice(customer_ids) if index % 2 else None,
            )
        )
    with transaction.atomic():
        Meeting.objects.bulk_create(meetings, batch_size=2000)
        attendance = Meeting.attendees.through
        attendance.objects.bulk_create(
            [
                attendance(meeting_id=meeting.pk, user_id=reps[(i + 1) % REPS].pk)
                for i, meeting in enumerate(meetings)
            ],
            batch_size=2000,
        )
    load_seconds = round(time.perf_counter() - started, 1)

    rep = reps[0]
    results: dict[str, Any] = {"load_seconds": load_seconds}
    results["calendar_month_rep_ms"] = _median_ms(
        lambda: selectors.calendar_month(actor=rep, person=rep, year=today.year, month=today.month),
        20,
    )
    results["calendar_month_manager_ms"] = _median_ms(
        lambda: selectors.calendar_month(
            actor=manager, person=rep, year=today.year, month=today.month
        ),
        20,
    )
    results["calendar_week_rep_ms"] = _median_ms(
        lambda: selectors.calendar_week(actor=rep, person=rep, day=today), 20
    )
    results["my_day_rep_ms"] = _median_ms(lambda: selectors.my_day(actor=rep), 20)
    feed = calendar_feed(user=rep, host="bench", base_url="http://bench")
    results["ical_feed_events"] = feed.body.count(b"BEGIN:VEVENT")
    results["ical_feed_ms"] = _median_ms(
        lambda: calendar_feed(user=rep, host="bench", base_url="http://bench"), 5
    )
    started = time.perf_counter()
    results["reminders_sent"] = services.task_reminders_send()
    results["reminder_job_ms"] = round((time.perf_counter() - started) * 1000, 1)
    results["reminder_job_idle_ms"] = _median_ms(services.task_reminders_send, 10)
    return results


def prepare(backend: str, work: Path) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "guanxi.settings"}
    env.pop("GUANXI_REDIS_URL", None)
    data_dir = work / backend
    data_dir.mkdir(parents=True, exist_ok=True)
    env["GUANXI_DATA_DIR"] = str(data_dir)
    if backend == "sqlite":
        target = data_dir / "guanxi.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{target}"
    else:
        for sql in (f"DROP DATABASE IF EXISTS {PG_NAME}", f"CREATE DATABASE {PG_NAME}"):
            subprocess.run(["psql", PG_ADMIN, "-q", "-c", sql], check=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=200_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--work", type=Path, default=Path("/tmp/guanxi-bench-activities"))
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.tasks, args.seed)))
        return
    table: dict[str, Any] = {}
    for backend in args.backends.split(","):
        env = prepare(backend, args.work)
        command = [PYTHON, "-m", "bench.activities", "--child", "--tasks", str(args.tasks)]
        command += ["--seed", str(args.seed)]
        done = subprocess.run(command, env=env, cwd=PROJECT_DIR, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr[-4000:], file=sys.stderr)
            raise SystemExit(f"{backend} failed")
        table[backend] = json.loads(done.stdout.strip().splitlines()[-1])
    keys = list(next(iter(table.values())))
    print(f"{'tasks ' + format(args.tasks, ','):<34}" + "".join(f"{b:>12}" for b in table))
    for key in keys:
        print(f"{key:<34}" + "".join(f"{table[b][key]:>12}" for b in table))


if __name__ == "__main__":
    main()
