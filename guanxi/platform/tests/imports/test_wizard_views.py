"""The import wizard's pages: upload → mapping → dry run → run → summary, error report,
undo and the list; permissions, other people's runs, bad files and tampered tokens."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse

from guanxi.accounts.models import User
from guanxi.customers.models import Customer
from guanxi.platform.models import ImportMapping, ImportRun

pytestmark = pytest.mark.django_db

GBK_CSV = (
    "客户名称,手机,邮箱,所属销售\n"
    "上海东方贸易有限公司,13812345678,dongfang@example.cn,张三\n"
    "北京华北科技,13987654321,,张三\n"
).encode("gbk")
BAD_CSV = (
    "客户名称,手机,生日,所属销售\n"
    "好客户一,13800000001,2024/3/5,张三\n"
    "坏电话,12345,2024/3/5,张三\n"
    "好客户二,13800000002,2024年3月5日,张三\n"
    "坏日期,13800000003,2024-13-45,张三\n"
    "无名销售,13800000004,2024/3/5,不存在的人\n"
).encode()


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def english(org: Any) -> Any:
    """Everyone in the organisation reads English, so messages match their msgids."""
    User.objects.update(language="en")
    for user in (org.admin, org.manager, org.east_rep, org.east_rep2, org.west_rep):
        user.refresh_from_db()
    org.service_agent.refresh_from_db()
    return org


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, content: bytes, *, name: str = "customers.csv", **fields: str) -> Any:
    data = {"target": "customers", "preset": "", "saved_mapping": "", **fields}
    data["file"] = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(reverse("platform:import_upload"), data)


def token_of(response: Any) -> str:
    if response.status_code != 302:
        pytest.fail(f"upload refused: {response.context['form'].errors}")
    return response["Location"].rstrip("/").split("/")[-2]


def mapping_post(client: Client, token: str, mapping: list[str], **options: Any) -> Any:
    data = {f"col_{index}": field for index, field in enumerate(mapping)}
    data.update({"policy": "skip", "batch_size": "500", "save_as": ""})
    data.update(options)
    return client.post(reverse("platform:import_mapping", args=[token]), data)


def uploads_left(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "data" / "imports" / "uploads"
    return list(folder.iterdir()) if folder.exists() else []


def start(client: Client, token: str) -> Any:
    """Press "Start import"; the job runs inline once the request's transaction commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("platform:import_preview", args=[token]))


def run_through(client: Client, content: bytes, mapping: list[str], **options: Any) -> ImportRun:
    token = token_of(upload(client, content))
    assert mapping_post(client, token, mapping, **options).status_code == 302
    response = start(client, token)
    assert response.status_code == 302
    return ImportRun.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


# --- the happy path -------------------------------------------------------------------


def test_a_gbk_file_goes_through_every_step(english: Any, tmp_path: Path) -> None:
    client = client_for(english.east_rep)
    page = client.get(reverse("platform:import_upload"))
    assert page.status_code == 200
    choices = [key for key, _label in page.context["form"].fields["target"].choices]
    assert choices[:2] == ["customers", "contacts"]  # then whatever else is registered

    token = token_of(upload(client, GBK_CSV))
    mapping_page = client.get(reverse("platform:import_mapping", args=[token]))
    assert mapping_page.status_code == 200
    html = mapping_page.content.decode()
    assert "GB18030" in html
    assert "上海东方贸易有限公司" in html  # a sample value
    form = mapping_page.context["form"]
    assert [form[f"col_{i}"].value() for i in range(4)] == ["name", "phones", "emails", "owner"]

    response = mapping_post(
        client, token, ["name", "phones", "emails", "owner"], save_as="悟空导出"
    )
    assert response["Location"] == reverse("platform:import_preview", args=[token])
    assert ImportMapping.objects.get(name="悟空导出").mapping["客户名称"] == "name"

    preview = client.get(reverse("platform:import_preview", args=[token]))
    assert preview.status_code == 200
    assert preview.context["result"]["created"] == 2
    assert Customer.objects.count() == 0  # a dry run writes nothing

    response = start(client, token)
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("platform:import_run_detail", args=[run.pk])
    assert sorted(Customer.objects.values_list("name", flat=True)) == [
        "上海东方贸易有限公司",
        "北京华北科技",
    ]
    assert uploads_left(tmp_path) == []  # the wizard's upload is gone; the run keeps a copy
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert detail.context["is_finished"]
    assert 'data-testid="count-created">2<' in detail.content.decode()
    # The wizard is over: its token is forgotten.
    again = client.post(reverse("platform:import_preview", args=[token]))
    assert again["Location"] == reverse("platform:import_upload")
    assert ImportRun.objects.count() == 1


def test_the_summary_partial_answers_htmx_polls(english: Any) -> None:
    client = client_for(english.east_rep)
    run = run_through(client, GBK_CSV, ["name", "phones", "emails", "owner"])
    response = client.get(
        reverse("platform:import_run_detail", args=[run.pk]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="import-run-summary"')
    assert "hx-trigger" not in html  # finished: the polling stops


def test_a_saved_mapping_is_offered_and_reused(english: Any) -> None:
    client = client_for(english.east_rep)
    ImportMapping.objects.create(
        name="旧系统", target="customers", mapping={"客户名称": "name", "手机": "notes"}
    )
    token = token_of(upload(client, GBK_CSV, saved_mapping="customers:旧系统"))
    form = client.get(reverse("platform:import_mapping", args=[token])).context["form"]
    assert [form[f"col_{i}"].value() for i in range(4)] == ["name", "notes", "", ""]


def test_a_saved_mapping_for_another_target_is_refused(english: Any) -> None:
    ImportMapping.objects.create(name="联系人", target="contacts", mapping={"姓名": "name"})
    response = upload(client_for(english.east_rep), GBK_CSV, saved_mapping="contacts:联系人")
    assert response.status_code == 200
    assert response.context["form"].errors["saved_mapping"] == [
        "This saved mapping is for another kind of record."
    ]


def test_a_mapping_without_any_field_is_refused(english: Any) -> None:
    client = client_for(english.east_rep)
    token = token_of(upload(client, GBK_CSV))
    response = mapping_post(client, token, ["", "", "", ""])
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Choose a field for at least one column."
    ]


# --- errors, error report, undo -------------------------------------------------------


def test_row_errors_in_the_dry_run_the_report_and_undo(english: Any) -> None:
    client = client_for(english.east_rep)
    token = token_of(upload(client, BAD_CSV))
    assert mapping_post(client, token, ["name", "phones", "birthday", "owner"], batch_size="1")
    preview = client.get(reverse("platform:import_preview", args=[token]))
    result = preview.context["result"]
    assert (result["created"], result["failed"]) == (2, 3)
    assert [error["row"] for error in result["errors"]] == [3, 5, 6]
    html = preview.content.decode()
    assert "不存在的人" in html

    start(client, token)
    run = ImportRun.objects.get()
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["好客户一", "好客户二"]
    report = client.get(reverse("platform:import_error_report", args=[run.pk]))
    assert report.status_code == 200
    assert "attachment" in report["Content-Disposition"]
    body = b"".join(report.streaming_content)
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("客户名称", "手机", "生日", "所属销售")
    assert [row[0] for row in rows[1:]] == ["坏电话", "坏日期", "无名销售"]
    assert all(row[4] for row in rows[1:])

    response = client.post(reverse("platform:import_run_undo", args=[run.pk]))
    assert response.status_code == 302
    assert Customer.objects.filter(deleted_at__isnull=True).count() == 0
    run.refresh_from_db()
    assert run.undone_at is not None
    again = client.post(reverse("platform:import_run_undo", args=[run.pk]), follow=True)
    assert "This import has already been undone." in again.content.decode()


def test_the_import_list_shows_only_my_runs(english: Any) -> None:
    mine = run_through(client_for(english.east_rep), GBK_CSV, ["name", "", "", ""])
    theirs = run_through(client_for(english.west_rep), BAD_CSV, ["name", "", "", ""])
    page = client_for(english.east_rep).get(reverse("platform:import_list"))
    assert [run.pk for run, _label in page.context["runs"]] == [mine.pk]
    assert theirs.pk != mine.pk


def test_someone_elses_run_is_404(english: Any) -> None:
    run = run_through(client_for(english.east_rep), BAD_CSV, ["name", "phones", "", "owner"])
    assert run.error_report
    other = client_for(english.east_rep2)
    for name, method in (
        ("platform:import_run_detail", other.get),
        ("platform:import_error_report", other.get),
        ("platform:import_run_undo", other.post),
    ):
        assert method(reverse(name, args=[run.pk])).status_code == 404, name
    assert other.get(reverse("platform:import_run_detail", args=[999999])).status_code == 404
    run.refresh_from_db()
    assert run.undone_at is None


# --- permissions ----------------------------------------------------------------------


def test_a_service_agent_cannot_import_customers(english: Any, tmp_path: Path) -> None:
    client = client_for(english.service_agent)
    page = client.get(reverse("platform:import_upload"))
    if page.status_code == 200:  # another target (follow-ups) may be open to them
        choices = [key for key, _label in page.context["form"].fields["target"].choices]
        assert "customers" not in choices and "contacts" not in choices
    else:
        assert page.status_code == 403
    response = upload(client, GBK_CSV)
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert "target" in response.context["form"].errors
    assert uploads_left(tmp_path) == []
    assert Customer.objects.count() == 0
    customers_page = client.get(reverse("customers:customer_list")).content.decode()
    assert 'data-testid="customer-import"' not in customers_page


def test_the_lists_link_to_the_wizard(english: Any) -> None:
    client = client_for(english.east_rep)
    assert (
        'data-testid="customer-import"'
        in client.get(reverse("customers:customer_list")).content.decode()
    )
    assert (
        'data-testid="contact-import"'
        in client.get(reverse("customers:contact_list")).content.decode()
    )


def test_a_wizard_token_in_the_session_is_refused_once_the_permission_is_gone(
    english: Any,
) -> None:
    from guanxi.accounts.services import role_update

    client = client_for(english.east_rep)
    token = token_of(upload(client, GBK_CSV))
    role = english.east_rep.role
    role_update(
        actor=english.admin,
        role=role,
        permissions=[code for code in role.permissions if code != "customers.add_customer"],
    )
    assert client.get(reverse("platform:import_mapping", args=[token])).status_code == 403
    assert client.post(reverse("platform:import_preview", args=[token])).status_code == 403
    assert ImportRun.objects.count() == 0


# --- bad files and tampering ----------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The submitted file is empty."),
        (b"\n\n  \n", "blank.csv", "The file is empty."),
        (b"\x00\x01\x02\x03binary\x00" * 50, "photo.csv", "This file is not a spreadsheet"),
        (
            "客户名称\n".encode() + "张三\n".encode("gbk") + "李四\n".encode(),
            "mixed.csv",
            "mixes text encodings",
        ),
        (b"PK\x03\x04not really a zip", "data.xlsx", "ZIP archive"),
        ("客户名称,手机\n".encode(), "header.csv", "header row but no data rows"),
    ],
)
def test_bad_files_get_a_field_error_not_a_500(
    english: Any, tmp_path: Path, content: bytes, name: str, message: str
) -> None:
    response = upload(client_for(english.east_rep), content, name=name)
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert any(message in error for error in errors), errors
    assert uploads_left(tmp_path) == []


def test_a_file_over_the_limit_is_refused(english: Any, settings: Any, tmp_path: Path) -> None:
    settings.GUANXI_IMPORT_MAX_BYTES = 64
    response = upload(client_for(english.east_rep), GBK_CSV * 5)
    assert response.status_code == 200
    assert "larger than the limit" in response.context["form"].errors["file"][0]
    assert uploads_left(tmp_path) == []


def test_errors_are_in_the_users_language(org: Any) -> None:
    response = upload(client_for(org.east_rep), b"\n\n", name="empty.csv")  # zh-hans by default
    assert response.context["form"].errors["file"] == ["文件为空。"]


def test_a_missing_file_is_a_field_error(english: Any) -> None:
    response = client_for(english.east_rep).post(
        reverse("platform:import_upload"), {"target": "customers"}
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors


def test_a_tampered_or_foreign_token_is_refused(english: Any) -> None:
    owner = client_for(english.east_rep)
    token = token_of(upload(owner, GBK_CSV))
    stranger = client_for(english.east_rep2)
    for forged in (token, token[:-2] + "xx", "../../etc/passwd", "x" * 300):
        for name in ("platform:import_mapping", "platform:import_preview"):
            try:
                url = reverse(name, args=[forged])
            except Exception:  # a path the URLconf cannot even build
                continue
            response = stranger.post(url, {"policy": "skip", "col_0": "name"})
            assert response.status_code == 302
            assert response["Location"] == reverse("platform:import_upload")
    assert ImportRun.objects.count() == 0
    # The owner's own wizard still works.
    assert owner.get(reverse("platform:import_mapping", args=[token])).status_code == 200


def test_a_session_state_pointing_outside_the_uploads_folder_is_refused(
    english: Any, tmp_path: Path
) -> None:
    client = client_for(english.east_rep)
    token = token_of(upload(client, GBK_CSV))
    secret = tmp_path / "secret.csv"
    secret.write_text("客户名称\n机密\n")
    session = client.session
    session[f"import-wizard:{token}"] = {**session[f"import-wizard:{token}"], "path": str(secret)}
    session.save()
    response = client.post(reverse("platform:import_preview", args=[token]))
    assert response["Location"] == reverse("platform:import_upload")
    assert ImportRun.objects.count() == 0


@pytest.mark.jobs
@pytest.mark.django_db(transaction=True)
def test_the_run_page_polls_until_the_queued_job_has_finished(
    english: Any, real_queue: Any
) -> None:
    client = client_for(english.east_rep)
    token = token_of(upload(client, GBK_CSV))
    mapping_post(client, token, ["name", "phones", "emails", "owner"])
    response = client.post(reverse("platform:import_preview", args=[token]))
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("platform:import_run_detail", args=[run.pk])
    url = reverse("platform:import_run_detail", args=[run.pk])

    waiting = client.get(url)
    html = waiting.content.decode()
    assert not waiting.context["is_finished"]
    assert 'id="job-progress"' in html  # the jobs' own progress bar, polling the job
    assert html.count('hx-trigger="every 1s"') == 2  # …and the summary polling the run
    assert 'data-testid="count-created"' not in html

    assert real_queue() == 1
    finished = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in finished
    assert 'data-testid="count-created">2<' in finished
    assert Customer.objects.count() == 2


def test_going_back_from_the_dry_run_keeps_the_choices(english: Any) -> None:
    client = client_for(english.east_rep)
    token = token_of(upload(client, GBK_CSV))
    mapping_post(
        client, token, ["name", "", "emails", "owner"], policy="fill", is_all_or_nothing="on"
    )
    preview = client.get(reverse("platform:import_preview", args=[token]))
    assert preview.context["state"]["policy"] == "fill"
    form = client.get(reverse("platform:import_mapping", args=[token])).context["form"]
    assert [form[f"col_{i}"].value() for i in range(4)] == ["name", "", "emails", "owner"]
    assert form["policy"].value() == "fill"
    assert form["is_all_or_nothing"].value() is True


def test_contacts_are_imported_through_the_same_wizard(english: Any) -> None:
    from guanxi.customers.models import Contact
    from guanxi.customers.services import customer_create

    customer_create(actor=english.east_rep, name="上海东方贸易有限公司")
    client = client_for(english.east_rep)
    content = "姓名,客户名称,手机,职务\n王小明,上海东方贸易有限公司,13811112222,采购经理\n".encode()
    token = token_of(upload(client, content, target="contacts"))
    form = client.get(reverse("platform:import_mapping", args=[token])).context["form"]
    mapping = [form[f"col_{i}"].value() for i in range(4)]
    assert mapping == ["name", "customer", "phones", "title"]
    assert mapping_post(client, token, mapping).status_code == 302
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("platform:import_preview", args=[token]))
    contact = Contact.objects.get()
    assert (contact.name, contact.title, contact.customer.name) == (
        "王小明",
        "采购经理",
        "上海东方贸易有限公司",
    )


def test_an_upload_over_the_limit_is_cut_off_while_it_arrives(
    english: Any, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Django's own handlers never get more than the limit: the rest is dropped."""
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    stored: list[int] = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def counting(self: Any, raw_data: bytes, start: int) -> Any:
        stored.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
    settings.GUANXI_IMPORT_MAX_BYTES = 100 * 1024
    content = GBK_CSV * (4 * 1024 * 1024 // len(GBK_CSV))  # 4 MB: a temporary file upload
    response = upload(client_for(english.east_rep), content)
    assert "larger than the limit of 0.1 MB" in response.context["form"].errors["file"][0]
    assert 0 < sum(stored) <= 100 * 1024
    assert uploads_left(tmp_path) == []
