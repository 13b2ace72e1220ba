"""Meeting services: validation (nothing written), invitations, versions, cancel, minutes,
follow-up tasks from the minutes, scoping, recycle bin, customer merge."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from guanxi.activities import selectors, services
from guanxi.activities.models import Meeting, MeetingStatus, Task
from guanxi.activities.tests.factories import at, days_from_today, make_meeting
from guanxi.activities.workdays import working_days_after
from guanxi.customers import services as customer_services
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory
from guanxi.notifications.models import Notification
from guanxi.platform.exceptions import ConflictError, NotFound, ValidationError
from guanxi.platform.models import AuditEntry

pytestmark = pytest.mark.django_db


def _invites(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind="activities.meeting_invited"))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": " "}, "title"),
        ({"starts_at": "yesterday"}, "starts_at"),
        ({"starts_at": None}, "starts_at"),
        ({"starts_at": "0001-01-01T10:00"}, "starts_at"),
        ({"ends_at": "2026-01-01T09:00"}, "ends_at"),
        ({"attendees": [999999]}, "attendees"),
        ({"attendees": ["abc"]}, "attendees"),
        ({"contacts": [999999]}, "contacts"),
        ({"customer": 999999}, "customer"),
        ({"online_url": "not a url"}, "online_url"),
        ({"agenda": ["x" * 501]}, "agenda"),
        ({"agenda": [f"item {n}" for n in range(51)]}, "agenda"),
        ({"status": "postponed"}, "status"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_garbage_gives_field_errors_and_writes_nothing(
    org: Any, fields: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {
        "title": "拜访客户",
        "starts_at": at(dt.date(2026, 12, 1), 10),
        **fields,
    }
    with pytest.raises(ValidationError) as caught:
        services.meeting_create(actor=org.east_rep, **values)
    assert field in caught.value.field_errors
    assert Meeting.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="activities.meeting").exists()
    assert Notification.objects.count() == 0


def test_create_invites_attendees_but_not_the_organiser(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep, name="杭州丝绸")
    contact = ContactFactory(customer=customer, name="周总", emails=["zhou@silk.cn"])
    meeting = services.meeting_create(
        actor=org.east_rep,
        title=" 新品报价会 ",
        starts_at="2026-12-01T14:00",
        customer=customer.pk,
        attendees=[org.east_rep.pk, org.east_rep2.pk, org.manager.pk],
        contacts=[contact.pk],
        agenda="- 介绍新品\n\n- 报价\n",
        location="客户会议室",
    )
    assert meeting.title == "新品报价会"
    assert meeting.organiser == org.east_rep
    assert meeting.ends_at - meeting.starts_at == dt.timedelta(hours=1)
    assert meeting.agenda == ["介绍新品", "报价"]
    assert meeting.status == MeetingStatus.PLANNED
    assert {user.pk for user in meeting.attendees.all()} == {
        org.east_rep.pk,
        org.east_rep2.pk,
        org.manager.pk,
    }
    assert _invites(org.east_rep) == []
    invite = _invites(org.east_rep2)[0]
    assert "新品报价会" in invite.title and "2026-12-01 14:00" in invite.title
    assert invite.url == f"/activities/meetings/{meeting.pk}/"
    assert len(_invites(org.manager)) == 1
    entry = AuditEntry.objects.get(action="activities.meeting.created")
    assert entry.changes["after"]["contacts"] == [contact.pk]


def test_contacts_must_belong_to_the_customer(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    other = ContactFactory(customer=CustomerFactory(owner=org.east_rep))
    with pytest.raises(ValidationError) as caught:
        services.meeting_create(
            actor=org.east_rep,
            title="x",
            starts_at=at(days_from_today(1), 9),
            customer=customer.pk,
            contacts=[other.pk],
        )
    assert set(caught.value.field_errors) == {"contacts"}


def test_all_day_meeting_spans_whole_days(org: Any) -> None:
    meeting = services.meeting_create(
        actor=org.east_rep,
        title="展会",
        starts_at="2026-12-01T15:00",
        ends_at="2026-12-03T10:00",
        is_all_day=True,
    )
    assert meeting.starts_at == at(dt.date(2026, 12, 1), 0)
    assert meeting.ends_at == at(dt.date(2026, 12, 3), 23, 59)
    again = services.meeting_update(
        actor=org.east_rep, meeting=meeting, expected_version=1, location="国家会展中心"
    )
    assert (again.starts_at, again.ends_at) == (meeting.starts_at, meeting.ends_at)


def test_update_invites_only_new_attendees_and_refuses_stale_versions(org: Any) -> None:
    meeting = make_meeting(actor=org.east_rep, attendees=[org.east_rep2.pk])
    assert len(_invites(org.east_rep2)) == 1
    services.meeting_update(
        actor=org.east_rep,
        meeting=meeting,
        expected_version=1,
        attendees=[org.east_rep2.pk, org.manager.pk],
    )
    assert len(_invites(org.east_rep2)) == 1
    assert len(_invites(org.manager)) == 1
    with pytest.raises(ConflictError):
        services.meeting_update(actor=org.east_rep, meeting=meeting, expected_version=1, title="旧")
    meeting.refresh_from_db()
    assert meeting.version == 2


def test_cancel_tells_attendees_once(org: Any) -> None:
    meeting = make_meeting(actor=org.east_rep, attendees=[org.east_rep2.pk])
    services.meeting_cancel(actor=org.east_rep, meeting=meeting)
    services.meeting_cancel(actor=org.east_rep, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    cancelled = Notification.objects.filter(kind="activities.meeting_cancelled")
    assert [n.recipient_id for n in cancelled] == [org.east_rep2.pk]
    with pytest.raises(ValidationError):
        services.meeting_minutes_record(actor=org.east_rep, meeting=meeting, minutes="x")


def test_minutes_then_follow_up_tasks_linked_to_the_meeting(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    meeting = make_meeting(actor=org.east_rep, customer=customer.pk)
    held = services.meeting_minutes_record(
        actor=org.east_rep, meeting=meeting, minutes="1. 寄样品\n2. 发正式报价", expected_version=1
    )
    assert held.status == MeetingStatus.HELD and held.minutes_recorded_at is not None
    tasks = services.meeting_follow_up_tasks_create(
        actor=org.east_rep,
        meeting=held,
        rows=[
            {"title": "寄样品", "assignee": org.east_rep2.pk, "due_in_working_days": 3},
            {"title": "发正式报价", "due_on": dt.date(2026, 12, 10)},
        ],
    )
    assert [task.title for task in tasks] == ["寄样品", "发正式报价"]
    assert all(task.meeting_id == meeting.pk and task.customer_id == customer.pk for task in tasks)
    assert tasks[0].assignee == org.east_rep2
    assert tasks[1].assignee == org.east_rep
    from django.utils import timezone

    assert tasks[0].due_on == working_days_after(timezone.localdate(), 3)
    assert AuditEntry.objects.filter(action="activities.meeting.follow_ups_created").count() == 1


def test_follow_up_rows_are_all_or_nothing_with_row_errors(org: Any) -> None:
    meeting = make_meeting(actor=org.east_rep)
    with pytest.raises(ValidationError) as caught:
        services.meeting_follow_up_tasks_create(
            actor=org.east_rep,
            meeting=meeting,
            rows=[
                {"title": "好的一行", "due_in_working_days": 1},
                {"title": "", "due_in_working_days": 1},
                {"title": "没有日期"},
                {"title": "坏人", "assignee": 999999, "due_on": "2026-12-01"},
            ],
        )
    errors = caught.value.field_errors
    assert set(errors) == {"rows.1.title", "rows.2.due_on", "rows.3.assignee"}
    assert Task.objects.count() == 0
    with pytest.raises(ValidationError):
        services.meeting_follow_up_tasks_create(actor=org.east_rep, meeting=meeting, rows=[])


def test_who_sees_a_meeting(org: Any) -> None:
    west_customer = CustomerFactory(owner=org.west_rep)
    own = make_meeting(actor=org.east_rep)
    invited = make_meeting(actor=org.west_rep, attendees=[org.east_rep.pk, org.east_rep2.pk])
    on_west_customer = make_meeting(actor=org.admin, customer=west_customer.pk)
    hq = make_meeting(actor=org.admin)

    def visible(user: Any) -> set[int]:
        return {m.pk for m in selectors.meeting_list(actor=user)}

    assert visible(org.east_rep) == {own.pk, invited.pk}
    assert visible(org.west_rep) == {invited.pk, on_west_customer.pk}
    assert visible(org.manager) == {own.pk, invited.pk, on_west_customer.pk}
    assert visible(org.admin) == {own.pk, invited.pk, on_west_customer.pk, hq.pk}
    # No duplicates although two attendees match the same scope.
    assert selectors.meeting_list(actor=org.manager).count() == 3
    for meeting in (on_west_customer, hq):
        with pytest.raises(NotFound):
            selectors.meeting_get(actor=org.east_rep, meeting_id=meeting.pk)
    assert selectors.meeting_get(actor=org.east_rep2, meeting_id=invited.pk).pk == invited.pk


def test_delete_restore_and_merge(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    survivor = CustomerFactory(owner=org.east_rep)
    meeting = make_meeting(actor=org.east_rep, customer=customer.pk)
    services.meeting_delete(actor=org.east_rep, meeting=meeting)
    with pytest.raises(NotFound):
        selectors.meeting_get(actor=org.east_rep, meeting_id=meeting.pk)
    with pytest.raises(NotFound):
        services.meeting_restore(actor=org.west_rep, instance=meeting)
    services.meeting_restore(actor=org.east_rep, instance=meeting)
    customer_services.customer_merge(
        actor=org.admin, survivor=survivor, other=customer, field_choices={}
    )
    meeting.refresh_from_db()
    assert meeting.customer_id == survivor.pk


def test_timeline_shows_meetings_to_who_sees_the_customer(org: Any) -> None:
    from guanxi.activities.timeline_sources import meeting_events

    customer = CustomerFactory(owner=org.east_rep)
    make_meeting(actor=org.east_rep, customer=customer.pk, location="茶室")
    events = meeting_events(customer=customer, actor=org.east_rep, limit=10, before=None)
    assert len(events) == 1 and events[0].kind == "meeting.planned"
    assert "茶室" in events[0].body
    assert meeting_events(customer=customer, actor=org.west_rep, limit=10, before=None) == []
