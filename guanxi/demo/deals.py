"""Opportunities (商机) for the demo company: a busy default pipeline, a small renewal
pipeline, and a stage history for every opportunity.

About one opportunity per 15 customers of this run (at least 150, at most 20,000).
Owners are the sales reps; each opportunity belongs to one of its owner's
customers. ~55 % are open, spread over the open stages (more in the early ones),
closing in the next four months; ~25 % won and ~20 % lost (with a reason) over the
past year. Each one walks the stages in order, so the history shows realistic time
spent per stage. Written with bulk inserts applying the services' rules (status
follows the stage kind, lost ones carry a reason, open ones close today or later).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

PER_CUSTOMER = 1 / 15
MIN_OPPORTUNITIES, MAX_OPPORTUNITIES = 150, 20_000
BATCH = 1000
RENEWAL_SHARE = 0.12
# (status, weight)
OUTCOMES = [("open", 55), ("won", 25), ("lost", 20)]
# Relative weight of each open stage (early stages hold more opportunities).
OPEN_STAGE_WEIGHTS = [40, 28, 20, 12, 8]
RENEWAL_PIPELINE = "续约流程"
RENEWAL_STAGES: list[tuple[str, int, str]] = [
    ("续约提醒", 30, "open"),
    ("续约报价", 60, "open"),
    ("合同签署", 90, "open"),
    ("续约成功", 100, "won"),
    ("未续约", 0, "lost"),
]
PROJECTS = [
    ("CRM 专业版采购", 39800, 240000),
    ("门店收银系统升级", 20000, 180000),
    ("年度运维服务", 12000, 60000),
    ("销售团队扩容许可", 6000, 48000),
    ("数据迁移与实施", 16000, 90000),
    ("会员营销平台", 30000, 200000),
    ("会议室设备集采", 9000, 75000),
    ("定制开发二期", 35000, 320000),
    ("区域分公司上线", 50000, 400000),
    ("中秋礼品集采", 5000, 36000),
]
RENEWALS = [("年度订阅续约", 19800, 120000), ("运维支持续约", 12000, 48000)]
COMPETITORS = [
    "纷享销客", "销售易", "用友", "金蝶", "钉钉 CRM", "HubSpot", "Salesforce", "本地软件商",
]  # fmt: skip
NEXT_STEPS = [
    "下周上门演示",
    "发送正式报价单",
    "约采购经理面谈",
    "准备技术方案",
    "安排试用账号",
    "等待总经理审批",
    "确认合同条款",
    "邀请参观样板客户",
]
LOST_REASONS = [
    "价格高于竞品",
    "客户预算取消",
    "选择了竞争对手",
    "需求变更，项目暂停",
    "决策人离职",
    "功能不满足定制需求",
]


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _ensure_renewal_pipeline() -> Any:
    from guanxi.deals.models import Pipeline, Stage

    pipeline = Pipeline.objects.filter(name=RENEWAL_PIPELINE).first()
    if pipeline is None:
        pipeline = Pipeline.objects.create(name=RENEWAL_PIPELINE, order=1)
        Stage.objects.bulk_create(
            Stage(pipeline=pipeline, name=name, order=index, probability=probability, kind=kind)
            for index, (name, probability, kind) in enumerate(RENEWAL_STAGES)
        )
    return pipeline


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    value = rng.triangular(low, high, low + (high - low) * 0.3)
    return Decimal(int(value / 100) * 100)


def generate_deals(
    *,
    rng: random.Random,
    customers: int,
    users: Sequence[Any],
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Create the demo opportunities; `customers` is how many customers this run loaded,
    `users` the demo staff (only sales reps with a team own opportunities).
    Returns counts {"opportunities", "stage_changes", "pipelines"}."""
    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer
    from guanxi.deals.models import Opportunity, StageHistory
    from guanxi.deals.services import pipeline_ensure_default

    usernames = [user.username for user in users]
    people = User.objects.filter(username__in=usernames, is_active=True).select_related("role")
    reps = [
        user
        for user in people.order_by("id")
        if user.team_id and getattr(user.role, "code", "") == "sales"
    ]
    if not reps:
        return {"opportunities": 0, "stage_changes": 0, "pipelines": 0}
    customers_of = {
        rep.pk: list(
            Customer.objects.filter(owner_id=rep.pk, deleted_at__isnull=True)
            .order_by("-id")
            .values_list("id", flat=True)[:2000]
        )
        for rep in reps
    }
    reps = [rep for rep in reps if customers_of[rep.pk]]
    if not reps:
        return {"opportunities": 0, "stage_changes": 0, "pipelines": 0}
    with transaction.atomic():
        pipelines = [pipeline_ensure_default(), _ensure_renewal_pipeline()]
    stages_of = {p.pk: list(p.stages.order_by("order", "id")) for p in pipelines}
    total = max(MIN_OPPORTUNITIES, min(MAX_OPPORTUNITIES, int(customers * PER_CUSTOMER)))
    now = timezone.now()
    today = timezone.localdate(now)
    made = changes = 0
    while made < total:
        size = min(BATCH, total - made)
        rows: list[tuple[Any, list[tuple[Any, Any, dt.datetime]]]] = []
        for _index in range(size):
            rep = rng.choice(reps)
            is_renewal = rng.random() < RENEWAL_SHARE
            pipeline = pipelines[1] if is_renewal else pipelines[0]
            stages = stages_of[pipeline.pk]
            open_stages = [s for s in stages if s.kind == "open"]
            outcome = _weighted(rng, OUTCOMES)
            name, low, high = rng.choice(RENEWALS if is_renewal else PROJECTS)
            if outcome == "open":
                weights = OPEN_STAGE_WEIGHTS[: len(open_stages)]
                final = rng.choices(open_stages, weights=weights)[0]
                created = now - dt.timedelta(days=rng.uniform(3, 120))
                close_on = today + dt.timedelta(days=rng.randint(0, 120))
            else:
                final = next(s for s in stages if s.kind == outcome)
                close_on = today - dt.timedelta(days=rng.randint(1, 365))
                created = timezone.make_aware(
                    dt.datetime.combine(close_on, dt.time(10))
                ) - dt.timedelta(days=rng.uniform(10, 90))
            # The walk: open stages in order up to the final one (a closed deal goes
            # through a random number of them first).
            if final.kind == "open":
                path = open_stages[: open_stages.index(final) + 1]
            else:
                path = [*open_stages[: rng.randint(1, len(open_stages))], final]
            end = (
                now
                if outcome == "open"
                else timezone.make_aware(dt.datetime.combine(close_on, dt.time(16)))
            )
            span = max(60.0, (end - created).total_seconds())
            cuts = sorted(rng.uniform(0, span * 0.9) for _step in path[1:])
            moments = [created] + [created + dt.timedelta(seconds=cut) for cut in cuts]
            walk = list(zip(path, moments, strict=True))
            opportunity = Opportunity(
                title=f"{name}",
                customer_id=rng.choice(customers_of[rep.pk]),
                pipeline=pipeline,
                stage=final,
                amount=_amount(rng, low, high),
                expected_close_on=close_on,
                owner_id=rep.pk,
                team_id=rep.team_id,
                competitors="、".join(rng.sample(COMPETITORS, rng.randint(0, 2))),
                next_step=rng.choice(NEXT_STEPS) if outcome == "open" else "",
                status=outcome,
                lost_reason=rng.choice(LOST_REASONS) if outcome == "lost" else "",
                won_at=walk[-1][1] if outcome == "won" else None,
                lost_at=walk[-1][1] if outcome == "lost" else None,
                stage_entered_at=walk[-1][1],
                position=0,
                created_by_id=rep.pk,
            )
            opportunity._demo_created = created  # type: ignore[attr-defined]
            rows.append((opportunity, walk))
        with transaction.atomic():
            created_rows = Opportunity.objects.bulk_create([o for o, _w in rows], batch_size=500)
            for opportunity in created_rows:
                opportunity.created_at = opportunity._demo_created  # type: ignore[attr-defined]
                opportunity.updated_at = opportunity.stage_entered_at
            Opportunity.objects.bulk_update(
                created_rows, ["created_at", "updated_at"], batch_size=500
            )
            history = []
            for opportunity, walk in rows:
                previous = None
                for stage, moment in walk:
                    history.append(
                        StageHistory(
                            opportunity_id=opportunity.pk,
                            from_stage=previous[0] if previous else None,
                            from_stage_name=previous[0].name if previous else "",
                            to_stage=stage,
                            to_stage_name=stage.name,
                            changed_at=moment,
                            changed_by_id=opportunity.owner_id,
                            seconds_in_previous=int((moment - previous[1]).total_seconds())
                            if previous
                            else 0,
                        )
                    )
                    previous = (stage, moment)
            StageHistory.objects.bulk_create(history, batch_size=1000)
        made += len(rows)
        changes += len(history)
        if progress is not None:
            progress(made, total)
    return {"opportunities": made, "stage_changes": changes, "pipelines": len(pipelines)}
