"""Server-side timings against an already loaded database (run by bench.run_all).

Runs inside one Django process with the normal settings (DATABASE_URL and
GUANXI_DATA_DIR come from the environment) and times requests through Django's
test Client, i.e. server time without network, plus the selectors alone.

    python -m bench.timings --label sqlite --repeat 30 --out bench/results/sqlite.json
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from typing import Any

from bench.common import measure

TIMELINE_EVENTS = 200
BENCH_ADMIN_PASSWORD = "Bench-admin-pw-2026"


def _customer_with_timeline() -> Any:
    """A customer with exactly TIMELINE_EVENTS follow-ups (made once, then reused)."""
    import datetime as dt

    from django.utils import timezone

    from guanxi.customers.models import Customer, Interaction

    marker = "bench-timeline-200"
    customer = Customer.objects.filter(notes=marker).first()
    if customer is None:
        customer = (
            Customer.objects.filter(kind="company", owner__isnull=False).order_by("-id").first()
        )
        Customer.objects.filter(pk=customer.pk).update(notes=marker)
        customer.refresh_from_db()
    have = Interaction.objects.filter(customer=customer, deleted_at__isnull=True).count()
    if have < TIMELINE_EVENTS:
        now = timezone.now()
        # Bench fixture: bulk rows, like the demo loader (no per-row services).
        Interaction.objects.bulk_create(
            Interaction(
                customer=customer,
                kind="call",
                occurred_at=now - dt.timedelta(hours=index + 1),
                author_id=customer.owner_id,
                content=f"第{index + 1}次电话回访，客户对报价和交付周期仍有疑问，约定继续跟进。",
            )
            for index in range(TIMELINE_EVENTS - have)
        )
    return customer


def _admin() -> Any:
    from guanxi.accounts.models import User

    admin = User.objects.filter(username="admin").first()
    if admin is None:
        os.environ["GUANXI_ADMIN_PASSWORD"] = BENCH_ADMIN_PASSWORD
        from guanxi.platform.management.commands.createadmin import admin_ensure

        admin = admin_ensure().user
    return admin


def run(*, label: str, repeat: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer
    from guanxi.customers.selectors import CustomerFilter, customer_list
    from guanxi.platform.pagination import keyset_page

    admin = _admin()
    rep = (
        User.objects.filter(role__code="sales", owned_customers__isnull=False)
        .order_by("id")
        .first()
    )
    timeline_customer = _customer_with_timeline()
    sample = Customer.objects.filter(kind="company").order_by("id").first()
    phone_last4 = sample.phones[0][-4:]
    email = sample.emails[0]
    email_prefix = email[: email.index("@") + 4]  # "info@qing"
    queries = {
        "two_char_name": "张伟",
        "pinyin_initials": "zw",
        "phone_last4": phone_last4,
        "email_prefix": email_prefix,
    }

    clients: dict[str, Client] = {}
    for name, user in (("admin", admin), ("sales", rep)):
        client = Client()
        client.force_login(user)
        clients[name] = client

    def page(who: str, url: str) -> Callable[[], Any]:
        def call() -> Any:
            response = clients[who].get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} as {who}: HTTP {response.status_code}")
            return response

        return call

    def selector(actor: Any, query: str = "") -> Callable[[], Any]:
        def call() -> Any:
            qs = customer_list(actor=actor, filters=CustomerFilter(q=query))
            return keyset_page(qs, ordering=["-id"], cursor=None, size=50).items

        return call

    cases: dict[str, Callable[[], Any]] = {
        "page: customer list (sales rep)": page("sales", "/customers/"),
        "page: customer list (admin)": page("admin", "/customers/"),
    }
    for name, query in queries.items():
        cases[f"page: search {name} {query!r} (admin)"] = page("admin", f"/customers/?q={query}")
    cases[f"page: search two_char_name {queries['two_char_name']!r} (sales rep)"] = page(
        "sales", f"/customers/?q={queries['two_char_name']}"
    )
    cases[f"page: customer 360 ({TIMELINE_EVENTS} events)"] = page(
        "admin", f"/customers/{timeline_customer.pk}/"
    )
    cases["selector: customer_list+keyset (sales rep)"] = selector(rep)
    cases["selector: customer_list+keyset (admin)"] = selector(admin)
    for name, query in queries.items():
        cases[f"selector: search {name} (admin)"] = selector(admin, query)

    results: dict[str, Any] = {}
    for name, function in cases.items():
        try:
            results[name] = measure(function, repeat=repeat)
        except Exception as error:  # a page still being built must not stop the run
            results[name] = {"error": f"{type(error).__name__}: {error}"[:300]}
        print(f"  {label:<9} {name:<58} {results[name]}", flush=True)
    return {
        "label": label,
        "vendor": connection.vendor,
        "customers": Customer.objects.count(),
        "queries": queries,
        "timings": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", required=True)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    data = run(label=args.label, repeat=args.repeat)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)


if __name__ == "__main__":
    main()
