"""What a finished job's page shows, by job kind: a few lines, links and errors.

A job's `result` is whatever its handler returned, so each kind registers a small
renderer that turns its own result into a `JobSummary` (an app's `job_results`
module, found by autodiscovery like import targets). Kinds without one get the
generic rendering of the common keys (succeeded / failed / errors).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from guanxi.platform.models import Job


@dataclass
class JobLink:
    label: str
    url: str
    testid: str = ""
    is_primary: bool = False
    is_download: bool = False


@dataclass
class JobSummary:
    lines: list[str] = field(default_factory=list)
    links: list[JobLink] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.lines or self.links or self.errors)


JobSummaryRenderer = Callable[[Job], JobSummary]
_renderers: dict[str, JobSummaryRenderer] = {}
_discovered = False


def register_job_summary(kind: str, renderer: JobSummaryRenderer) -> None:
    _renderers[kind] = renderer


def _generic(job: Job) -> JobSummary:
    result = job.result or {}
    summary = JobSummary(errors=[str(line) for line in result.get("errors") or []])
    if result.get("succeeded") is not None:
        summary.lines.append(_("Succeeded: %(count)s") % {"count": result["succeeded"]})
    if result.get("failed") is not None:
        summary.lines.append(_("Failed: %(count)s") % {"count": result["failed"]})
    return summary


def job_summary(job: Job) -> JobSummary:
    """The summary of a finished job's result (empty while it runs or without a result)."""
    global _discovered
    if not _discovered:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("job_results")
        _discovered = True
    if not job.is_finished or not job.result:
        return JobSummary()
    return _renderers.get(job.kind, _generic)(job)


def _import_summary(job: Job) -> JobSummary:
    from django.urls import reverse

    result = job.result or {}
    labels = {"created": _("Created"), "updated": _("Updated"), "skipped": _("Skipped"),
              "failed": _("Failed")}  # fmt: skip
    summary = JobSummary(
        lines=[f"{label}: {result[key]}" for key, label in labels.items() if key in result]
    )
    if result.get("run_id"):
        summary.links.append(
            JobLink(
                label=_("Open the import"),
                url=reverse("platform:import_run_detail", args=[result["run_id"]]),
                testid="job-link-import",
                is_primary=True,
            )
        )
    return summary


register_job_summary("platform.import", _import_summary)
