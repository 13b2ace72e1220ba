"""Tags, tag groups and admin-defined custom fields: validation, retirement, audit."""

from __future__ import annotations

import pytest

from guanxi.customers.custom_fields import NOT_A_DATE, NOT_A_NUMBER, REQUIRED
from guanxi.customers.models import Customer, CustomField, Tag
from guanxi.customers.services import (
    contact_create,
    custom_field_create,
    custom_field_update,
    customer_create,
    customer_update,
    tag_create,
    tag_delete,
    tag_group_create,
    tag_update,
)
from guanxi.customers.tests.factories import CustomerFactory, TagFactory
from guanxi.customers.tests.services.conftest import ORIGIN_IP, only_entry
from guanxi.platform.exceptions import ConflictError, PermissionDenied, ValidationError

# --- tags ----------------------------------------------------------------------


def test_tag_create_is_audited(org, origin):
    group = tag_group_create(actor=org.manager, name="价值")
    tag = tag_create(actor=org.manager, name=" 大客户 ", color="#ff0000", group=group)
    assert tag.name == "大客户"
    entry = only_entry(tag, "customers.tag.created")
    assert entry.ip_address == ORIGIN_IP
    assert entry.changes["after"] == {"name": "大客户", "color": "#ff0000", "group": group.pk}


def test_tags_need_the_manage_permission(org):
    with pytest.raises(PermissionDenied):
        tag_create(actor=org.east_rep, name="自封")
    with pytest.raises(PermissionDenied):
        tag_group_create(actor=org.east_rep, name="自封组")
    assert not Tag.objects.exists()


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"name": "重复"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 51}, "name"),
        ({"name": "新", "color": "red"}, "color"),
        ({"name": "新", "color": "#12345"}, "color"),
    ],
)
def test_bad_tags_are_refused(org, fields, error_field):
    TagFactory(name="重复")
    with pytest.raises(ValidationError) as caught:
        tag_create(actor=org.admin, **fields)
    assert error_field in caught.value.field_errors
    assert Tag.objects.count() == 1


def test_tag_update_diff_and_conflict(org):
    tag = TagFactory(name="旧名")
    tag_update(actor=org.admin, tag=tag, expected_version=1, name="新名")
    assert only_entry(tag, "customers.tag.updated").changes == {"name": ["旧名", "新名"]}
    with pytest.raises(ConflictError):
        tag_update(actor=org.admin, tag=tag, expected_version=1, name="又一名")
    assert Tag.objects.get(pk=tag.pk).name == "新名"


def test_deleting_a_tag_removes_it_from_customers(org):
    tag = TagFactory()
    customer = CustomerFactory(owner=org.east_rep, tags=[tag])
    tag_delete(actor=org.admin, tag=tag)
    assert not Customer.objects.get(pk=customer.pk).tags.exists()


# --- custom fields ---------------------------------------------------------------


@pytest.fixture
def fields(org):
    """One customer field of each type; the choice fields have fixed options."""

    def make(key, field_type, **extra):
        return custom_field_create(
            actor=org.admin,
            target="customer",
            key=key,
            label=key,
            field_type=field_type,
            **extra,
        )

    return {
        "text": make("remark", "text"),
        "number": make("employees", "number"),
        "date": make("founded", "date"),
        "choice": make("size", "choice", choices=["小", "中", "大"]),
        "multi": make("channels", "multi_choice", choices=["线上", "线下"]),
    }


def test_each_custom_field_type_is_cleaned(org, fields):
    customer = customer_create(
        actor=org.east_rep,
        name="张三",
        custom_fields={
            "remark": "  老客户  ",
            "employees": "1,200",
            "founded": "2001-09-30",
            "size": "中",
            "channels": ["线上", "线下", "线上"],
        },
    )
    assert customer.custom_fields == {
        "remark": "老客户",
        "employees": 1200,
        "founded": "2001-09-30",
        "size": "中",
        "channels": ["线上", "线下"],
    }


@pytest.mark.parametrize(
    ("values", "key", "message"),
    [
        ({"employees": "many"}, "employees", str(NOT_A_NUMBER)),
        ({"employees": "NaN"}, "employees", str(NOT_A_NUMBER)),
        ({"employees": True}, "employees", str(NOT_A_NUMBER)),
        ({"founded": "2001-13-01"}, "founded", str(NOT_A_DATE)),
        ({"size": "巨大"}, "size", None),
        ({"channels": ["线上", "电视"]}, "channels", None),
        ({"remark": "x" * 1001}, "remark", None),
        ({"nonexistent": "x"}, "nonexistent", None),
    ],
)
def test_bad_custom_field_values_are_field_errors(org, fields, values, key, message):
    with pytest.raises(ValidationError) as caught:
        customer_create(actor=org.east_rep, name="张三", custom_fields=values)
    errors = caught.value.field_errors[f"custom_fields.{key}"]
    if message:
        assert errors == [message]
    assert not Customer.objects.exists()


def test_required_custom_field_must_be_given(org, fields):
    custom_field_update(
        actor=org.admin, field=fields["choice"], expected_version=1, is_required=True
    )
    with pytest.raises(ValidationError) as caught:
        customer_create(actor=org.east_rep, name="张三")
    assert caught.value.field_errors == {"custom_fields.size": [str(REQUIRED)]}
    with pytest.raises(ValidationError):
        customer_create(actor=org.east_rep, name="张三", custom_fields={"size": ""})
    assert customer_create(actor=org.east_rep, name="张三", custom_fields={"size": "小"}).pk
    assert Customer.objects.count() == 1


def test_a_retired_fields_value_is_kept(org, fields):
    customer = customer_create(
        actor=org.east_rep, name="张三", custom_fields={"size": "大", "remark": "备注"}
    )
    custom_field_update(
        actor=org.admin, field=fields["choice"], expected_version=1, is_active=False
    )
    updated = customer_update(
        actor=org.east_rep,
        customer=customer,
        expected_version=1,
        custom_fields={"remark": "新备注"},
    )
    assert updated.custom_fields == {"size": "大", "remark": "新备注"}


def test_contact_custom_fields_are_separate(org, fields):
    custom_field_create(
        actor=org.admin, target="contact", key="hobby", label="爱好", field_type="text"
    )
    customer = CustomerFactory(owner=org.east_rep)
    contact = contact_create(
        actor=org.east_rep, customer=customer, name="王", custom_fields={"hobby": "茶"}
    )
    assert contact.custom_fields == {"hobby": "茶"}
    with pytest.raises(ValidationError):
        contact_create(
            actor=org.east_rep, customer=customer, name="李", custom_fields={"size": "大"}
        )


@pytest.mark.parametrize(
    ("extra", "error_field"),
    [
        ({"field_type": "choice", "choices": []}, "choices"),
        ({"field_type": "choice", "choices": ["  "]}, "choices"),
        ({"field_type": "colour"}, "field_type"),
        ({"field_type": "text", "key": "not a slug!"}, "key"),
        ({"field_type": "text", "key": "remark"}, "key"),
        ({"field_type": "text", "label": ""}, "label"),
    ],
)
def test_bad_custom_field_definitions_are_refused(org, fields, extra, error_field):
    arguments = {"target": "customer", "key": "new_key", "label": "新字段", **extra}
    count = CustomField.objects.count()
    with pytest.raises(ValidationError) as caught:
        custom_field_create(actor=org.admin, **arguments)
    assert error_field in caught.value.field_errors
    assert CustomField.objects.count() == count


def test_custom_fields_need_the_manage_permission(org):
    with pytest.raises(PermissionDenied):
        custom_field_create(
            actor=org.manager, target="customer", key="k", label="k", field_type="text"
        )


def test_tag_group_by_id_and_odd_input(org):
    group = tag_group_create(actor=org.admin, name="行业")
    tag = tag_create(actor=org.admin, name=2026, group=group.pk)
    assert (tag.name, tag.group) == ("2026", group)
    for bad_group in [999_999, "x", [1]]:
        with pytest.raises(ValidationError) as caught:
            tag_update(actor=org.admin, tag=tag, expected_version=None, group=bad_group)
        assert "group" in caught.value.field_errors
    assert Tag.objects.get(pk=tag.pk).group == group


def test_a_version_that_is_not_a_number_is_a_conflict(org):
    tag = TagFactory(name="原名")
    with pytest.raises(ConflictError):
        tag_update(actor=org.admin, tag=tag, expected_version="abc", name="新名")
    assert Tag.objects.get(pk=tag.pk).name == "原名"


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        ("小, 中,大", ["小", "中", "大"]),
        ("甲\n乙", ["甲", "乙"]),
        (["a", "a", " b "], ["a", "b"]),
        (5, ["5"]),
    ],
)
def test_choices_given_as_text_are_split_into_options_not_characters(org, choices, expected):
    field = custom_field_create(
        actor=org.admin,
        target="customer",
        key="size",
        label="规模",
        field_type="choice",
        choices=choices,
    )
    assert field.choices == expected
