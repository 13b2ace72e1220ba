"""Tasks and meetings for the demo company: what a sales team's calendar looks like.

Each sales rep and manager gets tasks over the past month and the next month (about
one per 10 customers of this run overall, at least 150, at most 30,000) — calls,
quotes, visits, many about one of their customers, a third with a time, the past
ones mostly done — and about three meetings a week over the past eight weeks and
the next four: customer visits with the customer's contacts and a colleague, and
internal meetings. Meetings in the past are held, with minutes; some minutes have
follow-up tasks. Due dates skip Chinese public holidays (activities.workdays).
Bulk inserts (the services' rules applied here), so a large run takes seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

TASKS_PER_CUSTOMER = 1 / 10
MIN_TASKS, MAX_TASKS = 150, 30_000
MEETINGS_PER_WEEK = 3
WEEKS_BACK, WEEKS_AHEAD = 8, 4
BATCH = 2000

TASK_TITLES = [
    "电话回访{c}", "给{c}发送报价单", "准备{c}的合同草案", "上门拜访{c}", "{c}样品寄送",
    "确认{c}的付款进度", "邀请{c}参加新品发布会", "整理{c}的需求清单", "微信跟进{c}",
    "催{c}回款", "安排{c}的产品演示", "更新{c}的联系人信息",
]  # fmt: skip
INTERNAL_TASKS = [
    "提交周报", "更新销售预测", "整理本月回款表", "准备季度复盘材料", "参加产品培训",
    "清理公海线索", "核对客户分级",
]  # fmt: skip
CUSTOMER_MEETINGS = [
    ("{c}需求沟通会", ["了解现状与痛点", "介绍解决方案", "确认下一步"]),
    ("{c}方案演示", ["产品演示", "答疑", "报价范围"]),
    ("{c}商务谈判", ["价格与折扣", "付款方式", "交付时间"]),
    ("{c}年度回顾", ["今年合作回顾", "满意度反馈", "明年计划"]),
]
INTERNAL_MEETINGS = [
    ("销售周会", ["上周业绩", "重点商机", "本周计划"]),
    ("商机评审会", ["大单进展", "风险与支持"]),
    ("新品培训", ["产品亮点", "竞品对比", "常见问题"]),
]
MINUTES = [
    "客户认可方案，需要补充实施计划\n下周发送正式报价\n约技术负责人再沟通一次",
    "价格还有分歧，客户希望九折\n向经理申请特价\n周五前答复客户",
    "客户计划下季度采购\n保持每月联系\n寄送案例资料",
    "本周重点跟进三个大单\n月底前完成回款目标",
]
LOCATIONS = ["客户会议室", "公司三楼会议室", "线上（腾讯会议）", "客户工厂", "星巴克（国贸店）"]


def _is_staff_with_calendar(user: Any) -> bool:
    role = getattr(user, "role", None)
    return role is not None and role.code in ("sales", "manager") and user.team_id is not None


def _due(rng: random.Random, today: dt.date, spread: int) -> dt.date:
    from guanxi.activities.workdays import is_working_day

    day = today + dt.timedelta(days=rng.randint(-spread, spread))
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def generate_activities(
    *,
    rng: random.Random,
    customers: int,
    users: Sequence[Any],
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Create the demo tasks and meetings; `customers` is how many customers this run
    loaded, `users` the demo staff. Returns counts {"tasks", "meetings"}."""
    from guanxi.accounts.models import User
    from guanxi.activities.models import Meeting, MeetingStatus, Task, TaskPriority, TaskStatus
    from guanxi.customers.models import Contact, Customer

    usernames = [user.username for user in users]
    people = list(
        User.objects.filter(username__in=usernames, is_active=True)
        .select_related("role")
        .order_by("id")
    )
    staff = [user for user in people if _is_staff_with_calendar(user)]
    if not staff:
        return {"tasks": 0, "meetings": 0}
    customers_of: dict[int, list[tuple[int, str]]] = {
        user.pk: list(
            Customer.objects.filter(owner_id=user.pk, deleted_at__isnull=True)
            .order_by("-id")
            .values_list("id", "name")[:300]
        )
        for user in staff
    }
    today = timezone.localdate()
    now = timezone.now()
    total_tasks = max(MIN_TASKS, min(MAX_TASKS, int(customers * TASKS_PER_CUSTOMER)))
    priorities = [TaskPriority.LOW, TaskPriority.NORMAL, TaskPriority.HIGH, TaskPriority.URGENT]

    # --- meetings ----------------------------------------------------------------
    made_meetings = 0
    meeting_rows: list[Any] = []
    plans: list[tuple[Any, list[int], int | None]] = []  # (meeting, attendees, customer)
    for user in staff:
        colleagues = [
            other.pk for other in staff if other.team_id == user.team_id and other != user
        ]
        for week in range(-WEEKS_BACK, WEEKS_AHEAD):
            for _n in range(MEETINGS_PER_WEEK):
                day = _due(rng, today + dt.timedelta(weeks=week), 2)
                start = timezone.make_aware(
                    dt.datetime.combine(day, dt.time(rng.choice([9, 10, 14, 15, 16]), 0))
                )
                own = customers_of.get(user.pk) or []
                with_customer = own and rng.random() < 0.7
                if with_customer:
                    customer_id, name = rng.choice(own)
                    title, agenda = rng.choice(CUSTOMER_MEETINGS)
                    title = title.format(c=name[:12])
                else:
                    customer_id = None
                    title, agenda = rng.choice(INTERNAL_MEETINGS)
                is_past = start < now
                status = MeetingStatus.PLANNED
                if is_past:
                    status = MeetingStatus.CANCELLED if rng.random() < 0.05 else MeetingStatus.HELD
                meeting = Meeting(
                    title=title,
                    starts_at=start,
                    ends_at=start + dt.timedelta(minutes=rng.choice([30, 60, 60, 90])),
                    location=rng.choice(LOCATIONS),
                    customer_id=customer_id,
                    organiser_id=user.pk,
                    created_by_id=user.pk,
                    agenda=list(agenda),
                    minutes=rng.choice(MINUTES) if status == MeetingStatus.HELD else "",
                    minutes_recorded_at=start + dt.timedelta(hours=2)
                    if status == MeetingStatus.HELD
                    else None,
                    status=status,
                )
                attendees = rng.sample(colleagues, k=min(len(colleagues), rng.randint(0, 2)))
                meeting_rows.append(meeting)
                plans.append((meeting, attendees, customer_id))
    with transaction.atomic():
        Meeting.objects.bulk_create(meeting_rows, batch_size=BATCH)
        attendance = Meeting.attendees.through
        attendance.objects.bulk_create(
            [
                attendance(meeting_id=meeting.pk, user_id=user_id)
                for meeting, attendees, _c in plans
                for user_id in attendees
            ],
            batch_size=BATCH,
        )
        customer_ids = {customer_id for _m, _a, customer_id in plans if customer_id}
        contacts_of: dict[int, list[int]] = {}
        for contact_id, customer_id in Contact.objects.filter(
            customer_id__in=customer_ids, deleted_at__isnull=True
        ).values_list("id", "customer_id"):
            contacts_of.setdefault(customer_id, []).append(contact_id)
        invited = Meeting.contacts.through
        invited.objects.bulk_create(
            [
                invited(meeting_id=meeting.pk, contact_id=contact_id)
                for meeting, _a, customer_id in plans
                if customer_id
                for contact_id in contacts_of.get(customer_id, [])[:2]
            ],
            batch_size=BATCH,
        )
    made_meetings = len(meeting_rows)

    # --- tasks -------------------------------------------------------------------
    made_tasks = 0
    held = [(m, c) for m, _a, c in plans if m.status == MeetingStatus.HELD]
    while made_tasks < total_tasks:
        size = min(BATCH, total_tasks - made_tasks)
        rows = []
        for _index in range(size):
            user = staff[(made_tasks + _index) % len(staff)]
            own = customers_of.get(user.pk) or []
            due_on = _due(rng, today, 30)
            meeting_id = None
            if held and rng.random() < 0.1:
                meeting, customer_id = rng.choice(held)
                user_id = meeting.organiser_id
                meeting_id = meeting.pk
                title = rng.choice(meeting.minutes.splitlines())
            elif own and rng.random() < 0.75:
                customer_id, name = rng.choice(own)
                user_id = user.pk
                title = rng.choice(TASK_TITLES).format(c=name[:12])
            else:
                customer_id = None
                user_id = user.pk
                title = rng.choice(INTERNAL_TASKS)
            is_done = due_on < today and rng.random() < 0.8
            due_time = dt.time(rng.choice([9, 10, 11, 14, 15, 16, 17]), rng.choice([0, 30]))
            rows.append(
                Task(
                    title=title,
                    assignee_id=user_id,
                    created_by_id=user_id,
                    due_on=due_on,
                    due_time=due_time if rng.random() < 0.35 else None,
                    priority=rng.choices(priorities, weights=[15, 55, 22, 8])[0],
                    status=TaskStatus.DONE if is_done else TaskStatus.OPEN,
                    done_at=now if is_done else None,
                    customer_id=customer_id,
                    meeting_id=meeting_id,
                )
            )
        with transaction.atomic():
            Task.objects.bulk_create(rows, batch_size=BATCH)
        made_tasks += size
        if progress is not None:
            progress(made_tasks, total_tasks)
    return {"tasks": made_tasks, "meetings": made_meetings}
