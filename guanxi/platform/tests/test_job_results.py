"""The job page renders each kind's result through its registered summary: the
duplicate finder links to its pairs, exports to their file, others generically."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.customers.duplicates import duplicates_find_start
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.job_results import job_summary
from guanxi.platform.jobs import execute_job
from guanxi.platform.models import Job

pytestmark = pytest.mark.django_db


def _page(client, user, job) -> str:
    client.force_login(user)
    response = client.get(f"/platform/jobs/{job.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_duplicate_finders_page_says_how_many_pairs_and_links_to_them(client, org):
    CustomerFactory(owner=org.east_rep, name="甲公司", phones=["13812345678"])
    CustomerFactory(owner=org.east_rep, name="乙公司", phones=["13812345678"])
    job = duplicates_find_start(actor=org.east_rep)
    execute_job(str(job.pk))
    job.refresh_from_db()
    assert job.result["pairs"] == 1
    job.result["contact_pairs"] = 2  # customer and contact pairs are reviewed on one page
    assert "3" in job_summary(job).links[0].label
    job.refresh_from_db()

    page = _page(client, org.east_rep, job)

    assert job.message in page  # "1 likely duplicate pairs among 2 customers."
    assert 'data-testid="job-link-duplicates"' in page
    assert f'href="{reverse("customers:duplicate_list")}"' in page
    assert 'data-testid="job-download"' not in page


def test_a_finder_with_no_pairs_still_links_to_the_duplicates_page(org):
    job = duplicates_find_start(actor=org.east_rep)
    execute_job(str(job.pk))
    job.refresh_from_db()

    summary = job_summary(job)

    assert [link.url for link in summary.links] == [reverse("customers:duplicate_list")]
    assert not summary.links[0].is_primary


def test_kinds_without_a_summary_show_their_counts_and_errors(client, org):
    job = Job.objects.create(
        kind="tests.something", title="批量操作", created_by=org.east_rep,
        status=Job.Status.SUCCEEDED, result={"succeeded": 2, "failed": 1, "errors": ["张三: 不行"]},
    )  # fmt: skip

    page = _page(client, org.east_rep, job)

    assert 'data-testid="job-summary"' in page and "张三: 不行" in page
    summary = job_summary(job)
    assert len(summary.lines) == 2 and summary.errors == ["张三: 不行"] and not summary.links


def test_a_running_job_has_no_summary_yet(org):
    job = Job.objects.create(
        kind="customers.find_duplicates", title="查重", created_by=org.east_rep,
        status=Job.Status.RUNNING, result={},
    )  # fmt: skip
    assert not job_summary(job)
