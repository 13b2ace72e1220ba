"""Import adapters for customers and contacts (autodiscovered by the import engine).

Writes go through customer_create / customer_update (and the contact services),
so every imported record gets its audit entry, version and search text exactly as
if typed in. Dedupe keys: normalised phone, lower-cased e-mail, and the name's
pinyin with widths folded (so 张三 = 张三 = ｚｈａｎｇｓａｎ-like variants compare equal).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.customers.models import Contact, Customer, CustomFieldTarget, Tag
from guanxi.customers.selectors import custom_field_definitions
from guanxi.customers.services import (
    contact_create,
    contact_delete,
    contact_update,
    customer_create,
    customer_delete,
    customer_update,
)
from guanxi.customers.services.create_rows import customer_create_rows
from guanxi.platform.imports.targets import RowInvalid, register_import_target
from guanxi.platform.imports.values import (
    ImportValueError,
    OwnerLookup,
    clean_text,
    parse_date,
    parse_emails,
    parse_list,
    parse_phones,
)
from guanxi.platform.phones import national_digits
from guanxi.platform.scoping import scoped
from guanxi.platform.text import fold_width, pinyin_of

TEXT_LIMITS = {
    "name": 200,
    "short_name": 100,
    "industry": 100,
    "source": 100,
    "wechat_id": 100,
    "province": 50,
    "city": 50,
    "district": 50,
    "street": 200,
    "title": 100,
}


KEY_SCAN_CHUNK = 10_000
_NOT_A_WORD = re.compile(r"[\s\W_]+")


def name_key(name: str) -> str:
    """张三, 張三, "Zhang San" and ｚｈａｎｇ三 all give "zhangsan"."""
    return pinyin_key(pinyin_of(name or ""))


def pinyin_key(pinyin: str) -> str:
    """The name key from a stored pinyin (Customer.name_pinyin is pinyin_of(name))."""
    if pinyin.isascii() and pinyin.isalnum():  # the usual case: nothing to fold or drop
        return pinyin.lower()
    return _NOT_A_WORD.sub("", fold_width(pinyin).lower())


def customer_named_in_row(text: str, context: Any, *, action: str = "view") -> Customer:
    """The customer an import row names, by ID or exact name, among those the actor may
    `action`; cached per import in context["customers"]. RowInvalid when none or several."""
    cache = context["customers"]
    if text not in cache:
        visible = scoped(Customer.objects.all(), actor=context["actor"], action=action)
        found = list(visible.filter(pk=int(text))[:2]) if text.isdigit() else []
        found = found or list(visible.filter(name=text)[:2])
        cache[text] = found[0] if len(found) == 1 else len(found)
    if not isinstance(cache[text], Customer):
        if cache[text]:
            message = _("Several customers are called “%(value)s”; use the customer ID.")
        elif action == "change":
            message = _("No customer “%(value)s” that you can edit.")
        else:
            message = _("No customer “%(value)s” that you can see.")
        raise RowInvalid([message % {"value": text[:60]}])
    return cache[text]


def _first(values: dict[str, list[Any]], name: str) -> str:
    return next((clean_text(v) for v in values.get(name, []) if clean_text(v)), "")


def _firsts(values: dict[str, list[Any]]) -> dict[str, str]:
    """_first of every mapped field at once (each cell cleaned once, not once a question)."""
    found: dict[str, str] = {}
    for name, cells in values.items():
        for cell in cells:
            text = clean_text(cell)
            if text:
                found[name] = text
                break
    return found


def _parse_common(
    values: dict[str, list[Any]],
    errors: list[str],
    labels: dict[str, str],
    firsts: dict[str, str] | None = None,
) -> dict:
    first = _firsts(values) if firsts is None else firsts
    record: dict[str, Any] = {}
    for name in values:
        if name in TEXT_LIMITS:
            text = first.get(name, "")
            if len(text) > TEXT_LIMITS[name]:
                errors.append(
                    _("%(field)s is too long (%(length)s characters, at most %(limit)s).")
                    % {
                        "field": labels.get(name, name),
                        "length": len(text),
                        "limit": TEXT_LIMITS[name],
                    }
                )
            elif text:
                record[name] = text
    for name, parser in (("phones", parse_phones), ("emails", parse_emails)):
        found: list[str] = []
        for cell in values.get(name, []):
            try:
                found.extend(parser(cell))
            except ImportValueError as error:
                errors.append(error.message)
        if found:
            record[name] = list(dict.fromkeys(found))
    if first.get("birthday"):
        try:
            record["birthday"] = parse_date(values["birthday"][0])
        except ImportValueError as error:
            errors.append(error.message)
    if first.get("notes"):
        record["notes"] = "\n".join(clean_text(v) for v in values["notes"] if clean_text(v))
    custom = {
        name.removeprefix("custom:"): first[name]
        for name in values
        if name.startswith("custom:") and first.get(name)
    }
    if custom:
        record["custom_fields"] = custom
    return record


def _keys(record: dict[str, Any], extra: str = "") -> list[str]:
    keys = [f"phone:{national_digits(phone)}" for phone in record.get("phones", [])]
    keys += [f"email:{email.lower()}" for email in record.get("emails", [])]
    if record.get("name"):
        keys.append(f"name:{name_key(record['name'])}{extra}")
    return keys


def _stored_keys(name: str, pinyin: str, phones: Any, emails: Any) -> list[str]:
    """A stored customer's dedupe keys, the name's from its stored pinyin (what _keys
    computes from the name, without pypinyin) unless that pinyin was cut at 400."""
    keys = [f"phone:{national_digits(phone)}" for phone in phones or []]
    keys += [f"email:{email.lower()}" for email in emails or []]
    if name:
        full = pinyin if pinyin and len(pinyin) < 400 else pinyin_of(name)
        keys.append(f"name:{pinyin_key(full)}")
    return keys


def _json_list(value: Any) -> list[Any]:
    """A JSON list column as the database cursor gives it (text, or already decoded)."""
    if value is None or value == "[]":
        return []
    if isinstance(value, str | bytes):
        return json.loads(value) or []
    return value or []


def _changes(instance: Any, record: dict[str, Any], policy: str) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name, value in record.items():
        if name in ("customer", "tags"):
            continue
        current = getattr(instance, name)
        if name == "custom_fields":
            merged = dict(current or {})
            for key, field_value in value.items():
                if policy == "overwrite" or not merged.get(key):
                    merged[key] = field_value
            if merged != current:
                changes[name] = merged
        elif name in ("phones", "emails"):
            merged_list = list(dict.fromkeys([*(current or []), *value]))
            if policy == "overwrite" and value != current:
                changes[name] = merged_list
            elif policy == "fill" and not current:
                changes[name] = value
        elif name == "owner":
            if (
                policy == "overwrite" or instance.owner_id is None
            ) and value.pk != instance.owner_id:
                changes[name] = value
        elif (policy == "overwrite" or not current) and value != current:
            changes[name] = value
    return changes


def _before(instance: Any, changes: dict[str, Any]) -> dict[str, Any]:
    from guanxi.platform.audit import jsonable

    return {
        name: (instance.owner_id if name == "owner" else jsonable(getattr(instance, name)))
        for name in changes
    }


class CustomerImportAdapter:
    target = "customers"
    label = gettext_lazy("Customers")
    permission = "customers.add_customer"
    fields = {
        "name": gettext_lazy("Customer name"),
        "short_name": gettext_lazy("Short name"),
        "industry": gettext_lazy("Industry"),
        "source": gettext_lazy("Source"),
        "grade": gettext_lazy("Grade"),
        "owner": gettext_lazy("Owner"),
        "phones": gettext_lazy("Phones"),
        "emails": gettext_lazy("E-mails"),
        "wechat_id": gettext_lazy("WeChat ID"),
        "province": gettext_lazy("Province"),
        "city": gettext_lazy("City"),
        "district": gettext_lazy("District"),
        "street": gettext_lazy("Street address"),
        "birthday": gettext_lazy("Birthday"),
        "tags": gettext_lazy("Tags"),
        "notes": gettext_lazy("Notes"),
    }
    synonyms = {
        "name": [
            "客户名称",
            "客户名",
            "公司名称",
            "公司",
            "企业名称",
            "单位名称",
            "名称",
            "客户",
            "Company Name",
            "Company",
            "Account Name",
            "Customer Name",
            "Customer",
            "Name",
        ],
        "short_name": ["简称", "客户简称", "Short Name"],
        "industry": ["行业", "所属行业", "客户行业", "Industry"],
        "source": ["来源", "客户来源", "Lead Source", "Source", "Account Source"],
        "grade": ["等级", "客户等级", "客户级别", "Grade", "Rating"],
        "owner": [
            "所属销售",
            "负责人",
            "销售",
            "归属人",
            "Owner",
            "Account Owner",
            "Company Owner",
        ],
        "phones": [
            "手机",
            "手机号",
            "手机号码",
            "电话",
            "联系电话",
            "座机",
            "Mobile Phone",
            "Mobile",
            "Phone",
            "Phone Number",
            "Telephone",
            "Tel",
        ],
        "emails": ["邮箱", "电子邮箱", "电子邮件", "Email", "E-mail", "Email Address"],
        "wechat_id": ["微信", "微信号", "WeChat", "WeChat ID"],
        "province": ["省", "省份", "State", "Province", "State/Region"],
        "city": ["市", "城市", "City"],
        "district": ["区", "区县", "District"],
        "street": ["地址", "详细地址", "街道", "Street", "Address", "Street Address"],
        "birthday": ["生日", "Birthday"],
        "tags": ["标签", "Tags", "Tag"],
        "notes": ["备注", "说明", "Notes", "Description"],
    }

    def custom_labels(self) -> dict[str, str]:
        return {d.key: d.label for d in custom_field_definitions(CustomFieldTarget.CUSTOMER)}

    def prepare(self, *, actor: Any) -> Any:
        tags = {fold_width(tag.name).strip().lower(): tag.pk for tag in Tag.objects.all()}
        return {"owners": OwnerLookup(), "tags": tags}

    def parse(self, values: dict[str, list[Any]], context: Any) -> dict[str, Any]:
        errors: list[str] = []
        first = _firsts(values)
        record = _parse_common(values, errors, self.fields, first)
        if first.get("grade"):
            record["grade"] = first["grade"].upper()[:1]
        if first.get("owner"):
            try:
                record["owner"] = context["owners"].resolve(first["owner"])
            except ImportValueError as error:
                errors.append(error.message)
        tag_ids = []
        for cell in values.get("tags", []):
            for tag_name in parse_list(cell):
                tag_id = context["tags"].get(fold_width(tag_name).lower())
                if tag_id is None:
                    errors.append(_("Unknown tag “%(value)s”.") % {"value": tag_name[:50]})
                else:
                    tag_ids.append(tag_id)
        if tag_ids:
            record["tags"] = sorted(set(tag_ids))
        if not record.get("name"):
            errors.append(_("The customer name is missing."))
        if errors:
            raise RowInvalid(errors)
        return record

    def keys(self, record: dict[str, Any]) -> list[str]:
        return _keys(record)

    def find_existing(self, record: dict[str, Any], context: Any) -> Customer | None:
        condition = Q(
            name_pinyin__in={
                pinyin_of(record["name"])[:400],
                pinyin_of(fold_width(record["name"]))[:400],
            }
        )
        for phone in record.get("phones", []):
            condition |= Q(search_text__contains=national_digits(phone))
        for email in record.get("emails", []):
            condition |= Q(search_text__contains=email.split("@")[0].lower())
        wanted = set(self.keys(record))
        for candidate in Customer.objects.filter(condition, deleted_at__isnull=True)[:50]:
            found = _keys(
                {"name": candidate.name, "phones": candidate.phones, "emails": candidate.emails}
            )
            if wanted & set(found):
                return candidate
        return None

    def create(self, *, actor: Any, record: dict[str, Any], context: Any) -> Customer:
        fields = dict(record)
        if "owner" in fields:
            fields["owner"] = fields["owner"].pk
        return customer_create(actor=actor, **fields)

    # -- the fast path for large files (see FastImportAdapter) -------------------
    def existing_keys(self, context: Any) -> Iterator[tuple[int, list[str]]]:
        # Keyset chunks rather than .iterator(): without server-side cursors (see
        # settings) PostgreSQL would hand over all million rows at once. The JSON
        # lists are read as text and decoded here (most are "[]"): the ORM's
        # converters cost more than the rest of building a million customers' keys.
        live = Customer.objects.filter(deleted_at__isnull=True).order_by("pk")
        last = 0
        while True:
            chunk = live.filter(pk__gt=last).values_list("pk", "name_pinyin", "phones", "emails")
            sql, params = chunk[:KEY_SCAN_CHUNK].query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            for pk, pinyin, phones, emails in rows:
                keys = [f"phone:{national_digits(phone)}" for phone in _json_list(phones)]
                keys += [f"email:{email.lower()}" for email in _json_list(emails)]
                if pinyin:
                    keys.append(f"name:{pinyin_key(pinyin)}")
                yield pk, keys
            if len(rows) < KEY_SCAN_CHUNK:
                return
            last = rows[-1][0]

    def fetch_keys(self, ids: list[int], context: Any) -> dict[int, list[str]]:
        """The dedupe keys of live customers by id, without loading model instances."""
        found = Customer.objects.filter(pk__in=ids, deleted_at__isnull=True).values_list(
            "pk", "name", "name_pinyin", "phones", "emails"
        )
        return {
            pk: _stored_keys(name, pinyin, phones, emails)
            for pk, name, pinyin, phones, emails in found
        }

    def fetch_many(self, ids: list[int], context: Any) -> dict[int, Customer]:
        found = Customer.objects.filter(pk__in=ids, deleted_at__isnull=True)
        return {customer.pk: customer for customer in found}

    def instance_keys(self, instance: Customer) -> list[str]:
        return _keys({"name": instance.name, "phones": instance.phones, "emails": instance.emails})

    def create_many(self, *, actor: Any, records: list[dict[str, Any]], context: Any) -> list[int]:
        return customer_create_rows(actor=actor, rows=records)

    def update(
        self, *, actor: Any, instance: Any, record: dict[str, Any], policy: str, context: Any
    ) -> dict[str, Any] | None:
        instance.refresh_from_db()
        changes = _changes(instance, record, policy)
        current_tags = sorted(instance.tags.values_list("pk", flat=True))
        wanted_tags = sorted(set(current_tags) | set(record.get("tags", [])))
        if wanted_tags != current_tags and (policy == "overwrite" or not current_tags):
            changes["tags"] = wanted_tags
        if not changes:
            return None
        before = _before(instance, {k: v for k, v in changes.items() if k != "tags"})
        if "tags" in changes:
            before["tags"] = current_tags
        if "owner" in changes:
            changes["owner"] = changes["owner"].pk
        customer_update(actor=actor, customer=instance, expected_version=None, **changes)
        instance.refresh_from_db()
        return before

    def undo_create(self, *, actor: Any, object_id: str) -> None:
        customer = (
            scoped(Customer.objects.all(), actor=actor, action="delete")
            .filter(pk=object_id)
            .first()
        )
        if customer is not None:
            customer_delete(actor=actor, customer=customer)

    def undo_update(self, *, actor: Any, object_id: str, before: dict[str, Any]) -> None:
        customer = Customer.objects.filter(pk=object_id).first()
        if customer is not None:
            customer_update(actor=actor, customer=customer, expected_version=None, **before)


class ContactImportAdapter:
    target = "contacts"
    label = gettext_lazy("Contacts")
    permission = "customers.add_contact"
    fields = {
        "customer": gettext_lazy("Customer (name or ID)"),
        "name": gettext_lazy("Name"),
        "first_name": gettext_lazy("First name"),
        "last_name": gettext_lazy("Last name"),
        "title": gettext_lazy("Job title"),
        "phones": gettext_lazy("Phones"),
        "emails": gettext_lazy("E-mails"),
        "wechat_id": gettext_lazy("WeChat ID"),
        "birthday": gettext_lazy("Birthday"),
        "notes": gettext_lazy("Notes"),
    }
    synonyms = {
        "customer": [
            "客户名称",
            "客户",
            "公司",
            "公司名称",
            "所属客户",
            "客户ID",
            "ORG",
            "Company",
            "Account Name",
            "Associated Company",
            "Customer",
        ],
        "name": ["姓名", "联系人", "联系人姓名", "名字", "FN", "Full Name", "Contact Name", "Name"],
        "first_name": ["名", "First Name"],
        "last_name": ["姓", "Last Name"],
        "title": ["职位", "职务", "TITLE", "Title", "Job Title"],
        "phones": ["手机", "手机号", "电话", "TEL", "Mobile", "Mobile Phone", "Phone"],
        "emails": ["邮箱", "电子邮箱", "EMAIL", "Email"],
        "wechat_id": ["微信", "微信号", "WeChat"],
        "birthday": ["生日", "BDAY", "Birthday"],
        "notes": ["备注", "NOTE", "Notes"],
    }

    def custom_labels(self) -> dict[str, str]:
        return {d.key: d.label for d in custom_field_definitions(CustomFieldTarget.CONTACT)}

    def prepare(self, *, actor: Any) -> Any:
        return {"actor": actor, "customers": {}}

    def parse(self, values: dict[str, list[Any]], context: Any) -> dict[str, Any]:
        errors: list[str] = []
        name = _first(values, "name") or (
            _first(values, "last_name") + _first(values, "first_name")
        )
        values = {**values, "name": [name]}
        record = _parse_common(values, errors, self.fields)
        customer_text = _first(values, "customer")
        if not customer_text:
            errors.append(_("The customer is missing."))
        else:
            try:
                record["customer"] = customer_named_in_row(customer_text, context, action="change")
            except RowInvalid as error:
                errors.extend(error.messages)
        if not record.get("name"):
            errors.append(_("The contact name is missing."))
        if errors:
            raise RowInvalid(errors)
        return record

    def keys(self, record: dict[str, Any]) -> list[str]:
        return _keys(record, extra=f"@{record['customer'].pk}")

    def find_existing(self, record: dict[str, Any], context: Any) -> Contact | None:
        wanted = set(self.keys(record))
        for candidate in Contact.objects.filter(
            customer=record["customer"], deleted_at__isnull=True
        ):
            found = _keys(
                {"name": candidate.name, "phones": candidate.phones, "emails": candidate.emails},
                extra=f"@{candidate.customer_id}",
            )
            if wanted & set(found):
                return candidate
        return None

    def create(self, *, actor: Any, record: dict[str, Any], context: Any) -> Contact:
        fields = dict(record)
        return contact_create(actor=actor, **fields)

    def update(
        self, *, actor: Any, instance: Any, record: dict[str, Any], policy: str, context: Any
    ) -> dict[str, Any] | None:
        instance.refresh_from_db()
        changes = _changes(instance, record, policy)
        if not changes:
            return None
        before = _before(instance, changes)
        contact_update(actor=actor, contact=instance, expected_version=None, **changes)
        instance.refresh_from_db()
        return before

    def undo_create(self, *, actor: Any, object_id: str) -> None:
        contact = Contact.objects.filter(pk=object_id).first()
        if contact is not None:
            contact_delete(actor=actor, contact=contact)

    def undo_update(self, *, actor: Any, object_id: str, before: dict[str, Any]) -> None:
        contact = Contact.objects.filter(pk=object_id).first()
        if contact is not None:
            contact_update(actor=actor, contact=contact, expected_version=None, **before)


register_import_target("customers", CustomerImportAdapter())
register_import_target("contacts", ContactImportAdapter())

from guanxi.customers import imports_activity  # noqa: E402,F401  (registers interactions and tags)
