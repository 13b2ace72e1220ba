"""Job page summaries of the customers app's jobs (see guanxi.platform.job_results)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.customers.duplicates import FIND_JOB_KIND
from guanxi.customers.exports import (
    EXPORT_EXPIRED,
    EXPORT_JOB_KIND,
    export_again_url,
    export_is_expired,
)
from guanxi.platform.job_results import JobLink, JobSummary, register_job_summary
from guanxi.platform.models import Job


def _export_summary(job: Job) -> JobSummary:
    result = job.result or {}
    summary = JobSummary()
    if result.get("count") is not None:
        count = result["count"]
        summary.lines.append(ngettext("%(count)s row", "%(count)s rows", count) % {"count": count})
    if job.status != Job.Status.SUCCEEDED or not result.get("file"):
        return summary
    if export_is_expired(job):
        summary.errors.append(str(EXPORT_EXPIRED))
        summary.links.append(
            JobLink(label=_("Export again"), url=export_again_url(job), testid="job-export-again")
        )
    else:
        summary.links.append(
            JobLink(
                label=_("Download %(name)s") % {"name": result["file"]},
                url=reverse("customers:export_download", args=[job.pk]),
                testid="job-download",
                is_primary=True,
                is_download=True,
            )
        )
    return summary


def _finder_summary(job: Job) -> JobSummary:
    """The job message already says how many pairs among how many customers and contacts."""
    result = job.result or {}
    pairs = (result.get("pairs") or 0) + (result.get("contact_pairs") or 0)
    label = (
        ngettext("Review %(count)s pair", "Review %(count)s pairs", pairs) % {"count": pairs}
        if pairs
        else _("Open the duplicates page")
    )
    link = JobLink(
        label=label,
        url=reverse("customers:duplicate_list"),
        testid="job-link-duplicates",
        is_primary=bool(pairs),
    )
    return JobSummary(links=[link])


register_job_summary(EXPORT_JOB_KIND, _export_summary)
register_job_summary(FIND_JOB_KIND, _finder_summary)
