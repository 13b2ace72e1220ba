"""Quotes (报价单) for the demo company.

About one quote per 20 customers of this run (at least 100, at most 20,000), issued
over the last 180 days by the sales reps to their own customers, 1–5 lines from the
demo catalogue (now and then a free-text line: freight, installation), 30-day
validity, 13 % VAT on most (6 % for pure service quotes), an occasional whole-quote
discount. A quote whose validity has passed was accepted, rejected (with a reason)
or expired; a current one is a draft, sent or accepted. Some belong to an open
opportunity of the same customer. Totals are computed exactly as the quote services
compute them; rows are written with bulk inserts.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

PER_CUSTOMER = 1 / 20
MIN_QUOTES, MAX_QUOTES = 100, 20_000
BATCH = 1000
HISTORY_DAYS = 180
VALIDITY_DAYS = 30
CENT = Decimal("0.01")
FREE_LINES = [
    ("运费", "项", "200"),
    ("上门安装调试", "次", "800"),
    ("加急交付服务费", "项", "1500"),
]
TITLES = [
    "年度采购报价",
    "门店设备报价",
    "系统升级报价",
    "续费报价",
    "节日礼品报价",
    "实施服务报价",
]
REJECTION_REASONS = ["价格高于预算", "选择了竞争对手", "项目延期", "需求变更", "内部审批未通过"]
TERMS = (
    "1. 以上价格为人民币含税价，税率如上所示。\n"
    "2. 付款方式：合同签订后预付 50%，验收后付清余款。\n"
    "3. 交货期：收到预付款后 10 个工作日内。"
)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _status(rng: random.Random, valid_until: dt.date, today: dt.date) -> str:
    roll = rng.random()
    if valid_until < today:
        return "accepted" if roll < 0.35 else "rejected" if roll < 0.6 else "expired"
    return "draft" if roll < 0.3 else "sent" if roll < 0.8 else "accepted"


def generate_quotes(
    *,
    rng: random.Random,
    customers: int,
    users: Sequence[Any],
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Create the demo quotes; `customers` is how many customers this run loaded,
    `users` the demo staff (sales reps with customers issue quotes).
    Returns counts {"quotes", "quote_lines"}."""
    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer
    from guanxi.deals.models import Opportunity
    from guanxi.demo.sales import ensure_products
    from guanxi.sales.models import Product, Quote, QuoteLine

    usernames = [user.username for user in users]
    reps = [
        user
        for user in User.objects.filter(username__in=usernames, is_active=True)
        .select_related("role")
        .order_by("id")
        if getattr(user.role, "code", "") == "sales"
    ]
    customers_of = {
        rep.pk: list(
            Customer.objects.filter(owner_id=rep.pk, deleted_at__isnull=True)
            .order_by("-id")
            .values_list("id", flat=True)[:2000]
        )
        for rep in reps
    }
    reps = [rep for rep in reps if customers_of[rep.pk]]
    if not reps:
        return {"quotes": 0, "quote_lines": 0}
    with transaction.atomic():
        ensure_products()
    products = list(
        Product.objects.filter(deleted_at__isnull=True, is_active=True).order_by("sku")[:200]
    )
    if not products:
        return {"quotes": 0, "quote_lines": 0}
    customer_ids = {pk for ids in customers_of.values() for pk in ids}
    open_deals: dict[int, list[tuple[int, str]]] = {}
    for pk, customer_id, title in Opportunity.objects.filter(
        customer_id__in=customer_ids, status="open", deleted_at__isnull=True
    ).values_list("pk", "customer_id", "title")[:50_000]:
        open_deals.setdefault(customer_id, []).append((pk, title))

    today = timezone.localdate()
    total = max(MIN_QUOTES, min(MAX_QUOTES, int(customers * PER_CUSTOMER)))
    day_numbers: dict[dt.date, int] = {}

    def next_number(day: dt.date) -> str:
        if day not in day_numbers:
            prefix = f"Q-{day:%Y%m%d}-"
            last = (
                Quote.objects.filter(number__startswith=prefix)
                .order_by("-number")
                .values_list("number", flat=True)
                .first()
            )
            tail = last.rsplit("-", 1)[1] if last else ""
            day_numbers[day] = int(tail) if tail.isdigit() else 0
        day_numbers[day] += 1
        return f"Q-{day:%Y%m%d}-{day_numbers[day]:04d}"

    made = line_count = 0
    while made < total:
        size = min(BATCH, total - made)
        quotes: list[Any] = []
        lines_of: list[list[Any]] = []
        for _index in range(size):
            rep = rng.choice(reps)
            customer_id = rng.choice(customers_of[rep.pk])
            issued = today - dt.timedelta(days=rng.randint(0, HISTORY_DAYS))
            valid_until = issued + dt.timedelta(days=VALIDITY_DAYS)
            status = _status(rng, valid_until, today)
            lines = []
            for position, product in enumerate(rng.sample(products, rng.randint(1, 4)), 1):
                quantity = Decimal(rng.choice((1, 1, 2, 3, 5, 10, 20)))
                discount = Decimal(rng.choice((0, 0, 0, 5, 10)))
                lines.append(
                    QuoteLine(
                        position=position,
                        product_id=product.pk,
                        description=product.name,
                        quantity=quantity,
                        unit=product.unit,
                        unit_price=product.list_price,
                        discount_percent=discount,
                        amount=_money(quantity * product.list_price * (100 - discount) / 100),
                    )
                )
            if rng.random() < 0.2:
                name, unit, price = rng.choice(FREE_LINES)
                lines.append(
                    QuoteLine(
                        position=len(lines) + 1,
                        description=name,
                        quantity=Decimal(1),
                        unit=unit,
                        unit_price=Decimal(price),
                        discount_percent=Decimal(0),
                        amount=Decimal(price),
                    )
                )
            is_service = all(
                line.product_id and line.unit in ("人天", "项", "年") for line in lines
            )
            discount_percent = Decimal(rng.choice((0, 0, 0, 0, 3, 5)))
            tax_rate = Decimal(6 if is_service else 13)
            subtotal = sum((line.amount for line in lines), Decimal("0.00"))
            discount_amount = _money(subtotal * discount_percent / 100)
            tax_amount = _money((subtotal - discount_amount) * tax_rate / 100)
            deal = rng.choice(open_deals[customer_id]) if open_deals.get(customer_id) else None
            moment = timezone.make_aware(dt.datetime.combine(issued, dt.time(10)))
            decided = moment + dt.timedelta(days=rng.randint(1, VALIDITY_DAYS - 1))
            quote = Quote(
                number=next_number(issued),
                customer_id=customer_id,
                opportunity_id=deal[0] if deal and rng.random() < 0.6 else None,
                title=deal[1] if deal else rng.choice(TITLES),
                owner_id=rep.pk,
                issued_on=issued,
                valid_until=valid_until,
                status=status,
                currency="CNY",
                discount_percent=discount_percent,
                tax_rate=tax_rate,
                subtotal=subtotal,
                discount_amount=discount_amount,
                tax_amount=tax_amount,
                total=subtotal - discount_amount + tax_amount,
                terms=TERMS,
                sent_at=moment if status != "draft" else None,
                decided_at=decided if status in ("accepted", "rejected") else None,
                rejection_reason=rng.choice(REJECTION_REASONS) if status == "rejected" else "",
                created_by_id=rep.pk,
            )
            quotes.append(quote)
            lines_of.append(lines)
        with transaction.atomic():
            created = Quote.objects.bulk_create(quotes, batch_size=500)
            rows = []
            for quote, lines in zip(created, lines_of, strict=True):
                for line in lines:
                    line.quote_id = quote.pk
                    rows.append(line)
            QuoteLine.objects.bulk_create(rows, batch_size=2000)
        made += len(created)
        line_count += len(rows)
        if progress is not None:
            progress(made, total)
    return {"quotes": made, "quote_lines": line_count}
