"""The customer list page: filters, sorting, keyset pages, scoping, masking, query count."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from guanxi.customers.models import Customer
from guanxi.customers.services import custom_field_create, customer_create, tag_create

pytestmark = pytest.mark.django_db

LIST_URL = reverse("customers:customer_list")


def make_customer(actor: Any, name: str, **fields: Any) -> Customer:
    return customer_create(actor=actor, name=name, **fields)


def row_ids(response: Any) -> list[int]:
    return [
        int(i)
        for i in re.findall(
            r'data-testid="customer-row" data-id="(\d+)"', response.content.decode()
        )
    ]


def listed_names(response: Any) -> set[str]:
    return {c.name for c in Customer.objects.filter(pk__in=row_ids(response))}


@pytest.fixture
def signed_in_admin(client, org):
    client.force_login(org.admin)
    return client


def test_list_shows_customers_with_links_and_tags(signed_in_admin, org):
    vip = tag_create(actor=org.admin, name="VIP", color="#d63939")
    customer = make_customer(org.east_rep, "张三科技有限公司", tags=[vip.pk], city="上海")
    response = signed_in_admin.get(LIST_URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("customers:customer_detail", args=[customer.pk]) in body
    assert "background-color: #d63939" in body
    assert "上海" in body
    assert 'id="customer-table"' in body


def test_htmx_request_renders_only_the_table_fragment(signed_in_admin, org):
    make_customer(org.east_rep, "欧阳娜娜")
    response = signed_in_admin.get(LIST_URL, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div class="card" id="customer-table">')
    assert "<html" not in body


def test_filter_by_owner_team_grade_stage_source(signed_in_admin, org):
    east = make_customer(
        org.east_rep, "东方客户", grade="A", lifecycle_stage="active", source="展会"
    )
    west = make_customer(org.west_rep, "西方客户", grade="B", lifecycle_stage="lost", source="官网")
    cases = {
        "owner": (org.east_rep.pk, east),
        "team": (org.west.pk, west),
        "grade": ("A", east),
        "stage": ("lost", west),
        "source": ("展会", east),
    }
    for param, (value, expected) in cases.items():
        response = signed_in_admin.get(LIST_URL, {param: value})
        assert response.status_code == 200, param
        assert row_ids(response) == [expected.pk], param


def test_filter_by_tag(signed_in_admin, org):
    vip = tag_create(actor=org.admin, name="VIP")
    tagged = make_customer(org.east_rep, "有标签", tags=[vip.pk])
    make_customer(org.east_rep, "无标签")
    response = signed_in_admin.get(LIST_URL, {"tag": vip.pk})
    assert row_ids(response) == [tagged.pk]


def test_filter_by_created_and_updated_range(signed_in_admin, org):
    old = make_customer(org.east_rep, "老客户")
    new = make_customer(org.east_rep, "新客户")
    last_year = timezone.now() - dt.timedelta(days=365)
    Customer.objects.filter(pk=old.pk).update(created_at=last_year, updated_at=last_year)
    today = timezone.localdate().isoformat()
    response = signed_in_admin.get(LIST_URL, {"created_from": today, "created_to": today})
    assert row_ids(response) == [new.pk]
    year_ago = (timezone.localdate() - dt.timedelta(days=300)).isoformat()
    response = signed_in_admin.get(LIST_URL, {"updated_to": year_ago})
    assert row_ids(response) == [old.pk]


def test_filter_by_custom_fields(signed_in_admin, org):
    custom_field_create(
        actor=org.admin,
        target="customer",
        key="region",
        label="区域",
        field_type="choice",
        choices=["华东", "华南"],
    )
    custom_field_create(
        actor=org.admin, target="customer", key="employees", label="员工数", field_type="number"
    )
    east = make_customer(
        org.east_rep, "华东公司", custom_fields={"region": "华东", "employees": 120}
    )
    make_customer(org.east_rep, "华南公司", custom_fields={"region": "华南", "employees": 8})
    response = signed_in_admin.get(LIST_URL, {"cf_region": "华东"})
    assert 'name="cf_region"' in response.content.decode()
    assert row_ids(response) == [east.pk]
    response = signed_in_admin.get(LIST_URL, {"cf_employees": "120"})
    assert row_ids(response) == [east.pk]


def test_search_box_uses_chinese_search(signed_in_admin, org):
    zhang = make_customer(org.east_rep, "张三")
    make_customer(org.east_rep, "李四")
    for query in ["张三", "zs", "zhangsan"]:
        response = signed_in_admin.get(LIST_URL, {"q": query})
        assert row_ids(response) == [zhang.pk], query


def test_sort_by_name_both_directions(signed_in_admin, org):
    names = ["王五", "阿里巴巴", "张三"]  # pinyin: wangwu, alibaba, zhangsan
    for name in names:
        make_customer(org.east_rep, name)
    response = signed_in_admin.get(LIST_URL, {"sort": "name"})
    assert [Customer.objects.get(pk=i).name for i in row_ids(response)] == [
        "阿里巴巴",
        "王五",
        "张三",
    ]
    assert 'data-testid="sort-name" aria-sort="ascending"' in response.content.decode()
    response = signed_in_admin.get(LIST_URL, {"sort": "-name"})
    assert [Customer.objects.get(pk=i).name for i in row_ids(response)] == [
        "张三",
        "王五",
        "阿里巴巴",
    ]


def test_keyset_next_page_has_the_following_rows_without_duplicates(signed_in_admin, org):
    created = [make_customer(org.east_rep, f"客户{i:03d}").pk for i in range(60)]
    first = signed_in_admin.get(LIST_URL, {"sort": "name", "grade": ""})
    first_ids = row_ids(first)
    assert len(first_ids) == 50
    body = first.content.decode()
    assert "50+" in re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", body))
    match = re.search(r'href="\?([^"]*cursor=[^"]+)" hx-get', body)
    assert match, "next-page link"
    next_query = match.group(1).replace("&amp;", "&")
    assert "sort=name" in next_query
    second = signed_in_admin.get(f"{LIST_URL}?{next_query}")
    second_ids = row_ids(second)
    assert len(second_ids) == 10
    assert not set(first_ids) & set(second_ids)
    assert sorted(first_ids + second_ids) == sorted(created)
    assert 'data-testid="first-page"' in second.content.decode()
    assert 'data-testid="next-page"' not in second.content.decode()


def test_sales_rep_never_sees_another_reps_customer(client, org):
    mine = make_customer(org.east_rep, "张三的客户")
    theirs = make_customer(org.west_rep, "张三丰的客户")
    client.force_login(org.east_rep)
    response = client.get(LIST_URL)
    assert row_ids(response) == [mine.pk]
    response = client.get(LIST_URL, {"q": "张三"})
    assert row_ids(response) == [mine.pk]
    response = client.get(LIST_URL, {"owner": org.west_rep.pk})
    assert row_ids(response) == []
    response = client.get(reverse("customers:search"), {"q": "张三"})
    body = response.content.decode()
    assert mine.name in body
    assert theirs.name not in body
    assert reverse("customers:customer_detail", args=[theirs.pk]) not in body


def test_phones_are_masked_for_service_role_and_full_for_a_rep(client, org):
    make_customer(org.east_rep, "电话客户", phones=["13812345678"])
    client.force_login(org.service_agent)
    body = client.get(LIST_URL).content.decode()
    assert "138****5678" in body
    assert "13812345678" not in body.replace(" ", "")
    search_body = client.get(reverse("customers:search"), {"q": "5678"}).content.decode()
    assert "138****5678" in search_body
    assert "13812345678" not in search_body.replace(" ", "")
    client.force_login(org.east_rep)
    body = client.get(LIST_URL).content.decode()
    assert "138****5678" not in body
    assert "13812345678" in re.sub(r"[\s-]", "", body)


@pytest.mark.parametrize(
    "params",
    [
        {"created_from": "2024-13-45"},
        {"updated_to": "not-a-date"},
        {"owner": "abc"},
        {"team": "999999"},
        {"tag": "-1"},
        {"grade": "Z"},
        {"stage": "<script>"},
        {"sort": "password"},
        {"sort": "name", "cursor": "!!!not-base64"},
        {"cursor": "WzEsMiwzXQ"},  # valid base64, wrong length
        {"cf_unknown": "x"},
        {"q": "x" * 5000},
    ],
)
def test_garbage_filters_answer_200(signed_in_admin, org, params):
    customer = make_customer(org.east_rep, "正常客户")
    response = signed_in_admin.get(LIST_URL, params)
    assert response.status_code == 200
    if set(params) & {"sort", "cursor", "cf_unknown"}:
        assert row_ids(response) == [customer.pk]


def test_bad_date_shows_the_field_error_and_ignores_that_filter(signed_in_admin, org):
    customer = make_customer(org.east_rep, "正常客户")
    response = signed_in_admin.get(LIST_URL, {"created_from": "2024-13-45"})
    assert 'data-testid="filter-error-created_from"' in response.content.decode()
    assert row_ids(response) == [customer.pk]


def test_custom_field_number_filter_with_garbage_is_a_field_error(signed_in_admin, org):
    custom_field_create(
        actor=org.admin, target="customer", key="employees", label="员工数", field_type="number"
    )
    response = signed_in_admin.get(LIST_URL, {"cf_employees": "lots"})
    assert response.status_code == 200
    assert 'data-testid="filter-error-cf_employees"' in response.content.decode()


def test_list_query_count_does_not_grow_with_rows(client, org, django_assert_max_num_queries):
    tags = [tag_create(actor=org.admin, name=f"标签{i}") for i in range(3)]
    for i in range(50):
        make_customer(org.east_rep, f"客户{i}", tags=[t.pk for t in tags], phones=["13812345678"])
    client.force_login(org.east_rep)
    client.get(LIST_URL)  # warm the session
    with django_assert_max_num_queries(14):
        response = client.get(LIST_URL)
    assert len(row_ids(response)) == 50


def test_saved_view_create_list_and_delete(client, org):
    from guanxi.customers.selectors import saved_view_list

    client.force_login(org.east_rep)
    response = client.post(
        reverse("customers:saved_view_create"),
        {"list_name": "customers", "name": "我的A级", "query": "grade=A&cursor=abc&sort=name"},
    )
    assert response.status_code == 302
    view = saved_view_list(actor=org.east_rep, list_name="customers").get()
    assert view.name == "我的A级"
    body = client.get(LIST_URL).content.decode()
    assert 'data-testid="saved-view-link"' in body
    assert "我的A级" in body
    # another user never sees it, nor can delete it
    client.force_login(org.west_rep)
    assert "我的A级" not in client.get(LIST_URL).content.decode()
    response = client.post(
        reverse("customers:saved_view_delete", args=[view.pk]), {"list_name": "customers"}
    )
    assert response.status_code == 404
    client.force_login(org.east_rep)
    response = client.post(
        reverse("customers:saved_view_delete", args=[view.pk]), {"list_name": "customers"}
    )
    assert response.status_code == 302
    assert not saved_view_list(actor=org.east_rep, list_name="customers").exists()


def test_saved_view_without_name_is_refused(client, org):
    from guanxi.customers.selectors import saved_view_list

    client.force_login(org.east_rep)
    response = client.post(
        reverse("customers:saved_view_create"),
        {"list_name": "customers", "name": " ", "query": "grade=A"},
    )
    assert response.status_code == 302
    assert not saved_view_list(actor=org.east_rep, list_name="customers").exists()


def test_search_page_hint_for_empty_query(client, org):
    client.force_login(org.east_rep)
    response = client.get(reverse("customers:search"))
    assert response.status_code == 200
    assert 'data-testid="search-hint"' in response.content.decode()


def test_search_finds_customers_and_contacts(client, org):
    from guanxi.customers.services import contact_create

    customer = make_customer(org.east_rep, "欧阳科技")
    contact_create(actor=org.east_rep, customer=customer, name="张三", phones=["13900001234"])
    client.force_login(org.east_rep)
    body = client.get(reverse("customers:search"), {"q": "zs"}).content.decode()
    assert 'data-testid="search-contact"' in body
    assert "张三" in body
    body = client.get(reverse("customers:search"), {"q": "欧阳"}).content.decode()
    assert 'data-testid="search-customer"' in body
    body = client.get(reverse("customers:search"), {"q": "1234"}).content.decode()
    assert 'data-testid="search-contact"' in body


def test_search_page_query_count(client, org, django_assert_max_num_queries):
    from guanxi.customers.services import contact_create

    for number in range(25):
        customer = make_customer(org.east_rep, f"张三{number}号店", phones=["13812345678"])
        contact_create(actor=org.east_rep, customer=customer, name=f"张三{number}")
    client.force_login(org.east_rep)
    client.get(reverse("customers:search"), {"q": "张三"})
    with django_assert_max_num_queries(8):
        response = client.get(reverse("customers:search"), {"q": "张三"})
    body = response.content.decode()
    assert body.count('data-testid="search-customer"') == 20
    assert body.count('data-testid="search-contact"') == 20


def test_saved_view_query_with_control_characters_is_harmless(client, org):
    client.force_login(org.east_rep)
    response = client.post(
        reverse("customers:saved_view_create"),
        {"list_name": "nope", "name": "怪", "query": "grade=A\r\nSet-Cookie: x=1&q=<b>"},
    )
    assert response.status_code == 302
    assert "\n" not in response["Location"]
    body = client.get(LIST_URL).content.decode()
    assert "<b>" not in body
