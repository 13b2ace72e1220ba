"""customer_create_rows: customer_create_many for large imports, without model instances.

customer_create_many builds a Customer per row, runs `full_clean` and prepares
each value through Django's fields; at a million rows that is most of an import's
time. Here the checks are compiled once per call from the model's own fields
(max_length, choices, blank) and each row becomes a tuple of database values
written with `platform.bulk.insert_rows` (COPY on PostgreSQL where no id is
needed back). The stored values are the same: the same cleaning helpers
(clean_phones, clean_emails, clean_notes, clean_custom_fields, pinyin, sort key,
search text) give them, and tests compare rows and audit entries with
customer_create_many byte for byte.

A row the fast checks do not accept (any error, an unusual field or value type)
goes through customer_create_many's own per-row code, `_checked_instance`, so its
error messages are exactly customer_create's; if that code accepts it after all,
the row is written from its instance.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction

from guanxi.customers.custom_fields import clean_custom_fields
from guanxi.customers.models import Customer, CustomFieldTarget, Tag
from guanxi.customers.permissions import TRANSFER_CUSTOMERS
from guanxi.customers.selectors import custom_field_definitions
from guanxi.customers.services._common import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    clean_emails,
    clean_notes,
    clean_phones,
    coerce_date,
    require_permission,
)
from guanxi.customers.services.customers import (
    EDITABLE_FIELDS,
    _bulk_owners,
    _checked_instance,
)
from guanxi.platform.audit import AuditRows, jsonable, snapshot
from guanxi.platform.bulk import column_values, insert_rows
from guanxi.platform.exceptions import ValidationError
from guanxi.platform.permissions import has_permission
from guanxi.platform.search import build_search_text
from guanxi.platform.text import pinyin_of, sort_key_of

# Text fields an import row may carry, checked here; any other key sends the row
# through the instance path.
TEXT_FIELDS = (
    "name",
    "short_name",
    "industry",
    "source",
    "grade",
    "wechat_id",
    "province",
    "city",
    "district",
    "street",
)
FAST_FIELDS = frozenset({*TEXT_FIELDS, "owner", "phones", "emails", "birthday", "notes"})
FAST_FIELDS |= {"custom_fields", "tags"}
CREATED_ACTION = "customers.customer.created"


class _TextCheck:
    """A CharField's model validation compiled once: length, choices, blank."""

    __slots__ = ("choices", "is_blank_allowed", "max_length")

    def __init__(self, field: models.Field) -> None:
        self.max_length = field.max_length
        choices = field.flatchoices if field.choices else None
        self.choices = {str(value) for value, _label in choices} if choices else None
        self.is_blank_allowed = field.blank

    def accepts(self, value: str) -> bool:
        if not value:
            return self.is_blank_allowed
        if self.max_length is not None and len(value) > self.max_length:
            return False
        return self.choices is None or value in self.choices


class _Writer:
    """What one call needs for every row: checks, column positions, the defaults."""

    def __init__(self, actor: Any, rows: list[dict[str, Any]]) -> None:
        self.actor = actor
        self.actor_user = actor if getattr(actor, "pk", None) else None
        self.actor_pk = getattr(actor, "pk", None)
        self.can_transfer = actor is None or has_permission(actor, TRANSFER_CUSTOMERS)
        self.owners = _bulk_owners(rows, self.actor_user)
        self.known_tags = {tag.pk: tag for tag in Tag.objects.all()}
        self.definitions = custom_field_definitions(CustomFieldTarget.CUSTOMER)
        self.ops = connection.ops
        meta = Customer._meta
        self.fields = [f for f in meta.local_concrete_fields if not f.primary_key]
        self.columns = [f.column for f in self.fields]
        self.position = {f.name: n for n, f in enumerate(self.fields)}
        self.checks = {name: _TextCheck(meta.get_field(name)) for name in TEXT_FIELDS}
        self.json_encoders = {
            name: meta.get_field(name).encoder for name in ("phones", "emails", "custom_fields")
        }
        template = Customer(created_by=self.actor_user)
        template.custom_fields, errors = clean_custom_fields(self.definitions, {}, existing={})
        self.is_empty_custom_valid = not errors
        prepared = column_values(Customer, template)  # also sets created_at/updated_at
        self.template = [prepared[column] for column in self.columns]
        self.snapshot = snapshot(template, EDITABLE_FIELDS)
        self.empty_custom = template.custom_fields
        self.notes: dict[str, str] = {}
        self.audit = AuditRows(
            actor=actor, action=CREATED_ACTION, object_type=Customer._meta.label_lower
        )

    def _json(self, name: str, value: Any) -> Any:
        return self.ops.adapt_json_value(value, self.json_encoders[name])

    def row(self, row: dict[str, Any]) -> tuple[list[Any], list[int], dict[str, Any]] | None:
        """(database values, tag ids, audit snapshot) or None: take the instance path."""
        if not FAST_FIELDS.issuperset(row):
            return None
        values = list(self.template)
        after = dict(self.snapshot)
        put = self.position
        texts = {}
        for name in TEXT_FIELDS:
            value = row.get(name, "")
            if not isinstance(value, str):
                return None
            value = value.replace("\x00", "").strip() if value else ""
            if not self.checks[name].accepts(value):
                return None
            texts[name] = value
        owner_value = row.get("owner", self.actor_user)
        owner_id = getattr(owner_value, "pk", owner_value)
        owner = self.owners.get(int(owner_id)) if str(owner_id).isdigit() else None
        if owner_value not in (None, "") and owner is None:
            return None
        if getattr(owner, "pk", None) != self.actor_pk and not self.can_transfer:
            return None
        errors: dict[str, list[str]] = {}
        phones = clean_phones(row["phones"], errors) if "phones" in row else []
        emails = clean_emails(row["emails"], errors) if "emails" in row else []
        if errors:
            return None
        tags = row.get("tags")
        tag_ids: list[int] = []
        if tags is not None:
            if not isinstance(tags, list | tuple) or not all(type(t) is int for t in tags):
                return None
            if any(pk not in self.known_tags for pk in tags):
                return None
            tag_ids = sorted(set(tags))
        custom = row.get("custom_fields") or {}
        if custom:
            custom, errors = clean_custom_fields(self.definitions, custom, existing={})
            if errors:
                return None
        elif self.is_empty_custom_valid:
            custom = self.empty_custom
        else:
            return None
        birthday = None
        if row.get("birthday") not in (None, ""):
            try:
                birthday = coerce_date(row["birthday"])
            except (TypeError, ValueError):
                return None
            if not EARLIEST_YEAR <= birthday.year <= LATEST_YEAR:
                return None
        name = texts["name"]
        if not name:
            return None
        for field_name, text in texts.items():
            if field_name in row:
                values[put[field_name]] = text
                after[field_name] = text
        if "notes" in row:
            raw_notes = row["notes"]
            notes = self.notes.get(raw_notes) if isinstance(raw_notes, str) else None
            if notes is None:
                notes = clean_notes(raw_notes, errors)
                if errors:
                    return None
                if isinstance(raw_notes, str) and len(self.notes) < 10_000:
                    self.notes[raw_notes] = notes
            values[put["notes"]] = notes
            after["notes"] = notes
        owner_pk = getattr(owner, "pk", None)
        team_pk = owner.team_id if owner is not None else None
        values[put["owner"]] = owner_pk
        values[put["team"]] = team_pk
        after["owner"] = owner_pk
        after["team"] = team_pk
        if "phones" in row:
            values[put["phones"]] = self._json("phones", phones)
            after["phones"] = phones
        if "emails" in row:
            values[put["emails"]] = self._json("emails", emails)
            after["emails"] = emails
        values[put["custom_fields"]] = self._json("custom_fields", custom)
        after["custom_fields"] = jsonable(custom)
        if birthday is not None:
            values[put["birthday"]] = self.ops.adapt_datefield_value(birthday)
            after["birthday"] = birthday.isoformat()
        values[put["name_pinyin"]] = pinyin_of(name)[:400]
        values[put["sort_name"]] = sort_key_of(name)
        values[put["search_text"]] = build_search_text(
            names=[name, texts["short_name"]],
            words=[texts["wechat_id"]],
            emails=emails,
            phones=phones,
        )
        after["tags"] = tag_ids
        return values, tag_ids, after

    def from_instance(
        self, customer: Customer, tags: list[int]
    ) -> tuple[list[Any], list[int], dict[str, Any]]:
        prepared = column_values(Customer, customer)
        after = {**snapshot(customer, EDITABLE_FIELDS), "tags": tags}
        return [prepared[column] for column in self.columns], tags, after


@transaction.atomic
def customer_create_rows(*, actor: Any, rows: list[dict[str, Any]]) -> list[int]:
    """customer_create_many for imports: same checks, same stored rows and audit
    entries, no model instances; returns the new ids in row order.

    Raises BatchInvalid({position: ValidationError}) and writes nothing when any
    row is refused.
    """
    from guanxi.platform.imports.targets import BatchInvalid

    require_permission(actor, "customers.add_customer")
    writer = _Writer(actor, rows)
    problems: dict[int, Exception] = {}
    prepared: list[tuple[list[Any], list[int], dict[str, Any]]] = []
    for position, row in enumerate(rows):
        ready = writer.row(row)
        if ready is None:
            try:
                customer, tags = _checked_instance(
                    row,
                    actor=actor,
                    actor_user=writer.actor_user,
                    owners=writer.owners,
                    known_tags=writer.known_tags,
                    definitions=writer.definitions,
                )
            except ValidationError as error:
                problems[position] = error
                continue
            ready = writer.from_instance(customer, tags)
        prepared.append(ready)
    if problems:
        raise BatchInvalid(problems)
    ids = insert_rows(
        Customer._meta.db_table,
        writer.columns,
        [values for values, _tags, _after in prepared],
        returning=Customer._meta.pk.column,
    )
    ids = [int(pk) for pk in ids]
    through = Customer.tags.through
    insert_rows(
        through._meta.db_table,
        ["customer_id", "tag_id"],
        [(pk, tag) for pk, (_v, tags, _a) in zip(ids, prepared, strict=True) for tag in tags],
    )
    name_at = writer.position["name"]
    audit = writer.audit
    audit.insert(
        [
            audit.row(pk, values[name_at], {"after": after})
            for pk, (values, _tags, after) in zip(ids, prepared, strict=True)
        ]
    )
    return ids
