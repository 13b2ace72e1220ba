"""Pipeline and stage administration: invariants, permissions, moving opportunities."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.deals import services
from guanxi.deals.models import Opportunity, Pipeline, StageHistory, StageKind
from guanxi.deals.services.pipelines import LAST_OF_KIND, MOVE_TO_INVALID
from guanxi.deals.tests.factories import make_opportunity, stages_of
from guanxi.platform.exceptions import PermissionDenied, ValidationError
from guanxi.platform.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_only_pipeline_managers_may_edit(org: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.pipeline_create(actor=org.east_rep, name="我的流程")
    with pytest.raises(PermissionDenied):
        services.stage_update(actor=org.east_rep, stage=stages_of()[0], probability=99)


def test_create_validates_stages_and_keeps_one_default(org: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.pipeline_create(actor=org.manager, name="  ")
    assert "name" in caught.value.field_errors
    with pytest.raises(ValidationError) as caught:
        services.pipeline_create(
            actor=org.manager, name="缺输单", stages=[("接洽", 10, "open"), ("赢", 100, "won")]
        )
    assert str(LAST_OF_KIND) in caught.value.field_errors["stages"]
    with pytest.raises(ValidationError):
        services.pipeline_create(
            actor=org.manager,
            name="坏概率",
            stages=[("接洽", 150, "open"), ("赢", 100, "won"), ("输", 0, "lost")],
        )
    default = services.pipeline_ensure_default()
    other = services.pipeline_create(actor=org.manager, name="大客户", is_default=True)
    default.refresh_from_db()
    assert other.is_default and not default.is_default
    assert Pipeline.objects.filter(is_default=True).count() == 1
    with pytest.raises(ValidationError):
        services.pipeline_update(actor=org.manager, pipeline=other, is_active=False)
    renamed = services.pipeline_update(
        actor=org.manager, pipeline=default, expected_version=default.version, name="标准流程"
    )
    assert renamed.name == "标准流程"
    assert AuditEntry.objects.filter(action__startswith="deals.pipeline.").count() == 2


def test_stage_edits_and_reorder(org: Any) -> None:
    pipeline = services.pipeline_ensure_default()
    stage = services.stage_create(
        actor=org.manager, pipeline=pipeline, name="样品测试", probability="60"
    )
    names = [s.name for s in stages_of()]
    assert names.index("样品测试") == names.index("谈判审批") + 1
    services.stage_update(actor=org.manager, stage=stage, probability=65, name="样品评估")
    stage.refresh_from_db()
    assert (stage.name, stage.probability) == ("样品评估", 65)
    with pytest.raises(ValidationError):
        services.stage_update(actor=org.manager, stage=stage, probability="-1")
    ids = [s.pk for s in stages_of()]
    services.stage_reorder(actor=org.manager, pipeline=pipeline, stage_ids=list(reversed(ids)))
    assert [s.pk for s in stages_of()] == list(reversed(ids))
    with pytest.raises(ValidationError):
        services.stage_reorder(actor=org.manager, pipeline=pipeline, stage_ids=ids[:-1])
    with pytest.raises(ValidationError):
        services.stage_reorder(actor=org.manager, pipeline=pipeline, stage_ids=[*ids[:-1], "x"])


def test_a_stage_with_opportunities_is_deleted_only_by_moving_them(org: Any) -> None:
    stages = stages_of()
    opportunity = make_opportunity(actor=org.east_rep)
    services.opportunity_delete(
        actor=org.east_rep, opportunity=make_opportunity(actor=org.east_rep)
    )
    with pytest.raises(ValidationError) as caught:
        services.stage_delete(actor=org.manager, stage=stages[0])
    assert "2" in caught.value.field_errors["move_to"][0]
    won = next(s for s in stages if s.kind == StageKind.WON)
    with pytest.raises(ValidationError) as caught:
        services.stage_delete(actor=org.manager, stage=stages[0], move_to=won)
    assert caught.value.field_errors["move_to"] == [str(MOVE_TO_INVALID)]
    services.stage_delete(actor=org.manager, stage=stages[0], move_to=stages[1])
    opportunity.refresh_from_db()
    assert opportunity.stage == stages[1] and opportunity.version == 2
    assert Opportunity.objects.filter(stage=stages[1]).count() == 2  # the deleted one too
    history = StageHistory.objects.filter(opportunity=opportunity).get()
    assert history.to_stage is None and history.to_stage_name == "初步接洽"
    lost = next(s for s in stages if s.kind == StageKind.LOST)
    with pytest.raises(ValidationError) as caught:
        services.stage_delete(actor=org.manager, stage=lost)
    assert caught.value.field_errors["stage"] == [str(LAST_OF_KIND)]
