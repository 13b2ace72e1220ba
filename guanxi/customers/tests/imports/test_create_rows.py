"""customer_create_rows (imports' writer without model instances) stores exactly what
customer_create_many stores: same columns, tag links and audit entries byte for byte,
and the same refusals with the same field errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.customers.models import Customer, CustomField, Tag
from guanxi.customers.services.create_rows import customer_create_rows
from guanxi.customers.services.customers import customer_create_many
from guanxi.platform.exceptions import ValidationError
from guanxi.platform.imports.targets import BatchInvalid
from guanxi.platform.models import AuditEntry

# Columns that differ between two writes of the same row by design.
VARYING = {"id", "created_at", "updated_at"}


def _customer_rows(ids: list[int]) -> list[dict[str, Any]]:
    """The stored columns as the database holds them (raw SQL: no ORM conversion)."""
    columns = [f.column for f in Customer._meta.local_concrete_fields if f.column not in VARYING]
    table = Customer._meta.db_table
    found = {}
    with connection.cursor() as cursor:
        for pk in ids:
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id = %s", [pk])
            found[pk] = dict(zip(columns, cursor.fetchone(), strict=True))
    return [found[pk] for pk in ids]


def _audit_rows(ids: list[int]) -> list[tuple[Any, ...]]:
    table = AuditEntry._meta.db_table
    rows = []
    with connection.cursor() as cursor:
        for pk in ids:
            cursor.execute(
                f"SELECT actor_id, action, object_type, object_repr, changes, ip_address, "
                f"user_agent FROM {table} WHERE object_id = %s AND action = %s",
                [str(pk), "customers.customer.created"],
            )
            rows.append(tuple(cursor.fetchall()))
    return rows


def _tag_links(ids: list[int]) -> list[list[int]]:
    through = Customer.tags.through
    return [
        sorted(through.objects.filter(customer_id=pk).values_list("tag_id", flat=True))
        for pk in ids
    ]


def _both(actor: Any, rows: list[dict[str, Any]]) -> tuple[Any, Any]:
    """Each writer's result: (stored rows, audit rows, tag links) or its refusal."""
    outcomes = []
    for write in (customer_create_many, customer_create_rows):
        try:
            with transaction.atomic():
                created = write(actor=actor, rows=[dict(row) for row in rows])
                ids = [getattr(item, "pk", item) for item in created]
                outcomes.append((_customer_rows(ids), _audit_rows(ids), _tag_links(ids)))
                transaction.set_rollback(True)
        except BatchInvalid as error:
            outcomes.append(
                {
                    position: (problem.message, problem.field_errors)
                    if isinstance(problem, ValidationError)
                    else repr(problem)
                    for position, problem in error.problems.items()
                }
            )
    return outcomes[0], outcomes[1]


def _same(actor: Any, rows: list[dict[str, Any]]) -> None:
    slow, fast = _both(actor, rows)
    if isinstance(slow, dict) or isinstance(fast, dict):
        assert fast == slow
        return
    assert fast[0] == slow[0]  # every stored column
    assert fast[1] == slow[1]  # audit entries, changes JSON as stored
    assert fast[2] == slow[2]  # tag links


def test_typical_import_rows_are_stored_identically(org: Any) -> None:
    tag = Tag.objects.create(name="VIP")
    _same(
        org.admin,
        [
            {
                "name": " 杭州云栖科技有限公司 ",
                "short_name": "云栖",
                "industry": "软件",
                "source": "展会",
                "grade": "A",
                "owner": org.east_rep,
                "phones": ["+8613812345678", "+86 139 1234 5678"],
                "emails": ["Wang@Example.CN"],
                "wechat_id": "yunqi_2024",
                "province": "浙江省",
                "city": "杭州市",
                "district": "西湖区",
                "street": "文三路 1 号",
                "birthday": dt.date(1985, 3, 5),
                "notes": "从旧系统导入 <b>重要</b> <script>x</script>",
                "tags": [tag.pk],
            },
            {"name": "王芳"},
            {"name": "Zhang San Ltd.", "owner": org.west_rep.pk, "grade": ""},
        ],
    )


def test_custom_fields_are_cleaned_the_same(org: Any) -> None:
    CustomField.objects.create(target="customer", key="budget", label="预算", field_type="number")
    CustomField.objects.create(target="customer", key="region", label="区域", field_type="text")
    _same(
        org.admin,
        [
            {"name": "甲", "custom_fields": {"budget": "12000", "region": "华东"}},
            {"name": "乙"},
        ],
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"name": ""},
        {"name": "长" * 201},
        {"name": "甲", "grade": "E"},
        {"name": "甲", "phones": ["12345"]},
        {"name": "甲", "emails": ["not-an-email"]},
        {"name": "甲", "owner": 999_999},
        {"name": "甲", "tags": [999_999]},
        {"name": "甲", "tags": ["not-an-id"]},
        {"name": "甲", "birthday": dt.date(1066, 10, 14)},
        {"name": "甲", "city": "市" * 51},
        {"name": "甲", "custom_fields": {"nope": "x"}},
        {"name": "甲", "kind": "planet"},
        {"name": "甲", "unknown_field": "x"},
    ],
)
def test_refusals_name_the_same_rows_with_the_same_errors(org: Any, bad: dict) -> None:
    _same(org.admin, [{"name": "好的"}, bad, {"name": "也好"}])


def test_a_rep_may_not_import_for_someone_else(org: Any) -> None:
    _same(org.east_rep, [{"name": "自己的"}, {"name": "别人的", "owner": org.west_rep}])


def test_fields_the_fast_checks_leave_to_the_model_path_still_match(org: Any) -> None:
    """kind, lifecycle, time zone …: rows with them take the instance path."""
    _same(
        org.admin,
        [
            {"name": "个人客户", "kind": "individual", "lifecycle_stage": "active"},
            {"name": "甲", "time_zone": "Asia/Tokyo", "team": org.east_rep.team_id},
        ],
    )


_text = st.text(
    alphabet=st.sampled_from(list("张王李赵杭州科技有限公司 abcXYZ123-_.,，、\t\x00<>&")),
    max_size=12,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {"name": _text},
            optional={
                "short_name": _text,
                "industry": _text,
                "grade": st.sampled_from(["", "A", "B", "C", "D", "E", "a"]),
                "city": _text,
                "street": _text,
                "wechat_id": _text,
                "phones": st.lists(
                    st.sampled_from(
                        ["13812345678", "+86 138 1234 5678", "010-65529988", "12", "+8613900000000"]
                    ),
                    max_size=3,
                ),
                "emails": st.lists(
                    st.sampled_from(["a@b.cn", "Zhang.San@QQ.COM", "bad@", "x@y"]), max_size=2
                ),
                "birthday": st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2300, 1, 1)),
                "notes": _text,
            },
        ),
        min_size=1,
        max_size=4,
    )
)
def test_random_rows_are_stored_or_refused_identically(org: Any, rows: list[dict]) -> None:
    _same(org.admin, rows)


def test_ordinary_rows_never_build_a_model_instance(org: Any, monkeypatch: Any) -> None:
    from guanxi.customers.services import create_rows

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("took the instance path")

    monkeypatch.setattr(create_rows, "_checked_instance", refuse)
    ids = customer_create_rows(
        actor=org.admin,
        rows=[
            {"name": "杭州云栖科技", "phones": ["+8613812345678"], "owner": org.east_rep},
            {"name": "王芳", "emails": ["w@example.cn"], "birthday": dt.date(1990, 1, 2)},
        ],
    )
    assert Customer.objects.filter(pk__in=ids).count() == 2
