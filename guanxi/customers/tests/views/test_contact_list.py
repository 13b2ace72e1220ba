"""The contact list page: filters, sorting, scoping, masking, bad input."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from guanxi.customers.services import contact_create, custom_field_create, customer_create

pytestmark = pytest.mark.django_db

LIST_URL = reverse("customers:contact_list")


def row_ids(response: Any) -> list[int]:
    return [
        int(i)
        for i in re.findall(r'data-testid="contact-row" data-id="(\d+)"', response.content.decode())
    ]


@pytest.fixture
def contacts(org):
    east_customer = customer_create(actor=org.east_rep, name="东方公司")
    west_customer = customer_create(actor=org.west_rep, name="西方公司")
    return {
        "zhang": contact_create(
            actor=org.east_rep,
            customer=east_customer,
            name="张三",
            title="经理",
            phones=["13812345678"],
            emails=["zhang.san@example.com"],
        ),
        "wang": contact_create(actor=org.west_rep, customer=west_customer, name="王五"),
    }


def test_contact_list_shows_rows_linking_to_the_customer(client, org, contacts):
    client.force_login(org.admin)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert sorted(row_ids(response)) == sorted(c.pk for c in contacts.values())
    body = response.content.decode()
    assert reverse("customers:customer_detail", args=[contacts["zhang"].customer_id]) in body
    assert "经理" in body


def test_contact_list_htmx_fragment(client, org, contacts):
    client.force_login(org.admin)
    response = client.get(LIST_URL, headers={"HX-Request": "true"})
    assert response.content.decode().lstrip().startswith('<div class="card" id="contact-table">')


def test_filter_by_q_owner_and_created_range(client, org, contacts):
    client.force_login(org.admin)
    assert row_ids(client.get(LIST_URL, {"q": "zs"})) == [contacts["zhang"].pk]
    assert row_ids(client.get(LIST_URL, {"owner": org.west_rep.pk})) == [contacts["wang"].pk]
    assert row_ids(client.get(LIST_URL, {"created_to": "2000-01-01"})) == []


def test_filter_by_contact_custom_field(client, org, contacts):
    from guanxi.customers.services import contact_update

    custom_field_create(
        actor=org.admin, target="contact", key="hobby", label="爱好", field_type="text"
    )
    contact_update(
        actor=org.admin,
        contact=contacts["wang"],
        expected_version=None,
        custom_fields={"hobby": "围棋"},
    )
    client.force_login(org.admin)
    assert row_ids(client.get(LIST_URL, {"cf_hobby": "围棋"})) == [contacts["wang"].pk]


def test_sort_by_name(client, org, contacts):
    client.force_login(org.admin)
    ids = row_ids(client.get(LIST_URL, {"sort": "name"}))
    assert ids == [contacts["wang"].pk, contacts["zhang"].pk]  # wangwu < zhangsan


def test_rep_sees_only_contacts_of_own_customers(client, org, contacts):
    client.force_login(org.east_rep)
    assert row_ids(client.get(LIST_URL)) == [contacts["zhang"].pk]
    assert row_ids(client.get(LIST_URL, {"q": "王五"})) == []


def test_contact_details_masked_for_service_role(client, org, contacts):
    client.force_login(org.service_agent)
    body = client.get(LIST_URL).content.decode()
    assert "138****5678" in body
    assert "zhang.san@example.com" not in body
    client.force_login(org.east_rep)
    body = client.get(LIST_URL).content.decode()
    assert "zhang.san@example.com" in body


@pytest.mark.parametrize(
    "params",
    [{"created_from": "2024-13-45"}, {"owner": "abc"}, {"sort": "x"}, {"cursor": "%%%"}],
)
def test_garbage_filters_answer_200(client, org, contacts, params):
    client.force_login(org.admin)
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    assert len(row_ids(response)) == 2


def test_contact_list_query_count_does_not_grow_with_rows(
    client, org, django_assert_max_num_queries
):
    customer = customer_create(actor=org.east_rep, name="大客户")
    for number in range(50):
        contact_create(
            actor=org.east_rep, customer=customer, name=f"联系人{number}", phones=["13812345678"]
        )
    client.force_login(org.east_rep)
    client.get(LIST_URL)
    with django_assert_max_num_queries(10):
        response = client.get(LIST_URL)
    assert len(row_ids(response)) == 50
