"""The fast path of customer imports: key index, bulk creation, constant query count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers.imports import CustomerImportAdapter
from guanxi.customers.models import Customer
from guanxi.customers.services import customer_create, customer_create_many, customer_delete
from guanxi.customers.services.customers import customer_search_text
from guanxi.platform.exceptions import PermissionDenied
from guanxi.platform.imports.engine import ImportEngine, ImportOptions
from guanxi.platform.imports.reading import open_table
from guanxi.platform.imports.targets import BatchInvalid
from guanxi.platform.models import AuditEntry

MAPPING = {"客户名称": "name", "手机": "phones", "邮箱": "emails", "所属销售": "owner"}


def run_import(actor: Any, tmp_path: Path, body: str, **options: Any) -> dict[str, Any]:
    path = tmp_path / "c.csv"
    path.write_text("客户名称,手机,邮箱,所属销售\n" + body, encoding="utf-8")
    engine = ImportEngine(
        actor=actor,
        adapter=CustomerImportAdapter(),
        table=open_table(path),
        options=ImportOptions(target="customers", mapping=MAPPING, **options),
    )
    return engine.execute().as_dict()


def test_bulk_create_writes_customers_tags_search_text_and_one_audit_entry_each(
    org: Any,
) -> None:
    created = customer_create_many(
        actor=org.admin,
        rows=[
            {"name": "杭州云栖科技", "phones": ["13812345678"], "owner": org.east_rep.pk},
            {"name": "王芳", "emails": ["Wang@Example.CN"]},
        ],
    )
    first, second = (Customer.objects.get(pk=c.pk) for c in created)
    assert (first.owner, first.team) == (org.east_rep, org.east_rep.team)
    assert first.phones == ["+8613812345678"] and first.name_pinyin == "hangzhouyunqikeji"
    assert first.search_text == customer_search_text(first)
    assert second.owner == org.admin and second.emails == ["Wang@example.cn"]
    entries = AuditEntry.objects.filter(action="customers.customer.created")
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(str(c.pk) for c in created)
    assert entries.get(object_id=str(first.pk)).changes["after"]["name"] == "杭州云栖科技"


def test_bulk_create_names_every_bad_row_and_writes_nothing(org: Any) -> None:
    with pytest.raises(BatchInvalid) as caught:
        customer_create_many(
            actor=org.admin,
            rows=[
                {"name": "好客户"},
                {"name": "", "phones": ["123"]},
                {"name": "坏负责人", "owner": 999_999},
                {"name": "坏等级", "grade": "X"},
            ],
        )
    assert sorted(caught.value.problems) == [1, 2, 3]
    assert "owner" in caught.value.problems[2].field_errors
    assert "grade" in caught.value.problems[3].field_errors
    assert not Customer.objects.exists()
    assert not AuditEntry.objects.filter(action="customers.customer.created").exists()


def test_bulk_create_keeps_the_permission_and_assignment_rules(org: Any) -> None:
    with pytest.raises(PermissionDenied):
        customer_create_many(actor=org.service_agent, rows=[{"name": "客服建的"}])
    with pytest.raises(BatchInvalid) as caught:
        customer_create_many(actor=org.east_rep, rows=[{"name": "给别人", "owner": org.west_rep}])
    assert "owner" in caught.value.problems[0].field_errors


def test_rows_match_existing_customers_by_phone_email_and_pinyin_name(
    org: Any, tmp_path: Path
) -> None:
    customer_create(actor=org.admin, name="北京华夏", phones=["13900000001"])
    customer_create(actor=org.admin, name="某公司", emails=["boss@a.cn"])
    customer_create(actor=org.admin, name="張三")
    gone = customer_create(actor=org.admin, name="已删除", phones=["13900000009"])
    customer_delete(actor=org.admin, customer=gone)
    summary = run_import(
        org.admin,
        tmp_path,
        "新名字,139 0000 0001,,\n"
        "另一个,,BOSS@a.cn,\n"
        "张三,,,\n"
        "已删除的号码,13900000009,,\n"
        "全新,13700000000,,\n",
    )
    assert (summary["skipped"], summary["created"]) == (3, 2)
    with_that_phone = [c for c in Customer.objects.all() if "+8613900000009" in c.phones]
    assert len(with_that_phone) == 2


def test_a_row_matching_an_earlier_row_of_the_same_batch_is_a_duplicate(
    org: Any, tmp_path: Path
) -> None:
    summary = run_import(org.admin, tmp_path, "甲,13700000001,,\n乙,137 0000 0001,,\n")
    assert (summary["created"], summary["skipped"]) == (1, 1)


def test_queries_do_not_grow_with_the_number_of_rows(org: Any, tmp_path: Path) -> None:
    def queries_for(rows: int) -> int:
        Customer.objects.all().delete()
        body = "".join(f"客户{n},137{n:08d},c{n}@x.cn,east1\n" for n in range(rows))
        with CaptureQueriesContext(connection) as captured:
            summary = run_import(org.admin, tmp_path, body, batch_size=1000)
        assert summary["created"] == rows, summary["errors"][:3]
        return len(captured.captured_queries)

    # Multi-row INSERTs are split by the database's parameter limit (SQLite: a few
    # dozen customers a statement), never one statement per customer.
    assert queries_for(300) - queries_for(30) <= 270 // 20


def test_the_key_scan_reads_every_customer_across_chunks(
    org: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from guanxi.customers import imports

    monkeypatch.setattr(imports, "KEY_SCAN_CHUNK", 2)
    for n in range(5):
        customer_create(actor=org.admin, name=f"老客户{n}", phones=[f"1390000000{n}"])
    body = "".join(f"新名字{n},1390000000{n},,\n" for n in range(5))
    assert run_import(org.admin, tmp_path, body)["skipped"] == 5


def test_a_rolled_back_batch_does_not_hide_later_duplicates(org: Any, tmp_path: Path) -> None:
    """Batch 1 fails (bad phone), so its rows are not kept; the same customer in batches
    2 and 3 is then created once and recognised once."""
    body = "甲,13700000001,,\n坏,123,,\n甲二,13700000001,,\n乙,13700000002,,\n甲三,13700000001,,\n"
    summary = run_import(org.admin, tmp_path, body, batch_size=2)
    assert (summary["created"], summary["skipped"], summary["failed"]) == (2, 1, 2)
    with_phone = [c for c in Customer.objects.all() if "+8613700000001" in c.phones]
    assert len(with_phone) == 1


def test_the_error_report_lists_every_failed_row_while_memory_keeps_only_the_first(
    org: Any, tmp_path: Path, settings: Any, monkeypatch: Any
) -> None:
    from django.test import TestCase
    from python_calamine import CalamineWorkbook

    from guanxi.platform.imports import engine
    from guanxi.platform.imports.services import _failed_rows, import_start

    settings.DATA_DIR = tmp_path / "data"
    monkeypatch.setattr(engine, "MAX_LISTED_ERRORS", 2)
    path = tmp_path / "bad.csv"
    path.write_text(
        "客户名称,手机\n" + "".join(f"坏{n},12{n}\n" for n in range(5)) + "好,13700000009\n",
        encoding="utf-8",
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = import_start(actor=org.admin, path=path, file_name="bad.csv", target="customers")
    run.refresh_from_db()
    assert run.summary["failed"] == 6 and len(run.summary["errors"]) == 2
    assert [number for number, _m in _failed_rows(run, chunk=2)] == [2, 3, 4, 5, 6, 7]
    sheet = CalamineWorkbook.from_path(run.error_report).get_sheet_by_index(0).to_python()
    assert [row[0] for row in sheet[1:]] == ["坏0", "坏1", "坏2", "坏3", "坏4", "好"]


def test_bulk_create_refuses_tags_that_are_not_tags(org: Any) -> None:
    with pytest.raises(BatchInvalid) as caught:
        customer_create_many(actor=org.admin, rows=[{"name": "甲", "tags": ["not-an-id"]}])
    assert "tags" in caught.value.problems[0].field_errors
    assert not Customer.objects.exists()
