"""Customer 360 page benchmark: one customer with 500 orders in a full-size database.

    python -m bench.reports --customers 1000000 --orders 10000000 --lines-per-order 1 \\
        --opportunities 200000 --order-shape lifetimes --interactions 1000000 \\
        --hero-orders 500 --work-dir /tmp/gx/bench-full --pg-database gx_full_bench \\
        --load-only                                      # load once (both backends)
    python -m bench.customer360 --work-dir /tmp/gx/bench-full --pg-database gx_full_bench

Times whole requests through Django's test Client (middleware, view, selectors,
templates), p50/p95 over --runs runs after 3 warm-ups, in a child process per
backend on the set bench.reports loaded (its --hero-orders customer, owned by
rep0_0), as the admin and as the owning rep: the page `/customers/<id>/` (header,
profile, contacts, order history), the two htmx requests it makes right after it
loads (the other panels, `/customers/<id>/panels/`, and the timeline's first page,
`/customers/<id>/timeline/`), the timeline's "load more" (`?before=…`), and the
whole page in one request as a browser without JavaScript gets it (`?full=1`).
Also the query count of each request and the slowest queries of one page view
(with their time), to see where the time goes.
Target (issue 5): the 360 page with 500 orders in < 150 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import PG_SERVER, percentile, print_table, run_child, samples_ms

TARGET_MS = 150.0
HERO_NAME = "基准360客户科技有限公司"


def _measure(call: Any, runs: int) -> dict[str, float]:
    """Wall-clock p50/p95 and, beside them, the CPU time this process spent (view,
    templates, and on SQLite the queries too): on a busy shared box the wall clock
    mostly measures the wait for a CPU, the CPU time much less so."""
    cpu: list[float] = []

    def timed() -> None:
        started = time.process_time()
        call()
        cpu.append((time.process_time() - started) * 1000)

    samples = samples_ms(timed, repeat=runs, warmup=3)
    cpu = cpu[3:]
    return {
        "p50": round(statistics.median(samples), 1),
        "p95": round(percentile(samples, 0.95), 1),
        "cpu_p50": round(statistics.median(cpu), 1),
        "cpu_p95": round(percentile(cpu, 0.95), 1),
    }


def child(runs: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    call_command("migrate", "--no-input", verbosity=0)
    # No collectstatic: plain static URLs (the manifest storage needs one).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages, ALLOWED_HOSTS=["*"]).enable()
    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer, Interaction
    from guanxi.sales.models import Order

    hero = Customer.objects.get(name=HERO_NAME)
    admin = User.objects.get(username="bench-admin")
    rep = User.objects.get(pk=hero.owner_id)
    results: dict[str, Any] = {
        "loadavg_start": [round(v, 2) for v in os.getloadavg()],
        "customer_id": hero.pk,
        "customers": Customer.objects.count(),
        "hero_orders": Order.objects.filter(customer=hero).count(),
        "hero_interactions": Interaction.objects.filter(customer=hero).count(),
        "rep": rep.username,
    }
    page = reverse("customers:customer_detail", args=[hero.pk])
    panels = reverse("customers:customer_panels", args=[hero.pk])
    timeline = reverse("customers:customer_timeline", args=[hero.pk])
    for who, user in (("admin", admin), ("rep", rep)):
        client = Client()
        client.force_login(user)
        first = client.get(page)
        assert first.status_code == 200, (who, first.status_code)
        html = first.content.decode()
        results[f"{who}_html_kb"] = round(len(first.content) / 1024)
        results[f"{who}_order_rows"] = html.count('data-testid="customer-order-row"')
        assert panels in html and timeline in html, "the page no longer loads its fragments"
        fragment = client.get(timeline, HTTP_HX_REQUEST="true").content.decode()
        results[f"{who}_timeline_events"] = fragment.count('data-testid="timeline-event"')
        marker = "?before="
        before = ""
        if marker in fragment:
            start = fragment.index(marker, fragment.index(timeline)) + len(marker)
            before = fragment[start : fragment.index('"', start)].replace("&amp;", "&")
        with CaptureQueriesContext(connection) as captured:
            client.get(page)
        results[f"{who}_page_queries"] = len(captured.captured_queries)
        slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:5]
        results[f"{who}_slowest_queries"] = [
            {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:300]} for q in slowest
        ]

        def get_page(client: Client = client) -> None:
            response = client.get(page)
            assert response.status_code == 200

        results[f"page ({who})"] = _measure(get_page, runs)
        for label, url in (("panels", panels), ("timeline", timeline)):

            def get_fragment(client: Client = client, url: str = url) -> None:
                response = client.get(url, HTTP_HX_REQUEST="true")
                assert response.status_code == 200

            with CaptureQueriesContext(connection) as captured:
                get_fragment()
            results[f"{who}_{label}_queries"] = len(captured.captured_queries)
            slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
            results[f"{who}_{label}_slowest_queries"] = [
                {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:300]} for q in slowest
            ]
            results[f"{label}, htmx after the page ({who})"] = _measure(get_fragment, runs)

        def get_full(client: Client = client) -> None:
            response = client.get(page, {"full": "1"})
            assert response.status_code == 200

        with CaptureQueriesContext(connection) as captured:
            get_full()
        results[f"{who}_full_page_queries"] = len(captured.captured_queries)
        results[f"whole page, ?full=1 ({who})"] = _measure(get_full, runs)
        if before:
            from urllib.parse import unquote

            params = {"before": unquote(before)}

            def get_more(client: Client = client, params: dict[str, str] = params) -> None:
                response = client.get(timeline, params, HTTP_HX_REQUEST="true")
                assert response.status_code == 200

            with CaptureQueriesContext(connection) as captured:
                get_more()
            results[f"{who}_timeline_queries"] = len(captured.captured_queries)
            results[f"timeline more, htmx ({who})"] = _measure(get_more, runs)
    results["loadavg_end"] = [round(v, 2) for v in os.getloadavg()]
    return results


def _cell(value: Any) -> str:
    if isinstance(value, dict):
        mark = "" if value["p95"] < TARGET_MS else " !"
        cpu = f" (cpu {value['cpu_p50']:.0f}/{value['cpu_p95']:.0f})"
        return f"{value['p50']:.0f}/{value['p95']:.0f}{mark}{cpu}"
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/gx/bench-full"))
    parser.add_argument("--pg-database", default="gx_full_bench")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.runs), ensure_ascii=False))
        return
    table: dict[str, Any] = {}
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "guanxi.settings"}
        env.pop("GUANXI_REDIS_URL", None)
        env["GUANXI_DATA_DIR"] = str(args.work_dir / backend)
        env.setdefault("GUANXI_SECRET_KEY", "bench-customer360-not-secret")
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        if backend == "sqlite":
            env.pop("DATABASE_URL", None)
        else:
            env["DATABASE_URL"] = f"{PG_SERVER}/{args.pg_database}"
        table[backend] = run_child("bench.customer360", ["--runs", str(args.runs)], env, backend)
    summary = {
        backend: {k: v for k, v in values.items() if "slowest" not in k}
        for backend, values in table.items()
    }
    print_table("customer 360 (p50/p95 ms)", summary, width=36, cell_width=34, cell=_cell)
    for backend, values in table.items():
        for key, value in values.items():
            if "slowest" in key:
                print(f"\n{backend} {key}:")
                for query in value:
                    print(f"  {query['ms']:8.1f} ms  {query['sql']}")
    print(f"target: page p95 < {TARGET_MS:.0f} ms ('!' marks a miss)")
    if args.out:
        args.out.write_text(json.dumps({"args": vars(args), **table}, default=str))


if __name__ == "__main__":
    main()
