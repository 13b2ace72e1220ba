"""The customer create/edit form: a first contact in the same POST, field errors for
bad input with nothing written, sanitised notes, and the stale-version conflict."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.customers.models import Contact, Customer, CustomField
from guanxi.customers.services import custom_field_create, customer_create, customer_update
from guanxi.platform.models import AuditEntry

pytestmark = pytest.mark.django_db


def _payload(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "company",
        "name": "上海星辰贸易有限公司",
        "short_name": "星辰",
        "industry": "贸易",
        "source": "展会",
        "grade": "A",
        "lifecycle_stage": "prospect",
        "phones": "13812345678\n021-62345678",
        "emails": "sales@Example.COM",
        "wechat_id": "xingchen",
        "province": "上海市",
        "city": "上海市",
        "district": "浦东新区",
        "street": "世纪大道 100 号",
        "preferred_channel": "wechat",
        "language": "zh-hans",
        "time_zone": "Asia/Shanghai",
        "birthday_calendar": "solar",
        "birthday": "",
        "notes": "重要客户",
    }
    data.update(overrides)
    return data


def _counts() -> tuple[int, int, int]:
    return Customer.objects.count(), Contact.objects.count(), AuditEntry.objects.count()


def test_create_form_renders_every_editable_field(client, org):
    client.force_login(org.east_rep)
    response = client.get(reverse("customers:customer_create"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in [
        "kind", "name", "short_name", "industry", "source", "grade", "lifecycle_stage",
        "owner", "team", "phones", "emails", "wechat_id", "province", "city", "district",
        "street", "preferred_channel", "language", "time_zone", "birthday",
        "birthday_calendar", "lunar_birthday_month", "lunar_birthday_day",
        "lunar_birthday_is_leap_month", "notes", "tags", "contact_name", "contact_phones",
    ]:  # fmt: skip
        assert f'name="{name}"' in html, name
    assert "data-tom-select" in html
    # a sales rep cannot assign to somebody else: the owner select is disabled
    assert 'name="owner"' in html and "disabled" in html.split('name="owner"')[1][:200]


def test_create_with_first_contact(client, org):
    client.force_login(org.east_rep)
    response = client.post(
        reverse("customers:customer_create"),
        _payload(
            contact_name="李经理",
            contact_title="采购经理",
            contact_phones="13900001111",
            contact_emails="li@example.com",
        ),
    )
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("customers:customer_detail", args=[customer.pk])
    assert customer.owner == org.east_rep and customer.team == org.east
    assert customer.phones == ["+8613812345678", "+862162345678"]
    assert customer.emails == ["sales@example.com"]
    contact = customer.contacts.get()
    assert (contact.name, contact.title, contact.phones, contact.is_primary) == (
        "李经理",
        "采购经理",
        ["+8613900001111"],
        True,
    )


def test_bad_contact_phone_writes_nothing_at_all(client, org):
    client.force_login(org.east_rep)
    before = _counts()
    response = client.post(
        reverse("customers:customer_create"),
        _payload(contact_name="李经理", contact_phones="12345"),
    )
    assert response.status_code == 200
    assert 'data-testid="error-contact_phones"' in response.content.decode()
    assert _counts() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phones": "13812345678\nnot-a-phone"}, "phones"),
        ({"emails": "nobody@"}, "emails"),
        ({"name": ""}, "name"),
        ({"name": "长" * 10_000}, "name"),
        ({"kind": "robot"}, "kind"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"birthday_calendar": "lunar", "lunar_birthday_month": "13"}, "lunar_birthday_month"),
        ({"birthday": "2026-02-30"}, "birthday"),
    ],
)
def test_bad_input_gives_field_errors_and_writes_nothing(client, org, overrides, field):
    client.force_login(org.east_rep)
    before = _counts()
    response = client.post(reverse("customers:customer_create"), _payload(**overrides))
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert _counts() == before


def test_unknown_custom_field_choice_is_a_field_error(client, org):
    custom_field_create(
        actor=org.admin,
        target="customer",
        key="size",
        label="规模",
        field_type="choice",
        choices=["小", "中", "大"],
    )
    client.force_login(org.east_rep)
    before = _counts()
    response = client.post(reverse("customers:customer_create"), _payload(cf_size="巨大"))
    assert response.status_code == 200
    assert 'data-testid="error-cf_size"' in response.content.decode()
    assert _counts() == before
    response = client.post(reverse("customers:customer_create"), _payload(cf_size="大"))
    assert response.status_code == 302
    assert Customer.objects.get().custom_fields == {"size": "大"}
    assert CustomField.objects.count() == 1


def test_script_in_notes_is_stripped_and_everything_is_escaped(client, org):
    client.force_login(org.east_rep)
    response = client.post(
        reverse("customers:customer_create"),
        _payload(
            name='<img src=x onerror="alert(1)">客户',
            notes="<script>alert('x')</script><b>重要</b> & 急",
        ),
    )
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert "<script" not in customer.notes
    assert "<b>重要</b>" in customer.notes
    html = client.get(response.url).content.decode()
    assert "<script>alert" not in html
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;客户" in html
    assert "<b>重要</b>" in html  # the sanitised formatting survives


def test_owner_field_is_honoured_only_with_transfer_permission(client, org):
    client.force_login(org.manager)
    response = client.post(
        reverse("customers:customer_create"), _payload(owner=org.east_rep2.pk, team=org.east.pk)
    )
    assert response.status_code == 302
    assert Customer.objects.get().owner == org.east_rep2
    client.force_login(org.east_rep)
    # disabled field: a forged owner is ignored, the rep stays the owner
    client.post(
        reverse("customers:customer_create"), _payload(name="别人的", owner=org.west_rep.pk)
    )
    assert Customer.objects.get(name="别人的").owner == org.east_rep


def test_update_saves_and_bumps_the_version(client, org):
    customer = customer_create(actor=org.east_rep, name="老客户", phones=["13812345678"])
    client.force_login(org.east_rep)
    form = client.get(reverse("customers:customer_update", args=[customer.pk]))
    assert form.status_code == 200
    assert 'name="version" value="1"' in form.content.decode()
    response = client.post(
        reverse("customers:customer_update", args=[customer.pk]),
        _payload(name="老客户（改）", version=1),
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.version, customer.grade) == ("老客户（改）", 2, "A")


def test_update_of_another_reps_customer_is_404(client, org):
    customer = customer_create(actor=org.west_rep, name="西区客户")
    client.force_login(org.east_rep)
    url = reverse("customers:customer_update", args=[customer.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _payload(version=1)).status_code == 404
    customer.refresh_from_db()
    assert customer.name == "西区客户"


def test_stale_version_shows_both_values_and_overwrites_nothing(client, org):
    customer = customer_create(actor=org.east_rep, name="原名", industry="制造")
    # someone else saves first (version 1 -> 2)
    customer_update(actor=org.manager, customer=customer, expected_version=1, industry="物流")
    client.force_login(org.east_rep)
    url = reverse("customers:customer_update", args=[customer.pk])
    response = client.post(url, _payload(name="我的名字", industry="零售", version=1))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="conflict-message"' in html
    conflict = html.split('id="conflict-message"')[1].split("</table>")[0]
    assert "物流" in conflict and "零售" in conflict  # theirs and yours
    assert "原名" in conflict and "我的名字" in conflict
    customer.refresh_from_db()
    assert (customer.name, customer.industry, customer.version) == ("原名", "物流", 2)
    # the user's input is kept and the form now carries the current version
    assert 'value="我的名字"' in html
    assert 'name="version" value="2"' in html
    # submitting again deliberately overwrites
    response = client.post(url, _payload(name="我的名字", industry="零售", version=2))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.industry, customer.version) == ("我的名字", "零售", 3)


def test_update_form_hides_numbers_from_users_who_may_not_see_them(client, org):
    from guanxi.accounts.models import Role

    role = Role.objects.get(code="sales")
    role.permissions = [p for p in role.permissions if p != "customers.view_contact_details"]
    role.save()
    customer = customer_create(actor=org.east_rep, name="保密", phones=["13812345678"])
    client.force_login(org.east_rep)
    html = client.get(reverse("customers:customer_update", args=[customer.pk])).content.decode()
    assert "13812345678" not in html
    assert 'name="phones"' not in html
    response = client.post(
        reverse("customers:customer_update", args=[customer.pk]), _payload(name="保密2", version=1)
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.phones == ["+8613812345678"]  # untouched


def test_customer_and_contact_errors_come_back_together(client, org):
    client.force_login(org.east_rep)
    before = _counts()
    response = client.post(
        reverse("customers:customer_create"),
        _payload(phones="12345", contact_name="李经理", contact_phones="nope"),
    )
    html = response.content.decode()
    assert 'data-testid="error-phones"' in html
    assert 'data-testid="error-contact_phones"' in html
    assert _counts() == before


def test_tags_lunar_birthday_and_custom_fields_round_trip(client, org):
    from guanxi.customers.services import tag_create

    vip = tag_create(actor=org.admin, name="VIP", color="#d63939")
    custom_field_create(
        actor=org.admin, target="customer", key="staff", label="员工数", field_type="number"
    )
    client.force_login(org.east_rep)
    response = client.post(
        reverse("customers:customer_create"),
        _payload(
            tags=[vip.pk],
            birthday_calendar="lunar",
            lunar_birthday_month="8",
            lunar_birthday_day="15",
            lunar_birthday_is_leap_month="on",
            cf_staff="120",
        ),
    )
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert list(customer.tags.all()) == [vip]
    assert (customer.birthday_calendar, customer.lunar_birthday_month) == ("lunar", 8)
    assert (customer.lunar_birthday_day, customer.lunar_birthday_is_leap_month) == (15, True)
    assert customer.custom_fields == {"staff": 120}
    html = client.get(response.url).content.decode()
    assert 'data-testid="customer-tag">VIP<' in html and "#d63939" in html
    assert 'data-testid="custom-staff">120<' in html
    birthday = html.split('data-testid="customer-birthday">')[1].split("</dd>")[0]
    assert "8" in birthday and "15" in birthday
    # the edit form shows what is stored
    html = client.get(reverse("customers:customer_update", args=[customer.pk])).content.decode()
    assert f'<option value="{vip.pk}" selected>' in html
    assert 'name="cf_staff" value="120"' in html


def test_unknown_tag_is_a_field_error(client, org):
    client.force_login(org.east_rep)
    response = client.post(reverse("customers:customer_create"), _payload(tags=["99999"]))
    assert response.status_code == 200
    assert 'data-testid="error-tags"' in response.content.decode()
    assert Customer.objects.count() == 0


def test_users_without_create_permission_get_403(client, org):
    client.force_login(org.service_agent)
    assert client.get(reverse("customers:customer_create")).status_code == 403
    assert client.post(reverse("customers:customer_create"), _payload()).status_code == 403
    assert Customer.objects.count() == 0
