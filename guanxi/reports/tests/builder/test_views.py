"""Builder pages: form → table and chart (htmx partial), export, save, saved list,
rename, delete, schedules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.reports.models import ReportSchedule, SavedReport

pytestmark = pytest.mark.django_db

QUERY = "dimension=region&measures=revenue&measures=customers"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_builder_page_shows_table_and_chart(book: Any) -> None:
    client = client_for(book.org.east_rep)
    response = client.get(f"{reverse('reports:builder')}?{QUERY}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="builder-table"' in html and 'data-testid="builder-chart"' in html
    assert "上海" in html and "四川" not in html  # east1's scope
    chart = response.context["chart"]
    assert chart["option"]["series"][0]["type"] == "bar"
    assert chart["option"]["xAxis"]["data"] == ["上海", "江苏"]
    assert json.dumps(chart)  # serialisable for json_script


def test_htmx_answers_the_result_fragment(book: Any) -> None:
    client = client_for(book.org.admin)
    response = client.get(f"{reverse('reports:builder')}?{QUERY}", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="builder-result"')
    assert "<html" not in html


def test_empty_and_bad_builder(org: Any) -> None:
    client = client_for(org.admin)
    assert client.get(reverse("reports:builder")).status_code == 200
    response = client.get(f"{reverse('reports:builder')}?dimension=colour&measures=revenue")
    assert response.status_code == 200
    assert 'data-testid="builder-errors"' in response.content.decode()


def test_page_permission(org: Any) -> None:
    assert client_for(org.service_agent).get(reverse("reports:builder")).status_code == 403


def test_export_csv_from_the_page(book: Any) -> None:
    client = client_for(book.org.east_rep)
    response = client.get(f"{reverse('reports:builder_export', args=['csv'])}?{QUERY}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "上海,2000.00,2" in response.content.decode("utf-8")


def test_save_open_rename_delete(book: Any) -> None:
    org = book.org
    client = client_for(org.east_rep)
    response = client.post(
        reverse("reports:saved_report_save"), {"query": QUERY, "name": "各省", "is_shared": "on"}
    )
    report = SavedReport.objects.get()
    assert response.status_code == 302 and f"report={report.pk}" in response["Location"]
    assert report.definition["measures"] == ["revenue", "customers"] and report.is_shared
    page = client.get(f"{reverse('reports:builder')}?report={report.pk}")
    assert "上海" in page.content.decode()
    listing = client_for(org.east_rep2).get(reverse("reports:saved_report_list")).content.decode()
    assert "各省" in listing  # shared with the team
    client.post(reverse("reports:saved_report_rename", args=[report.pk]),
                {"name": "省份", "version": report.version})  # fmt: skip
    report.refresh_from_db()
    assert report.name == "省份" and not report.is_shared
    client.post(reverse("reports:saved_report_delete", args=[report.pk]))
    report.refresh_from_db()
    assert report.deleted_at is not None
    other = client_for(org.west_rep).get(f"{reverse('reports:builder')}?report={report.pk}")
    assert other.status_code == 404


def test_schedule_page(book: Any) -> None:
    org = book.org
    org.east_rep.email = "east1@example.com"
    org.east_rep.save(update_fields=["email"])
    client = client_for(org.east_rep)
    client.post(reverse("reports:saved_report_save"), {"query": QUERY, "name": "周报"})
    report = SavedReport.objects.get()
    url = reverse("reports:saved_report_schedules", args=[report.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"frequency": "weekly", "weekday": 4, "day_of_month": 1,
                                 "format": "pdf", "recipients": [org.east_rep.pk]})  # fmt: skip
    assert response.status_code == 302
    schedule = ReportSchedule.objects.get()
    assert schedule.weekday == 4 and schedule.format == "pdf"
    assert client_for(org.east_rep2).get(url).status_code in (403, 404)
    client.post(reverse("reports:schedule_delete", args=[schedule.pk]))
    assert not ReportSchedule.objects.exists()
