"""customer_create / update / transfer / delete / restore: invariants, audit, bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.customers.models import Customer
from guanxi.customers.selectors import contact_list, customer_get, customer_list
from guanxi.customers.services import (
    customer_create,
    customer_delete,
    customer_restore,
    customer_transfer,
    customer_update,
)
from guanxi.customers.services._common import INVALID_LUNAR_DATE
from guanxi.customers.services.customers import CANNOT_ASSIGN_OTHERS, CANNOT_MOVE_TEAM
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory, TagFactory
from guanxi.customers.tests.services.conftest import ORIGIN_IP, audit_entries, only_entry
from guanxi.platform.exceptions import ConflictError, NotFound, PermissionDenied, ValidationError
from guanxi.platform.models import AuditEntry
from guanxi.platform.selectors import recycle_bin_list
from guanxi.platform.services import recycle_bin_restore


def test_create_fills_derived_fields_and_writes_one_audit_entry(org, origin):
    customer = customer_create(
        actor=org.east_rep, name=" 张三丰 ", phones="138 1234 5678", emails=["ZS@QQ.COM"]
    )
    assert customer.name == "张三丰"
    assert customer.name_pinyin == "zhangsanfeng"
    assert customer.owner == org.east_rep and customer.team == org.east
    assert customer.created_by == org.east_rep
    assert customer.version == 1
    assert {"张三", "zsf", "zhangsanfeng", "5678"} <= set(customer.search_text.split())
    entry = only_entry(customer, "customers.customer.created")
    assert entry.actor == org.east_rep
    assert entry.ip_address == ORIGIN_IP and entry.user_agent == "pytest"
    assert entry.changes["after"]["name"] == "张三丰"
    assert entry.changes["after"]["phones"] == ["+8613812345678"]
    assert entry.changes["after"]["emails"] == ["ZS@qq.com"]
    assert len(audit_entries(customer)) == 1


def test_update_records_the_before_after_diff_and_bumps_the_version(org, origin):
    customer = CustomerFactory(owner=org.east_rep, name="张三", industry="零售")
    updated = customer_update(
        actor=org.east_rep, customer=customer, expected_version=1, industry="制造业", city="上海"
    )
    assert updated.version == 2
    entry = only_entry(customer, "customers.customer.updated")
    assert entry.changes == {"industry": ["零售", "制造业"], "city": ["", "上海"]}
    assert entry.ip_address == ORIGIN_IP
    assert len(audit_entries(customer)) == 2  # created + updated


def test_tag_changes_appear_in_the_diff(org):
    red, blue = TagFactory(name="红"), TagFactory(name="蓝")
    customer = CustomerFactory(owner=org.east_rep, tags=[red])
    customer_update(actor=org.east_rep, customer=customer, expected_version=1, tags=[blue.pk])
    entry = only_entry(customer, "customers.customer.updated")
    assert entry.changes == {"tags": [[red.pk], [blue.pk]]}
    assert list(Customer.objects.get(pk=customer.pk).tags.all()) == [blue]


def test_stale_version_is_refused_and_nothing_is_written(org):
    customer = CustomerFactory(owner=org.east_rep, name="张三")
    customer_update(actor=org.east_rep, customer=customer, expected_version=1, city="北京")
    with pytest.raises(ConflictError) as caught:
        customer_update(actor=org.east_rep, customer=customer, expected_version=1, city="上海")
    assert caught.value.current_version == 2
    assert caught.value.current_values["city"] == "北京"
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.city, stored.version) == ("北京", 2)
    assert [e.action for e in audit_entries(customer)] == [
        "customers.customer.created",
        "customers.customer.updated",
    ]


@pytest.mark.parametrize(
    "raw",
    [
        "138 1234 5678",
        "+86-138-1234-5678",
        "13812345678",
        "１３８１２３４５６７８",
        "+86 138 1234 5678",
    ],
)
def test_mobile_numbers_are_normalised_to_e164(org, raw):
    assert CustomerFactory(owner=org.east_rep, phones=[raw]).phones == ["+8613812345678"]


def test_landline_numbers_are_normalised_to_e164(org):
    customer = CustomerFactory(owner=org.east_rep, phones=["(010) 6552 9988", "021-6888 1234"])
    assert customer.phones == ["+861065529988", "+862168881234"]


def test_duplicate_phones_collapse_to_one(org):
    customer = CustomerFactory(owner=org.east_rep, phones=["13812345678", "+86 138 1234 5678"])
    assert customer.phones == ["+8613812345678"]


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"phones": ["12345"]}, "phones"),
        ({"phones": ["138 1234 5678", "not a phone"]}, "phones"),
        ({"emails": ["zhangsan"]}, "emails"),
        ({"emails": ["a@b@c.com"]}, "emails"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "张" * 10_000}, "name"),
        ({"city": "x" * 1000}, "city"),
        ({"kind": "alien"}, "kind"),
        ({"grade": "Z"}, "grade"),
        ({"language": "xx"}, "language"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"birthday": "not a date"}, "birthday"),
        ({"owner": "nobody"}, "owner"),
        ({"team": 999_999}, "team"),
        ({"tags": [999_999]}, "tags"),
        ({"custom_fields": "not an object"}, "custom_fields"),
        ({"no_such_field": 1}, "no_such_field"),
        ({"birthday_calendar": "lunar", "birthday": "garbage"}, "birthday"),
    ],
)
def test_bad_input_gives_field_errors_and_writes_nothing(org, fields, error_field):
    fields = {"name": "张三", **fields}
    customers_before, audit_before = Customer.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        customer_create(actor=org.admin, **fields)
    assert error_field in caught.value.field_errors
    assert Customer.objects.count() == customers_before
    assert AuditEntry.objects.count() == audit_before


def test_bad_update_leaves_the_row_and_version_untouched(org):
    customer = CustomerFactory(owner=org.east_rep, name="张三", phones=["13812345678"])
    with pytest.raises(ValidationError) as caught:
        customer_update(
            actor=org.east_rep,
            customer=customer,
            expected_version=1,
            phones=["bad"],
            emails=["also bad"],
            city="上海",
        )
    assert set(caught.value.field_errors) == {"phones", "emails"}
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.phones, stored.city, stored.version) == (["+8613812345678"], "", 1)
    assert len(audit_entries(customer)) == 1


def test_text_fields_accept_other_types_and_lose_nul_characters(org):
    customer = customer_create(actor=org.admin, name=12345, wechat_id=678, short_name="a\x00b")
    assert (customer.name, customer.wechat_id, customer.short_name) == ("12345", "678", "ab")


def test_html_in_notes_is_sanitised(org):
    customer = CustomerFactory(
        owner=org.east_rep,
        notes='<p onclick="x()">好客户</p><script>alert(1)</script><img src=x onerror=alert(1)>',
    )
    assert "<script" not in customer.notes
    assert "onerror" not in customer.notes and "onclick" not in customer.notes
    assert "好客户" in customer.notes


def test_soft_delete_hides_the_customer_and_its_contacts_until_restored(org, origin):
    customer = CustomerFactory(owner=org.east_rep, name="张三")
    contact = ContactFactory(customer=customer, name="李秘书")
    customer_delete(actor=org.east_rep, customer=customer)

    assert not customer_list(actor=org.east_rep).filter(pk=customer.pk).exists()
    with pytest.raises(NotFound):
        customer_get(actor=org.east_rep, customer_id=customer.pk)
    assert not contact_list(actor=org.east_rep).filter(pk=contact.pk).exists()
    bins = dict(recycle_bin_list(actor=org.east_rep))
    (binned,) = [qs for entry, qs in bins.items() if entry.key == "customers.customer"]
    assert [c.pk for c in binned] == [customer.pk]
    deleted = only_entry(customer, "customers.customer.deleted")
    assert deleted.ip_address == ORIGIN_IP

    recycle_bin_restore(actor=org.east_rep, type_key="customers.customer", object_id=customer.pk)
    assert customer_get(actor=org.east_rep, customer_id=customer.pk).deleted_at is None
    assert contact_list(actor=org.east_rep).filter(pk=contact.pk).exists()
    only_entry(customer, "customers.customer.restored")
    assert Customer.objects.get(pk=customer.pk).version == 3


def test_deleted_customer_cannot_be_edited(org):
    customer = CustomerFactory(owner=org.east_rep)
    customer_delete(actor=org.east_rep, customer=customer)
    with pytest.raises(NotFound):
        customer_update(actor=org.east_rep, customer=customer, expected_version=None, city="x")


def test_delete_and_restore_are_idempotent(org):
    customer = CustomerFactory(owner=org.east_rep)
    customer_delete(actor=org.east_rep, customer=customer)
    restored = customer_restore(actor=org.east_rep, instance=customer)
    again = customer_restore(actor=org.east_rep, instance=restored)
    assert again.version == restored.version
    assert len([e for e in audit_entries(customer) if e.action.endswith("restored")]) == 1
    customer_delete(actor=org.east_rep, customer=again)
    with pytest.raises(NotFound):  # already in the bin: no longer reachable for a change
        customer_delete(actor=org.east_rep, customer=again)
    assert len([e for e in audit_entries(customer) if e.action.endswith("deleted")]) == 2


def test_transfer_needs_the_transfer_permission(org):
    customer = CustomerFactory(owner=org.east_rep)
    with pytest.raises(PermissionDenied):
        customer_transfer(actor=org.east_rep, customer=customer, new_owner=org.east_rep2)
    assert Customer.objects.get(pk=customer.pk).owner == org.east_rep


def test_transfer_moves_owner_and_team_with_an_audit_entry(org, origin):
    customer = CustomerFactory(owner=org.east_rep)
    moved = customer_transfer(actor=org.manager, customer=customer, new_owner=org.west_rep)
    assert (moved.owner, moved.team, moved.version) == (org.west_rep, org.west, 2)
    entry = only_entry(customer, "customers.customer.transferred")
    assert entry.changes == {
        "owner": [org.east_rep.pk, org.west_rep.pk],
        "team": [org.east.pk, org.west.pk],
    }
    assert entry.ip_address == ORIGIN_IP


def test_transfer_to_an_inactive_or_unknown_user_is_refused(org):
    customer = CustomerFactory(owner=org.east_rep)
    type(org.west_rep).objects.filter(pk=org.west_rep.pk).update(is_active=False)
    for target in [org.west_rep, 999_999, "x"]:
        with pytest.raises(ValidationError):
            customer_transfer(actor=org.manager, customer=customer, new_owner=target)
    assert Customer.objects.get(pk=customer.pk).owner == org.east_rep


def test_transfer_with_a_stale_version_is_refused(org):
    customer = CustomerFactory(owner=org.east_rep)
    customer_update(actor=org.east_rep, customer=customer, expected_version=1, city="x")
    with pytest.raises(ConflictError):
        customer_transfer(
            actor=org.manager, customer=customer, new_owner=org.west_rep, expected_version=1
        )
    assert Customer.objects.get(pk=customer.pk).owner == org.east_rep


def test_a_sales_rep_cannot_assign_a_customer_to_someone_else(org):
    customer = CustomerFactory(owner=org.east_rep)
    with pytest.raises(ValidationError) as caught:
        customer_update(
            actor=org.east_rep, customer=customer, expected_version=1, owner=org.east_rep2.pk
        )
    assert str(CANNOT_ASSIGN_OTHERS) in caught.value.field_errors["owner"]
    with pytest.raises(ValidationError):
        customer_create(actor=org.east_rep, name="别人的客户", owner=org.east_rep2)
    with pytest.raises(ValidationError):
        customer_create(actor=org.east_rep, name="无主客户", owner=None)
    assert Customer.objects.get(pk=customer.pk).owner == org.east_rep
    assert not Customer.objects.filter(name__in=["别人的客户", "无主客户"]).exists()


def test_a_manager_can_create_for_a_rep_of_the_team(org):
    customer = customer_create(actor=org.manager, name="新客户", owner=org.east_rep)
    assert (customer.owner, customer.team, customer.created_by) == (
        org.east_rep,
        org.east,
        org.manager,
    )


def test_the_service_role_cannot_create_customers(org):
    with pytest.raises(PermissionDenied):
        customer_create(actor=org.service_agent, name="客服建的")
    assert not Customer.objects.exists()


# --- birthdays ---------------------------------------------------------------


def test_lunar_birthday_from_numbers(org):
    customer = CustomerFactory(
        owner=org.east_rep,
        birthday_calendar="lunar",
        lunar_birthday_month=12,
        lunar_birthday_day=30,
    )
    assert (customer.lunar_birthday_month, customer.lunar_birthday_day) == (12, 30)


@pytest.mark.parametrize(
    ("month", "day"), [(0, 1), (13, 1), (1, 0), (1, 31), (None, 5), ("x", 1), (True, 1)]
)
def test_lunar_birthday_out_of_range_is_a_field_error(org, month, day):
    with pytest.raises(ValidationError) as caught:
        customer_create(
            actor=org.east_rep,
            name="张三",
            birthday_calendar="lunar",
            lunar_birthday_month=month,
            lunar_birthday_day=day,
        )
    assert caught.value.field_errors["lunar_birthday_month"] == [str(INVALID_LUNAR_DATE)]
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("solar", "lunar"),
    [
        (dt.date(1990, 1, 27), (1, 1, False)),  # 1990 春节
        (dt.date(2023, 2, 20), (2, 1, False)),  # 二月初一
        (dt.date(2023, 3, 22), (2, 1, True)),  # 闰二月初一
        ("2000-02-05", (1, 1, False)),  # 2000 春节, as text
    ],
)
def test_lunar_birthday_is_computed_from_a_solar_date(org, solar, lunar):
    customer = CustomerFactory(owner=org.east_rep, birthday_calendar="lunar", birthday=solar)
    assert (
        customer.lunar_birthday_month,
        customer.lunar_birthday_day,
        customer.lunar_birthday_is_leap_month,
    ) == lunar


def test_solar_birthday_clears_lunar_numbers(org):
    customer = CustomerFactory(
        owner=org.east_rep, birthday="1990-05-01", lunar_birthday_month=3, lunar_birthday_day=7
    )
    assert customer.birthday == dt.date(1990, 5, 1)
    assert (customer.lunar_birthday_month, customer.lunar_birthday_day) == (None, None)


def test_a_sales_rep_cannot_move_a_customer_to_another_team(org):
    customer = CustomerFactory(owner=org.east_rep)
    with pytest.raises(ValidationError) as caught:
        customer_update(actor=org.east_rep, customer=customer, expected_version=1, team=org.west.pk)
    assert str(CANNOT_MOVE_TEAM) in caught.value.field_errors["team"]
    with pytest.raises(ValidationError):
        customer_create(actor=org.east_rep, name="放到别组", team=org.west)
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.team, stored.version) == (org.east, 1)
    # Sending the team it already has (as a full form does) is fine.
    customer_update(actor=org.east_rep, customer=customer, expected_version=1, team=org.east.pk)
    assert customer_create(actor=org.east_rep, name="本组", team=org.east).team == org.east


def test_a_manager_may_move_a_customer_between_teams(org):
    customer = CustomerFactory(owner=org.east_rep)
    moved = customer_update(actor=org.manager, customer=customer, expected_version=1, team=org.west)
    assert moved.team == org.west
    assert only_entry(customer, "customers.customer.updated").changes == {
        "team": [org.east.pk, org.west.pk]
    }
