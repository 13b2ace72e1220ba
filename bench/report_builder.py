"""Time the report builder (every dimension, all measures) on a generated data set,
on SQLite and PostgreSQL.

    python -m bench.report_builder --customers 100000 --orders 1000000
    python -m bench.report_builder --backends sqlite --skip-load   # re-time

Loads with bench.reports' generator (customers, orders with one line each, a few
opportunities), then gives the customers what the builder groups by, set-based:
province, industry, source, grade and stage by id modulo, one or two of 12 tags,
a CustomerScore each (CLV, one in seven at risk), and spreads the order lines over
20 products. SQLite lives in --work-dir; PostgreSQL in database `gx_builder_bench` (dropped
and re-created on load). Prints p50/p95 per report (admin: everything; rep0_0: own
customers, about 1/200 of the rows).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import backend_env, measure, run_child

DEFAULT_WORK_DIR = "/tmp/gx/bench-builder"
DEFAULT_PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "gx_builder_bench"
DIMENSIONS = (
    "owner", "team", "region", "industry", "source", "tag", "grade", "stage", "product", "month",
)  # fmt: skip
PROVINCES = ("上海", "北京", "广东", "浙江", "江苏", "四川", "湖北", "山东", "福建", "河南")
INDUSTRIES = ("制造", "零售", "餐饮", "教育", "医疗", "物流", "金融", "互联网")
SOURCES = ("展会", "官网", "转介绍", "电话", "广告")
GRADES = ("A", "B", "C", "D", "")
STAGES = ("prospect", "new", "active", "loyal", "dormant", "lost")


def _case(expression: str, values: tuple[str, ...]) -> str:
    whens = " ".join(f"WHEN {index} THEN '{value}'" for index, value in enumerate(values))
    return f"CASE ({expression}) % {len(values)} {whens} END"


def _enrich() -> dict[str, float]:
    """Attributes, tags, scores and products for the generated rows (set-based)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from guanxi.customers.models import Tag
    from guanxi.sales.models import Product

    seconds: dict[str, float] = {}
    vendor = connection.vendor
    clock = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE customers_customer SET "
            f"province = {_case('id', PROVINCES)}, industry = {_case('id / 3', INDUSTRIES)}, "
            f"source = {_case('id / 7', SOURCES)}, grade = {_case('id / 11', GRADES)}, "
            f"lifecycle_stage = {_case('id / 13', STAGES)}"
        )
        tags = [Tag.objects.create(name=f"标签{index}") for index in range(12)]
        for offset in (0, 5):
            tag_case = " ".join(f"WHEN {index} THEN {tag.pk}" for index, tag in enumerate(tags))
            cursor.execute(
                "INSERT INTO customers_customer_tags (customer_id, tag_id) "
                f"SELECT id, CASE ((id + {offset}) % 12) {tag_case} END FROM customers_customer "
                f"WHERE {'TRUE' if offset == 0 else 'id % 2 = 0'}"
            )
        now = timezone.now().isoformat()
        true = "TRUE" if vendor == "postgresql" else "1"
        false = "FALSE" if vendor == "postgresql" else "0"
        cursor.execute(
            "INSERT INTO analytics_customerscore (customer_id, recency_days, frequency, "
            "monetary, profit, purchases, interactions, r_score, f_score, m_score, rfm_score, "
            "clv_12m, is_at_risk, churn_reasons, value_at_risk, computed_at, scope_owner_id) "
            "SELECT id, 10, 1, 0, 0, 1, 0, 3, 3, 3, 9, "
            "CASE WHEN id % 10 = 0 THEN NULL ELSE (id % 5000) + 0.5 END, "
            f"CASE WHEN id % 7 = 0 THEN {true} ELSE {false} END, '[]', "
            f"CASE WHEN id % 7 = 0 THEN (id % 3000) ELSE 0 END, '{now}', owner_id "
            "FROM customers_customer"
        )
        products = [
            Product.objects.create(sku=f"BB-{index}", name=f"产品{index}") for index in range(20)
        ]
        product_case = " ".join(f"WHEN {index} THEN {p.pk}" for index, p in enumerate(products))
        cursor.execute(
            f"UPDATE sales_orderline SET product_id = CASE (order_id % 20) {product_case} END"
        )
        cursor.execute("ANALYZE")
    seconds["enrich"] = round(time.perf_counter() - clock, 1)
    return seconds


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.db import connection

    from guanxi.accounts.models import User
    from guanxi.reports.builder.definition import MEASURES, definition_parse
    from guanxi.reports.builder.query import report_run
    from guanxi.sales.models import Order

    report: dict[str, Any] = {"backend": connection.vendor}
    if not args.skip_load:
        from bench.reports import load_dataset

        loaded = load_dataset(
            customers=args.customers, orders=args.orders, lines_per_order=1, opportunities=1000
        )
        report["load_seconds"] = {**loaded, **_enrich()}
    report["orders"] = Order.objects.count()
    admin = User.objects.get(username="bench-admin")
    rep = User.objects.filter(username="rep0_0").select_related("role", "team").get()
    timings: dict[str, Any] = {}
    for dimension in DIMENSIONS:
        definition = definition_parse({"dimension": dimension, "measures": list(MEASURES)})
        for name, actor in (("admin", admin), ("rep", rep)):
            timings[f"{dimension} ({name})"] = measure(
                lambda actor=actor, definition=definition: report_run(
                    actor=actor, definition=definition
                ),
                repeat=args.repeat,
                warmup=1,
                digits=1,
            )
    report["timings"] = timings
    with open("/proc/loadavg") as handle:
        report["loadavg"] = handle.read().split()[:3]
    print(json.dumps(report, ensure_ascii=False))


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    env = backend_env(
        backend,
        work_dir=Path(args.work_dir) / backend,
        database_url=f"{args.pg_server}/{args.pg_database}",
        is_fresh=not args.skip_load,
    )
    return run_child("bench.report_builder", sys.argv[1:], env, backend)


def print_report(report: dict[str, Any]) -> None:
    print(f"\n== {report['backend']}: {report['orders']:,} orders, load {report['loadavg']} ==")
    if "load_seconds" in report:
        print("load (s):", report["load_seconds"])
    print(f"{'report (all 8 measures)':30} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for name, timing in report["timings"].items():
        print(f"{name:30} {timing['p50_ms']:9.1f} {timing['p95_ms']:9.1f} {timing['max_ms']:9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg-database", default=PG_DATABASE)
    parser.add_argument("--work-dir", default=DEFAULT_WORK_DIR)
    parser.add_argument("--pg-server", default=DEFAULT_PG_SERVER)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    for backend in args.backends.split(","):
        print_report(run_backend(backend, args))


if __name__ == "__main__":
    main()
