"""Round trips over the API: create, read, list, patch (If-Match), delete, restore."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.customers.tests.factories import (
    ContactFactory,
    CustomerFactory,
    InteractionFactory,
    TagFactory,
)
from guanxi.platform.testing.api_client import assert_problem

pytestmark = pytest.mark.django_db


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def _recycle_bin_ids(actor: Any, key: str) -> set[int]:
    from guanxi.platform.selectors import recycle_bin_list

    return {row.pk for _entry, rows in recycle_bin_list(actor=actor, type_key=key) for row in rows}


def test_customer_round_trip(org: Any, api_as: Any) -> None:
    from guanxi.customers.services import custom_field_create

    custom_field_create(
        actor=org.admin,
        target="customer",
        key="size",
        label="规模",
        field_type="choice",
        choices=["大", "小"],
    )
    tag = TagFactory(actor=org.admin, name="VIP")
    api = api_as(org.east_rep)

    created = api.post(
        "/api/v1/customers",
        {
            "name": "欧阳科技",
            "phones": ["138 1234 5678"],
            "emails": ["Boss@Example.COM"],
            "tags": [tag.pk],
            "custom_fields": {"size": "大"},
            "city": "上海",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["owner"] == org.east_rep.pk
    assert body["team"] == org.east.pk
    assert len(body["phones"]) == 1
    assert body["phones"][0].replace(" ", "").replace("-", "").endswith("13812345678")
    assert body["emails"] == ["Boss@example.com"]
    assert body["tags"] == [{"id": tag.pk, "name": "VIP", "color": tag.color}]
    assert body["custom_fields"] == {"size": "大"}
    assert created["ETag"] == 'W/"1"'

    url = f"/api/v1/customers/{body['id']}"
    fetched = api.get(url)
    assert fetched.json() == body
    assert body["id"] in _ids(api.get("/api/v1/customers"))
    assert body["id"] in _ids(api.get("/api/v1/customers?q=欧阳"))
    assert body["id"] in _ids(api.get("/api/v1/customers?q=oykj"))
    assert body["id"] in _ids(api.get(f"/api/v1/customers?tag={tag.pk}"))
    assert body["id"] in _ids(api.get("/api/v1/customers?cf.size=大"))
    assert body["id"] not in _ids(api.get("/api/v1/customers?cf.size=小"))

    patched = api.patch(url, {"grade": "A", "tags": []}, **{"If-Match": fetched["ETag"]})
    assert patched.status_code == 200, patched.content
    assert patched.json()["grade"] == "A"
    assert patched.json()["tags"] == []
    assert patched.json()["version"] == 2
    assert patched["ETag"] == 'W/"2"'
    assert patched.json()["city"] == "上海"  # untouched fields stay


def test_stale_if_match_is_409_and_changes_nothing(org: Any, api_as: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep, name="原名")
    api = api_as(org.east_rep)
    url = f"/api/v1/customers/{customer.pk}"
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"name": "第一次"}, **{"If-Match": etag}).status_code == 200

    problem = assert_problem(api.patch(url, {"name": "第二次"}, **{"If-Match": etag}), 409)

    assert problem["current_version"] == 2
    current = api.get(url).json()
    assert current["name"] == "第一次"
    assert current["version"] == 2


@pytest.mark.parametrize("if_match", ['"1"', "1", 'W/"1"'])
def test_if_match_forms_are_accepted(org: Any, api_as: Any, if_match: str) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    response = api_as(org.east_rep).patch(
        f"/api/v1/customers/{customer.pk}", {"source": "展会"}, **{"If-Match": if_match}
    )
    assert response.status_code == 200, response.content


def test_version_in_body_is_honoured_and_missing_if_match_allowed(org: Any, api_as: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    api = api_as(org.east_rep)
    url = f"/api/v1/customers/{customer.pk}"

    assert api.patch(url, {"source": "转介绍"}).status_code == 200
    assert_problem(api.patch(url, {"source": "广告", "version": 1}), 409)
    assert api.patch(url, {"source": "广告", "version": 2}).status_code == 200


def test_malformed_if_match_is_422(org: Any, api_as: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    problem = assert_problem(
        api_as(org.east_rep).patch(
            f"/api/v1/customers/{customer.pk}", {"source": "x"}, **{"If-Match": "garbage"}
        ),
        422,
    )
    assert "If-Match" in problem["errors"]


def test_customer_delete_goes_to_recycle_bin_and_restores(org: Any, api_as: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    api = api_as(org.east_rep)
    url = f"/api/v1/customers/{customer.pk}"

    response = api.delete(url)

    assert response.status_code == 204
    assert customer.pk not in _ids(api.get("/api/v1/customers"))
    assert_problem(api.get(url), 404)
    assert customer.pk in _recycle_bin_ids(org.east_rep, "customers.customer")

    restored = api.post(f"{url}/restore")
    assert restored.status_code == 200, restored.content
    assert customer.pk in _ids(api.get("/api/v1/customers"))
    assert customer.pk not in _recycle_bin_ids(org.east_rep, "customers.customer")


def test_contact_round_trip(org: Any, api_as: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    api = api_as(org.east_rep)

    created = api.post(
        "/api/v1/contacts",
        {"customer": customer.pk, "name": "李经理", "title": "采购", "phones": ["13900001111"]},
    )
    assert created.status_code == 201, created.content
    contact = created.json()
    assert contact["is_primary"] is True
    url = f"/api/v1/contacts/{contact['id']}"

    assert contact["id"] in _ids(api.get(f"/api/v1/contacts?customer={customer.pk}"))
    assert contact["id"] in _ids(api.get("/api/v1/contacts?q=ljl"))
    etag = api.get(url)["ETag"]
    patched = api.patch(url, {"title": "采购总监"}, **{"If-Match": etag})
    assert patched.json()["title"] == "采购总监"
    assert_problem(api.patch(url, {"title": "x"}, **{"If-Match": etag}), 409)

    assert api.delete(url).status_code == 204
    assert contact["id"] not in _ids(api.get("/api/v1/contacts"))
    assert contact["id"] in _recycle_bin_ids(org.east_rep, "customers.contact")
    assert api.post(f"{url}/restore").status_code == 200
    assert contact["id"] in _ids(api.get("/api/v1/contacts"))


def test_interaction_round_trip(org: Any, api_as: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    contact = ContactFactory(customer=customer)
    api = api_as(org.east_rep)

    created = api.post(
        "/api/v1/interactions",
        {
            "customer": customer.pk,
            "contact": contact.pk,
            "kind": "call",
            "content": "聊了报价",
            "next_follow_up_on": "2030-01-02",
        },
    )
    assert created.status_code == 201, created.content
    interaction = created.json()
    assert interaction["author"] == org.east_rep.pk
    url = f"/api/v1/interactions/{interaction['id']}"

    assert interaction["id"] in _ids(api.get(f"/api/v1/interactions?customer={customer.pk}"))
    etag = api.get(url)["ETag"]
    patched = api.patch(url, {"is_follow_up_done": True}, **{"If-Match": etag})
    assert patched.json()["is_follow_up_done"] is True
    assert_problem(api.patch(url, {"content": "x"}, **{"If-Match": etag}), 409)

    assert api.delete(url).status_code == 204
    assert interaction["id"] not in _ids(api.get("/api/v1/interactions"))
    assert interaction["id"] in _recycle_bin_ids(org.east_rep, "customers.interaction")
    assert api.post(f"{url}/restore").status_code == 200
    assert interaction["id"] in _ids(api.get("/api/v1/interactions"))


def test_tag_round_trip(org: Any, api_as: Any) -> None:
    api = api_as(org.manager)

    created = api.post("/api/v1/tags", {"name": "重点", "color": "#ff0000"})
    assert created.status_code == 201, created.content
    url = f"/api/v1/tags/{created.json()['id']}"
    assert created.json()["id"] in _ids(api.get("/api/v1/tags"))
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"color": "#00ff00"}, **{"If-Match": etag}).json()["color"] == "#00ff00"
    assert_problem(api.patch(url, {"color": "#0000ff"}, **{"If-Match": etag}), 409)
    assert_problem(api.post("/api/v1/tags", {"name": "重点"}), 422)
    assert_problem(api.post("/api/v1/tags", {"name": "颜色", "color": "red"}), 422)

    assert api.delete(url).status_code == 204
    assert_problem(api.get(url), 404)


def test_reps_cannot_manage_tags(org: Any, api_as: Any) -> None:
    tag = TagFactory(actor=org.admin)
    api = api_as(org.east_rep)

    assert tag.pk in _ids(api.get("/api/v1/tags"))
    assert_problem(api.post("/api/v1/tags", {"name": "私自"}), 403)
    assert_problem(api.patch(f"/api/v1/tags/{tag.pk}", {"name": "改名"}), 403)
    assert_problem(api.delete(f"/api/v1/tags/{tag.pk}"), 403)


def test_keyset_pagination_walks_every_row_once(org: Any, api_as: Any) -> None:
    customers = [CustomerFactory(owner=org.east_rep) for _ in range(7)]
    api = api_as(org.east_rep)

    seen: list[int] = []
    cursor = ""
    for _page in range(10):
        response = api.get(f"/api/v1/customers?limit=3&sort=name&cursor={cursor}").json()
        seen.extend(item["id"] for item in response["items"])
        cursor = response["next_cursor"]
        if cursor is None:
            break

    assert sorted(seen) == sorted(c.pk for c in customers)
    assert len(seen) == len(set(seen))


def test_interactions_list_pages(org: Any, api_as: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    interactions = [InteractionFactory(customer=customer) for _ in range(5)]
    api = api_as(org.east_rep)

    first = api.get("/api/v1/interactions?limit=2").json()
    second = api.get(f"/api/v1/interactions?limit=2&cursor={first['next_cursor']}").json()

    assert len(first["items"]) == 2
    assert len(second["items"]) == 2
    assert {i["id"] for i in first["items"]}.isdisjoint({i["id"] for i in second["items"]})
    assert len(interactions) == 5
