"""Quote writes: create and update with lines, send / accept / reject, expire, delete,
restore, convert an accepted quote into an order, save its PDF.

Totals are computed here, in the same transaction as the lines (prices before tax):
line amount = quantity × unit price × (1 − line discount %), rounded half up to cents;
subtotal = Σ line amounts; discount = subtotal × quote discount %; tax = (subtotal −
discount) × tax rate %; total = subtotal − discount + tax. Every error is collected
first; nothing is written when there is any (ValidationError, keys like
"lines.1.quantity").

Status: draft → sent → accepted / rejected; draft or sent quotes whose validity has
passed become expired (daily job). An accepted quote is binding and cannot be
edited; editing a sent, rejected or expired quote puts it back to draft (it has to
be sent again).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from guanxi.customers.selectors import ContactFilter, contact_list, customer_get
from guanxi.customers.services._common import (
    clean_notes,
    coerce_date,
    full_clean_into,
    require_permission,
)
from guanxi.platform.audit import audit_record, audit_record_many, diff, snapshot
from guanxi.platform.exceptions import NotFound, ValidationError
from guanxi.platform.scoping import is_in_scope, is_restorable
from guanxi.platform.softdelete import mark_deleted, mark_restored
from guanxi.platform.versioning import ensure_version, lock_current
from guanxi.sales.models import (
    OPEN_QUOTE_STATUSES,
    Order,
    Quote,
    QuoteLine,
    QuotePdf,
    QuoteStatus,
)
from guanxi.sales.services._common import (
    clean_text,
    int_or_none,
    money,
    parse_percent,
    save_numbered,
)
from guanxi.sales.services._lines import DISCOUNT_RANGE, CleanLine, clean_lines, line_amount
from guanxi.sales.services.orders import UNKNOWN_CUSTOMER, _resolve_owner, order_create

QUOTE_NOT_FOUND = _("This quote does not exist or you cannot see it.")
UNKNOWN_CONTACT = _("Choose a contact of this customer.")
UNKNOWN_OPPORTUNITY = _("Choose an opportunity of this customer that you can see.")
TAX_RANGE = _("Enter a tax rate between 0 and 100 %.")
INVALID_DATE = _("Enter a date as YYYY-MM-DD.")
VALID_BEFORE_ISSUED = _("The quote cannot expire before it is issued.")
INVALID_CURRENCY = _("Enter a three-letter currency code such as CNY.")
ACCEPTED_IS_LOCKED = _("An accepted quote cannot be changed.")
CANNOT_SEND = _("Only a draft quote can be sent.")
CANNOT_DECIDE = _("Only a draft or sent quote can be accepted or rejected.")
VALIDITY_PASSED = _("The quote's validity has passed; change “valid until” first.")
NOT_ACCEPTED = _("Only an accepted quote can become an order.")
ALREADY_ORDERED = _("This quote already became order %(number)s.")
LINE_WITHOUT_PRODUCT = _(
    "Line %(position)s has no product; an order needs a product on every line."
)
MAX_TEXT = 500
DEFAULT_VALIDITY_DAYS = 30
QUOTE_PREFIX = "Q-"
HEADER_FIELDS = [
    "title",
    "contact",
    "opportunity",
    "owner",
    "issued_on",
    "valid_until",
    "currency",
    "discount_percent",
    "tax_rate",
    "terms",
    "notes",
]
TOTAL_FIELDS = ["subtotal", "discount_amount", "tax_amount", "total"]


def quote_snapshot(quote: Quote) -> dict[str, Any]:
    values = snapshot(quote, ["number", "customer", "status", *HEADER_FIELDS, *TOTAL_FIELDS])
    values["lines"] = [
        [
            line.product_id,
            line.description,
            str(line.quantity),
            str(line.unit_price),
            str(line.discount_percent),
        ]
        for line in quote.lines.order_by("position", "id")
    ]
    return values


def _write_lines(quote: Quote, lines: list[CleanLine]) -> None:
    """Replace the quote's lines."""
    QuoteLine.objects.filter(quote=quote).delete()
    rows = [
        QuoteLine(
            quote=quote,
            position=position,
            product=line.product,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            amount=line_amount(line.quantity, line.unit_price, line.discount_percent),
        )
        for position, line in enumerate(lines, start=1)
    ]
    QuoteLine.objects.bulk_create(rows)
    _store_totals(quote, sum((row.amount for row in rows), Decimal("0.00")))


def _store_totals(quote: Quote, subtotal: Decimal) -> None:
    quote.subtotal = subtotal
    quote.discount_amount = money(subtotal * Decimal(quote.discount_percent) / 100)
    taxable = subtotal - quote.discount_amount
    quote.tax_amount = money(taxable * Decimal(quote.tax_rate) / 100)
    quote.total = taxable + quote.tax_amount
    quote.save(update_fields=TOTAL_FIELDS)


def _resolve_contact(value: Any, customer: Any, actor: Any, errors: dict[str, list[str]]) -> Any:
    if value in (None, ""):
        return None
    contact_id = int_or_none(value)
    contact = None
    if contact_id and customer is not None:
        contact = (
            contact_list(actor=actor, filters=ContactFilter(customer=customer.pk))
            .filter(pk=contact_id)
            .first()
        )
    if contact is None:
        errors.setdefault("contact", []).append(str(UNKNOWN_CONTACT))
    return contact


def _resolve_opportunity(
    value: Any, customer: Any, actor: Any, errors: dict[str, list[str]]
) -> Any:
    if value in (None, ""):
        return None
    from guanxi.deals.selectors import opportunity_get

    try:
        opportunity = opportunity_get(actor=actor, opportunity_id=getattr(value, "pk", value))
    except NotFound:
        opportunity = None
    if opportunity is None or customer is None or opportunity.customer_id != customer.pk:
        errors.setdefault("opportunity", []).append(str(UNKNOWN_OPPORTUNITY))
        return None
    return opportunity


def _apply_header(
    quote: Quote, changes: dict[str, Any], errors: dict[str, list[str]], *, actor: Any
) -> None:
    customer = quote.customer if quote.customer_id else None
    for name, value in changes.items():
        if name not in HEADER_FIELDS:
            errors.setdefault(name, []).append(str(_("Unknown field.")))
        elif name == "owner":
            quote.owner = _resolve_owner(value, errors)
        elif name == "contact":
            quote.contact = _resolve_contact(value, customer, actor, errors)
        elif name == "opportunity":
            quote.opportunity = _resolve_opportunity(value, customer, actor, errors)
        elif name in ("issued_on", "valid_until"):
            try:
                setattr(quote, name, coerce_date(value))
            except (TypeError, ValueError):
                errors.setdefault(name, []).append(str(INVALID_DATE))
        elif name == "discount_percent":
            discount = parse_percent(value, errors, name, DISCOUNT_RANGE)
            quote.discount_percent = discount or Decimal(0)
        elif name == "tax_rate":
            quote.tax_rate = parse_percent(value, errors, name, TAX_RANGE) or Decimal(0)
        elif name == "currency":
            code = clean_text(value, 10).upper()
            if len(code) != 3 or not code.isascii() or not code.isalpha():
                errors.setdefault("currency", []).append(str(INVALID_CURRENCY))
            else:
                quote.currency = code
        elif name == "title":
            quote.title = clean_text(value, 200)
        elif name in ("terms", "notes"):
            setattr(quote, name, clean_notes(value, errors, name))
    issued, valid = quote.issued_on, quote.valid_until
    if (
        isinstance(issued, dt.date)
        and isinstance(valid, dt.date)
        and valid < issued
        and "valid_until" not in errors
        and "issued_on" not in errors
    ):
        errors.setdefault("valid_until", []).append(str(VALID_BEFORE_ISSUED))


@transaction.atomic
def quote_create(
    *,
    actor: Any,
    customer: Any,
    lines: list[dict[str, Any]] | None,
    **fields: Any,
) -> Quote:
    """Create a draft quote with its lines for a customer the actor can see.

    Owner defaults to the customer's owner, issued today, valid for 30 days; a
    product line without unit price gets the customer's price-list price.
    """
    require_permission(actor, "sales.add_quote")
    errors: dict[str, list[str]] = {}
    try:
        found = customer_get(actor=actor, customer_id=getattr(customer, "pk", customer))
    except NotFound:
        found = None
        errors.setdefault("customer", []).append(str(UNKNOWN_CUSTOMER))
    today = timezone.localdate()
    quote = Quote(
        customer=found,
        owner=found.owner if found is not None else None,
        issued_on=today,
        valid_until=today + dt.timedelta(days=DEFAULT_VALIDITY_DAYS),
        status=QuoteStatus.DRAFT,
        created_by=actor if getattr(actor, "pk", None) else None,
        number="Q-PENDING",
    )
    if "issued_on" in fields and "valid_until" not in fields:
        # A bad date is reported by _apply_header; the default stays meanwhile.
        with contextlib.suppress(TypeError, ValueError):
            issued = coerce_date(fields["issued_on"])
            quote.valid_until = issued + dt.timedelta(days=DEFAULT_VALIDITY_DAYS)
    _apply_header(quote, fields, errors, actor=actor)
    clean = clean_lines(lines, found, errors, allowed_inactive=set(), product_required=False)
    full_clean_into(quote, errors, exclude=["customer"] if found is None else None)
    save_numbered(quote, None, prefix=QUOTE_PREFIX)
    _write_lines(quote, clean)
    audit_record(
        actor=actor,
        action="sales.quote.created",
        instance=quote,
        changes={"after": quote_snapshot(quote)},
    )
    return quote


def _check_scope(quote: Quote, actor: Any, action: str) -> None:
    if not is_in_scope(quote, actor=actor, action=action):
        raise NotFound(str(QUOTE_NOT_FOUND))


@transaction.atomic
def quote_update(
    *,
    actor: Any,
    quote: Quote,
    expected_version: int | None,
    lines: list[dict[str, Any]] | None = None,
    **changes: Any,
) -> Quote:
    """Change header fields and, when `lines` is given, replace all lines.

    Refused for an accepted quote. A sent, rejected or expired quote goes back to
    draft. A product that became inactive may stay on the quote it is on.
    """
    _check_scope(quote, actor, "change")
    current = lock_current(quote)
    ensure_version(current, expected_version, compare_fields=HEADER_FIELDS)
    if current.status == QuoteStatus.ACCEPTED:
        raise ValidationError(
            str(ACCEPTED_IS_LOCKED), field_errors={"status": [str(ACCEPTED_IS_LOCKED)]}
        )
    before = quote_snapshot(current)
    errors: dict[str, list[str]] = {}
    _apply_header(current, changes, errors, actor=actor)
    clean: list[CleanLine] | None = None
    if lines is not None:
        on_quote = {pid for pid in current.lines.values_list("product_id", flat=True) if pid}
        clean = clean_lines(
            lines, current.customer, errors, allowed_inactive=on_quote, product_required=False
        )
    full_clean_into(current, errors)
    current.status = QuoteStatus.DRAFT
    current.version += 1
    current.save()
    if clean is not None:
        _write_lines(current, clean)
    else:
        # Discount or tax rate may have changed: recompute from the stored lines.
        _store_totals(current, sum((line.amount for line in current.lines.all()), Decimal("0.00")))
    audit_record(
        actor=actor,
        action="sales.quote.updated",
        instance=current,
        changes=diff(before, quote_snapshot(current)),
    )
    return current


def _transition(
    *,
    actor: Any,
    quote: Quote,
    expected_version: int | None,
    allowed_from: tuple[str, ...],
    refused: Any,
    to: str,
    action: str,
    extra: dict[str, Any] | None = None,
) -> Quote:
    _check_scope(quote, actor, "change")
    current = lock_current(quote)
    ensure_version(current, expected_version, compare_fields=["status"])
    if current.status not in allowed_from:
        raise ValidationError(str(refused), field_errors={"status": [str(refused)]})
    if current.valid_until < timezone.localdate() and to in (
        QuoteStatus.SENT,
        QuoteStatus.ACCEPTED,
    ):
        raise ValidationError(
            str(VALIDITY_PASSED), field_errors={"valid_until": [str(VALIDITY_PASSED)]}
        )
    before = current.status
    current.status = to
    now = timezone.now()
    update_fields = ["status", "version", "updated_at"]
    if to == QuoteStatus.SENT:
        current.sent_at = now
        update_fields.append("sent_at")
    else:
        current.decided_at = now
        update_fields.append("decided_at")
    for name, value in (extra or {}).items():
        setattr(current, name, value)
        update_fields.append(name)
    current.version += 1
    current.save(update_fields=update_fields)
    audit_record(
        actor=actor,
        action=action,
        instance=current,
        changes={"status": [before, to], **{k: ["", v] for k, v in (extra or {}).items()}},
    )
    return current


@transaction.atomic
def quote_send(*, actor: Any, quote: Quote, expected_version: int | None = None) -> Quote:
    """Mark a draft quote as sent to the customer (the PDF goes by the rep's channel)."""
    return _transition(
        actor=actor,
        quote=quote,
        expected_version=expected_version,
        allowed_from=(QuoteStatus.DRAFT,),
        refused=CANNOT_SEND,
        to=QuoteStatus.SENT,
        action="sales.quote.sent",
    )


@transaction.atomic
def quote_accept(*, actor: Any, quote: Quote, expected_version: int | None = None) -> Quote:
    """The customer accepted (a draft may be accepted directly: agreed on the phone)."""
    return _transition(
        actor=actor,
        quote=quote,
        expected_version=expected_version,
        allowed_from=OPEN_QUOTE_STATUSES,
        refused=CANNOT_DECIDE,
        to=QuoteStatus.ACCEPTED,
        action="sales.quote.accepted",
    )


@transaction.atomic
def quote_reject(
    *, actor: Any, quote: Quote, expected_version: int | None = None, reason: str = ""
) -> Quote:
    """The customer declined; the reason is kept for the win/loss review."""
    return _transition(
        actor=actor,
        quote=quote,
        expected_version=expected_version,
        allowed_from=OPEN_QUOTE_STATUSES,
        refused=CANNOT_DECIDE,
        to=QuoteStatus.REJECTED,
        action="sales.quote.rejected",
        extra={"rejection_reason": clean_text(reason, MAX_TEXT)},
    )


EXPIRE_CHUNK = 1000


@transaction.atomic
def quotes_expire(*, today: dt.date | None = None) -> int:
    """Daily job: draft and sent quotes whose `valid_until` has passed become expired.

    Works in chunks of 1,000 (one SELECT, one UPDATE, one audit INSERT each), so the
    statements stay small however many quotes expire at once. The owner of an
    expired *sent* quote is told (one notification per owner and run; a draft never
    reached the customer). Returns how many quotes expired.
    """
    today = today or timezone.localdate()
    due = Quote.objects.filter(
        status__in=OPEN_QUOTE_STATUSES, valid_until__lt=today, deleted_at__isnull=True
    )
    count = 0
    after = 0
    now = timezone.now()
    sent_by_owner: dict[int, tuple[Any, list[Quote]]] = {}
    while True:
        chunk = list(
            due.filter(pk__gt=after)
            .order_by("pk")
            .select_for_update(of=("self",))
            .select_related("owner")
            .only("pk", "number", "status", "owner")[:EXPIRE_CHUNK]
        )
        if not chunk:
            break
        after = chunk[-1].pk
        Quote.objects.filter(pk__in=[quote.pk for quote in chunk]).update(
            status=QuoteStatus.EXPIRED, version=F("version") + 1, updated_at=now
        )
        audit_record_many(
            actor=None,
            action="sales.quote.expired",
            entries=[(quote, {"status": [quote.status, QuoteStatus.EXPIRED]}) for quote in chunk],
        )
        for quote in chunk:
            if quote.status == QuoteStatus.SENT and quote.owner is not None:
                sent_by_owner.setdefault(quote.owner_id, (quote.owner, []))[1].append(quote)
        count += len(chunk)
    for owner, quotes in sent_by_owner.values():
        _notify_expired(owner, quotes)
    return count


NOTIFY_EXPIRED = "sales.quote_expired"
NOTIFY_EXPIRED_LABEL = _("Sent quotes that expired")


def _notify_expired(owner: Any, quotes: list[Quote]) -> None:
    from guanxi.notifications.services import notification_send

    if len(quotes) == 1:
        title = format_lazy(_("Quote {number} expired without an answer"), number=quotes[0].number)
        url = reverse("sales:quote_detail", args=[quotes[0].pk])
    else:
        title = format_lazy(_("{count} of your sent quotes expired"), count=len(quotes))
        url = f"{reverse('sales:quote_list')}?status=expired&owner={owner.pk}"
    notification_send(
        recipient=owner,
        kind=NOTIFY_EXPIRED,
        title=title,
        body=", ".join(quote.number for quote in quotes[:20]),
        url=url,
    )


def _combined_discount(line_percent: Decimal, quote_percent: Decimal) -> Decimal:
    """The one discount equal to a line discount followed by the quote's discount."""
    remaining = (Decimal(100) - line_percent) * (Decimal(100) - quote_percent) / 100
    return Decimal(100) - remaining


@transaction.atomic
def quote_convert_to_order(*, actor: Any, quote: Quote) -> Order:
    """Turn an accepted quote into a confirmed order (through the order service).

    Lines keep product, quantity and unit price; the quote's discount is folded
    into each line's discount (rounded to 0.01 %, so the order total may differ
    from the quote's net amount by a few cents). Tax is not carried: orders record
    revenue before tax. Every line needs a product. Converting twice is refused.
    """
    _check_scope(quote, actor, "change")
    current = lock_current(quote)
    if current.status != QuoteStatus.ACCEPTED:
        raise ValidationError(str(NOT_ACCEPTED), field_errors={"status": [str(NOT_ACCEPTED)]})
    if current.order_id:
        existing = (
            Order.objects.filter(pk=current.order_id).values_list("number", flat=True).first()
        )
        message = str(ALREADY_ORDERED) % {"number": existing or current.order_id}
        raise ValidationError(message, field_errors={"order": [message]})
    lines = list(current.lines.order_by("position", "id"))
    errors: dict[str, list[str]] = {}
    for index, line in enumerate(lines):
        if line.product_id is None:
            errors.setdefault(f"lines.{index}.product", []).append(
                str(LINE_WITHOUT_PRODUCT) % {"position": line.position}
            )
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], field_errors=errors)
    # An inactive product is refused by the order service like on any new order.
    order = order_create(
        actor=actor,
        customer=current.customer_id,
        lines=[
            {
                "product": line.product_id,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount_percent": _combined_discount(
                    line.discount_percent, current.discount_percent
                ),
            }
            for line in lines
        ],
        owner=current.owner_id,
        notes=str(_("From quote %(number)s")) % {"number": current.number},
    )
    current.order = order
    current.version += 1
    current.save(update_fields=["order", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="sales.quote.converted",
        instance=current,
        changes={"order": [None, order.number]},
    )
    return order


@transaction.atomic
def quote_delete(*, actor: Any, quote: Quote) -> Quote:
    _check_scope(quote, actor, "delete")
    current = lock_current(quote)
    if mark_deleted(current, actor=actor):
        audit_record(actor=actor, action="sales.quote.deleted", instance=current)
    return current


@transaction.atomic
def quote_restore(*, actor: Any, instance: Quote) -> Quote:
    if not is_restorable(instance, actor=actor):
        raise NotFound(str(QUOTE_NOT_FOUND))
    current = lock_current(instance)
    if mark_restored(current):
        audit_record(actor=actor, action="sales.quote.restored", instance=current)
    return current


@transaction.atomic
def quote_pdf_save(*, actor: Any, quote: Quote) -> QuotePdf:
    """Render the quote's PDF and keep it with the quote (e.g. the version sent).

    The file is the same whoever asks (the company's language, no requester name),
    so it can be attached to a contract later. The file is written before its row
    is inserted: a failed transaction leaves at most an orphan file, never a row
    without its file.
    """
    from guanxi.sales.quote_pdf import quote_pdf_bytes

    _check_scope(quote, actor, "change")
    current = lock_current(quote)
    content = quote_pdf_bytes(current)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    document = QuotePdf(
        quote=current,
        quote_version=current.version,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    document.file.save(
        f"{current.number}-v{current.version}-{stamp}.pdf", ContentFile(content), save=False
    )
    document.save()
    audit_record(
        actor=actor,
        action="sales.quote.pdf_saved",
        instance=current,
        changes={"file": document.file.name, "sha256": document.sha256},
    )
    return document
