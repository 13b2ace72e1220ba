"""The customer list endpoint runs a fixed number of queries however many rows it returns."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers.tests.factories import CustomerFactory, TagFactory
from guanxi.platform.testing.api_client import ApiClient, token_for

pytestmark = pytest.mark.django_db

# The token (joined with user, role and team), the page, the tags prefetch; +1 slack.
MAX_QUERIES = 4


def _make_customers(org: Any, count: int) -> None:
    tags = [TagFactory(actor=org.admin) for _ in range(3)]
    for index in range(count):
        CustomerFactory(
            owner=org.east_rep if index % 2 else org.east_rep2,
            tags=tags[: index % 3 + 1],
            phones=["13812345678"],
        )


def _queries_for(api: ApiClient, path: str) -> tuple[int, int]:
    api.get(path)  # warm: token last_used_at touch happens on the first call only
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path)
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["items"])


@pytest.mark.parametrize("role", ["admin", "manager", "service_agent"])
def test_customer_list_query_count_does_not_grow_with_rows(
    org: Any, role: str, django_assert_max_num_queries: Any
) -> None:
    _make_customers(org, 5)
    api = ApiClient(token_for(getattr(org, role)))
    few, few_rows = _queries_for(api, "/api/v1/customers?limit=50")

    _make_customers(org, 45)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = api.get("/api/v1/customers?limit=50")
    assert len(response.json()["items"]) == 50
    assert all(item["tags"] for item in response.json()["items"])
    many, _many_rows = _queries_for(api, "/api/v1/customers?limit=50")

    assert few_rows == 5
    assert many == few


def test_contact_and_interaction_lists_query_count(
    org: Any, django_assert_max_num_queries: Any
) -> None:
    from guanxi.customers.tests.factories import ContactFactory, InteractionFactory

    for _index in range(20):
        customer = CustomerFactory(owner=org.east_rep)
        ContactFactory(customer=customer)
        InteractionFactory(customer=customer)
    api = ApiClient(token_for(org.manager))
    api.get("/api/v1/contacts")

    with django_assert_max_num_queries(MAX_QUERIES):
        assert len(api.get("/api/v1/contacts").json()["items"]) == 20
    with django_assert_max_num_queries(MAX_QUERIES):
        assert len(api.get("/api/v1/interactions").json()["items"]) == 20
