"""Product and order imports through the import engine (one row per order line)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase
from django.utils import translation

from guanxi.customers.services import customer_create
from guanxi.platform.imports.services import import_preview, import_start, import_undo
from guanxi.platform.models import ImportRun, Job
from guanxi.sales.models import Order, Product
from guanxi.sales.tests.factories import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Path) -> Any:
    settings.DATA_DIR = tmp_path / "data"
    with translation.override("en"):
        yield


def _file(tmp_path: Path, text: str, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _start(actor: Any, path: Path, target: str, **options: Any) -> ImportRun:
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = import_start(actor=actor, path=path, file_name=path.name, target=target, **options)
    run.refresh_from_db()
    run.job.refresh_from_db()
    assert run.job.status == Job.Status.SUCCEEDED, run.job.message
    return run


def test_products_import_and_rerun_matches_on_sku(org: Any, tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "产品编码,产品名称,分类,单位,标准价,成本\n"
        "tea-1,龙井,茶叶,盒,¥388.00,150\n"
        "CUP-1,茶杯,器具,套,45,20\n"
        "BAD-1,坏价格,,,abc,\n",
    )
    run = _start(org.admin, path, "products", batch_size=1)
    assert run.summary["created"] == 2 and run.summary["failed"] == 1
    tea = Product.objects.get(sku="TEA-1")
    assert (tea.list_price, tea.cost, tea.unit) == (Decimal("388.00"), Decimal("150.00"), "盒")
    again = _start(org.admin, path, "products", policy="overwrite")
    assert again.summary["created"] == 0
    assert Product.objects.filter(deleted_at=None).count() == 2


def test_orders_import_groups_lines_by_number(org: Any, tmp_path: Path) -> None:
    customer = customer_create(actor=org.east_rep, name="杭州茶行")
    tea = make_product(sku="TEA-1", list_price=Decimal("100.00"), cost=Decimal("40.00"))
    make_product(sku="CUP-1", list_price=Decimal("10.00"), cost=Decimal("4.00"))
    path = _file(
        tmp_path,
        "订单号,客户,日期,状态,SKU,数量,单价,折扣\n"
        "A-001,杭州茶行,2025-03-01,已完成,TEA-1,2,,\n"
        "A-001,杭州茶行,2025-03-01,已完成,cup-1,5,9.5,10\n"
        f"A-002,{customer.pk},2025/4/2,confirmed,TEA-1,1,90,\n"
        "A-003,杭州茶行,2025-05-01,,NOPE,1,,\n"
        "A-004,杭州茶行,2025-05-01,,TEA-1,-1,,\n",
    )
    preview = import_preview(actor=org.east_rep, path=path, target="orders")
    assert preview["failed"] == 2, preview["errors"]
    assert not Order.objects.exists()
    run = _start(org.east_rep, path, "orders", batch_size=1)
    assert run.summary["created"] == 3 and run.summary["failed"] == 2, run.summary
    first = Order.objects.get(number="A-001")
    assert first.status == "completed" and str(first.order_date) == "2025-03-01"
    assert first.lines.count() == 2
    assert first.total == Decimal("242.75")  # 2 × 100 + 5 × 9.5 × 0.9
    assert first.profit == Decimal("242.75") - Decimal("100.00")
    assert Order.objects.get(number="A-002").lines.get().product == tea
    messages = " ".join(error["message"] for error in run.summary["errors"])
    assert "Unknown product" in messages and "greater than zero" in messages

    rerun = _start(org.east_rep, path, "orders")
    assert rerun.summary["created"] == 0
    assert Order.objects.get(number="A-001").lines.count() == 2

    import_undo(actor=org.east_rep, run=run)
    assert not Order.objects.filter(deleted_at=None).exists()


def test_orders_import_refuses_customers_outside_scope(org: Any, tmp_path: Path) -> None:
    west = customer_create(actor=org.west_rep, name="西部客户")
    make_product(sku="TEA-1")
    path = _file(tmp_path, f"订单号,客户,SKU,数量\nB-1,{west.pk},TEA-1,1\n")
    run = _start(org.east_rep, path, "orders")
    assert run.summary["failed"] == 1
    assert not Order.objects.exists()
