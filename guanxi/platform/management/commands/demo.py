"""`guanxi demo --customers N [--seed S]`: load a realistic Chinese demo company."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from guanxi.demo.generator import DemoResult, demo_create


def print_demo_summary(command: BaseCommand, result: DemoResult) -> None:
    command.stdout.write(
        f"演示数据已创建 / Demo data created: {result.customers:,} 客户 customers, "
        f"{result.contacts:,} 联系人 contacts, {result.interactions:,} 跟进记录 follow-ups, "
        f"{result.orders:,} 订单 orders ({result.order_lines:,} 明细 lines) "
        f"in {result.seconds:.1f} s "
        f"(waiting for rows {result.wait_seconds:.0f} s, writing {result.write_seconds:.0f} s, "
        f"indexes {result.index_seconds:.0f} s)."
    )
    if result.sales_work:
        command.stdout.write(
            "销售数据 / Sales data: "
            + ", ".join(f"{count:,} {name}" for name, count in result.sales_work.items())
        )
    if result.password:
        command.stdout.write("演示账号 / Demo users (同一密码 same password):")
        for person in result.staff:
            command.stdout.write(
                f"  {person.username:<14} {person.display_name}  {person.role:<8} {person.team}"
            )
        command.stdout.write(f"  密码 / password: {result.password}")


class Command(BaseCommand):
    help = "Bulk-load a realistic Chinese demo company (teams, reps, customers, follow-ups)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=2000, help="how many customers")
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs, CI)")

    def handle(self, *args: Any, **options: Any) -> None:
        total = max(options["customers"], 0)
        show_progress = not options["no_progress"] and total > 0
        progress = Progress(
            TextColumn("[bold]演示数据 demo"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            disable=not show_progress,
        )
        with progress:
            task = progress.add_task("customers", total=total)
            result = demo_create(
                customers=total,
                seed=options["seed"],
                batch_size=options["batch_size"],
                progress=lambda done, _total: progress.update(task, completed=done),
            )
        print_demo_summary(self, result)
