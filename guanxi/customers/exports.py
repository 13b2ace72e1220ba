"""Customer list exports: scoped like the list, masked like the pages, audited.

`customer_export_csv` is the one way a customer list leaves the system as a file
for now; issue 4 adds XLSX/PDF and background jobs on top of the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.customers.masking import emails_for, phones_for
from guanxi.customers.models import Customer, CustomFieldTarget
from guanxi.customers.permissions import EXPORT_CUSTOMERS, VIEW_CONTACT_DETAILS
from guanxi.customers.selectors import CustomerFilter, custom_field_definitions, customer_list
from guanxi.platform.audit import audit_record, jsonable
from guanxi.platform.exceptions import PermissionDenied
from guanxi.platform.exports import csv_rows
from guanxi.platform.permissions import has_permission

EXPORT_NOT_ALLOWED = gettext_lazy("You do not have permission to export customers.")
BATCH_SIZE = 2000


def _header(custom_labels: list[str]) -> list[str]:
    return [
        _("ID"), _("Name"), _("Short name"), _("Type"), _("Grade"), _("Lifecycle stage"),
        _("Owner"), _("Team"), _("Phones"), _("E-mails"), _("WeChat ID"), _("Province"),
        _("City"), _("District"), _("Street address"), _("Industry"), _("Source"), _("Tags"),
        _("Created at"), _("Updated at"), *custom_labels,
    ]  # fmt: skip


def _rows(qs: Any, *, full: bool, keys: list[str], actor: Any) -> Iterator[list[Any]]:
    last_id = None
    while True:
        batch_qs = qs.order_by("-id")
        if last_id is not None:
            batch_qs = batch_qs.filter(id__lt=last_id)
        batch = list(batch_qs[:BATCH_SIZE])
        if not batch:
            return
        for customer in batch:
            yield [
                customer.pk, customer.name, customer.short_name, customer.get_kind_display(),
                customer.grade, customer.get_lifecycle_stage_display(),
                str(customer.owner or ""), str(customer.team or ""),
                " ".join(phones_for(actor, customer.phones, full=full)),
                " ".join(emails_for(actor, customer.emails, full=full)),
                customer.wechat_id, customer.province, customer.city, customer.district,
                customer.street, customer.industry, customer.source,
                " ".join(tag.name for tag in customer.tags.all()),
                customer.created_at.isoformat(timespec="seconds"),
                customer.updated_at.isoformat(timespec="seconds"),
                *[_custom_text(customer.custom_fields.get(key)) for key in keys],
            ]  # fmt: skip
        last_id = batch[-1].pk


def _custom_text(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return "" if value is None else str(value)


@transaction.atomic
def customer_export_csv(*, actor: Any, filters: CustomerFilter) -> Iterator[str]:
    """Check the permission, record the export in the audit log, return the CSV lines.

    The rows are the actor's list with the same filters (so the same scope), with
    phones and e-mails masked unless the actor may see them.
    """
    if not has_permission(actor, EXPORT_CUSTOMERS):
        raise PermissionDenied(str(EXPORT_NOT_ALLOWED))
    qs = customer_list(actor=actor, filters=filters)
    definitions = custom_field_definitions(CustomFieldTarget.CUSTOMER)
    audit_record(
        actor=actor,
        action="customers.customer.exported",
        instance=None,
        object_type=Customer._meta.label_lower,
        changes={"filters": jsonable(asdict(filters)), "format": "csv"},
    )
    full = has_permission(actor, VIEW_CONTACT_DETAILS)
    keys = [d.key for d in definitions]
    return csv_rows(
        _header([d.label for d in definitions]),
        _rows(qs, full=full, keys=keys, actor=actor),
    )
