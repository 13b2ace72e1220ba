"""Contract numbers: a pattern with tokens and one counter row taken under a lock."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.contracts.models import ContractSequence, SequenceReset
from guanxi.contracts.permissions import MANAGE_SEQUENCE
from guanxi.customers.services._common import require_permission
from guanxi.platform.audit import audit_record, diff, snapshot
from guanxi.platform.exceptions import ValidationError
from guanxi.platform.versioning import ensure_version

TOKEN = re.compile(r"\{(yyyy|yy|mm|seq(?::(\d{1,2}))?)\}")
PATTERN_NEEDS_SEQ = _("The pattern needs exactly one {seq} (or {seq:05} for 5 digits).")
PATTERN_UNKNOWN_TOKEN = _("Use only the tokens {yyyy}, {yy}, {mm} and {seq}.")
PATTERN_NEEDS_YEAR = _("Numbers restarting every year need {yyyy} or {yy} in the pattern.")
PATTERN_TOO_LONG = _("At most 40 characters.")
INVALID_CHOICE = _("Choose a valid option.")
MAX_WIDTH = 12


def pattern_errors(pattern: str, reset: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    tokens = TOKEN.findall(pattern)
    rest = TOKEN.sub("", pattern)
    if len(pattern) > 40:
        errors.setdefault("pattern", []).append(str(PATTERN_TOO_LONG))
    if "{" in rest or "}" in rest:
        errors.setdefault("pattern", []).append(str(PATTERN_UNKNOWN_TOKEN))
    seq_tokens = [token for token in tokens if token[0].startswith("seq")]
    if len(seq_tokens) != 1 or (seq_tokens[0][1] and int(seq_tokens[0][1]) > MAX_WIDTH):
        errors.setdefault("pattern", []).append(str(PATTERN_NEEDS_SEQ))
    if reset not in SequenceReset.values:
        errors.setdefault("reset", []).append(str(INVALID_CHOICE))
    elif reset == SequenceReset.YEARLY and not any(t[0] in ("yyyy", "yy") for t in tokens):
        errors.setdefault("pattern", []).append(str(PATTERN_NEEDS_YEAR))
    return errors


def format_number(pattern: str, *, day: dt.date, value: int) -> str:
    """HT-{yyyy}-{seq:05} on 2026-03-01 with 7 -> HT-2026-00007."""

    def replace(match: re.Match[str]) -> str:
        token, width = match.group(1), match.group(2)
        if token == "yyyy":
            return f"{day.year:04d}"
        if token == "yy":
            return f"{day.year % 100:02d}"
        if token == "mm":
            return f"{day.month:02d}"
        return str(value).zfill(int(width)) if width else str(value)

    return TOKEN.sub(replace, pattern)


def period_of(reset: str, day: dt.date) -> str:
    return str(day.year) if reset == SequenceReset.YEARLY else ""


def sequence_current() -> ContractSequence:
    sequence, _created = ContractSequence.objects.get_or_create(pk=1)
    return sequence


def contract_number_next(*, day: dt.date | None = None) -> str:
    """The next number; the counter row is locked until the caller's transaction ends,
    so two concurrent creations never get the same number (and a rolled-back creation
    gives its number back)."""
    day = day or timezone.localdate()
    with transaction.atomic():
        sequence_current()
        sequence = ContractSequence.objects.select_for_update().get(pk=1)
        period = period_of(sequence.reset, day)
        if sequence.period != period:
            sequence.period = period
            sequence.last_value = 0
        sequence.last_value += 1
        sequence.save(update_fields=["period", "last_value", "updated_at"])
        return format_number(sequence.pattern, day=day, value=sequence.last_value)


@transaction.atomic
def sequence_update(
    *, actor: Any, pattern: str, reset: str, expected_version: int | None = None
) -> ContractSequence:
    """Change the pattern or reset rule; the counter goes on (set by the next number)."""
    require_permission(actor, MANAGE_SEQUENCE)
    sequence_current()
    current = ContractSequence.objects.select_for_update().get(pk=1)
    ensure_version(current, expected_version, compare_fields=["pattern", "reset"])
    pattern = str(pattern or "").strip()
    errors = pattern_errors(pattern, reset)
    if errors:
        raise ValidationError(str(_("Please correct the errors below.")), field_errors=errors)
    before = snapshot(current, ["pattern", "reset"])
    current.pattern = pattern
    current.reset = reset
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action="contracts.sequence.updated",
        instance=current,
        changes=diff(before, snapshot(current, ["pattern", "reset"])),
    )
    return current
