"""Importing follow-ups (interactions) and tags through the import services and the CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import TestCase

from guanxi.customers.imports_activity import parse_colour, parse_datetime
from guanxi.customers.models import Customer, Interaction, Tag
from guanxi.customers.services import (
    contact_create,
    customer_create,
    interaction_create,
    tag_create,
    tag_group_create,
)
from guanxi.platform.imports.services import import_preview, import_start, import_undo
from guanxi.platform.imports.values import ImportValueError
from guanxi.platform.models import AuditEntry, ImportRun, Job

SHANGHAI = ZoneInfo("Asia/Shanghai")
INTERACTION_HEADER = "客户名称,联系人,跟进方式,跟进时间,跟进内容,下次跟进时间,跟进人\n"


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def start(actor: Any, path: Path, *, target: str, **options: Any) -> ImportRun:
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = import_start(actor=actor, path=path, file_name=path.name, target=target, **options)
    run.refresh_from_db()
    run.job.refresh_from_db()
    assert run.job.status == Job.Status.SUCCEEDED, run.job.message
    return run


def live_interactions() -> list[Interaction]:
    return list(Interaction.objects.filter(deleted_at__isnull=True).order_by("occurred_at", "pk"))


@pytest.fixture
def customers(org: Any) -> dict[str, Customer]:
    huaxia = customer_create(actor=org.admin, name="北京华夏科技", owner=org.east_rep.pk)
    dongfang = customer_create(actor=org.admin, name="上海东方贸易", owner=org.east_rep.pk)
    western = customer_create(actor=org.admin, name="成都西部物流", owner=org.west_rep.pk)
    contact_create(actor=org.admin, customer=huaxia, name="王经理")
    return {"huaxia": huaxia, "dongfang": dongfang, "western": western}


# --- interactions ----------------------------------------------------------------------


def test_gbk_follow_ups_are_created_through_the_service(
    org: Any, customers: dict[str, Customer], tmp_path: Path
) -> None:
    dongfang = customers["dongfang"]
    path = write(
        tmp_path,
        INTERACTION_HEADER
        + "北京华夏科技,王经理,电话,2024年3月5日 14:30,聊了报价,2024/3/12,east2\n"
        + f"{dongfang.pk},,上门拜访,2024/3/6,带样品去了工厂,,\n"
        + "上海东方贸易,,WeChat,2024-03-07 09:05,发了合同,,张三\n",
        encoding="gbk",
    )
    run = start(org.east_rep, path, target="interactions")
    assert run.summary["created"] == 3 and run.summary["failed"] == 0, run.summary
    call, visit, wechat = live_interactions()
    assert call.customer == customers["huaxia"] and call.contact.name == "王经理"
    assert call.kind == "call" and call.content == "聊了报价"
    assert call.occurred_at == dt.datetime(2024, 3, 5, 14, 30, tzinfo=SHANGHAI)
    assert call.next_follow_up_on == dt.date(2024, 3, 12)
    assert call.author == org.east_rep2
    assert visit.kind == "visit" and visit.customer == dongfang and visit.author == org.east_rep
    assert visit.occurred_at == dt.datetime(2024, 3, 6, tzinfo=SHANGHAI)
    assert wechat.kind == "wechat" and wechat.author == org.east_rep
    dongfang.refresh_from_db()
    assert dongfang.last_interaction_at == wechat.occurred_at
    assert AuditEntry.objects.filter(action="customers.interaction.created").count() == 3


def test_english_headers_and_words(
    org: Any, customers: dict[str, Customer], tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "Company,Contact Name,Activity Type,Date,Subject,Description,Owner\n"
        "北京华夏科技,王经理,Logged Call,3/5/2024 2:30 PM,Pricing,Sent the quote,east1\n"
        "北京华夏科技,,E-mail,2024-03-06T10:00:00+08:00,Follow-up,,east1\n"
        "北京华夏科技,,Meeting,45357.5,Kick-off,,east1\n",
    )
    preview = import_preview(actor=org.east_rep, path=path, target="interactions")
    assert preview["mapping"] == {
        "Company": "customer",
        "Contact Name": "contact",
        "Activity Type": "kind",
        "Date": "occurred_at",
        "Subject": "content",
        "Description": "content",
        "Owner": "author",
    }
    run = start(org.east_rep, path, target="interactions")
    assert run.summary["created"] == 3, run.summary
    call, email, meeting = live_interactions()
    assert (call.kind, call.content) == ("call", "Pricing\nSent the quote")
    assert call.occurred_at == dt.datetime(2024, 3, 5, 14, 30, tzinfo=SHANGHAI)
    assert email.kind == "email" and meeting.kind == "meeting"
    assert meeting.occurred_at == dt.datetime(2024, 3, 6, 12, 0, tzinfo=SHANGHAI)


def test_bad_rows_give_row_errors_and_nothing_is_half_written(
    org: Any, customers: dict[str, Customer], tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        INTERACTION_HEADER
        + "北京华夏科技,,电话,2024/3/5 10:00,好的一行,,\n"
        + "不存在的客户,,电话,2024/3/5,内容,,\n"
        + "北京华夏科技,,电话,明天下午,内容,,\n"
        + "北京华夏科技,,飞鸽传书,2024/3/5,内容,,\n"
        + "北京华夏科技,李四,电话,2024/3/5,内容,,\n"
        + "北京华夏科技,,电话,2024/3/5,,,\n"
        + "成都西部物流,,电话,2024/3/5,别人的客户,,\n"
        + "北京华夏科技,,电话,2024/3/5,,下周,无此人\n",
    )
    run = start(org.east_rep, path, target="interactions")
    assert live_interactions() == []
    assert run.summary["created"] == 0 and run.summary["failed"] == 8
    messages = {error["row"]: error["message"] for error in run.summary["errors"]}
    assert "same batch" in messages[2]
    assert "No customer “不存在的客户” that you can see" in messages[3]
    assert "is not a date or time" in messages[4]
    assert "is not a kind of follow-up" in messages[5]
    assert "has no contact “李四”" in messages[6]
    assert "content of the follow-up is missing" in messages[7]
    assert "No customer “成都西部物流”" in messages[8]  # outside east1's scope
    assert "is not a date" in messages[9] and "No active user" in messages[9]


def test_same_customer_time_and_text_is_a_duplicate(
    org: Any, customers: dict[str, Customer], tmp_path: Path
) -> None:
    interaction_create(
        actor=org.admin,
        customer=customers["huaxia"],
        kind="call",
        content="报价 OK",
        occurred_at=dt.datetime(2024, 3, 5, 14, 30, tzinfo=SHANGHAI),
    )
    body = (
        INTERACTION_HEADER
        + "北京华夏科技,,电话,2024-03-05 14:30,报价 OK,2024/3/20,\n"  # exists
        + "北京华夏科技,,电话,2024-03-05 14:30,报价　ＯＫ,,\n"  # the same, width folded
        + "北京华夏科技,,电话,2024-03-05 15:00,报价 OK,,\n"  # another time
    )
    run = start(org.admin, write(tmp_path, body), target="interactions")
    assert (run.summary["created"], run.summary["skipped"]) == (1, 2), run.summary
    again = start(org.admin, write(tmp_path, body, name="again.csv"), target="interactions")
    assert again.summary["skipped"] == 3 and len(live_interactions()) == 2
    rerun = start(org.admin, write(tmp_path, body, name="again.csv"), target="interactions")
    assert rerun.summary["skipped"] == 3
    filled = start(
        org.admin, write(tmp_path, body, name="fill.csv"), target="interactions", policy="fill"
    )
    assert filled.summary["updated"] == 1, filled.summary
    first = live_interactions()[0]
    assert first.next_follow_up_on == dt.date(2024, 3, 20)
    import_undo(actor=org.admin, run=filled)
    first.refresh_from_db()
    assert first.next_follow_up_on is None


def test_undo_sends_imported_follow_ups_to_the_recycle_bin(
    org: Any, customers: dict[str, Customer], tmp_path: Path
) -> None:
    path = write(tmp_path, INTERACTION_HEADER + "北京华夏科技,,电话,2024/3/5 10:00,第一次,,\n")
    run = start(org.east_rep, path, target="interactions")
    assert len(live_interactions()) == 1
    import_undo(actor=org.east_rep, run=run)
    assert live_interactions() == []
    assert Interaction.objects.filter(deleted_at__isnull=False).count() == 1
    huaxia = Customer.objects.get(pk=customers["huaxia"].pk)
    assert huaxia.last_interaction_at is None
    assert AuditEntry.objects.filter(action="customers.interaction.deleted").count() == 1


def test_cli_imports_follow_ups(
    org: Any, customers: dict[str, Customer], tmp_path: Path, capsys: Any
) -> None:
    path = write(tmp_path, INTERACTION_HEADER + "北京华夏科技,,会议,2024/3/5 10:00,开会,,\n")
    call_command("import", str(path), "--target", "interactions", "--dry-run", "--as", "boss")
    assert "Dry run" in capsys.readouterr().out and live_interactions() == []
    call_command("import", str(path), "--target", "interactions", "--as", "boss")
    assert "导入完成" in capsys.readouterr().out
    assert [i.kind for i in live_interactions()] == ["meeting"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024/3/5 14:30", dt.datetime(2024, 3, 5, 14, 30)),
        ("2024年3月5日14:30", dt.datetime(2024, 3, 5, 14, 30)),
        ("2024年3月5日 下午2点30分", dt.datetime(2024, 3, 5, 14, 30)),
        ("2024-03-05 14时30分", dt.datetime(2024, 3, 5, 14, 30)),
        ("3/5/2024 12:15 AM", dt.datetime(2024, 3, 5, 0, 15)),
        ("２０２４－０３－０５　０９：０５", dt.datetime(2024, 3, 5, 9, 5)),
        ("2024/3/5", dt.datetime(2024, 3, 5)),
        ("45321", dt.datetime(2024, 1, 30)),
        ("45321.75", dt.datetime(2024, 1, 30, 18, 0)),
    ],
)
def test_parse_datetime(text: str, expected: dt.datetime) -> None:
    assert parse_datetime(text, SHANGHAI) == expected.replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize("text", ["明天", "2024/13/5 10:00", "2024/3/5 25:00", "3:00"])
def test_parse_datetime_refuses(text: str) -> None:
    with pytest.raises(ImportValueError):
        parse_datetime(text, SHANGHAI)


# --- tags ------------------------------------------------------------------------------


def test_tags_in_gbk_with_groups_and_colours(org: Any, tmp_path: Path) -> None:
    industry = tag_group_create(actor=org.admin, name="行业")
    tag_create(actor=org.admin, name="VIP", color="#d63939")
    path = write(
        tmp_path,
        "标签,标签组,颜色\n制造业,行业,绿色\nｖｉｐ,,\n零售,行业,#F76707\n",
        encoding="gbk",
    )
    run = start(org.manager, path, target="tags")
    assert (run.summary["created"], run.summary["skipped"]) == (2, 1), run.summary
    made = Tag.objects.get(name="制造业")
    assert made.group == industry and made.color == "#2fb344"
    assert Tag.objects.get(name="零售").color == "#f76707"
    assert Tag.objects.filter(name__iexact="vip").count() == 1
    assert AuditEntry.objects.filter(action="customers.tag.created").count() == 3


def test_tag_rows_with_errors_write_nothing(org: Any, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Tag,Group,Colour\nGood,,\nBad group,不存在,\nBad colour,,sparkly\n,,red\n"
        + "x" * 51
        + ",,\n",
    )
    run = start(org.admin, path, target="tags")
    assert Tag.objects.count() == 0 and run.summary["failed"] == 5
    messages = {error["row"]: error["message"] for error in run.summary["errors"]}
    assert "No tag group “不存在”" in messages[3]
    assert "is not a colour" in messages[4]
    assert "tag name is missing" in messages[5]
    assert "too long" in messages[6]


def test_tags_need_the_manage_tags_permission(org: Any, tmp_path: Path) -> None:
    run = start(org.east_rep, write(tmp_path, "标签\n新标签\n"), target="tags")
    assert Tag.objects.count() == 0
    assert "permission" in run.summary["errors"][0]["message"]


def test_tag_overwrite_and_undo(org: Any, tmp_path: Path) -> None:
    group = tag_group_create(actor=org.admin, name="等级")
    gold = tag_create(actor=org.admin, name="金牌", color="#f59f00")
    body = "标签,标签组,颜色\n金牌,等级,红色\n银牌,等级,灰色\n"
    run = start(org.admin, write(tmp_path, body), target="tags", policy="overwrite")
    assert (run.summary["created"], run.summary["updated"]) == (1, 1), run.summary
    gold.refresh_from_db()
    assert (gold.group, gold.color) == (group, "#d63939")
    import_undo(actor=org.admin, run=run)
    gold.refresh_from_db()
    assert (gold.group, gold.color) == (None, "#f59f00")
    assert list(Tag.objects.values_list("name", flat=True)) == ["金牌"]


def test_parse_colour() -> None:
    assert parse_colour("Red") == "#d63939" and parse_colour("abc") == "#aabbcc"
    with pytest.raises(ImportValueError):
        parse_colour("#12345")
