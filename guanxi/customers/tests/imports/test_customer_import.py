"""Importing customers and contacts end to end: files, dedupe policies, batches, undo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import TestCase
from python_calamine import CalamineWorkbook

from guanxi.customers.models import Contact, Customer
from guanxi.customers.services import customer_create
from guanxi.customers.services.customers import customer_search_text
from guanxi.platform.exceptions import NotFound
from guanxi.platform.imports.reading import ImportFileError
from guanxi.platform.imports.services import (
    import_error_report_get,
    import_mapping_save,
    import_preview,
    import_start,
    import_undo,
)
from guanxi.platform.models import AuditEntry, ImportRun, Job

HEADER = "客户名称,手机,邮箱,所属销售,行业,生日\n"


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"


def csv_file(tmp_path: Path, body: str, *, encoding: str = "utf-8", name: str = "c.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode(encoding))
    return path


def start(actor: Any, path: Path, *, target: str = "customers", **options: Any) -> ImportRun:
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = import_start(actor=actor, path=path, file_name=path.name, target=target, **options)
    run.refresh_from_db()
    run.job.refresh_from_db()
    assert run.job.status == Job.Status.SUCCEEDED, run.job.message
    return run


def names() -> list[str]:
    return sorted(Customer.objects.filter(deleted_at__isnull=True).values_list("name", flat=True))


def test_gbk_file_creates_customers_through_the_service(org: Any, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "北京华夏科技,138 1234 5678,info@huaxia.cn,张三,软件,2024年3月5日\n"
        "上海东方贸易,+86 139-1234-5678,,east2,贸易,2024/3/6\n",
        encoding="gbk",
    )
    run = start(org.admin, path)
    assert run.summary["created"] == 2 and run.summary["failed"] == 0
    huaxia = Customer.objects.get(name="北京华夏科技")
    assert huaxia.phones == ["+8613812345678"] and huaxia.emails == ["info@huaxia.cn"]
    assert huaxia.owner == org.east_rep and huaxia.industry == "软件"
    assert str(huaxia.birthday) == "2024-03-05"
    assert huaxia.search_text == customer_search_text(huaxia)
    assert Customer.objects.get(name="上海东方贸易").owner == org.east_rep2
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "customers.customer.created",
        "platform.import.started",
        "platform.import.finished",
    } <= actions


def test_preview_reports_rows_and_writes_nothing(org: Any, tmp_path: Path) -> None:
    customer_create(actor=org.admin, name="已有客户", phones=["13800000000"])
    path = csv_file(tmp_path, "新客户,13812345678,,,,\n已有客户,,,,,\n坏行,123,bad@,无此人,,明天\n")
    before = Customer.objects.count()
    result = import_preview(actor=org.admin, path=path, target="customers")
    assert (result["created"], result["skipped"], result["failed"]) == (1, 1, 1)
    message = result["errors"][0]["message"]
    assert result["errors"][0]["row"] == 4
    for part in ("not a valid phone", "not a valid e-mail", "No active user", "not a date"):
        assert part in message
    assert Customer.objects.count() == before
    assert not AuditEntry.objects.filter(
        action="customers.customer.created", object_repr="新客户"
    ).exists()


def test_a_bad_row_fails_its_whole_batch_and_other_batches_land(org: Any, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path, "甲,13800000001,,,,\n乙,12,,,,\n丙,13800000003,,,,\n丁,13800000004,,,,\n"
    )
    run = start(org.admin, path, batch_size=2)
    assert names() == ["丁", "丙"]
    assert run.summary["failed"] == 2 and run.summary["created"] == 2
    messages = {error["row"]: error["message"] for error in run.summary["errors"]}
    assert "same batch" in messages[2] and "phone" in messages[3]


def test_whole_file_option_lands_nothing_when_any_row_is_bad(org: Any, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "甲,13800000001,,,,\n乙,13800000002,,,,\n丙,bad,,,,\n")
    run = start(org.admin, path, batch_size=1, is_all_or_nothing=True)
    assert names() == []
    assert run.summary["failed"] == 3 and run.summary["created"] == 0


def test_values_too_long_ragged_rows_and_formulas_go_to_the_error_report(
    org: Any, tmp_path: Path
) -> None:
    path = csv_file(
        tmp_path,
        "好客户,13800000001,,,,\n"
        + "长" * 201
        + ',,,,,\n=HYPERLINK("http://x"),abc,,,,\n多,,,,,,多余\n',
    )
    run = start(org.admin, path, batch_size=1)
    assert names() == ["好客户"] and run.summary["failed"] == 3
    report = import_error_report_get(actor=org.admin, run_id=run.pk)
    rows = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    assert rows[0][-1] == "错误 / error"
    assert rows[1][0] == "长" * 201 and "too long" in rows[1][-1]
    assert rows[2][0] == '\'=HYPERLINK("http://x")'
    assert "more cells than the header" in rows[3][-1]
    with pytest.raises(NotFound):
        import_error_report_get(actor=org.east_rep, run_id=run.pk)


@pytest.mark.parametrize(
    ("policy", "expected_industry", "expected_phones", "count"),
    [
        ("skip", "", ["+8613800000001"], 1),
        ("fill", "软件", ["+8613800000001"], 1),
        ("overwrite", "软件", ["+8613800000001", "+8613900000009"], 1),
        ("create", "", ["+8613800000001"], 3),
    ],
)
def test_dedupe_policies(org: Any, tmp_path: Path, policy: str, expected_industry: str,
                         expected_phones: list[str], count: int) -> None:  # fmt: skip
    existing = customer_create(actor=org.admin, name="华夏科技", phones=["13800000001"])
    path = csv_file(tmp_path, "华夏科技,13800000001,,,软件,\n华夏科技,13900000009,,,,\n")
    start(org.admin, path, policy=policy)
    existing.refresh_from_db()
    assert existing.industry == expected_industry
    assert existing.phones == expected_phones
    assert Customer.objects.filter(name="华夏科技").count() == count


def test_names_match_pinyin_and_width_insensitively(org: Any, tmp_path: Path) -> None:
    customer_create(actor=org.admin, name="ABC 科技")
    path = csv_file(tmp_path, "ＡＢＣ科技,,,,,\n")
    run = start(org.admin, path)
    assert run.summary["skipped"] == 1 and Customer.objects.count() == 1


def test_duplicates_within_the_file(org: Any, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "甲公司,13800000001,,,,\n乙公司,13800000001,,,,\n甲公司,,,,零售,\n")
    run = start(org.admin, path, policy="fill")
    assert names() == ["甲公司"]
    assert Customer.objects.get().industry == "零售"
    assert (run.summary["created"], run.summary["updated"]) == (1, 1)


def test_a_re_run_of_the_same_file_creates_no_duplicates(org: Any, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "甲,13800000001,,,,\n乙,13800000002,,,,\n")
    start(org.admin, path, policy="create")
    second = start(org.admin, path, policy="create")
    assert names() == ["乙", "甲"] and second.summary["skipped"] == 2


def test_undo_deletes_what_was_created_and_restores_what_was_updated(
    org: Any, tmp_path: Path
) -> None:
    existing = customer_create(actor=org.admin, name="老客户", industry="旧行业")
    path = csv_file(tmp_path, "老客户,,,,新行业,\n新客户,,,,,\n")
    run = start(org.admin, path, policy="overwrite")
    existing.refresh_from_db()
    assert existing.industry == "新行业"
    with pytest.raises(NotFound):
        import_undo(actor=org.east_rep, run=run)
    import_undo(actor=org.admin, run=run)
    existing.refresh_from_db()
    assert existing.industry == "旧行业"
    assert Customer.objects.get(name="新客户").deleted_at is not None
    assert AuditEntry.objects.filter(action="platform.import.undone").exists()


def test_bad_files_are_refused_before_anything_starts(org: Any, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(ImportFileError):
        import_start(actor=org.admin, path=path, file_name="x.csv", target="customers")
    assert not ImportRun.objects.exists() and not Job.objects.exists()


def test_saved_mapping_and_hubspot_preset(org: Any, tmp_path: Path) -> None:
    path = tmp_path / "hubspot.csv"
    path.write_text(
        "Record ID,Company name,Company owner,Phone Number,City\n1,Acme,east1,13800000001,杭州\n"
    )
    result = import_preview(actor=org.admin, path=path, target="customers", preset="hubspot")
    assert result["mapping"]["Company owner"] == "owner" and result["created"] == 1
    import_mapping_save(actor=org.admin, name="我的映射", target="customers",
                        mapping={"Company name": "name", "City": "city"})  # fmt: skip
    run = start(org.admin, path, saved_mapping="我的映射")
    acme = Customer.objects.get(name="Acme")
    assert acme.city == "杭州" and acme.phones == [] and run.summary["created"] == 1


def test_wukong_layout(org: Any, tmp_path: Path) -> None:
    path = tmp_path / "wukong.csv"
    path.write_text(
        "客户名称,客户级别,客户来源,手机,负责人\n悟空客户,A,展会,13800000001,张三\n",
        encoding="utf-8-sig",
    )
    start(org.admin, path, preset="wukong")
    customer = Customer.objects.get(name="悟空客户")
    assert (customer.grade, customer.source, customer.owner) == ("A", "展会", org.east_rep)


def test_contacts_from_vcard_matched_to_customers(org: Any, tmp_path: Path) -> None:
    customer_create(actor=org.admin, name="北京华夏科技")
    path = tmp_path / "c.vcf"
    path.write_text(
        "BEGIN:VCARD\nVERSION:3.0\nFN:张三\nORG:北京华夏科技\nTEL:13812345678\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:4.0\nFN:李四\nORG:不存在的公司\nEND:VCARD\n"
    )
    run = start(org.admin, path, target="contacts", batch_size=1)
    assert run.summary["created"] == 1 and run.summary["failed"] == 1
    contact = Contact.objects.get()
    assert contact.customer.name == "北京华夏科技" and contact.phones == ["+8613812345678"]
    assert "No customer" in run.summary["errors"][0]["message"]


def test_cli_dry_run_and_import(org: Any, tmp_path: Path, capsys: Any) -> None:
    path = csv_file(tmp_path, "甲,13800000001,,,,\n乙,bad,,,,\n")
    call_command("import", str(path), "--target", "customers", "--dry-run", "--as", "boss")
    assert "Dry run" in capsys.readouterr().out and Customer.objects.count() == 0
    call_command("import", str(path), "--batch-size", "1", "--as", "boss")
    output = capsys.readouterr().out
    assert "导入完成" in output and "error report" in output
    assert names() == ["甲"]


def test_tags_by_name(org: Any, tmp_path: Path) -> None:
    from guanxi.customers.services import tag_create

    vip = tag_create(actor=org.admin, name="VIP")
    path = tmp_path / "tags.csv"
    path.write_text("客户名称,标签\n甲,vip\n乙,VIP；不存在\n")
    run = start(org.admin, path, batch_size=1)
    assert list(Customer.objects.get(name="甲").tags.all()) == [vip]
    assert "Unknown tag" in run.summary["errors"][0]["message"]
    assert names() == ["甲"]


def test_xlsx_with_typed_cells(org: Any, tmp_path: Path) -> None:
    import datetime

    import xlsxwriter

    path = tmp_path / "客户.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["公司名称", "手机号", "生日", "负责人"])
    sheet.write_row(1, 0, ["表格客户", 13812345678])
    date_format = workbook.add_format({"num_format": "yyyy年m月d日"})
    sheet.write_datetime(1, 2, datetime.datetime(1990, 5, 17), date_format)
    sheet.write_string(1, 3, "李四")
    sheet.write_row(2, 0, ["序列号日期", "", 45321, "east1"])
    workbook.close()
    run = start(org.admin, path)
    assert run.summary["created"] == 2, run.summary
    first = Customer.objects.get(name="表格客户")
    assert first.phones == ["+8613812345678"] and str(first.birthday) == "1990-05-17"
    assert first.owner == org.east_rep2
    assert str(Customer.objects.get(name="序列号日期").birthday) == "2024-01-30"
