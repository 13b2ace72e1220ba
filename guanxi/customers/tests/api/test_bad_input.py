"""Garbage in over the API: a 4xx problem+json with field errors, nothing written, no 500."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.testing.api_client import assert_problem

pytestmark = pytest.mark.django_db

LONG = "长" * 10_000
HUGE = 2**80


def _counts() -> tuple[int, ...]:
    from guanxi.customers.models import Contact, Customer, Interaction, Tag

    return tuple(m.objects.count() for m in (Customer, Contact, Interaction, Tag))


@pytest.fixture
def size_field(org: Any) -> Any:
    from guanxi.customers.services import custom_field_create

    return custom_field_create(
        actor=org.admin,
        target="customer",
        key="size",
        label="规模",
        field_type="choice",
        choices=["大", "小"],
    )


CUSTOMER_BODIES: list[tuple[Any, str]] = [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": None}, "name"),
    ({"name": LONG}, "name"),
    ({"name": 12345}, "name"),
    ({"name": ["a"]}, "name"),
    ({"name": "好", "notes": LONG * 3}, "notes"),
    ({"name": "好", "phones": ["not a phone"]}, "phones"),
    ({"name": "好", "phones": ["123"]}, "phones"),
    ({"name": "好", "phones": "13812345678"}, "phones"),
    ({"name": "好", "phones": [LONG]}, "phones.0"),
    ({"name": "好", "emails": ["nobody"]}, "emails"),
    ({"name": "好", "emails": ["a@b"]}, "emails"),
    ({"name": "好", "emails": [None]}, "emails.0"),
    ({"name": "好", "owner": HUGE}, "owner"),
    ({"name": "好", "owner": -1}, "owner"),
    ({"name": "好", "owner": "abc"}, "owner"),
    ({"name": "好", "team": 999_999}, "team"),
    ({"name": "好", "tags": [999_999]}, "tags"),
    ({"name": "好", "tags": [HUGE]}, "tags.0"),
    ({"name": "好", "grade": "Z"}, "grade"),
    ({"name": "好", "kind": "alien"}, "kind"),
    ({"name": "好", "birthday": "2020-13-45"}, "birthday"),
    ({"name": "好", "birthday": "99999-01-01"}, "birthday"),
    ({"name": "好", "lunar_birthday_month": 13}, "lunar_birthday_month"),
    ({"name": "好", "lunar_birthday_day": HUGE}, "lunar_birthday_day"),
    ({"name": "好", "birthday_calendar": "lunar"}, "lunar_birthday_month"),
    ({"name": "好", "time_zone": "Mars/Olympus"}, "time_zone"),
    ({"name": "好", "unknown_field": 1}, "unknown_field"),
    ({"name": "好", "version": 3}, "version"),
    ({"name": "好", "custom_fields": {"size": "巨大"}}, "custom_fields.size"),
    ({"name": "好", "custom_fields": {"nope": "x"}}, "custom_fields.nope"),
    ({"name": "好", "custom_fields": "size=大"}, "custom_fields"),
    ({"name": "好", "custom_fields": {"size": {"a": 1}}}, "custom_fields.size"),
    ({"name": "好", "short_name": LONG}, "short_name"),
    ({"name": "好", "language": "fr"}, "language"),
    ([1, 2, 3], "__all__"),
    ("just a string", "__all__"),
]


@pytest.mark.parametrize(("body", "field"), CUSTOMER_BODIES)
def test_bad_customer_create_is_422_with_field_errors(
    org: Any, api_as: Any, size_field: Any, body: Any, field: str
) -> None:
    import json

    before = _counts()
    raw = json.dumps(body, ensure_ascii=False)

    problem = assert_problem(api_as(org.east_rep).post("/api/v1/customers", raw), 422)

    assert any(key == field or key.startswith(field) for key in problem["errors"]), problem
    assert all(problem["errors"].values())
    assert _counts() == before


@pytest.mark.parametrize(
    "body", [{"name": None}, {"name": ""}, {"phones": ["bad"]}, {"grade": "Q"}, {"id": 5}]
)
def test_bad_customer_patch_is_422_and_changes_nothing(org: Any, api_as: Any, body: dict) -> None:
    customer = CustomerFactory(owner=org.east_rep, name="不变")
    api = api_as(org.east_rep)
    url = f"/api/v1/customers/{customer.pk}"

    assert_problem(api.patch(url, body), 422)

    current = api.get(url).json()
    assert current["name"] == "不变"
    assert current["version"] == 1


@pytest.mark.parametrize(
    "raw", ["{not json", '{"name": ', "\x00\x01", '{"name": "a"} trailing', "[" * 5000]
)
def test_malformed_json_is_400(org: Any, api_as: Any, raw: str) -> None:
    before = _counts()
    assert_problem(api_as(org.east_rep).post("/api/v1/customers", raw), 400)
    assert _counts() == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/contacts", {"name": "x"}, "customer"),
        ("/api/v1/contacts", {"customer": "abc", "name": "x"}, "customer"),
        ("/api/v1/contacts", {"customer": HUGE, "name": "x"}, "customer"),
        ("/api/v1/contacts", {"customer": None, "name": "x"}, "customer"),
        ("/api/v1/contacts", {"customer": 0, "name": LONG}, "name"),
        ("/api/v1/interactions", {"customer": 1, "kind": "fax", "content": "x"}, "kind"),
        ("/api/v1/interactions", {"customer": 1, "kind": "call"}, "content"),
        ("/api/v1/interactions", {"customer": 1, "kind": "call", "content": LONG * 3}, "content"),
        (
            "/api/v1/interactions",
            {"customer": 1, "kind": "call", "content": "x", "occurred_at": "yesterday"},
            "occurred_at",
        ),
        ("/api/v1/tags", {"name": LONG}, "name"),
        ("/api/v1/tags", {"name": "x", "color": "#12345678"}, "color"),
    ],
)
def test_bad_bodies_for_other_resources(
    org: Any, api_as: Any, path: str, body: dict, field: str
) -> None:
    before = _counts()
    problem = assert_problem(api_as(org.admin).post(path, body), 422)
    assert field in problem["errors"], problem
    assert _counts() == before


def test_contact_with_invalid_phone_and_unknown_custom_choice(org: Any, api_as: Any) -> None:
    from guanxi.customers.services import custom_field_create

    custom_field_create(
        actor=org.admin,
        target="contact",
        key="hobby",
        label="爱好",
        field_type="multi_choice",
        choices=["茶", "酒"],
    )
    customer = CustomerFactory(owner=org.east_rep)
    before = _counts()

    problem = assert_problem(
        api_as(org.east_rep).post(
            "/api/v1/contacts",
            {
                "customer": customer.pk,
                "name": "王五",
                "phones": ["999"],
                "custom_fields": {"hobby": ["茶", "咖啡"]},
            },
        ),
        422,
    )

    assert set(problem["errors"]) >= {"phones", "custom_fields.hobby"}
    assert _counts() == before


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=201",
        "limit=abc",
        f"owner={HUGE}",
        "owner=-5",
        "created_from=2020-02-30",
        "created_to=9999-12-31",
        "sort=password",
        "grade=Z",
        f"q={'长' * 500}",
    ],
)
def test_bad_list_parameters_are_422(org: Any, api_as: Any, query: str) -> None:
    problem = assert_problem(api_as(org.east_rep).get(f"/api/v1/customers?{query}"), 422)
    assert problem["errors"]


@pytest.mark.parametrize(
    "query", ["cursor=garbage", "cursor=W10", "q=%00", "q=%27%3B--", "cf.nope=1", "q=***"]
)
def test_odd_but_harmless_list_parameters_are_200(org: Any, api_as: Any, query: str) -> None:
    CustomerFactory(owner=org.east_rep)
    assert api_as(org.east_rep).get(f"/api/v1/customers?{query}").status_code == 200


@pytest.mark.parametrize("path_id", ["abc", "-1", "0", str(HUGE), "1.5"])
def test_bad_path_ids_are_4xx_problem(org: Any, api_as: Any, path_id: str) -> None:
    response = api_as(org.east_rep).get(f"/api/v1/customers/{path_id}")
    assert response.status_code in (404, 422)
    if response.status_code == 422:
        assert_problem(response, 422)


def test_nul_bytes_in_text_are_not_a_500(org: Any, api_as: Any) -> None:
    response = api_as(org.east_rep).post(
        "/api/v1/customers", {"name": "零\x00字节", "notes": "a\x00b"}
    )
    assert response.status_code in (201, 422), response.content


def test_field_errors_are_in_the_users_language(org: Any, api_as: Any) -> None:
    problem = assert_problem(api_as(org.east_rep).post("/api/v1/customers", {"name": ""}), 422)
    assert problem["errors"]["name"] == ["这个字段是必填项。"]


def test_unexpected_database_and_model_errors_are_mapped(org: Any, api_as: Any) -> None:
    """Safety nets in the central handlers: a constraint race is 409, a model error 422."""
    from unittest import mock

    from django.core.exceptions import ValidationError as DjangoValidationError
    from django.db import IntegrityError

    api = api_as(org.admin)
    target = "guanxi.customers.services.customer_create"
    with mock.patch(target, side_effect=IntegrityError("duplicate key")):
        assert_problem(api.post("/api/v1/customers", {"name": "竞态"}), 409)
    with mock.patch(target, side_effect=DjangoValidationError({"name": ["坏名字"]})):
        problem = assert_problem(api.post("/api/v1/customers", {"name": "坏"}), 422)
    assert problem["errors"] == {"name": ["坏名字"]}
    with mock.patch(target, side_effect=OverflowError("too big")):
        assert_problem(api.post("/api/v1/customers", {"name": "大"}), 422)


def test_oversized_body_is_400_problem(org: Any, api_as: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"name": "大", "notes": "x" * 5000}
    assert_problem(api_as(org.east_rep).post("/api/v1/customers", body), 400)


@pytest.mark.parametrize("if_match", ["x" * 10_000, 'W/"abc"', '"-1"', "W/" + "9" * 40])
def test_garbage_if_match_is_422(org: Any, api_as: Any, if_match: str) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    response = api_as(org.east_rep).patch(
        f"/api/v1/customers/{customer.pk}", {"source": "x"}, **{"If-Match": if_match}
    )
    assert_problem(response, 422)


def test_huge_authorization_header_is_401(org: Any) -> None:
    from django.test import Client

    response = Client().get("/api/v1/me", headers={"Authorization": "Bearer " + "x" * 10_000})
    assert_problem(response, 401)
