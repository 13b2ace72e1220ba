"""Lead imports through the import engine: Chinese headers and words, rules for rows
without an owner, bad rows reported, re-run matches on mobile/e-mail, undo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase
from django.utils import translation

from guanxi.leads import services
from guanxi.leads.models import Lead
from guanxi.platform.imports.services import import_start, import_undo
from guanxi.platform.models import ImportRun, Job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Path) -> Any:
    settings.DATA_DIR = tmp_path / "data"
    with translation.override("en"):
        yield


def _file(tmp_path: Path, text: str, name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _start(actor: Any, path: Path, **options: Any) -> ImportRun:
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = import_start(actor=actor, path=path, file_name=path.name, target="leads", **options)
    run.refresh_from_db()
    run.job.refresh_from_db()
    assert run.job.status == Job.Status.SUCCEEDED, run.job.message
    return run


def test_import_leads(org: Any, tmp_path: Path) -> None:
    services.assignment_rule_save(
        actor=org.admin,
        team=org.sales_dept,  # the manager's team: rows without an owner follow it
        method="region",
        members=[org.east_rep.pk],
        targets=[("浙江", org.east_rep2.pk)],
    )
    path = _file(
        tmp_path,
        "姓名,公司名称,手机,邮箱,省份,来源,状态,负责人,备注\n"
        "陈晓明,杭州云栖科技有限公司,138 1234 5678,chen@yunqi.cn,浙江,展会,,,展会名片\n"
        "刘芳,上海某某贸易,13900001111,,上海,官网,已联系,east2,\n"
        "坏号码,某公司,12345,,,,,,\n"
        "坏邮箱,某公司,,x@,,,,,\n"
        "坏来源,某公司,,,,电视,,,\n"
        ",没有名字,,,,,,,\n"
        "别人,某公司,,,,,,nobody,\n",
    )
    run = _start(org.manager, path, batch_size=1)
    assert run.summary["created"] == 2
    assert run.summary["failed"] == 5
    chen = Lead.objects.get(name="陈晓明")
    assert chen.mobile == "+8613812345678"
    assert chen.source == "exhibition"
    assert chen.owner == org.east_rep2  # 浙江 -> east2 by the region rule
    assert chen.team == org.east  # filed under the owner's group
    liu = Lead.objects.get(name="刘芳")
    assert (liu.source, liu.status, liu.owner) == ("web_form", "contacted", org.east_rep2)
    assert liu.team == org.east

    rerun = _start(
        org.manager,
        _file(tmp_path, "姓名,手机,职位\n陈晓明,13812345678,采购经理\n", "again.csv"),
        policy="fill",
    )
    assert rerun.summary["created"] == 0
    chen.refresh_from_db()
    assert chen.title == "采购经理"

    import_undo(actor=org.manager, run=run)
    assert not Lead.objects.filter(deleted_at=None, name="刘芳").exists()


def test_rep_import_defaults_to_the_pool_and_cannot_assign_others(org: Any, tmp_path: Path) -> None:
    path = _file(tmp_path, "姓名,负责人\n甲,\n乙,east2\n丙,east1\n")
    run = _start(org.east_rep, path, batch_size=1)
    assert run.summary["created"] == 2 and run.summary["failed"] == 1
    assert Lead.objects.get(name="甲").owner is None
    assert Lead.objects.get(name="丙").owner == org.east_rep
    assert Lead.objects.get(name="甲").source == "import"
