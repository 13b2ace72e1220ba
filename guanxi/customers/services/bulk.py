"""Bulk actions on a selection of customers, run as a job with progress.

The job re-checks every record against the requesting user's scope when it
runs, so a selection cannot reach records the user could not edit one by one.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Customer
from guanxi.customers.services._common import INVALID_INPUT
from guanxi.platform.exceptions import ApplicationError, ValidationError
from guanxi.platform.jobs import JobContext, register_job_handler
from guanxi.platform.models import Job
from guanxi.platform.scoping import scoped
from guanxi.platform.services import job_start

BULK_ACTIONS = {
    "tag": _("Add tags"),
    "untag": _("Remove tags"),
    "assign": _("Assign to owner"),
    "delete": _("Move to recycle bin"),
}
BULK_JOB_KIND = "customers.bulk_action"
NOTHING_SELECTED = _("Select at least one customer.")
UNKNOWN_ACTION = _("Unknown bulk action.")
MAX_SELECTION = 1_000_000


def customer_bulk_action_start(
    *, actor: Any, customer_ids: list[int], action: str, params: dict[str, Any] | None = None
) -> Job:
    """Validate the request and queue the job; the work happens in `_run_bulk_action`."""
    params = params or {}
    if action not in BULK_ACTIONS:
        raise ValidationError(str(INVALID_INPUT), field_errors={"action": [str(UNKNOWN_ACTION)]})
    try:
        ids = sorted({int(i) for i in customer_ids})[:MAX_SELECTION]
    except (TypeError, ValueError) as error:
        raise ValidationError(
            str(INVALID_INPUT), field_errors={"ids": [str(NOTHING_SELECTED)]}
        ) from error
    if not ids:
        raise ValidationError(str(INVALID_INPUT), field_errors={"ids": [str(NOTHING_SELECTED)]})
    params = dict(params)
    if action in {"tag", "untag"}:
        # Ids only: the job stores params as JSON and builds sets from them.
        tags = params.get("tags")
        try:
            params["tags"] = (
                sorted({int(t) for t in tags}) if isinstance(tags, list | tuple) else []
            )
        except (TypeError, ValueError):
            params["tags"] = []
        if not params["tags"]:
            raise ValidationError(
                str(INVALID_INPUT), field_errors={"tags": [str(_("Choose tags."))]}
            )
    if action == "assign":
        owner = params.get("owner")
        try:
            params["owner"] = int(getattr(owner, "pk", owner))
        except (TypeError, ValueError):
            params["owner"] = None
        if not params["owner"]:
            raise ValidationError(
                str(INVALID_INPUT), field_errors={"owner": [str(_("Choose an owner."))]}
            )
    title = f"{BULK_ACTIONS[action]} · {len(ids)}"
    return job_start(
        actor=actor,
        kind=BULK_JOB_KIND,
        title=title,
        params={"action": action, "ids": ids, **params},
        total=len(ids),
    )


def _run_bulk_action(context: JobContext) -> dict[str, Any]:
    from guanxi.customers.services.customers import (
        customer_delete,
        customer_transfer,
        customer_update,
    )

    actor = context.job.created_by
    params = context.params
    action = params["action"]
    ids: list[int] = params["ids"]
    succeeded, failed = 0, 0
    errors: list[str] = []
    chunk_size = 200
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        customers = scoped(
            Customer.objects.filter(pk__in=chunk), actor=actor, action="change"
        ).prefetch_related("tags")
        found = {c.pk: c for c in customers}
        failed += len(chunk) - len(found)
        for customer in found.values():
            try:
                if action == "tag":
                    tags = {t.pk for t in customer.tags.all()} | set(params["tags"])
                    customer_update(
                        actor=actor, customer=customer, expected_version=None, tags=list(tags)
                    )
                elif action == "untag":
                    tags = {t.pk for t in customer.tags.all()} - set(params["tags"])
                    customer_update(
                        actor=actor, customer=customer, expected_version=None, tags=list(tags)
                    )
                elif action == "assign":
                    customer_transfer(actor=actor, customer=customer, new_owner=params["owner"])
                elif action == "delete":
                    customer_delete(actor=actor, customer=customer)
                succeeded += 1
            except ApplicationError as error:
                failed += 1
                if len(errors) < 20:
                    errors.append(f"{customer.name}: {error.message}")
        context.advance(len(chunk))
    return {"succeeded": succeeded, "failed": failed, "errors": errors}


register_job_handler(BULK_JOB_KIND, _run_bulk_action)
