"""Products, a price list and orders for the demo company (bulk, like the customers).

About 30 products in four categories; orders for ~30 % of the newly loaded
customers, 1–6 each (3 on average) of 1–5 lines (3 on average), spread over
the last three years with a seasonal curve (busy before the Spring Festival,
in spring and in the autumn, quiet in February and August). Owners follow the
customer. Customers are read back in id order and their orders written in
batches, so memory stays flat however many customers there are (1,000,000
customers → ~900,000 orders, ~2.7 M lines). Totals, cost and profit are
computed here exactly as the order services compute them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction

ORDER_SHARE = 0.30
HISTORY_DAYS = 3 * 365
CENT = Decimal("0.01")
# Relative order volume per month (Jan..Dec): year-end stocking, a Spring
# Festival dip, spring and autumn peaks, a summer lull.
MONTH_WEIGHTS = [1.3, 0.6, 1.0, 1.1, 1.1, 1.0, 0.8, 0.7, 1.1, 1.2, 1.3, 1.5]

# (sku, name, category, unit, list price, cost)
PRODUCTS: list[tuple[str, str, str, str, str, str]] = [
    ("SW-CRM-STD", "关系 CRM 标准版（年）", "软件", "套", "19800", "3000"),
    ("SW-CRM-PRO", "关系 CRM 专业版（年）", "软件", "套", "39800", "5200"),
    ("SW-SEAT", "新增用户许可（年）", "软件", "个", "1200", "150"),
    ("SW-API", "API 接口包（年）", "软件", "套", "6800", "800"),
    ("SW-SMS", "短信包 1 万条", "软件", "个", "450", "300"),
    ("SV-IMPL", "实施服务", "服务", "人天", "3000", "1500"),
    ("SV-TRAIN", "现场培训", "服务", "人天", "2500", "1200"),
    ("SV-DATA", "数据迁移服务", "服务", "项", "8000", "3500"),
    ("SV-CUSTOM", "定制开发", "服务", "人天", "3500", "1800"),
    ("SV-SUPPORT", "年度运维支持", "服务", "年", "12000", "6000"),
    ("HW-POS", "收银一体机", "硬件", "台", "3680", "2450"),
    ("HW-PRINTER", "票据打印机", "硬件", "台", "899", "560"),
    ("HW-SCANNER", "扫码枪", "硬件", "把", "299", "160"),
    ("HW-TABLET", "销售平板 10 寸", "硬件", "台", "2199", "1650"),
    ("HW-BADGE", "工牌打卡机", "硬件", "台", "1580", "980"),
    ("HW-ROUTER", "企业路由器", "硬件", "台", "1299", "820"),
    ("HW-CAMERA", "会议摄像头", "硬件", "台", "1899", "1200"),
    ("HW-SPEAKER", "会议全向麦克风", "硬件", "台", "999", "610"),
    ("CS-PAPER", "热敏打印纸（箱）", "耗材", "箱", "168", "95"),
    ("CS-LABEL", "标签纸（箱）", "耗材", "箱", "220", "130"),
    ("CS-RIBBON", "碳带（盒）", "耗材", "盒", "85", "42"),
    ("CS-CARD", "会员卡（千张）", "耗材", "包", "580", "260"),
    ("CS-CABLE", "数据线套装", "耗材", "套", "59", "22"),
    ("CS-TEA", "定制茶礼盒", "礼品", "盒", "388", "210"),
    ("CS-MOONCAKE", "中秋月饼礼盒", "礼品", "盒", "268", "150"),
    ("CS-CALENDAR", "定制台历", "礼品", "本", "45", "18"),
    ("CS-NOTEBOOK", "商务笔记本套装", "礼品", "套", "128", "60"),
    ("CS-PEN", "签字笔（盒）", "耗材", "盒", "36", "15"),
    ("SV-CONSULT", "销售流程咨询", "服务", "项", "15000", "6000"),
    ("SW-BI", "经营分析模块（年）", "软件", "套", "9800", "1500"),
]
ORDER_COLUMNS = (
    "id", "created_at", "updated_at", "version", "number", "customer_id", "order_date",
    "status", "owner_id", "total", "cost", "profit", "notes",
)  # fmt: skip
LINE_COLUMNS = (
    "id", "order_id", "position", "product_id", "quantity", "unit_price", "discount_percent",
    "unit_cost", "line_total", "line_cost",
)  # fmt: skip


@dataclass
class SalesCounts:
    products: int = 0
    orders: int = 0
    order_lines: int = 0


@dataclass(frozen=True)
class _Product:
    pk: int
    price: Decimal
    cost: Decimal
    category: str


def ensure_products() -> list[_Product]:
    """The demo catalogue and an A-grade price list (created once, found afterwards)."""
    from guanxi.sales.models import PriceList, PriceListItem, Product

    existing = set(
        Product.objects.filter(sku__in=[p[0] for p in PRODUCTS], deleted_at=None).values_list(
            "sku", flat=True
        )
    )
    Product.objects.bulk_create(
        [
            Product(
                sku=sku,
                name=name,
                category=category,
                unit=unit,
                list_price=Decimal(price),
                cost=Decimal(cost),
            )
            for sku, name, category, unit, price, cost in PRODUCTS
            if sku not in existing
        ]
    )
    products = [
        _Product(p.pk, p.list_price, p.cost, p.category)
        for p in Product.objects.filter(sku__in=[p[0] for p in PRODUCTS], deleted_at=None)
    ]
    price_list, created = PriceList.objects.get_or_create(
        grade="A", defaults={"name": "A 类客户协议价", "notes": "演示数据：软件与服务九折"}
    )
    if created:
        PriceListItem.objects.bulk_create(
            [
                PriceListItem(
                    price_list=price_list,
                    product_id=p.pk,
                    price=(p.price * Decimal("0.9")).quantize(CENT, ROUND_HALF_UP),
                )
                for p in products
                if p.category in ("软件", "服务")
            ]
        )
    return products


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


class _OrderMaker:
    def __init__(self, seed: int, today: dt.date, products: list[_Product], ts: Any) -> None:
        self.rng = random.Random(seed * 7919 + 17)
        self.today = today
        self.products = products
        self.ts = ts
        self.days = [today - dt.timedelta(days=offset) for offset in range(1, HISTORY_DAYS)]
        self.day_weights = [MONTH_WEIGHTS[day.month - 1] for day in self.days]
        # Consumables and gifts sell more often than software and projects.
        self.product_weights = [
            {"耗材": 4, "礼品": 2, "硬件": 2, "软件": 1, "服务": 1}[p.category] for p in products
        ]

    def _status(self, day: dt.date) -> str:
        age = (self.today - day).days
        roll = self.rng.random()
        if roll < 0.05:
            return "cancelled"
        if roll < 0.07:
            return "refunded"
        if age < 20 and roll < 0.12:
            return "draft"
        return "confirmed" if age < 45 else "completed"

    def orders_for(
        self, customer_id: int, owner_id: int | None, grade: str, next_ids: list[int]
    ) -> tuple[list[tuple], list[tuple]]:
        rng = self.rng
        count = min(6, max(1, round(rng.triangular(1, 6, 2.5))))
        days = sorted(rng.choices(self.days, weights=self.day_weights, k=count))
        orders, lines = [], []
        for day in days:
            order_id = next_ids[0]
            next_ids[0] += 1
            chosen = rng.choices(self.products, weights=self.product_weights, k=rng.randint(1, 5))
            total = cost = Decimal(0)
            seen: set[int] = set()
            position = 0
            for product in chosen:
                if product.pk in seen:
                    continue
                seen.add(product.pk)
                position += 1
                quantity = Decimal(rng.choice((1, 1, 2, 3, 5, 10, 20)))
                price = product.price
                if grade == "A" and product.category in ("软件", "服务"):
                    price = _money(price * Decimal("0.9"))
                discount = Decimal(rng.choice((0, 0, 0, 5, 10)))
                line_total = _money(quantity * price * (100 - discount) / 100)
                line_cost = _money(quantity * product.cost)
                total += line_total
                cost += line_cost
                lines.append(
                    (next_ids[1], order_id, position, product.pk, quantity, price, discount,
                     product.cost, line_total, line_cost)
                )  # fmt: skip
                next_ids[1] += 1
            stamp = self.ts(int(dt.datetime.combine(day, dt.time(10)).timestamp()))
            orders.append(
                (order_id, stamp, stamp, 1, f"SO-{day:%Y%m%d}-{order_id:06d}", customer_id, day,
                 self._status(day), owner_id, total, cost, total - cost, "")
            )  # fmt: skip
        return orders, lines


def _customers(first_id: int, last_id: int, batch: int) -> Iterator[list[tuple[int, Any, str]]]:
    """(id, owner id, grade) of the customers loaded in this run, in id order, by batch."""
    after = first_id - 1
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, owner_id, grade FROM customers_customer "
                "WHERE id > %s AND id <= %s ORDER BY id LIMIT %s",
                [after, last_id, batch],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def load_sales(
    *,
    writer: Any,
    seed: int,
    today: dt.date,
    first_customer_id: int,
    last_customer_id: int,
    ts: Any,
    batch_size: int = 5000,
) -> SalesCounts:
    """Orders for ~30 % of the customers with ids in [first, last] (this run's)."""
    counts = SalesCounts()
    with transaction.atomic():
        products = ensure_products()
    counts.products = len(products)
    if not products or last_customer_id < first_customer_id:
        return counts
    maker = _OrderMaker(seed, today, products, ts)
    next_ids = [writer.next_id("sales_order"), writer.next_id("sales_orderline")]
    for customers in _customers(first_customer_id, last_customer_id, batch_size):
        orders: list[tuple] = []
        lines: list[tuple] = []
        for customer_id, owner_id, grade in customers:
            if maker.rng.random() >= ORDER_SHARE:
                continue
            made_orders, made_lines = maker.orders_for(customer_id, owner_id, grade, next_ids)
            orders.extend(made_orders)
            lines.extend(made_lines)
        with transaction.atomic():
            writer.insert("sales_order", ORDER_COLUMNS, orders)
            writer.insert("sales_orderline", LINE_COLUMNS, lines)
        counts.orders += len(orders)
        counts.order_lines += len(lines)
    with transaction.atomic():
        writer.reset_sequences(["sales_order", "sales_orderline"])
    return counts
