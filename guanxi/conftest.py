"""Fixtures shared by every app's tests: the organisation, its people, a browser."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

# Browser tests drive Playwright's sync API, which runs an event loop in this
# thread; Django refuses ORM calls there unless told this is intended.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from guanxi.platform.testing.api_client import api_as  # noqa: F401 - a fixture for all apps

PASSWORD = "Guanxi-test-pw-2026"

# Fixtures through which a test reaches the database (pytest-django blocks every
# other test from opening a connection).
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_setup", "live_server"})


def _is_phone_repeat(item: Any) -> bool:
    """A browser test's phone-sized run: it repeats the desktop run's requests and
    queries in another layout, so on a second database it tests nothing new."""
    callspec = getattr(item, "callspec", None)
    return callspec is not None and "phone" in callspec.id.split("-")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """With GUANXI_DATABASE_TESTS_ONLY=1 keep only the tests that touch the database.

    scripts/run_tests.sh sets it for the PostgreSQL pass: a test that cannot open a
    connection (parsers, scoring maths, formatting) behaves the same on every backend
    and has already run in the SQLite pass; so does a browser test's phone-sized run
    beside its desktop run.
    """
    if os.environ.get("GUANXI_DATABASE_TESTS_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        uses_database = item.get_closest_marker("django_db") is not None or not (
            DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))
        )
        (keep if uses_database and not _is_phone_repeat(item) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@dataclass
class Org:
    """A small company: HQ → Sales dept → East and West groups, plus Service."""

    hq: Any
    sales_dept: Any
    east: Any
    west: Any
    service_team: Any
    admin: Any
    manager: Any  # manages the sales dept (subtree: east + west)
    east_rep: Any
    east_rep2: Any
    west_rep: Any
    service_agent: Any


@pytest.fixture
def org(db: Any) -> Org:
    from guanxi.accounts.selectors import role_by_code
    from guanxi.accounts.services import builtin_roles_ensure, team_create, user_create

    builtin_roles_ensure()
    hq = team_create(actor=None, name="总公司")
    sales_dept = team_create(actor=None, name="销售部", parent=hq)
    east = team_create(actor=None, name="华东组", parent=sales_dept)
    west = team_create(actor=None, name="华西组", parent=sales_dept)
    service_team = team_create(actor=None, name="客服部", parent=hq)

    def make(username: str, name: str, role: str, team: Any, **extra: Any) -> Any:
        return user_create(
            actor=None,
            username=username,
            password=PASSWORD,
            display_name=name,
            role=role_by_code(role),
            team=team,
            **extra,
        )

    return Org(
        hq=hq,
        sales_dept=sales_dept,
        east=east,
        west=west,
        service_team=service_team,
        admin=make("boss", "老板", "admin", hq),
        manager=make("manager", "王经理", "manager", sales_dept),
        east_rep=make("east1", "张三", "sales", east),
        east_rep2=make("east2", "李四", "sales", east),
        west_rep=make("west1", "赵六", "sales", west),
        service_agent=make("service1", "客服小美", "service", service_team),
    )


@pytest.fixture
def real_queue(settings: Any) -> Iterator[Any]:
    """Jobs go through the configured Huey storage (SQLite file or Redis), not inline.

    Yields a function that drains the queue in this process, like a worker would.
    """
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False
    HUEY.flush()

    def drain() -> int:
        count = 0
        while (task := HUEY.dequeue()) is not None:
            HUEY.execute(task)
            count += 1
        return count

    try:
        yield drain
    finally:
        HUEY.flush()
        HUEY.immediate = True


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright (its own browser download cannot work here)."""
    executable = os.environ.get("GUANXI_CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(executable):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and no Chromium at {executable}")
        pytest.skip(f"no Chromium at {executable}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def open_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """`open_page(user, viewport=DESKTOP)` -> a Playwright page signed in as `user`
    through the login form. Pass user=None for a signed-out page. Needs
    `@pytest.mark.django_db(transaction=True)` on the test (live server)."""
    contexts: list[Any] = []

    def _open(user: Any = None, *, viewport: dict[str, int] | None = None) -> Any:
        viewport = viewport or DESKTOP
        context = browser.new_context(
            viewport=viewport,
            is_mobile=viewport["width"] < 500,
            has_touch=viewport["width"] < 500,
            base_url=live_server.url,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        if user is not None:
            page.goto("/accounts/login/")
            page.fill("#id_username", user.username)
            page.fill("#id_password", PASSWORD)
            page.click("form button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
        return page

    yield _open
    for context in contexts:
        # Let requests the page still makes (htmx panels loading after the 360 page)
        # finish before the database is flushed: a live-server request holding a
        # lock while the flush TRUNCATEs deadlocks on PostgreSQL.
        for page in context.pages:
            with contextlib.suppress(Exception):  # a page that never settles is closed anyway
                page.wait_for_load_state("networkidle", timeout=5_000)
        context.close()


def save_screenshot(page: Any, name: str) -> None:
    """Keep a PNG for people to look at when GUANXI_SCREENSHOT_DIR is set."""
    directory = os.environ.get("GUANXI_SCREENSHOT_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        page.screenshot(path=os.path.join(directory, f"{name}.png"), full_page=True)
