"""Tag and custom-field settings screens: forms, service errors on fields, permissions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.customers.models import CustomField, Tag, TagGroup
from guanxi.customers.services import custom_field_create, tag_create, tag_group_create
from guanxi.customers.services.tags import CHOICES_REQUIRED, KEY_TAKEN, TAG_NAME_TAKEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, org):
    client.force_login(org.admin)
    return client


def test_tag_list_groups_tags_with_colour_badges(admin_client, org):
    group = tag_group_create(actor=org.admin, name="行业")
    tag_create(actor=org.admin, name="制造业", color="#2fb344", group=group)
    tag_create(actor=org.admin, name="VIP", color="#d63939")
    tag_group_create(actor=org.admin, name="空组")
    response = admin_client.get(reverse("customers:tag_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="tag-group"') == 3  # 行业, 空组, without group
    assert "background-color: #2fb344" in body
    groups = body[body.index('data-testid="tag-group"') :]  # not the head's random CSRF token
    assert groups.index("行业") < groups.index("制造业") < groups.index("VIP")


def test_tag_create_and_duplicate_name_error_next_to_the_field(admin_client, org):
    url = reverse("customers:tag_create")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"name": "VIP", "color": "#d63939", "group": ""})
    assert response.status_code == 302
    assert Tag.objects.filter(name="VIP", color="#d63939").exists()
    response = admin_client.post(url, {"name": "VIP", "color": "#206bc4"})
    assert response.status_code == 422
    assert response.context["form"].errors["name"] == [str(TAG_NAME_TAKEN)]
    assert 'data-testid="error-name"' in response.content.decode()
    assert Tag.objects.count() == 1


def test_tag_create_with_bad_colour_is_a_field_error(admin_client, org):
    response = admin_client.post(
        reverse("customers:tag_create"), {"name": "坏颜色", "color": "red"}
    )
    assert response.status_code == 422
    assert "color" in response.context["form"].errors
    assert not Tag.objects.exists()


def test_tag_update_and_stale_version(admin_client, org):
    tag = tag_create(actor=org.admin, name="旧名")
    url = reverse("customers:tag_update", args=[tag.pk])
    assert 'value="旧名"' in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"name": "新名", "color": "#206bc4", "version": tag.version})
    assert response.status_code == 302
    tag.refresh_from_db()
    assert tag.name == "新名"
    # the same form again, with the version read before the first save
    response = admin_client.post(
        url, {"name": "第三个名字", "color": "#206bc4", "version": tag.version - 1}
    )
    assert response.status_code == 422
    assert 'data-testid="form-errors"' in response.content.decode()
    form = response.context["form"]
    assert any("新名" in message for message in form.errors["name"])  # the saved value
    assert form["version"].value() == str(tag.version)  # saving again is a knowing overwrite
    tag.refresh_from_db()
    assert tag.name == "新名"
    response = admin_client.post(
        url, {"name": "第三个名字", "color": "#206bc4", "version": form["version"].value()}
    )
    assert response.status_code == 302
    tag.refresh_from_db()
    assert tag.name == "第三个名字"


def test_tag_delete(admin_client, org):
    tag = tag_create(actor=org.admin, name="删除我")
    assert admin_client.get(reverse("customers:tag_delete", args=[tag.pk])).status_code == 405
    response = admin_client.post(reverse("customers:tag_delete", args=[tag.pk]))
    assert response.status_code == 302
    assert not Tag.objects.exists()


def test_tag_group_create_and_duplicate(admin_client, org):
    url = reverse("customers:tag_group_create")
    assert admin_client.post(url, {"name": "来源", "order": "1"}).status_code == 302
    assert TagGroup.objects.filter(name="来源", order=1).exists()
    response = admin_client.post(url, {"name": "来源"})
    assert response.status_code == 422
    assert response.context["group_form"].errors["name"]
    assert TagGroup.objects.count() == 1


def test_custom_field_create_choice_without_choices_is_a_field_error(admin_client, org):
    url = reverse("customers:custom_field_create")
    assert admin_client.get(url, {"target": "contact"}).status_code == 200
    response = admin_client.post(
        url,
        {"target": "customer", "key": "region", "label": "区域", "field_type": "choice"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["choices"] == [str(CHOICES_REQUIRED)]
    assert 'data-testid="error-choices"' in response.content.decode()
    assert not CustomField.objects.exists()


def test_custom_field_create_with_choices_one_per_line(admin_client, org):
    response = admin_client.post(
        reverse("customers:custom_field_create"),
        {
            "target": "customer",
            "key": "region",
            "label": "区域",
            "field_type": "multi_choice",
            "choices": "华东\r\n华南\r\n\r\n华东\r\n",
            "is_required": "on",
            "order": "3",
        },
    )
    assert response.status_code == 302
    field = CustomField.objects.get()
    assert field.choices == ["华东", "华南"]
    assert field.is_required and field.is_active and field.order == 3
    body = admin_client.get(reverse("customers:custom_field_list")).content.decode()
    assert "region" in body and "华东、华南" in body


def test_custom_field_duplicate_key_and_bad_key(admin_client, org):
    custom_field_create(
        actor=org.admin, target="customer", key="size", label="规模", field_type="text"
    )
    url = reverse("customers:custom_field_create")
    data = {"target": "customer", "key": "size", "label": "规模2", "field_type": "text"}
    response = admin_client.post(url, data)
    assert response.status_code == 422
    assert response.context["form"].errors["key"] == [str(KEY_TAKEN)]
    response = admin_client.post(url, {**data, "key": "有 空格"})
    assert response.status_code == 422
    assert "key" in response.context["form"].errors
    # the same key on the other target is fine
    assert admin_client.post(url, {**data, "target": "contact"}).status_code == 302


def test_custom_field_update_can_deactivate_but_not_change_key(admin_client, org):
    field = custom_field_create(
        actor=org.admin, target="customer", key="size", label="规模", field_type="text"
    )
    url = reverse("customers:custom_field_update", args=[field.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "label": "公司规模",
            "field_type": "text",
            "key": "hacked",
            "order": "2",
            "version": field.version,
        },
    )
    assert response.status_code == 302
    field.refresh_from_db()
    assert (field.label, field.key, field.is_active, field.order) == ("公司规模", "size", False, 2)
    assert (
        admin_client.get(reverse("customers:custom_field_update", args=[999999])).status_code == 404
    )


@pytest.mark.parametrize(
    "url_name,args",
    [
        ("customers:tag_list", []),
        ("customers:tag_create", []),
        ("customers:custom_field_list", []),
        ("customers:custom_field_create", []),
    ],
)
def test_settings_screens_need_their_permission(client, org, url_name, args):
    client.force_login(org.east_rep)  # sales: neither permission
    assert client.get(reverse(url_name, args=args)).status_code == 403


def test_manager_may_manage_tags_but_not_custom_fields(client, org):
    tag = tag_create(actor=org.admin, name="VIP")
    client.force_login(org.manager)
    assert client.get(reverse("customers:tag_list")).status_code == 200
    assert client.get(reverse("customers:custom_field_list")).status_code == 403
    response = client.post(
        reverse("customers:custom_field_create"),
        {"target": "customer", "key": "x", "label": "x", "field_type": "text"},
    )
    assert response.status_code == 403
    assert not CustomField.objects.exists()
    client.force_login(org.east_rep)
    assert client.post(reverse("customers:tag_delete", args=[tag.pk])).status_code == 403
    assert Tag.objects.filter(pk=tag.pk).exists()


def test_signed_out_user_goes_to_login(client):
    response = client.get(reverse("customers:tag_list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_custom_field_stale_edit_is_refused_with_the_saved_values(admin_client, org):
    from guanxi.customers.services import custom_field_update

    field = custom_field_create(
        actor=org.admin, target="customer", key="size", label="规模", field_type="text"
    )
    read_version = field.version
    custom_field_update(actor=org.admin, field=field, expected_version=None, label="公司规模")
    response = admin_client.post(
        reverse("customers:custom_field_update", args=[field.pk]),
        {"label": "我的标签", "field_type": "text", "is_active": "on", "version": read_version},
    )
    assert response.status_code == 422
    assert any("公司规模" in message for message in response.context["form"].errors["label"])
    field.refresh_from_db()
    assert field.label == "公司规模"
