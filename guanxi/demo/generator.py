"""Bulk generator for the demo company (`guanxi demo --customers N`).

Small, structural data (teams, users, tags, custom fields) is created once; the
bulk (customers, contacts, follow-ups, customer tags) is streamed in batches of
`batch_size` customers, each batch in its own transaction, with raw
`executemany` on SQLite and `COPY` on PostgreSQL. 1,000,000 customers (+3M
contacts, +5M follow-ups) fit in minutes and well under 1 GB of memory.

This is a bulk load on purpose: it bypasses the per-row services, their
validation and their per-row audit entries (one summary audit entry records the
load). It fills `search_text`, `sort_name` and `name_pinyin` with the very
functions the services use (platform.search.build_search_text,
platform.text.pinyin_of / sort_key_of), memoised per distinct name because
pypinyin costs tens of microseconds a call.

Ids are taken from max(id) + 1 upwards: run it while nobody else writes
customers (the installation's first start, or a benchmark database).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from guanxi.demo import names
from guanxi.demo.rows import (
    COMPANY_SIZES,
    CONTACT_COLUMNS,
    CUSTOMER_COLUMNS,
    CUSTOMER_TAG_COLUMNS,
    INTERACTION_COLUMNS,
    MAX_CONTACTS_PER_CUSTOMER,
    BatchRows,
    BatchSpec,
    FactoryConfig,
    RowFactory,
    worker_batch,
    worker_init,
)
from guanxi.demo.sales import load_sales
from guanxi.platform.search import fts_sql
from guanxi.platform.text import pinyin_of

ProgressCallback = Callable[[int, int], None]

DEFAULT_BATCH_SIZE = 5000
FTS_TABLES = ("customers_customer", "customers_contact")


@dataclass
class DemoStaff:
    username: str
    display_name: str
    role: str
    team: str


@dataclass
class DemoResult:
    customers: int = 0
    contacts: int = 0
    interactions: int = 0
    customer_tags: int = 0
    products: int = 0
    orders: int = 0
    order_lines: int = 0
    # Counts from the sales apps' demo loaders: leads, opportunities, quotes,
    # contracts, tasks, meetings, pool customers, scored customers.
    sales_work: dict[str, int] = field(default_factory=dict)
    staff: list[DemoStaff] = field(default_factory=list)
    # The password of newly created demo users; None when every user already existed.
    password: str | None = None
    seconds: float = 0.0
    # Where the time went: waiting for generated rows, writing them, index rebuild.
    wait_seconds: float = 0.0
    write_seconds: float = 0.0
    index_seconds: float = 0.0


# --- structure: teams, people, tags, custom fields -------------------------------


TEAM_TREE: list[tuple[str, str, str | None]] = [
    # (key, name, parent key)
    ("hq", "总公司", None),
    ("sales", "销售部", "hq"),
    ("east", "华东组", "sales"),
    ("south", "华南组", "sales"),
    ("north", "华北组", "sales"),
    ("service", "客服部", "hq"),
]


def _ensure_teams() -> dict[str, Any]:
    from guanxi.accounts.models import Team
    from guanxi.accounts.services import team_create

    teams: dict[str, Any] = {}
    for key, name, parent_key in TEAM_TREE:
        parent = teams.get(parent_key) if parent_key else None
        team = Team.objects.filter(name=name, parent=parent).first()
        if team is None:
            team = team_create(actor=None, name=name, parent=parent)
        teams[key] = team
    return teams


def _username_for(display_name: str, taken: set[str]) -> str:
    base = pinyin_of(display_name) or "user"
    username, number = base, 2
    while username in taken:
        username, number = f"{base}{number}", number + 1
    return username


def _ensure_staff(
    teams: dict[str, Any], password: str | None
) -> tuple[list[DemoStaff], dict[str, list[int]], list[int], str | None]:
    """The demo people (created once). Returns (staff, owner ids per region, service ids,
    the password of the newly created users or None)."""
    from guanxi.accounts.models import User
    from guanxi.accounts.services import builtin_roles_ensure

    roles = builtin_roles_ensure()
    existing = {
        u.display_name: u for u in User.objects.filter(display_name__in=[s[0] for s in names.STAFF])
    }
    taken = set(User.objects.values_list("username", flat=True))
    missing = [spec for spec in names.STAFF if spec[0] not in existing]
    new_password: str | None = None
    if missing:
        new_password = (
            password or os.environ.get("GUANXI_DEMO_PASSWORD") or ("gx-" + secrets.token_urlsafe(9))
        )
        # Bulk-created with one hash: PBKDF2 costs ~0.3 s per call, 20 calls would
        # dominate a small demo.
        password_hash = make_password(new_password)
        new_users = []
        for display_name, role_code, team_key in missing:
            username = _username_for(display_name, taken)
            taken.add(username)
            new_users.append(
                User(
                    username=username,
                    display_name=display_name,
                    display_name_pinyin=pinyin_of(display_name),
                    password=password_hash,
                    role=roles[role_code],
                    team=teams[team_key],
                    email=f"{username}@demo.guanxi.local",
                )
            )
        User.objects.bulk_create(new_users)
        existing = {
            u.display_name: u
            for u in User.objects.filter(display_name__in=[s[0] for s in names.STAFF])
        }
    managers = {
        "sales": "王建国",
        "east": "陈静",
        "south": "黄海涛",
        "north": "赵磊",
        "service": "徐慧",
    }
    for team_key, manager_name in managers.items():
        team = teams[team_key]
        manager = existing[manager_name]
        if team.manager_id != manager.pk:
            type(team).objects.filter(pk=team.pk).update(manager=manager)
    staff: list[DemoStaff] = []
    owners: dict[str, list[int]] = {"east": [], "south": [], "north": []}
    service_ids: list[int] = []
    for display_name, role_code, team_key in names.STAFF:
        user = existing[display_name]
        staff.append(DemoStaff(user.username, display_name, role_code, teams[team_key].name))
        if team_key in owners:
            # Group managers keep a few accounts of their own; reps hold most.
            owners[team_key].extend([user.pk] * (1 if role_code == "manager" else 4))
        elif role_code == "service":
            service_ids.append(user.pk)
    return staff, owners, service_ids, new_password


CUSTOM_FIELDS: list[dict[str, Any]] = [
    {
        "target": "customer",
        "key": "company_size",
        "label": "公司规模",
        "field_type": "choice",
        "choices": COMPANY_SIZES,
        "order": 1,
    },
    {
        "target": "customer",
        "key": "annual_budget",
        "label": "年度预算（万元）",
        "field_type": "number",
        "choices": [],
        "order": 2,
    },
    {
        "target": "contact",
        "key": "hobby",
        "label": "兴趣爱好",
        "field_type": "text",
        "choices": [],
        "order": 1,
    },
]


def _ensure_tags_and_fields() -> list[int]:
    from guanxi.customers.models import CustomField, Tag, TagGroup

    tag_ids: list[int] = []
    for order, (group_name, tags) in enumerate(names.TAG_GROUPS, start=1):
        group, _created = TagGroup.objects.get_or_create(name=group_name, defaults={"order": order})
        for tag_name, color in tags:
            tag, _created = Tag.objects.get_or_create(
                name=tag_name, defaults={"color": color, "group": group}
            )
            tag_ids.append(tag.pk)
    for spec in CUSTOM_FIELDS:
        CustomField.objects.get_or_create(
            target=spec["target"],
            key=spec["key"],
            defaults={k: v for k, v in spec.items() if k not in ("target", "key")},
        )
    return tag_ids


# --- row generation ------------------------------------------------------------


# --- writing -------------------------------------------------------------------


class BulkWriter:
    """executemany on SQLite, COPY on PostgreSQL; call inside a transaction."""

    def __init__(self) -> None:
        self.vendor = connection.vendor

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        column_list = ", ".join(f'"{c}"' for c in columns)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})", list(rows)
                )

    def next_id(self, table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
            return int(cursor.fetchone()[0])

    def reset_sequences(self, tables: Iterable[str]) -> None:
        if self.vendor != "postgresql":
            return  # SQLite AUTOINCREMENT follows the largest explicit id by itself
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )


BULK_TABLES = ("customers_customer", "customers_contact", "customers_interaction")


def _fts_insert_triggers(table: str) -> list[str]:
    """The AFTER INSERT trigger statement(s) of `table` from platform.search.fts_sql."""
    return [s for s in fts_sql(table, "sqlite")[0] if "_fts_ai AFTER INSERT" in s]


def _secondary_indexes(vendor: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the non-unique indexes of the bulk tables.

    Unique and primary-key indexes stay: they keep enforcing their constraints.
    """
    indexes: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        for table in BULK_TABLES:
            if vendor == "sqlite":
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                    "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
                    [table],
                )
            else:
                cursor.execute(
                    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                    "JOIN pg_class i ON i.oid = x.indexrelid "
                    "JOIN pg_class t ON t.oid = x.indrelid "
                    "WHERE t.relname = %s AND NOT x.indisunique AND NOT x.indisprimary",
                    [table],
                )
            indexes.extend((name, sql) for name, sql in cursor.fetchall())
    return indexes


def _suspend_indexes(vendor: str) -> list[tuple[str, str]]:
    """Drop per-row index maintenance for the load; `_restore_indexes` rebuilds it.

    Building an index once over sorted data beats updating it row by row: for
    the B-tree indexes on both databases, the GIN search index on PostgreSQL and
    the FTS5 index on SQLite (its insert trigger is dropped, then 'rebuild').
    """
    indexes = _secondary_indexes(vendor)
    with connection.cursor() as cursor:
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        if vendor == "sqlite":
            for table in FTS_TABLES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_fts_ai")
    return indexes


def _create_index_in_own_connection(statement: str) -> None:
    """Run one CREATE INDEX on this thread's own connection (Django: one per thread)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            cursor.execute(statement)
    finally:
        connection.close()


def _restore_indexes(vendor: str, indexes: list[tuple[str, str]]) -> None:
    if vendor == "postgresql" and not connection.in_atomic_block and indexes:
        # Outside a transaction the indexes can be built side by side, one
        # connection each: the GIN builds are single-threaded in PostgreSQL 15.
        with connection.cursor() as cursor:
            for name, _sql in indexes:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        largest_first = sorted(indexes, key=lambda item: "gin" not in item[1].lower())
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            for future in [
                pool.submit(_create_index_in_own_connection, sql) for _name, sql in largest_first
            ]:
                future.result()
        return
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            # Deferred FK checks still pending in this transaction (when the caller
            # wraps the whole load in one) would forbid CREATE INDEX: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET maintenance_work_mem = '256MB'")
        for name, sql in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
            cursor.execute(sql)
        if vendor == "sqlite":
            for table in FTS_TABLES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_fts_ai")
                for statement in _fts_insert_triggers(table):
                    cursor.execute(statement)
                cursor.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES('rebuild')")


# --- the entry point ------------------------------------------------------------


def default_workers(customers: int) -> int:
    """Generator processes: none for small loads (spawning costs ~1 s), else one per core."""
    if customers < 50_000:
        return 0
    return max(1, min(os.cpu_count() or 1, 4))


def _batches(
    customers: int, batch_size: int, first_customer_id: int, first_contact_id: int
) -> Iterator[BatchSpec]:
    """Batch k owns customer ids first + k*batch_size... and a reserved contact id range
    (workers cannot know how many contacts earlier batches made; gaps are harmless)."""
    done, index = 0, 0
    while done < customers:
        size = min(batch_size, customers - done)
        yield BatchSpec(
            index=index,
            first_customer_id=first_customer_id + done,
            first_contact_id=first_contact_id + index * batch_size * MAX_CONTACTS_PER_CUSTOMER,
            size=size,
            done_before=done,
            total=customers,
        )
        done += size
        index += 1


def _generated(
    config: FactoryConfig, specs: Iterator[BatchSpec], workers: int
) -> Iterator[tuple[BatchSpec, BatchRows]]:
    """Batches in order, made here or by `workers` spawned processes (bounded read-ahead)."""
    if workers <= 0:
        factory = RowFactory(config)
        for spec in specs:
            yield spec, factory.batch(spec)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=worker_init, initargs=(config,)
    ) as pool:
        pending: deque[tuple[BatchSpec, Future[BatchRows]]] = deque()
        for spec in specs:
            pending.append((spec, pool.submit(worker_batch, spec)))
            if len(pending) >= workers:
                done_spec, future = pending.popleft()
                yield done_spec, future.result()
        while pending:
            done_spec, future = pending.popleft()
            yield done_spec, future.result()


def demo_create(
    *,
    customers: int,
    seed: int = 2026,
    password: str | None = None,
    progress: ProgressCallback | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int | None = None,
    rebuild_indexes: bool | None = None,
) -> DemoResult:
    """Create (or extend) the demo company with `customers` more customers.

    `workers`: processes generating rows while this one writes (default: one per
    core from 50,000 customers up). `rebuild_indexes`: drop the secondary and
    full-text indexes during the load and build them once at the end (default:
    for 20,000+ customers into tables smaller than the load). Meanwhile other
    readers see correct but slow results: load before opening the doors.
    """
    from guanxi.accounts.models import User
    from guanxi.platform.audit import audit_record

    started = time.monotonic()
    result = DemoResult()
    with transaction.atomic():
        teams = _ensure_teams()
        staff, owners, service_ids, new_password = _ensure_staff(teams, password)
        tag_ids = _ensure_tags_and_fields()
    result.staff = staff
    result.password = new_password
    vendor = connection.vendor
    owner_ids = {pk for ids in owners.values() for pk in ids}
    now = timezone.now()
    config = FactoryConfig(
        seed=seed,
        owners=owners,
        service_ids=service_ids,
        tag_ids=tag_ids,
        team_of_owner=dict(User.objects.filter(pk__in=owner_ids).values_list("pk", "team_id")),
        is_postgres=vendor == "postgresql",
        now_epoch=int(now.timestamp()),
        today=timezone.localdate(now),
    )
    writer = BulkWriter()
    first_customer_id = writer.next_id("customers_customer")
    if rebuild_indexes is None:
        # Rebuilding costs time per row already there: worth it for a big load
        # into a table that is small next to it.
        rebuild_indexes = customers >= 20_000 and customers >= first_customer_id
    if workers is None:
        workers = default_workers(customers)
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-131072")  # 128 MB, for the load only
            if not connection.in_atomic_block:  # SQLite refuses it inside one
                cursor.execute("PRAGMA synchronous=OFF")
    specs = _batches(customers, batch_size, first_customer_id, writer.next_id("customers_contact"))
    suspended: list[tuple[str, str]] = []
    if rebuild_indexes and customers:
        with transaction.atomic():
            suspended = _suspend_indexes(vendor)
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                # Losing the last batches in a crash is fine for a bulk load.
                cursor.execute("SET synchronous_commit TO off")
    try:
        mark = time.monotonic()
        for spec, rows in _generated(config, specs, workers):
            result.wait_seconds += time.monotonic() - mark
            mark = time.monotonic()
            with transaction.atomic():
                writer.insert("customers_customer", CUSTOMER_COLUMNS, rows.customers)
                writer.insert("customers_contact", CONTACT_COLUMNS, rows.contacts)
                writer.insert("customers_interaction", INTERACTION_COLUMNS, rows.interactions)
                writer.insert("customers_customer_tags", CUSTOMER_TAG_COLUMNS, rows.customer_tags)
            result.customers += len(rows.customers)
            result.contacts += len(rows.contacts)
            result.interactions += len(rows.interactions)
            result.customer_tags += len(rows.customer_tags)
            del rows
            if progress is not None:
                progress(spec.done_before + spec.size, customers)
            result.write_seconds += time.monotonic() - mark
            mark = time.monotonic()
    finally:
        if rebuild_indexes and customers:
            mark = time.monotonic()
            if vendor == "postgresql" and not connection.in_atomic_block:
                _restore_indexes(vendor, suspended)
            else:
                with transaction.atomic():
                    _restore_indexes(vendor, suspended)
            result.index_seconds = time.monotonic() - mark
    with transaction.atomic():
        writer.reset_sequences(["customers_customer", "customers_contact", "customers_interaction"])
    mark = time.monotonic()
    sales = load_sales(
        writer=writer,
        seed=seed,
        today=config.today,
        first_customer_id=first_customer_id,
        last_customer_id=first_customer_id + customers - 1,
        ts=_timestamp_format(vendor),
        batch_size=batch_size,
    )
    result.products, result.orders, result.order_lines = (
        sales.products,
        sales.orders,
        sales.order_lines,
    )
    result.write_seconds += time.monotonic() - mark
    mark = time.monotonic()
    result.sales_work = _load_sales_work(
        seed=seed,
        customers=result.customers,
        staff=staff,
        pool_team=teams["sales"],
        owner_ids=sorted(owner_ids),
        first_customer_id=first_customer_id,
        now=now,
        batch_size=batch_size,
    )
    result.write_seconds += time.monotonic() - mark
    with transaction.atomic():
        audit_record(
            actor=None,
            action="platform.demo.loaded",
            instance=teams["hq"],
            changes={
                "customers": result.customers,
                "contacts": result.contacts,
                "interactions": result.interactions,
                "orders": result.orders,
                "seed": seed,
            },
        )
    _analyze(vendor)
    from guanxi.demo.analytics import load_analytics

    result.sales_work["scored"] = load_analytics(today=config.today).customers
    result.seconds = time.monotonic() - started
    return result


def _load_sales_work(
    *,
    seed: int,
    customers: int,
    staff: list[DemoStaff],
    pool_team: Any,
    owner_ids: list[int],
    first_customer_id: int,
    now: Any,
    batch_size: int,
) -> dict[str, int]:
    """The sales apps' demo data for the customers just loaded, in dependency order:
    the pool, leads, opportunities (quotes link to them), quotes (contracts link to
    them), contracts, tasks and meetings; then the sales reports' monthly summary."""
    from guanxi.demo.activities import generate_activities
    from guanxi.demo.contracts import generate_contracts
    from guanxi.demo.deals import generate_deals
    from guanxi.demo.leads import generate_leads
    from guanxi.demo.pool import load_pool
    from guanxi.demo.quotes import generate_quotes
    from guanxi.reports.services import sales_month_rebuild

    counts: dict[str, int] = {}
    if customers <= 0:
        return counts
    counts["pool"] = load_pool(
        seed=seed,
        team=pool_team,
        owner_ids=owner_ids,
        first_customer_id=first_customer_id,
        last_customer_id=first_customer_id + customers - 1,
        now=now,
        batch_size=batch_size,
    )
    loaders = [
        (generate_leads, seed + 5),
        (generate_deals, seed + 3),
        (generate_quotes, seed * 31 + 5),
        (generate_contracts, seed + 7),
        (generate_activities, seed),
    ]
    for loader, loader_seed in loaders:
        counts.update(loader(rng=random.Random(loader_seed), customers=customers, users=staff))
    from guanxi.reports.builder.demo import generate_saved_reports

    counts.update(generate_saved_reports(users=staff))
    sales_month_rebuild(actor=None)
    return counts


def _timestamp_format(vendor: str) -> Callable[[int], str]:
    """Epoch seconds -> a UTC timestamp as Django stores it (SQLite) or PostgreSQL reads it."""
    suffix = "+00" if vendor == "postgresql" else ""
    return lambda epoch: time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch)) + suffix


def _analyze(vendor: str) -> None:
    """Fresh planner statistics after a bulk load (the list and search plans need them)."""
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            for table in ("customers_customer", "customers_contact", "customers_interaction",
                          "customers_customer_tags", "sales_order", "sales_orderline"):  # fmt: skip
                cursor.execute(f"ANALYZE {table}")
        elif vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")
