"""Notifications: channels per the user's choices, the bell, the list, the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext_lazy

from guanxi.notifications.kinds import register_notification_kind
from guanxi.notifications.models import Notification
from guanxi.notifications.services import (
    notification_mark_all_read,
    notification_preferences_save,
    notification_send,
)
from guanxi.platform.models import AuditEntry
from guanxi.platform.testing.api_client import assert_problem

pytestmark = pytest.mark.django_db

KIND = "tests.reminder"
EMAIL_KIND = "tests.important"
register_notification_kind(KIND, "Test reminders")
register_notification_kind(EMAIL_KIND, "Test alerts", default_email=True)


def _with_email(user: Any, address: str = "rep@example.com") -> Any:
    user.email = address
    user.save(update_fields=["email"])
    return user


def _logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_default_channels_follow_the_kind(
    org: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rep = _with_email(org.east_rep)
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipient=rep, kind=KIND, title="明天拜访华为", url="/customers/")
        notification_send(recipient=rep, kind=EMAIL_KIND, title="合同即将到期", body="请续签")
    assert Notification.objects.filter(recipient=rep).count() == 2
    assert [message.subject for message in mail.outbox] == ["合同即将到期"]
    assert mail.outbox[0].to == ["rep@example.com"]
    assert "请续签" in mail.outbox[0].body


def test_the_users_choice_wins_over_the_default(
    org: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rep = _with_email(org.east_rep)
    notification_preferences_save(
        actor=rep, choices={KIND: (False, True), EMAIL_KIND: (True, False)}
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_send(recipient=rep, kind=KIND, title="只发邮件") is None
        notification_send(recipient=rep, kind=EMAIL_KIND, title="只在应用里")
    assert list(Notification.objects.values_list("title", flat=True)) == ["只在应用里"]
    assert [message.subject for message in mail.outbox] == ["只发邮件"]
    entry = AuditEntry.objects.get(action="notifications.preferences.changed")
    assert entry.actor == rep and KIND in entry.changes


def test_no_email_is_queued_when_the_transaction_rolls_back(
    org: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rep = _with_email(org.east_rep)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification_send(recipient=rep, kind=EMAIL_KIND, title="x")
    # Not executed: the caller's transaction never committed.
    assert len(callbacks) == 1 and mail.outbox == []


def test_titles_are_rendered_in_the_recipients_language(org: Any) -> None:
    rep = org.east_rep
    rep.language = "en"
    rep.save(update_fields=["language"])
    notification_send(recipient=rep, kind=KIND, title=gettext_lazy("Tasks"))
    notification_send(recipient=org.east_rep2, kind=KIND, title=gettext_lazy("Tasks"))
    assert Notification.objects.get(recipient=rep).title == "Tasks"
    assert Notification.objects.get(recipient=org.east_rep2).title == "任务"


def test_inactive_users_get_nothing(org: Any) -> None:
    rep = org.east_rep
    rep.is_active = False
    rep.save(update_fields=["is_active"])
    assert notification_send(recipient=rep, kind=KIND, title="x") is None
    assert not Notification.objects.exists()


def test_bell_shows_the_unread_count_and_read_all_clears_it(org: Any) -> None:
    for number in range(3):
        notification_send(recipient=org.east_rep, kind=KIND, title=f"提醒 {number}")
    notification_send(recipient=org.west_rep, kind=KIND, title="别人的")
    client = _logged_in(org.east_rep)
    bell = client.get(reverse("notifications:notification_bell")).content.decode()
    assert 'data-testid="notification-unread">3<' in bell
    assert "提醒 2" in bell and "别人的" not in bell
    answer = client.post(reverse("notifications:notification_read_all"), HTTP_HX_REQUEST="true")
    assert "notification-unread" not in answer.content.decode()
    assert Notification.objects.filter(recipient=org.east_rep, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=org.west_rep, read_at__isnull=True).count() == 1


def test_opening_marks_read_and_follows_only_local_links(org: Any) -> None:
    local = notification_send(recipient=org.east_rep, kind=KIND, title="a", url="/customers/")
    remote = notification_send(
        recipient=org.east_rep, kind=KIND, title="b", url="https://evil.example/"
    )
    other = notification_send(recipient=org.west_rep, kind=KIND, title="c", url="/customers/")
    client = _logged_in(org.east_rep)
    opened = client.get(reverse("notifications:notification_open", args=[local.pk]))
    assert opened.status_code == 302 and opened["Location"] == "/customers/"
    refused = client.get(reverse("notifications:notification_open", args=[remote.pk]))
    assert refused["Location"] == reverse("notifications:notification_list")
    assert (
        client.get(reverse("notifications:notification_open", args=[other.pk])).status_code == 404
    )
    local.refresh_from_db()
    other.refresh_from_db()
    assert local.is_read and not other.is_read


def test_list_page_pages_and_filters_unread(org: Any) -> None:
    for number in range(35):
        notification_send(recipient=org.east_rep, kind=KIND, title=f"第{number}条")
    notification_mark_all_read(actor=org.east_rep)
    notification_send(recipient=org.east_rep, kind=KIND, title="新的一条")
    client = _logged_in(org.east_rep)
    first = client.get(reverse("notifications:notification_list")).content.decode()
    assert "新的一条" in first and 'data-testid="next-page"' in first
    unread = client.get(reverse("notifications:notification_list") + "?unread=1").content.decode()
    assert "新的一条" in unread and "第34条" not in unread


def test_preferences_page_saves_choices(org: Any) -> None:
    client = _logged_in(org.east_rep)
    page = client.get(reverse("notifications:notification_preferences"))
    assert page.status_code == 200 and "Test reminders" in page.content.decode()
    client.post(reverse("notifications:notification_preferences"), {f"email:{KIND}": "on"})
    notification_send(recipient=org.east_rep, kind=KIND, title="x")
    assert not Notification.objects.exists()


def test_api_lists_reads_and_hides_other_peoples(org: Any, api_as: Any) -> None:
    mine = notification_send(recipient=org.east_rep, kind=KIND, title="我的")
    theirs = notification_send(recipient=org.west_rep, kind=KIND, title="他的")
    api = api_as(org.east_rep)
    listed = api.get("/api/v1/notifications").json()
    assert [item["title"] for item in listed["items"]] == ["我的"]
    assert listed["unread_count"] == 1
    assert api.post(f"/api/v1/notifications/{mine.pk}/read").json()["read_at"]
    assert_problem(api.post(f"/api/v1/notifications/{theirs.pk}/read"), 404)
    assert api.get("/api/v1/notifications?unread=true").json()["items"] == []
    assert api.post("/api/v1/notifications/read-all").json() == {"marked": 0}
    assert_problem(api.get("/api/v1/notifications?limit=0"), 422)
