"""The finder as a background job (registered when the package is imported)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.customers.duplicates.services import FIND_JOB_KIND, duplicates_find
from guanxi.customers.duplicates.store import finder_customer_count
from guanxi.platform.jobs import JobContext, register_job_handler
from guanxi.platform.models import Job


def _run_find_job(context: JobContext) -> dict[str, Any]:
    actor = context.job.created_by
    if actor is None:
        return {"pairs": 0, "customers": 0, "contact_pairs": 0, "contacts": 0}
    context.set_total(finder_customer_count(actor=actor))

    def progress(count: int, message: str) -> None:
        context.advance(count, message=message)

    result = duplicates_find(actor=actor, progress=progress)
    message = str(
        _(
            "%(pairs)s likely duplicate pairs among %(customers)s customers, "
            "%(contact_pairs)s among %(contacts)s contacts."
        )
    ) % {
        "pairs": result.pairs,
        "customers": result.customers,
        "contact_pairs": result.contact_pairs,
        "contacts": result.contacts,
    }
    # Not context.advance: the pairs are committed, a late cancel must not hide them.
    Job.objects.filter(pk=context.job.pk).update(message=message[:500])
    return {
        "pairs": result.pairs,
        "customers": result.customers,
        "contact_pairs": result.contact_pairs,
        "contacts": result.contacts,
    }


register_job_handler(FIND_JOB_KIND, _run_find_job)
