"""Leads (线索) for the demo company: a round-robin rule per sales group, and leads
with follow-ups in every status, some waiting in the pool and some converted.

About one lead per 20 customers of this run (at least 200, at most 50,000), over
the last 180 days. Owners are the sales reps of the lead's group; ~15 % sit in
their group's pool; ~12 % are converted and point at an existing customer of
their owner. Written with bulk inserts (the services' rules are applied here:
E.164 mobiles, a reason on every disqualified lead, last_followed_at = the latest
follow-up), so even a large run takes seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from guanxi.demo import names

LEADS_PER_CUSTOMER = 1 / 20
MIN_LEADS, MAX_LEADS = 200, 50_000
HISTORY_DAYS = 180
BATCH = 2000
POOL_SHARE = 0.15
CONVERTED_SHARE = 0.12
# (status, weight) of the leads that are not converted.
STATUSES = [("new", 30), ("contacted", 35), ("qualified", 20), ("disqualified", 15)]
# (source, weight)
SOURCES = [
    ("web_form", 22), ("referral", 18), ("exhibition", 14), ("advertising", 16),
    ("manual", 15), ("import", 8), ("api", 4), ("other", 3),
]  # fmt: skip
DISQUALIFY_REASONS = [
    "没有预算", "已选择竞争对手", "联系方式无效", "需求不匹配", "个人咨询，非企业客户",
    "重复线索", "暂无采购计划", "决策人不在本地",
]  # fmt: skip
FOLLOW_UPS = {
    "call": ["电话初步沟通，对方有兴趣了解产品", "电话未接通，稍后再联系", "电话确认了采购时间表"],
    "wechat": ["加了微信，发送了产品资料", "微信沟通报价区间", "微信约了下周上门演示"],
    "visit": ["上门拜访，见到了采购负责人", "现场演示产品，反馈不错"],
    "email": ["发送了方案和报价单", "邮件回复了技术问题"],
    "note": ["对方下季度有预算", "决策链：采购经理 → 总经理"],
}


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _person(rng: random.Random) -> str:
    surname = rng.choices([s for s, _w in names.SURNAMES], [w for _s, w in names.SURNAMES])[0]
    return surname + rng.choice(names.GIVEN_NAMES)


def _company(rng: random.Random, city: str) -> str:
    _industry, words = rng.choice(names.INDUSTRIES)
    suffix = _weighted(rng, names.COMPANY_SUFFIXES)
    return f"{city.removesuffix('市')}{rng.choice(names.BRANDS)}{rng.choice(words)}{suffix}"


def _ensure_rules(reps_by_team: dict[int, list[Any]]) -> int:
    from guanxi.leads.models import AssignmentRule

    made = 0
    for team_id, reps in reps_by_team.items():
        rule, created = AssignmentRule.objects.get_or_create(
            team_id=team_id, defaults={"method": "round_robin"}
        )
        if created:
            rule.members.set(reps)
            made += 1
    return made


def generate_leads(
    *,
    rng: random.Random,
    customers: int,
    users: Sequence[Any],
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Create the demo leads; `customers` is how many customers this run loaded,
    `users` the demo staff (reps and managers; only reps with a team own leads).
    Returns counts {"leads", "activities", "rules"}."""
    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer
    from guanxi.leads.models import Lead, LeadActivity

    # Users or the generator's DemoStaff records: both have a username.
    usernames = [user.username for user in users]
    people = User.objects.filter(username__in=usernames, is_active=True).select_related("role")
    reps = [user for user in people.order_by("id") if user.team_id and _is_rep(user)]
    if not reps:
        return {"leads": 0, "activities": 0, "rules": 0}
    reps_by_team: dict[int, list[Any]] = {}
    for rep in reps:
        reps_by_team.setdefault(rep.team_id, []).append(rep)
    with transaction.atomic():
        rules = _ensure_rules(reps_by_team)
    total = max(MIN_LEADS, min(MAX_LEADS, int(customers * LEADS_PER_CUSTOMER)))
    customers_of: dict[int, list[int]] = {
        rep.pk: list(
            Customer.objects.filter(owner_id=rep.pk, deleted_at__isnull=True)
            .order_by("-id")
            .values_list("id", flat=True)[:500]
        )
        for rep in reps
    }
    now = timezone.now()
    made_leads = made_activities = 0
    while made_leads < total:
        size = min(BATCH, total - made_leads)
        leads: list[Any] = []
        follow_ups: list[list[tuple[str, str, dt.datetime]]] = []
        for _index in range(size):
            rep = rng.choice(reps)
            province, city, _districts = rng.choice(names.CITIES)
            created = now - dt.timedelta(
                days=rng.uniform(0, HISTORY_DAYS), minutes=rng.randint(0, 600)
            )
            is_pool = rng.random() < POOL_SHARE
            mine = customers_of.get(rep.pk) or []
            is_converted = not is_pool and mine and rng.random() < CONVERTED_SHARE
            status = "converted" if is_converted else _weighted(rng, STATUSES)
            if is_pool and status == "disqualified":
                status = "new"
            lead = Lead(
                name=_person(rng),
                company=_company(rng, city) if rng.random() < 0.85 else "",
                title=rng.choice(names.JOB_TITLES),
                mobile=f"+86{rng.choice(names.MOBILE_PREFIXES)}{rng.randint(0, 99_999_999):08d}",
                email="",
                province=province.removesuffix("省").removesuffix("市"),
                city=city,
                source=_weighted(rng, SOURCES),
                status=status,
                disqualify_reason=rng.choice(DISQUALIFY_REASONS)
                if status == "disqualified"
                else "",
                owner_id=None if is_pool else rep.pk,
                team_id=rep.team_id,
                assigned_at=None if is_pool else created,
                created_by_id=rep.pk,
            )
            if rng.random() < 0.4:
                local = f"{rng.choice(['sales', 'info', 'cg', 'admin'])}{rng.randint(1, 9999)}"
                lead.email = f"{local}@{_weighted(rng, names.EMAIL_DOMAINS)}"
            steps: list[tuple[str, str, dt.datetime]] = []
            if status != "new":
                when = created
                for _step in range(rng.randint(1, 4)):
                    when = min(now, when + dt.timedelta(days=rng.uniform(0.2, 12)))
                    kind = rng.choice(list(FOLLOW_UPS))
                    steps.append((kind, rng.choice(FOLLOW_UPS[kind]), when))
                lead.last_followed_at = steps[-1][2]
            if is_converted:
                lead.converted_customer_id = rng.choice(mine)
                converted_at = (lead.last_followed_at or created) + dt.timedelta(days=1)
                lead.converted_at = min(now, converted_at)
                lead.converted_by_id = rep.pk
            lead._demo_created = created
            leads.append(lead)
            follow_ups.append(steps)
        with transaction.atomic():
            Lead.objects.bulk_create(leads, batch_size=500)
            # auto_now_add stamped "now": spread the creation times over the history.
            for lead in leads:
                lead.created_at = lead._demo_created
                lead.updated_at = lead.last_followed_at or lead._demo_created
            Lead.objects.bulk_update(leads, ["created_at", "updated_at"], batch_size=500)
            activities = [
                LeadActivity(
                    lead_id=lead.pk,
                    kind=kind,
                    content=content,
                    occurred_at=when,
                    author_id=lead.owner_id or lead.created_by_id,
                )
                for lead, steps in zip(leads, follow_ups, strict=True)
                for kind, content, when in steps
            ]
            LeadActivity.objects.bulk_create(activities, batch_size=1000)
        made_leads += len(leads)
        made_activities += len(activities)
        if progress is not None:
            progress(made_leads, total)
    return {"leads": made_leads, "activities": made_activities, "rules": rules}


def _is_rep(user: Any) -> bool:
    role = getattr(user, "role", None)
    return role is not None and role.code == "sales"
