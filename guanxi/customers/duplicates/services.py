"""Finder runs and pair writes: run the finder in the actor's scope, queue a run,
dismiss a pair.

A run replaces the open pairs in the actor's scope (writing only the difference)
and leaves dismissed and merged pairs alone (a dismissed pair stays dismissed).
"""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from guanxi.customers.duplicates.finder import (
    FinderResult,
    ProgressCallback,
    find_contact_pairs,
    find_duplicate_pairs,
)
from guanxi.customers.duplicates.selectors import (
    _scope_contact_pairs,
    _scope_pairs,
    contact_pair_get,
    duplicate_pair_get,
)
from guanxi.customers.duplicates.store import _live_contacts, _live_customers, _stream, _sync_pairs
from guanxi.customers.models import ContactDuplicatePair, DuplicatePair, DuplicatePairStatus
from guanxi.customers.services._common import require_permission
from guanxi.platform.audit import audit_record
from guanxi.platform.models import Job
from guanxi.platform.services import job_start

FIND_JOB_KIND = "customers.find_duplicates"


def duplicates_find(
    *, actor: Any, progress: ProgressCallback | None = None, contacts: bool = True
) -> FinderResult:
    """Run the finder over the actor's customers and their contacts (all live ones
    when actor is None).

    Replaces the open pairs among those records (writing only what changed);
    dismissed and merged pairs stay. Both kinds are written in one transaction: a
    run never leaves half its pairs.
    """
    if actor is not None:
        require_permission(actor, "customers.change_customer")
    started, cpu_started = time.perf_counter(), time.process_time()
    result = find_duplicate_pairs(
        _stream(_live_customers(actor), "id", "name", "phones", "emails"), progress=progress
    )
    result.seconds["customers"] = time.perf_counter() - started
    result.seconds["customers_cpu"] = time.process_time() - cpu_started
    if contacts:
        started, cpu_started = time.perf_counter(), time.process_time()
        result.contacts, result.contact_scored = find_contact_pairs(
            _stream(_live_contacts(actor), "id", "customer_id", "name", "phones", "emails")
        )
        result.contact_pairs = len(result.contact_scored)
        result.seconds["contacts"] = time.perf_counter() - started
        result.seconds["contacts_cpu"] = time.process_time() - cpu_started
    started, cpu_started = time.perf_counter(), time.process_time()
    with transaction.atomic():
        result.writes["customers"] = _sync_pairs(
            DuplicatePair,
            ("customer_a_id", "customer_b_id"),
            _scope_pairs(DuplicatePair.objects.filter(status=DuplicatePairStatus.OPEN), actor),
            result.scored,
        )
        if contacts:
            result.writes["contacts"] = _sync_pairs(
                ContactDuplicatePair,
                ("contact_a_id", "contact_b_id"),
                _scope_contact_pairs(
                    ContactDuplicatePair.objects.filter(status=DuplicatePairStatus.OPEN), actor
                ),
                result.contact_scored,
            )
    result.seconds["write"] = time.perf_counter() - started
    result.seconds["write_cpu"] = time.process_time() - cpu_started
    return result


def duplicates_find_start(*, actor: Any) -> Job:
    """Queue a finder run in the actor's scope; progress shows on the job page."""
    require_permission(actor, "customers.change_customer")
    return job_start(
        actor=actor, kind=FIND_JOB_KIND, title=str(_("Find duplicate customers and contacts"))
    )


@transaction.atomic
def duplicate_pair_dismiss(*, actor: Any, pair: DuplicatePair) -> DuplicatePair:
    """Mark a pair "not a duplicate"; later finder runs leave it dismissed."""
    current = duplicate_pair_get(actor=actor, pair_id=pair.pk, action="change")
    _mark_dismissed(current)
    audit_record(
        actor=actor,
        action="customers.duplicate.dismissed",
        instance=current,
        changes={"customers": [current.customer_a_id, current.customer_b_id]},
    )
    return current


@transaction.atomic
def contact_pair_dismiss(*, actor: Any, pair: ContactDuplicatePair) -> ContactDuplicatePair:
    """Mark two contacts "not the same person"; later finder runs leave the pair dismissed."""
    require_permission(actor, "customers.change_contact")
    current = contact_pair_get(actor=actor, pair_id=pair.pk, action="change")
    _mark_dismissed(current)
    audit_record(
        actor=actor,
        action="customers.contact_duplicate.dismissed",
        instance=current,
        changes={"contacts": [current.contact_a_id, current.contact_b_id]},
    )
    return current


def _mark_dismissed(pair: DuplicatePair | ContactDuplicatePair) -> None:
    pair.status = DuplicatePairStatus.DISMISSED
    pair.save(update_fields=["status"])
