"""`{% job_summary job as summary %}`: the job page's kind-specific result summary."""

from __future__ import annotations

from django import template

from guanxi.platform.job_results import JobSummary
from guanxi.platform.job_results import job_summary as summary_of
from guanxi.platform.models import Job

register = template.Library()


@register.simple_tag
def job_summary(job: Job) -> JobSummary:
    return summary_of(job)
