"""POST /api/v1/imports (dry run 200 / job 202), poll, error report, undo, saved mappings."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from python_calamine import CalamineWorkbook

from guanxi.customers.models import Customer, Interaction, Tag
from guanxi.customers.services import customer_create
from guanxi.platform.models import ImportMapping, ImportRun
from guanxi.platform.testing.api_client import ApiClient, assert_problem

HEADER = "客户名称,跟进方式,跟进时间,跟进内容\n"


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture(autouse=True)
def _english_users(db: Any, request: Any) -> None:
    """The API answers in each user's language: English here, so msgids can be asserted
    (test_bad_files_are_422_with_a_clear_message keeps Chinese on purpose)."""
    if not request.node.name.startswith("test_bad_files"):
        from guanxi.accounts.models import User

        request.getfixturevalue("org")
        User.objects.update(language="en")


@pytest.fixture
def huaxia(org: Any) -> Customer:
    return customer_create(actor=org.admin, name="北京华夏科技", owner=org.east_rep.pk)


def upload(
    api: ApiClient,
    content: bytes,
    *,
    name: str = "follow-ups.csv",
    **fields: Any,
) -> Any:
    """Multipart POST; the job (started after commit) runs before this returns."""
    data = {"file": SimpleUploadedFile(name, content), **fields}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api.client.post("/api/v1/imports", data=data, headers=api.headers)


def finished(api: ApiClient, response: Any) -> dict[str, Any]:
    """The run as GET answers it once its job has run."""
    assert response.status_code == 202, response.content
    return api.get(f"/api/v1/imports/{response.json()['id']}").json()


def gbk(body: str) -> bytes:
    return (HEADER + body).encode("gbk")


def live_interactions() -> list[Interaction]:
    return list(Interaction.objects.filter(deleted_at__isnull=True).order_by("occurred_at"))


def test_dry_run_answers_200_with_the_preview_and_writes_nothing(
    org: Any, huaxia: Customer, api_as: Any
) -> None:
    response = upload(
        api_as(org.east_rep),
        gbk("北京华夏科技,电话,2024/3/5 10:00,聊了报价\n无此客户,电话,2024/3/5,内容\n"),
        target="interactions",
        dry_run="true",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["kind"] == "csv" and body["encoding"].lower() in {"gbk", "gb18030", "gb2312"}
    assert body["headers"] == ["客户名称", "跟进方式", "跟进时间", "跟进内容"]
    assert body["mapping"]["跟进时间"] == "occurred_at"
    assert set(body["fields"]) >= {"customer", "kind", "occurred_at", "content", "author"}
    assert (body["created"], body["failed"]) == (1, 1)
    assert body["errors"][0]["row"] == 3 and "No customer" in body["errors"][0]["message"]
    assert live_interactions() == [] and ImportRun.objects.count() == 0


def test_import_202_poll_errors_report_undo(org: Any, huaxia: Customer, api_as: Any) -> None:
    api = api_as(org.east_rep)
    response = upload(
        api,
        gbk("北京华夏科技,拜访,2024/3/5 10:00,第一次\n北京华夏科技,飞鸽,2024/3/6,第二次\n"),
        target="interactions",
        batch_size="1",
    )
    assert response.status_code == 202, response.content
    started = response.json()
    assert response["Location"] == started["links"]["self"]
    assert started["job_id"] and started["policy"] == "skip"

    detail = api.get(f"/api/v1/imports/{started['id']}").json()
    assert detail["status"] == "succeeded" and detail["percent"] == 100
    assert (detail["done"], detail["total"]) == (2, 2)
    assert detail["summary"] == {"created": 1, "updated": 0, "skipped": 0, "failed": 1}
    assert detail["errors"][0]["row"] == 3 and "not a kind" in detail["errors"][0]["message"]
    assert [i.kind for i in live_interactions()] == ["visit"]

    listed = api.get("/api/v1/imports?limit=1").json()
    assert [item["id"] for item in listed["items"]] == [started["id"]]

    report = api.get(f"/api/v1/imports/{started['id']}/errors.xlsx")
    assert report.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(report.streaming_content)))
    sheet = rows.get_sheet_by_index(0).to_python()
    assert sheet[1][1] == "飞鸽" and "not a kind" in sheet[1][-1]
    assert detail["links"]["errors_xlsx"].endswith(f"/api/v1/imports/{started['id']}/errors.xlsx")

    undone = api.post(f"/api/v1/imports/{started['id']}/undo")
    assert undone.status_code == 200, undone.content
    assert undone.json()["undone_at"] is not None and live_interactions() == []
    assert_problem(api.post(f"/api/v1/imports/{started['id']}/undo"), 409)


def test_other_users_see_404(org: Any, huaxia: Customer, api_as: Any) -> None:
    response = upload(
        api_as(org.east_rep),
        gbk("北京华夏科技,电话,2024/3/5,有\n北京华夏科技,电话,坏日期,无\n"),
        target="interactions",
        batch_size="1",
    )
    run_id = response.json()["id"]
    other = api_as(org.east_rep2)
    assert_problem(other.get(f"/api/v1/imports/{run_id}"), 404)
    assert_problem(other.get(f"/api/v1/imports/{run_id}/errors.xlsx"), 404)
    assert_problem(other.post(f"/api/v1/imports/{run_id}/undo"), 404)
    assert other.get("/api/v1/imports").json()["items"] == []
    assert_problem(api_as(None).get(f"/api/v1/imports/{run_id}"), 401)


def test_tags_in_utf8_and_a_re_run_skips(org: Any, api_as: Any) -> None:
    api = api_as(org.manager)
    content = "标签,颜色\nVIP,红色\n老客户,\n".encode()
    first = finished(api, upload(api, content, name="tags.csv", target="tags"))
    assert first["summary"]["created"] == 2
    again = finished(api, upload(api, content, name="tags.csv", target="tags"))
    assert again["summary"] == {"created": 0, "updated": 0, "skipped": 2, "failed": 0}
    assert Tag.objects.get(name="VIP").color == "#d63939"
    assert_problem(upload(api_as(org.east_rep), content, target="tags"), 403)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"target": "planets"}, "target"),
        ({"target": "tags", "policy": "merge"}, "policy"),
        ({"target": "tags", "mapping": "{not json"}, "mapping"),
        ({"target": "tags", "mapping": '["a"]'}, "mapping"),
        ({"target": "tags", "mapping": '{"标签": "planet"}'}, "mapping"),
        ({"target": "tags", "saved_mapping": "none such"}, "saved_mapping"),
        ({"target": "tags", "batch_size": "0"}, "batch_size"),
        ({"target": "tags", "preset": "sugarcrm"}, "preset"),
        ({}, "target"),
    ],
)
def test_bad_fields_are_422_field_errors(
    org: Any, api_as: Any, fields: dict[str, str], field: str
) -> None:
    body = assert_problem(upload(api_as(org.admin), "标签\nVIP\n".encode(), **fields), 422)
    assert field in body["errors"], body
    assert Tag.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"\x00\x01\x02binary\xff\xfe" * 50, "fake.csv", "不是表格或文本文件"),
        (b"", "empty.csv", "文件为空"),
        ("标签\n".encode(), "header-only.csv", "没有数据行"),
        (b"PK\x03\x04" + b"\x00" * 100, "fake.xlsx", "ZIP 压缩包"),
    ],
)
def test_bad_files_are_422_with_a_clear_message(
    org: Any, api_as: Any, content: bytes, name: str, words: str
) -> None:
    for dry_run in ("true", "false"):
        body = assert_problem(
            upload(api_as(org.admin), content, name=name, target="tags", dry_run=dry_run), 422
        )
        assert words in body["detail"] and body["errors"]["file"] == [body["detail"]], body
    assert ImportRun.objects.count() == 0


def test_size_limit_is_422(org: Any, api_as: Any, settings: Any) -> None:
    settings.GUANXI_IMPORT_MAX_BYTES = 100
    body = assert_problem(
        upload(api_as(org.admin), ("标签\n" + "VIP\n" * 100).encode(), target="tags"), 422
    )
    assert "larger than the limit" in body["errors"]["file"][0]


def test_size_limit_applies_while_the_upload_arrives(
    org: Any, api_as: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    stored: list[int] = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def counting(self: Any, raw_data: bytes, start: int) -> Any:
        stored.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
    settings.GUANXI_IMPORT_MAX_BYTES = 100 * 1024
    body = assert_problem(
        upload(api_as(org.admin), ("标签\n" + "VIP\n" * 1_000_000).encode(), target="tags"), 422
    )
    assert "larger than the limit of 0.1 MB" in body["errors"]["file"][0]
    assert 0 < sum(stored) <= 100 * 1024
    assert ImportRun.objects.count() == 0


def test_missing_file_is_422(org: Any, api_as: Any) -> None:
    api = api_as(org.admin)
    response = api.client.post("/api/v1/imports", data={"target": "tags"}, headers=api.headers)
    assert "file" in assert_problem(response, 422)["errors"]


def test_saved_mappings_list_save_and_use(org: Any, huaxia: Customer, api_as: Any) -> None:
    api = api_as(org.east_rep)
    mapping = {"公司": "customer", "方式": "kind", "日期": "occurred_at", "说明": "content"}
    saved = api.post(
        "/api/v1/imports/mappings", {"name": "老系统", "target": "interactions", "mapping": mapping}
    )
    assert saved.status_code == 201, saved.content
    assert saved.json()["mapping"] == mapping
    listed = api.get("/api/v1/imports/mappings?target=interactions").json()["items"]
    assert [item["name"] for item in listed] == ["老系统"]
    assert api.get("/api/v1/imports/mappings?target=tags").json()["items"] == []
    assert_problem(api.get("/api/v1/imports/mappings?target=planets"), 422)
    bad = api.post(
        "/api/v1/imports/mappings", {"name": "x", "target": "interactions", "mapping": {"a": "b"}}
    )
    assert "mapping" in assert_problem(bad, 422)["errors"]
    assert ImportMapping.objects.count() == 1

    content = "公司,方式,日期,说明\n北京华夏科技,会议,2024/3/5,开会\n".encode()
    result = upload(
        api, content, target="interactions", saved_mapping="老系统", dry_run="true"
    ).json()
    assert result["created"] == 1 and result["mapping"] == mapping
    explicit = finished(
        api,
        upload(
            api, content, target="interactions", mapping=json.dumps(mapping), all_or_nothing="true"
        ),
    )
    assert explicit["summary"]["created"] == 1 and explicit["all_or_nothing"] is True


@pytest.mark.jobs
@pytest.mark.django_db(transaction=True)
def test_the_job_is_queued_then_polled_to_success(org: Any, api_as: Any, real_queue: Any) -> None:
    customer_create(actor=org.admin, name="北京华夏科技", owner=org.east_rep.pk)
    api = api_as(org.east_rep)
    content = gbk("北京华夏科技,电话,2024/3/5,一\n北京华夏科技,电话,2024/3/6,二\n")
    data = {"file": SimpleUploadedFile("f.csv", content), "target": "interactions"}
    started = api.client.post("/api/v1/imports", data=data, headers=api.headers)
    assert started.status_code == 202, started.content
    run_id = started.json()["id"]
    assert started.json()["status"] == "queued" and started.json()["summary"] is None
    assert live_interactions() == []
    real_queue()
    detail = api.get(f"/api/v1/imports/{run_id}").json()
    assert detail["status"] == "succeeded" and detail["summary"]["created"] == 2
    assert len(live_interactions()) == 2
