"""Contracts on the customer timeline: "contract signed" and "payment received".

Both carry a date, not a time: they sit at 10:00 (signed) and 12:00 (received)
of their day, so a day's events keep a sensible order with follow-ups.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.contracts.models import Contract, Payment
from guanxi.contracts.selectors import ContractFilter, contract_list
from guanxi.customers.timeline import TimelineEvent

SIGNED_TIME = dt.time(10, 0)
RECEIVED_TIME = dt.time(12, 0)


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def contract_events(
    *, customer: Any, actor: Any, limit: int, before: dt.datetime | None
) -> list[TimelineEvent]:
    contracts = contract_list(actor=actor, filters=ContractFilter(customer=customer.pk))
    last_day = timezone.localtime(before).date() if before is not None else None
    # not the page's customer again
    signed = contracts.filter(signed_on__isnull=False).select_related(None).select_related("owner")
    payments = Payment.objects.filter(
        contract__in=contracts.values("pk"), deleted_at__isnull=True
    ).select_related("contract", "recorded_by")
    if last_day is not None:
        signed = signed.filter(signed_on__lte=last_day)
        payments = payments.filter(received_on__lte=last_day)
    events: list[TimelineEvent] = []
    for contract in signed.order_by("-signed_on", "-id")[: limit + 1]:
        events.append(_signed_event(contract))
    for payment in payments.order_by("-received_on", "-id")[: limit + 1]:
        events.append(
            TimelineEvent(
                at=_at(payment.received_on, RECEIVED_TIME),
                kind="contracts.payment",
                title=_("Payment received: %(amount)s %(currency)s")
                % {"amount": payment.amount, "currency": payment.contract.currency},
                body=_("Contract %(number)s · %(method)s")
                % {"number": payment.contract.number, "method": payment.get_method_display()},
                actor_name=str(payment.recorded_by or ""),
                url=reverse("contracts:contract_detail", args=[payment.contract_id]),
                icon="cash",
            )
        )
    if before is not None:
        events = [event for event in events if event.at < before]
    events.sort(key=lambda event: event.at, reverse=True)
    return events[:limit]


def _signed_event(contract: Contract) -> TimelineEvent:
    return TimelineEvent(
        at=_at(contract.signed_on, SIGNED_TIME),  # type: ignore[arg-type]
        kind="contracts.signed",
        title=_("Contract signed: %(number)s %(title)s")
        % {"number": contract.number, "title": contract.title},
        body=_("Amount %(amount)s %(currency)s, %(start)s to %(end)s")
        % {
            "amount": contract.amount,
            "currency": contract.currency,
            "start": contract.start_on.isoformat(),
            "end": contract.end_on.isoformat(),
        },
        actor_name=str(contract.owner),
        url=reverse("contracts:contract_detail", args=[contract.pk]),
        icon="contract",
    )
