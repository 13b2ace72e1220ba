"""The `guanxi` CLI commands: demo, setup_first_run, createadmin, serve."""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from guanxi.platform.search import search_filter

PROJECT_DIR = Path(__file__).resolve().parents[3]


def run(command: str, **options: Any) -> str:
    out = io.StringIO()
    call_command(command, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def no_admin_password_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GUANXI_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("GUANXI_DEMO_PASSWORD", raising=False)


@pytest.mark.django_db
def test_demo_creates_org_customers_contacts_and_follow_ups(no_admin_password_env: None) -> None:
    from guanxi.accounts.models import Team, User
    from guanxi.customers.models import Contact, Customer, CustomField, Interaction, Tag
    from guanxi.customers.services.contacts import contact_search_text
    from guanxi.customers.services.customers import customer_search_text
    from guanxi.platform.text import pinyin_initials_of, sort_key_of

    output = run("demo", customers=200, seed=7, no_progress=True)

    assert set(Team.objects.values_list("name", flat=True)) >= {
        "总公司", "销售部", "华东组", "华南组", "华北组", "客服部",
    }  # fmt: skip
    assert User.objects.filter(role__code="sales").count() >= 10
    assert User.objects.filter(role__code="manager").exists()
    assert User.objects.filter(role__code="service").exists()
    assert Tag.objects.filter(group__name="行业").exists()
    assert CustomField.objects.count() >= 2
    assert Customer.objects.count() == 200
    contacts = Contact.objects.count()
    interactions = Interaction.objects.count()
    assert 200 < contacts < 1000
    assert 400 < interactions < 1600
    assert "password" in output
    # Rows are indexed exactly as the services would have indexed them.
    for customer in Customer.objects.all()[:50]:
        assert customer.search_text == customer_search_text(customer)
        assert customer.sort_name == sort_key_of(customer.name)
        assert all(phone.startswith("+861") and len(phone) == 14 for phone in customer.phones)
        assert customer.owner is None or customer.team_id == customer.owner.team_id
    for contact in Contact.objects.all()[:50]:
        assert contact.search_text == contact_search_text(contact)

    two_character = (
        Customer.objects.filter(kind="individual").exclude(name__regex=r"^.{3,}$").first()
    )
    assert two_character is not None
    found = search_filter(Customer.objects.all(), two_character.name)
    assert two_character in found
    initials = pinyin_initials_of(two_character.name)
    assert two_character in search_filter(Customer.objects.all(), initials)

    company = Customer.objects.filter(kind="company").first()
    assert company in search_filter(Customer.objects.all(), company.phones[0][-4:])


@pytest.mark.django_db
def test_demo_runs_twice_and_adds_customers(no_admin_password_env: None) -> None:
    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer

    run("demo", customers=30, no_progress=True)
    users = User.objects.count()
    second = run("demo", customers=20, seed=9, no_progress=True)
    assert Customer.objects.count() == 50
    assert User.objects.count() == users
    assert "password:" not in second  # no new users, nothing to show


@pytest.mark.django_db
def test_demo_can_rebuild_the_search_index_after_the_load(no_admin_password_env: None) -> None:
    """The path big loads take: index maintenance off during the load, rebuilt after."""
    from guanxi.customers.models import Customer
    from guanxi.demo.generator import demo_create

    result = demo_create(customers=120, seed=3, rebuild_indexes=True, batch_size=50)
    assert result.customers == 120
    customer = Customer.objects.filter(kind="individual").order_by("id").first()
    assert customer in search_filter(Customer.objects.all(), customer.name)
    # New rows after the load are indexed again by the normal machinery.
    run("demo", customers=10, seed=4, no_progress=True)
    newest = Customer.objects.order_by("-id").first()
    assert newest in search_filter(Customer.objects.all(), newest.name)


@pytest.mark.django_db
def test_setup_first_run_is_idempotent_and_shows_the_password_once(
    no_admin_password_env: None,
) -> None:
    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer

    first = run("setup_first_run", demo_customers=40)
    match = re.search(r"password: (\S+)\s*\n.*只显示这一次", first)
    assert match, first
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.role.code == "admin"
    assert admin.check_password(match.group(1))
    assert Customer.objects.count() == 40

    second = run("setup_first_run", demo_customers=40)
    assert "nothing to do" in second
    assert match.group(1) not in second
    assert "password" not in second
    assert Customer.objects.count() == 40
    admin.refresh_from_db()
    assert admin.check_password(match.group(1))


@pytest.mark.django_db
def test_createadmin_uses_the_password_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from guanxi.accounts.models import User

    monkeypatch.setenv("GUANXI_ADMIN_PASSWORD", "Env-Admin-pw-2026")
    output = run("createadmin")
    admin = User.objects.get(username="admin")
    assert admin.check_password("Env-Admin-pw-2026")
    assert admin.is_superuser and admin.role.code == "admin"
    assert "Env-Admin-pw-2026" not in output

    monkeypatch.setenv("GUANXI_ADMIN_PASSWORD", "Changed-Admin-pw-2026")
    run("createadmin")
    admin.refresh_from_db()
    assert admin.check_password("Changed-Admin-pw-2026")
    assert User.objects.filter(username="admin").count() == 1


@pytest.mark.django_db
def test_createadmin_generates_and_prints_a_password(no_admin_password_env: None) -> None:
    from guanxi.accounts.models import User

    output = run("createadmin")
    password = re.search(r"password: (\S+)", output).group(1)
    assert User.objects.get(username="admin").check_password(password)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_healthz_and_stops_on_sigterm(tmp_path: Path) -> None:
    """A real `guanxi serve` (gunicorn + Huey) on a fresh SQLite data dir."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "GUANXI_REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    port = _free_port()
    environment.update(
        GUANXI_DATA_DIR=str(tmp_path),
        GUANXI_HOST="127.0.0.1",
        GUANXI_PORT=str(port),
        GUANXI_WEB_WORKERS="1",
        DJANGO_SETTINGS_MODULE="guanxi.settings",
    )
    cli = [sys.executable, "-m", "guanxi.cli"]
    subprocess.run(
        [*cli, "migrate", "--no-input", "-v", "0"],
        env=environment,
        cwd=PROJECT_DIR,
        check=True,
        timeout=300,
    )
    server = subprocess.Popen(
        [*cli, "serve"],
        env=environment,
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        body = b""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    body = r.read()
                break
            except OSError:
                time.sleep(0.5)
        assert b'"ok"' in body
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
        assert server.returncode == 0, output.decode(errors="replace")
        assert f"http://127.0.0.1:{port}/".encode() in output
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
