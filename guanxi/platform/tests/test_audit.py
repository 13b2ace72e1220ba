"""The audit log: diffs, JSON-safe values, request origin, and who may read it."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pytest

from guanxi.customers.services import customer_update
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.audit import audit_record, diff, jsonable
from guanxi.platform.exceptions import NotFound
from guanxi.platform.models import AuditEntry
from guanxi.platform.request_context import RequestOrigin, current_origin, reset_origin, set_origin
from guanxi.platform.selectors import audit_list, audit_list_for_object, job_get
from guanxi.platform.services import recycle_bin_restore


def test_diff_names_only_changed_fields():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}
    assert diff({"a": 1}, {"b": 1}) == {"a": [1, None], "b": [None, 1]}
    assert diff({}, {}) == {}


def test_jsonable_values():
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    key = uuid.uuid4()
    assert jsonable(
        {"t": when, "d": dt.date(2026, 1, 2), "m": decimal.Decimal("1.50"), "u": key, 1: (1, 2)}
    ) == {"t": when.isoformat(), "d": "2026-01-02", "m": "1.50", "u": str(key), "1": [1, 2]}


def test_origin_is_recorded_and_reset(org):
    customer = CustomerFactory(owner=org.east_rep)
    token = set_origin(RequestOrigin(ip="2001:db8::1", user_agent="Mozilla/5.0"))
    try:
        entry = audit_record(actor=org.east_rep, action="tests.touched", instance=customer)
    finally:
        reset_origin(token)
    assert (entry.ip_address, entry.user_agent) == ("2001:db8::1", "Mozilla/5.0")
    assert current_origin() == RequestOrigin()
    cli = audit_record(actor=None, action="tests.cli", instance=customer)
    assert (cli.actor, cli.ip_address, cli.user_agent) == (None, None, "")


def test_record_history_is_visible_only_to_those_who_see_the_record(org):
    customer = CustomerFactory(owner=org.east_rep)
    customer_update(actor=org.east_rep, customer=customer, expected_version=1, city="上海")
    actions = ["customers.customer.created", "customers.customer.updated"]
    for actor in [org.east_rep, org.manager, org.admin, org.service_agent]:
        history = audit_list_for_object(actor=actor, instance=customer).order_by("id")
        assert [e.action for e in history] == actions
    for actor in [org.west_rep, org.east_rep2]:
        assert not audit_list_for_object(actor=actor, instance=customer).exists()


def test_the_whole_log_needs_the_audit_permission(org):
    CustomerFactory(owner=org.east_rep)
    assert audit_list(actor=org.admin).count() == AuditEntry.objects.count() > 0
    for actor in [org.manager, org.east_rep, org.service_agent]:
        assert not audit_list(actor=actor).exists()


def test_recycle_bin_and_job_lookups_404_on_malformed_ids(org):
    for object_id in ["abc", None, [1]]:
        with pytest.raises(NotFound):
            recycle_bin_restore(actor=org.admin, type_key="customers.customer", object_id=object_id)
    for job_id in ["xyz", None, "", 5]:
        with pytest.raises(NotFound):
            job_get(actor=org.admin, job_id=job_id)
