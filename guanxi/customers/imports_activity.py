"""Import adapters for follow-ups (interactions, 跟进记录) and tags.

Registered on import of this module (guanxi/customers/imports.py imports it, and
the engine autodiscovers that). Writes go through interaction_create /
interaction_update / interaction_delete and tag_create / tag_update / tag_delete, so
each row gets its audit entry and version as if typed in.

Follow-ups: the customer by ID or exact name among the customers the actor can see
(the scope interaction_create itself requires); the contact by name within that
customer; the kind from Chinese or English words; the time as a date or a date and
time in the actor's time zone. A follow-up is a duplicate when the same customer
has one at the same time with the same text.

Tags: deduplicated by name with widths and case folded; the group must already
exist (docs/decisions.md); a colour as #rrggbb, rrggbb or a colour word.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.customers import selectors
from guanxi.customers.imports import _first, customer_named_in_row, name_key
from guanxi.customers.models import Contact, Customer, Interaction, InteractionKind, Tag
from guanxi.customers.permissions import MANAGE_TAGS
from guanxi.customers.services import (
    interaction_create,
    interaction_delete,
    interaction_update,
    tag_create,
    tag_delete,
    tag_update,
)
from guanxi.platform.audit import jsonable
from guanxi.platform.imports.targets import RowInvalid, register_import_target
from guanxi.platform.imports.values import (
    EXCEL_EPOCH,
    MAX_EXCEL_SERIAL,
    ImportValueError,
    OwnerLookup,
    clean_text,
    parse_date,
)
from guanxi.platform.scoping import scoped
from guanxi.platform.text import fold_width, sanitize_html

# Words people write for each kind of follow-up, compared after kind_key().
KIND_WORDS: dict[str, list[str]] = {
    InteractionKind.CALL: [
        "电话", "打电话", "电话沟通", "电话联系", "电话拜访", "来电", "去电", "致电", "通话",
        "call", "phone", "phone call", "phonecall", "tel", "telephone", "calls", "logged call",
    ],
    InteractionKind.EMAIL: [
        "邮件", "电子邮件", "发邮件", "邮箱", "email", "e-mail", "mail", "emails",
    ],
    InteractionKind.MEETING: [
        "会议", "开会", "会面", "见面", "视频会议", "线上会议", "电话会议", "meeting",
        "meetings", "video call", "online meeting", "conference",
    ],
    InteractionKind.VISIT: [
        "拜访", "上门", "上门拜访", "实地拜访", "到访", "来访", "面谈", "visit", "site visit",
        "onsite visit", "in person",
    ],
    InteractionKind.WECHAT: [
        "微信", "微信沟通", "微信联系", "企业微信", "wechat", "weixin", "wx", "we chat",
    ],
    InteractionKind.NOTE: [
        "备注", "笔记", "记录", "其他", "其它", "note", "notes", "other", "task", "任务",
    ],
}  # fmt: skip

# Tabler's named colours (and the Chinese words for them) as the hex a tag stores.
COLOUR_WORDS: dict[str, str] = {
    "blue": "#206bc4", "蓝": "#206bc4", "蓝色": "#206bc4",
    "azure": "#4299e1", "天蓝": "#4299e1", "天蓝色": "#4299e1",
    "indigo": "#4263eb", "靛蓝": "#4263eb",
    "purple": "#ae3ec9", "紫": "#ae3ec9", "紫色": "#ae3ec9",
    "pink": "#d6336c", "粉": "#d6336c", "粉色": "#d6336c", "粉红": "#d6336c",
    "red": "#d63939", "红": "#d63939", "红色": "#d63939",
    "orange": "#f76707", "橙": "#f76707", "橙色": "#f76707",
    "yellow": "#f59f00", "黄": "#f59f00", "黄色": "#f59f00",
    "lime": "#74b816", "青柠": "#74b816",
    "green": "#2fb344", "绿": "#2fb344", "绿色": "#2fb344",
    "teal": "#0ca678", "青": "#0ca678", "青色": "#0ca678",
    "cyan": "#17a2b8", "蓝绿": "#17a2b8",
    "gray": "#667382", "grey": "#667382", "灰": "#667382", "灰色": "#667382",
    "black": "#1d273b", "黑": "#1d273b", "黑色": "#1d273b",
}  # fmt: skip
DEFAULT_TAG_COLOUR = "#206bc4"
_HEX_COLOUR = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_TIME = re.compile(
    r"^(?P<meridiem_before>上午|下午|晚上|中午|早上)?\s*"
    r"(?P<hour>\d{1,2})\s*[:：时点]\s*(?P<minute>\d{1,2})?\s*分?"
    r"(?:\s*[:：]\s*(?P<second>\d{1,2})(?:\.\d+)?\s*秒?)?\s*"
    r"(?P<meridiem_after>am|pm|a\.m\.|p\.m\.)?$",
    re.IGNORECASE,
)
_AFTERNOON = {"下午", "晚上", "pm", "p.m."}


def kind_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", fold_width(text).strip().lower())


def content_key(text: str) -> str:
    """The text as it would be stored, with width and whitespace folded (for dedupe)."""
    return re.sub(r"\s+", " ", fold_width(sanitize_html(text or ""))).strip()


def _kind_lookup() -> dict[str, str]:
    lookup = {kind_key(word): kind for kind, words in KIND_WORDS.items() for word in words}
    for kind, label in InteractionKind.choices:
        lookup.setdefault(kind_key(kind), kind)
        lookup.setdefault(kind_key(str(label)), kind)  # the label in the active language
    return lookup


def _zone_of(actor: Any) -> dt.tzinfo:
    try:
        return ZoneInfo(getattr(actor, "time_zone", "") or "")
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def _time_of(text: str, error: ImportValueError) -> dt.time:
    match = _TIME.match(text.strip())
    if match is None:
        raise error
    hour = int(match["hour"])
    meridiem = (match["meridiem_before"] or match["meridiem_after"] or "").lower()
    if meridiem in _AFTERNOON and hour < 12:
        hour += 12
    elif meridiem in {"am", "a.m."} and hour == 12:
        hour = 0
    try:
        return dt.time(hour, int(match["minute"] or 0), int(match["second"] or 0))
    except ValueError:
        raise error from None


def parse_datetime(value: Any, zone: dt.tzinfo) -> dt.datetime:
    """A date or a date and time as people type it; naive values are in `zone`.

    Accepts what parse_date accepts, followed by a time (14:30, 14:30:05, 2:30 PM,
    下午2点30分, 14时30分), ISO 8601 with an offset, and Excel serials with a
    fraction of a day (45321.5 = 2024-01-30 12:00). A date alone means midnight.
    """
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        text = fold_width(clean_text(value))
        error = ImportValueError(_("“%(value)s” is not a date or time.") % {"value": text[:40]})
        if not text:
            raise error
        moment = _parse_datetime_text(text, error)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zone)
    return moment


def _parse_datetime_text(text: str, error: ImportValueError) -> dt.datetime:
    serial = re.fullmatch(r"(\d{1,7})\.(\d+)", text)
    if serial and 1 <= int(serial[1]) <= MAX_EXCEL_SERIAL:
        fraction = float(f"0.{serial[2]}")
        day = EXCEL_EPOCH + dt.timedelta(days=int(serial[1]))
        seconds = round(fraction * 86400)
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    match = re.match(r"^(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?)\s*(.*)$", text) or re.match(
        r"^(\S+)(?:[\sT]+(.*))?$", text
    )
    if match is None:
        raise error
    date_text, time_text = match[1], (match[2] or "").strip()
    try:
        day = parse_date(date_text)
    except ImportValueError:
        raise error from None
    return dt.datetime.combine(day, _time_of(time_text, error) if time_text else dt.time())


def _replaces(policy: str, current: Any, wanted: Any) -> bool:
    """Whether a matched record's value changes: "fill" only fills empty values."""
    return wanted != current and (policy == "overwrite" or current in (None, ""))


class InteractionImportAdapter:
    target = "interactions"
    label = gettext_lazy("Follow-ups")
    permission = "customers.add_interaction"
    fields = {
        "customer": gettext_lazy("Customer (name or ID)"),
        "contact": gettext_lazy("Contact"),
        "kind": gettext_lazy("Type"),
        "occurred_at": gettext_lazy("Time"),
        "content": gettext_lazy("Content"),
        "next_follow_up_on": gettext_lazy("Next follow-up"),
        "author": gettext_lazy("Author"),
    }
    synonyms = {
        "customer": ["客户名称", "客户", "客户名", "公司", "公司名称", "所属客户", "客户ID",
                     "Company", "Company Name", "Account Name", "Account", "Customer",
                     "Customer Name", "Related To"],
        "contact": ["联系人", "联系人姓名", "Contact", "Contact Name", "Contact Person"],
        "kind": ["跟进方式", "跟进类型", "沟通方式", "联系方式", "类型", "方式", "Type", "Kind",
                 "Channel", "Activity Type", "Interaction Type"],
        "occurred_at": ["跟进时间", "跟进日期", "沟通时间", "联系时间", "时间", "日期", "Time",
                        "Date", "Date/Time", "Occurred At", "Activity Date", "Start Date"],
        "content": ["跟进内容", "跟进记录", "沟通内容", "内容", "摘要", "记录", "备注", "Content",
                    "Summary", "Subject", "Description", "Notes", "Comments", "Body"],
        "next_follow_up_on": ["下次跟进时间", "下次跟进日期", "下次跟进", "下次联系时间",
                              "Next Follow-up", "Next Follow up", "Next Follow-up Date",
                              "Follow-up Date", "Next Step Date", "Due Date"],
        "author": ["跟进人", "记录人", "负责人", "所属销售", "销售", "Author", "Owner",
                   "Assigned To", "Activity Owner", "Created By"],
    }  # fmt: skip

    def custom_labels(self) -> dict[str, str]:
        return {}

    def prepare(self, *, actor: Any) -> Any:
        return {
            "actor": actor,
            "zone": _zone_of(actor),
            "kinds": _kind_lookup(),
            "owners": OwnerLookup(),
            "customers": {},
            "contacts": {},
        }

    def _contact(self, customer: Customer, text: str, context: Any) -> Contact:
        """By name (pinyin and width folded) among the customer's contacts."""
        cache_key = (customer.pk, text)
        cache = context["contacts"]
        if cache_key not in cache:
            wanted = name_key(text)
            matches = [
                contact
                for contact in Contact.objects.filter(customer=customer, deleted_at__isnull=True)
                if contact.name == text or name_key(contact.name) == wanted
            ]
            exact = [contact for contact in matches if contact.name == text]
            found = exact or matches
            cache[cache_key] = found[0] if len(found) == 1 else len(found)
        if not isinstance(cache[cache_key], Contact):
            message = (
                _("Several contacts of “%(customer)s” are called “%(value)s”.")
                if cache[cache_key]
                else _("“%(customer)s” has no contact “%(value)s”.")
            )
            raise RowInvalid([message % {"value": text[:60], "customer": customer.name[:60]}])
        return cache[cache_key]

    def parse(self, values: dict[str, list[Any]], context: Any) -> dict[str, Any]:
        errors: list[str] = []
        record: dict[str, Any] = {}
        customer_text = _first(values, "customer")
        if not customer_text:
            errors.append(_("The customer is missing."))
        else:
            try:
                record["customer"] = customer_named_in_row(customer_text, context)
            except RowInvalid as error:
                errors.extend(error.messages)
        contact_text = _first(values, "contact")
        if contact_text and "customer" in record:
            try:
                record["contact"] = self._contact(record["customer"], contact_text, context)
            except RowInvalid as error:
                errors.extend(error.messages)
        kind_text = _first(values, "kind")
        if kind_text:
            kind = context["kinds"].get(kind_key(kind_text))
            if kind is None:
                errors.append(
                    _("“%(value)s” is not a kind of follow-up (call, visit, WeChat, …).")
                    % {"value": kind_text[:40]}
                )
            record["kind"] = kind
        else:
            record["kind"] = InteractionKind.NOTE
        occurred = [v for v in values.get("occurred_at", []) if clean_text(v)]
        if not occurred:
            errors.append(_("The time of the follow-up is missing."))
        else:
            try:
                record["occurred_at"] = parse_datetime(occurred[0], context["zone"])
            except ImportValueError as error:
                errors.append(error.message)
        content = "\n".join(clean_text(v) for v in values.get("content", []) if clean_text(v))
        if not content:
            errors.append(_("The content of the follow-up is missing."))
        record["content"] = content
        if _first(values, "next_follow_up_on"):
            try:
                record["next_follow_up_on"] = parse_date(values["next_follow_up_on"][0])
            except ImportValueError as error:
                errors.append(error.message)
        if _first(values, "author"):
            try:
                record["author"] = context["owners"].resolve(_first(values, "author"))
            except ImportValueError as error:
                errors.append(error.message)
        if errors:
            raise RowInvalid(errors)
        return record

    def keys(self, record: dict[str, Any]) -> list[str]:
        moment = record["occurred_at"].astimezone(dt.UTC).isoformat()
        return [f"interaction:{record['customer'].pk}@{moment}:{content_key(record['content'])}"]

    def find_existing(self, record: dict[str, Any], context: Any) -> Interaction | None:
        wanted = content_key(record["content"])
        candidates = Interaction.objects.filter(
            customer=record["customer"],
            occurred_at=record["occurred_at"],
            deleted_at__isnull=True,
        )
        return next((item for item in candidates if content_key(item.content) == wanted), None)

    def create(self, *, actor: Any, record: dict[str, Any], context: Any) -> Interaction:
        return interaction_create(actor=actor, **record)

    def update(
        self, *, actor: Any, instance: Any, record: dict[str, Any], policy: str, context: Any
    ) -> dict[str, Any] | None:
        instance.refresh_from_db()
        changes: dict[str, Any] = {}
        contact = record.get("contact")
        if contact is not None and _replaces(policy, instance.contact_id, contact.pk):
            changes["contact"] = contact
        wanted_date = record.get("next_follow_up_on")
        if wanted_date is not None and _replaces(policy, instance.next_follow_up_on, wanted_date):
            changes["next_follow_up_on"] = wanted_date
        if policy == "overwrite" and record["kind"] != instance.kind:
            changes["kind"] = record["kind"]
        if not changes:
            return None
        before = {
            name: (instance.contact_id if name == "contact" else jsonable(getattr(instance, name)))
            for name in changes
        }
        interaction_update(actor=actor, interaction=instance, expected_version=None, **changes)
        return before

    def undo_create(self, *, actor: Any, object_id: str) -> None:
        interaction = (
            scoped(Interaction.objects.all(), actor=actor, action="delete")
            .filter(pk=object_id)
            .first()
        )
        if interaction is not None:
            interaction_delete(actor=actor, interaction=interaction)

    def undo_update(self, *, actor: Any, object_id: str, before: dict[str, Any]) -> None:
        interaction = (
            scoped(Interaction.objects.all(), actor=actor, action="change")
            .filter(pk=object_id)
            .first()
        )
        if interaction is not None:
            interaction_update(
                actor=actor, interaction=interaction, expected_version=None, **before
            )


def tag_key(name: str) -> str:
    return re.sub(r"\s+", " ", fold_width(name or "")).strip().lower()


def parse_colour(value: Any) -> str:
    text = fold_width(clean_text(value)).strip()
    word = COLOUR_WORDS.get(text.lower())
    if word:
        return word
    match = _HEX_COLOUR.match(text)
    if match is None:
        raise ImportValueError(
            _("“%(value)s” is not a colour (#206bc4, red, 红色 …).") % {"value": text[:20]}
        )
    digits = match[1]
    if len(digits) == 3:
        digits = "".join(char * 2 for char in digits)
    return f"#{digits.lower()}"


class TagImportAdapter:
    target = "tags"
    label = gettext_lazy("Tags")
    permission = MANAGE_TAGS
    fields = {
        "name": gettext_lazy("Tag"),
        "group": gettext_lazy("Tag group"),
        "color": gettext_lazy("Colour"),
    }
    synonyms = {
        "name": ["标签", "标签名", "标签名称", "名称", "Tag", "Tag Name", "Tags", "Name", "Label"],
        "group": ["标签组", "标签分组", "分组", "分类", "类别", "组", "Group", "Tag Group",
                  "Category"],
        "color": ["颜色", "标签颜色", "Colour", "Color", "Tag Color"],
    }  # fmt: skip

    def custom_labels(self) -> dict[str, str]:
        return {}

    def prepare(self, *, actor: Any) -> Any:
        # Safe to cache: an import never creates groups (docs/decisions.md).
        return {"groups": {tag_key(group.name): group for group in selectors.tag_group_list()}}

    def parse(self, values: dict[str, list[Any]], context: Any) -> dict[str, Any]:
        errors: list[str] = []
        record: dict[str, Any] = {}
        name = re.sub(r"\s+", " ", _first(values, "name"))
        if not name:
            errors.append(_("The tag name is missing."))
        elif len(name) > 50:
            errors.append(
                _("%(field)s is too long (%(length)s characters, at most %(limit)s).")
                % {"field": self.fields["name"], "length": len(name), "limit": 50}
            )
        record["name"] = name
        group_text = _first(values, "group")
        if group_text:
            group = context["groups"].get(tag_key(group_text))
            if group is None:
                errors.append(
                    _("No tag group “%(value)s”; create it on the tags settings page first.")
                    % {"value": group_text[:50]}
                )
            record["group"] = group
        if _first(values, "color"):
            try:
                record["color"] = parse_colour(_first(values, "color"))
            except ImportValueError as error:
                errors.append(error.message)
        if errors:
            raise RowInvalid(errors)
        return record

    def keys(self, record: dict[str, Any]) -> list[str]:
        return [f"tag:{tag_key(record['name'])}"]

    def find_existing(self, record: dict[str, Any], context: Any) -> Tag | None:
        exact = selectors.tag_list().filter(name=record["name"]).first()
        if exact is not None:
            return exact
        wanted = tag_key(record["name"])
        return next((tag for tag in selectors.tag_list() if tag_key(tag.name) == wanted), None)

    def create(self, *, actor: Any, record: dict[str, Any], context: Any) -> Tag:
        return tag_create(
            actor=actor,
            name=record["name"],
            color=record.get("color") or DEFAULT_TAG_COLOUR,
            group=record.get("group"),
        )

    def update(
        self, *, actor: Any, instance: Any, record: dict[str, Any], policy: str, context: Any
    ) -> dict[str, Any] | None:
        instance.refresh_from_db()
        changes: dict[str, Any] = {}
        group = record.get("group")
        if group is not None and _replaces(policy, instance.group_id, group.pk):
            changes["group"] = group
        colour = record.get("color")
        if policy == "overwrite" and colour and colour != instance.color:
            changes["color"] = colour
        if not changes:
            return None
        before = {
            name: (instance.group_id if name == "group" else getattr(instance, name))
            for name in changes
        }
        tag_update(actor=actor, tag=instance, expected_version=None, **changes)
        return before

    def undo_create(self, *, actor: Any, object_id: str) -> None:
        tag = selectors.tag_list().filter(pk=object_id).first()
        if tag is not None:
            tag_delete(actor=actor, tag=tag)

    def undo_update(self, *, actor: Any, object_id: str, before: dict[str, Any]) -> None:
        tag = selectors.tag_list().filter(pk=object_id).first()
        if tag is not None:
            tag_update(actor=actor, tag=tag, expected_version=None, **before)


register_import_target("interactions", InteractionImportAdapter())
register_import_target("tags", TagImportAdapter())
