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
import random
import time
from pathlib import Path
from typing import Any

from bench.common import fresh_env, median_ms, print_table, run_child

PG_NAME = "gx_activities_bench"
BATCH = 10_000
REPS = 20
CUSTOMERS = 5_000
SPREAD_DAYS = 180
REMINDERS_DUE = 300


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
    results["calendar_month_rep_ms"] = median_ms(
        lambda: selectors.calendar_month(actor=rep, person=rep, year=today.year, month=today.month),
        20,
    )
    results["calendar_month_manager_ms"] = median_ms(
        lambda: selectors.calendar_month(
            actor=manager, person=rep, year=today.year, month=today.month
        ),
        20,
    )
    results["calendar_week_rep_ms"] = median_ms(
        lambda: selectors.calendar_week(actor=rep, person=rep, day=today), 20
    )
    results["my_day_rep_ms"] = median_ms(lambda: selectors.my_day(actor=rep), 20)
    feed = calendar_feed(user=rep, host="bench", base_url="http://bench")
    results["ical_feed_events"] = feed.body.count(b"BEGIN:VEVENT")
    results["ical_feed_ms"] = median_ms(
        lambda: calendar_feed(user=rep, host="bench", base_url="http://bench"), 5
    )
    started = time.perf_counter()
    results["reminders_sent"] = services.task_reminders_send()
    results["reminder_job_ms"] = round((time.perf_counter() - started) * 1000, 1)
    results["reminder_job_idle_ms"] = median_ms(services.task_reminders_send, 10)
    return results


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
        env = fresh_env(backend, args.work, PG_NAME)
        arguments = ["--tasks", str(args.tasks)]
        arguments += ["--seed", str(args.seed)]
        table[backend] = run_child("bench.activities", arguments, env, backend)
    print_table(f"tasks {args.tasks:,}", table)


if __name__ == "__main__":
    main()
