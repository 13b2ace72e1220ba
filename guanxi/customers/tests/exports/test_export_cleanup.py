"""Old export and import files are deleted nightly; a cleaned-up export says it expired
(page, download and API) and links back to the list to export again."""

from __future__ import annotations

import os
import time

import pytest
from django.utils import translation

from guanxi.customers.exports import EXPORT_EXPIRED, export_start
from guanxi.customers.services import customer_create
from guanxi.platform.exports import FILES_PURGED_ACTION, generated_files_purge
from guanxi.platform.jobs import execute_job
from guanxi.platform.models import AuditEntry
from guanxi.platform.tasks import generated_files_purge_task
from guanxi.platform.testing.api_client import assert_problem

pytestmark = pytest.mark.django_db


def _age(path, days: float) -> None:
    when = time.time() - days * 86400
    for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(item, (when, when))


def _finished_export(org, **filters):
    customer_create(actor=org.east_rep, name="张三科技", grade="A")
    job = export_start(actor=org.manager, kind="customers", format="xlsx", filters=filters)
    execute_job(str(job.pk))
    job.refresh_from_db()
    return job


def test_files_older_than_the_retention_period_go_and_newer_ones_stay(settings, tmp_path):
    settings.GUANXI = {**settings.GUANXI, "FILE_RETENTION_DAYS": 7}
    old_export = tmp_path / "exports" / "old-job"
    new_export = tmp_path / "exports" / "new-job"
    uploads = tmp_path / "imports" / "uploads"
    for folder in (old_export, new_export, uploads):
        folder.mkdir(parents=True)
    (old_export / "customers.xlsx").write_bytes(b"x")
    (new_export / "customers.xlsx").write_bytes(b"x")
    old_upload = uploads / "a.csv"
    old_report = tmp_path / "imports" / "import-1-errors.xlsx"
    new_stored = tmp_path / "imports" / "b.csv"
    for path in (old_upload, old_report, new_stored):
        path.write_bytes(b"x")
    _age(old_export, 8)
    _age(old_upload, 8)
    _age(old_report, 30)
    _age(new_stored, 6)

    generated_files_purge_task.call_local()

    assert not old_export.exists() and not old_upload.exists() and not old_report.exists()
    assert (new_export / "customers.xlsx").exists() and new_stored.exists()
    entry = AuditEntry.objects.get(action=FILES_PURGED_ACTION)
    assert entry.actor is None
    assert entry.changes == {"exports": 1, "imports": 2, "older_than_days": 7}

    assert generated_files_purge() == {"exports": 0, "imports": 0}  # nothing left: no entry
    assert AuditEntry.objects.filter(action=FILES_PURGED_ACTION).count() == 1


def test_a_cleaned_up_export_says_expired_and_links_to_export_again(client, org, tmp_path):
    job = _finished_export(org, grade=["A"])
    client.force_login(org.manager)
    page = client.get(f"/platform/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-download"' in page

    _age(tmp_path / "exports" / str(job.pk), 30)
    generated_files_purge()

    response = client.get(f"/customers/exports/{job.pk}/download/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/platform/jobs/{job.pk}/"
    page = response.content.decode()
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        expired = str(EXPORT_EXPIRED)
    assert expired in page  # the message, and the job page's own line
    assert 'data-testid="job-download"' not in page
    assert 'data-testid="job-export-again"' in page and 'href="/customers/?grade=A"' in page
    client.force_login(org.admin)  # anyone else still gets a plain 404
    assert client.get(f"/customers/exports/{job.pk}/download/").status_code == 404


def test_the_api_answers_410_for_a_cleaned_up_export(org, api_as, tmp_path):
    job = _finished_export(org)
    _age(tmp_path / "exports" / str(job.pk), 30)
    generated_files_purge()

    body = assert_problem(api_as(org.manager).get(f"/api/v1/exports/{job.pk}/download"), 410)

    assert body["type"].endswith("/export_expired") and body["detail"]
    assert_problem(api_as(org.admin).get(f"/api/v1/exports/{job.pk}/download"), 404)
