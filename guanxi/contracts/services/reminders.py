"""The daily renewal reminder: once per contract, a notification and a task for the owner."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from guanxi.contracts.models import Contract, ContractStatus
from guanxi.platform.audit import audit_record
from guanxi.platform.exceptions import ApplicationError

logger = logging.getLogger(__name__)
RENEWAL_KIND = "contracts.renewal_due"
MAX_REMIND_DAYS = 365


def _remind_one(contract_id: int, today: dt.date) -> bool:
    with transaction.atomic():
        contract = (
            Contract.objects.select_for_update()
            .filter(pk=contract_id, renewal_reminded_at__isnull=True, deleted_at__isnull=True)
            .first()
        )
        if contract is None:
            return False
        contract = Contract.objects.select_related("owner", "customer").get(pk=contract.pk)
        url = reverse("contracts:contract_detail", args=[contract.pk])
        days_left = (contract.end_on - today).days
        language = getattr(contract.owner, "language", "") or settings.LANGUAGE_CODE
        with translation.override(language):  # the owner's language, not the job's
            _remind_texts(contract, url=url, today=today, days_left=days_left)
        contract.renewal_reminded_at = timezone.now()
        contract.save(update_fields=["renewal_reminded_at"])
        audit_record(actor=None, action="contracts.contract.renewal_reminded", instance=contract)
        return True


def _remind_texts(contract: Contract, *, url: str, today: dt.date, days_left: int) -> None:
    """The notification and the task, in the current (the owner's) language."""
    from guanxi.activities.services import task_create
    from guanxi.notifications.services import notification_send

    notification_send(
        recipient=contract.owner,
        kind=RENEWAL_KIND,
        title=_("Contract %(number)s ends on %(end)s")
        % {
            "number": contract.number,
            "end": contract.end_on.isoformat(),
        },
        body=_("%(title)s with %(customer)s ends in %(days)s days: time to talk about renewal.")
        % {"title": contract.title, "customer": contract.customer.name, "days": days_left},
        url=url,
    )
    title = str(_("Renewal: %(number)s %(customer)s")) % {
        "number": contract.number,
        "customer": contract.customer.name,
    }
    due_on = max(today, contract.end_on - dt.timedelta(days=min(7, days_left)))
    for customer in (contract.customer, None):
        try:
            with transaction.atomic():
                task_create(
                    actor=contract.owner,
                    title=title[:200],
                    due_on=due_on,
                    assignee=contract.owner,
                    customer=customer,
                    notes=str(_("Contract %(number)s ends on %(end)s."))
                    % {"number": contract.number, "end": contract.end_on.isoformat()},
                )
            break
        except ApplicationError as error:  # owner cannot add tasks / see the customer
            logger.info("renewal task for contract %s not created: %s", contract.pk, error)


def contracts_renewal_remind(*, today: dt.date | None = None) -> int:
    """Remind the owners of signed contracts whose end is within their reminder window
    (end − remind_days_before_end ≤ today ≤ end) and not yet reminded. Returns how many."""
    today = today or timezone.localdate()
    candidates = Contract.objects.filter(
        status=ContractStatus.SIGNED,
        deleted_at__isnull=True,
        customer__deleted_at__isnull=True,
        renewal_reminded_at__isnull=True,
        end_on__gte=today,
        end_on__lte=today + dt.timedelta(days=MAX_REMIND_DAYS),
    ).values_list("pk", "end_on", "remind_days_before_end")
    count = 0
    for contract_id, end_on, days in candidates.iterator(chunk_size=500):
        if end_on - dt.timedelta(days=days) <= today and _remind_one(contract_id, today):
            count += 1
    return count
