"""An import cancelled or killed half-way keeps whole batches only and can be re-run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from guanxi.customers.imports import CustomerImportAdapter
from guanxi.customers.models import Customer
from guanxi.platform.imports.engine import ImportEngine, ImportOptions
from guanxi.platform.imports.reading import open_table
from guanxi.platform.imports.services import import_run_execute
from guanxi.platform.jobs import JobCancelled
from guanxi.platform.models import ImportRun, ImportRunRow

BODY = "客户名称,手机\n" + "".join(f"客户{n},1380000{n:04d}\n" for n in range(1, 8))


def make_run(tmp_path: Path, org: Any) -> ImportRun:
    path = tmp_path / "c.csv"
    path.write_text(BODY)
    return ImportRun.objects.create(
        target="customers",
        file_name="c.csv",
        file_path=str(path),
        file_sha256="same-file",
        options={
            "mapping": {"客户名称": "name", "手机": "phones"},
            "policy": "create",
            "batch_size": 3,
            "is_all_or_nothing": False,
        },
        created_by=org.admin,
    )


def test_a_cancel_keeps_whole_batches_and_a_re_run_finishes_without_duplicates(
    org: Any, tmp_path: Path, settings: Any
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    first = make_run(tmp_path, org)
    calls = []

    def cancel_after_first_batch(count: int) -> None:
        calls.append(count)
        raise JobCancelled

    engine = ImportEngine(
        actor=org.admin,
        adapter=CustomerImportAdapter(),
        table=open_table(first.file_path),
        options=ImportOptions(target="customers", **first.options),
        run=first,
        progress=cancel_after_first_batch,
    )
    with pytest.raises(JobCancelled):
        engine.execute()
    assert calls == [3] and Customer.objects.count() == 3
    assert ImportRunRow.objects.filter(run=first).count() == 3

    second = make_run(tmp_path, org)
    summary = import_run_execute(run=second)
    assert (summary["created"], summary["skipped"]) == (4, 3)
    assert Customer.objects.count() == 7


def test_a_crash_inside_a_batch_rolls_that_batch_back(
    org: Any, tmp_path: Path, settings: Any, monkeypatch: Any
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    first = make_run(tmp_path, org)
    original = CustomerImportAdapter.create_many

    def crash_on_fifth(
        self: Any, *, actor: Any, records: list[dict[str, Any]], context: Any
    ) -> Any:
        created = original(self, actor=actor, records=records, context=context)
        if any(record["name"] == "客户5" for record in records):
            raise RuntimeError("worker killed after writing part of the batch")
        return created

    monkeypatch.setattr(CustomerImportAdapter, "create_many", crash_on_fifth)
    with pytest.raises(RuntimeError):
        import_run_execute(run=first)
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["客户1", "客户2", "客户3"]
    monkeypatch.setattr(CustomerImportAdapter, "create_many", original)
    import_run_execute(run=make_run(tmp_path, org))
    assert Customer.objects.count() == 7
