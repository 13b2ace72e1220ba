"""Import adapter "leads" (autodiscovered by the import engine: no line elsewhere).

One row per lead. A row matches an existing live, unconverted lead the importer
may edit with the same mobile, else the same e-mail; "skip" leaves it, "fill"
sets only its empty fields, "overwrite" sets every field the row has. Rows
without an owner go through the team's assignment rule (or wait in the pool),
exactly as a lead typed in without one; the source defaults to "import".
Undoing an import moves the leads it created to the recycle bin.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.leads.models import Lead, LeadSource, LeadStatus
from guanxi.leads.selectors import lead_list
from guanxi.leads.services import lead_create, lead_delete, lead_update
from guanxi.platform.imports.targets import RowInvalid, register_import_target
from guanxi.platform.imports.values import (
    ImportValueError,
    OwnerLookup,
    clean_text,
    parse_email,
    parse_phone,
)
from guanxi.platform.text import fold_width

TEXT_LIMITS = {
    "name": 100,
    "company": 200,
    "title": 100,
    "wechat_id": 100,
    "province": 50,
    "city": 50,
    "disqualify_reason": 200,
}
# What Chinese CRMs and spreadsheets write, whatever our catalogue says.
SOURCE_WORDS = {
    "手工录入": LeadSource.MANUAL,
    "手动录入": LeadSource.MANUAL,
    "录入": LeadSource.MANUAL,
    "导入": LeadSource.IMPORT,
    "接口": LeadSource.API,
    "官网": LeadSource.WEB_FORM,
    "官网表单": LeadSource.WEB_FORM,
    "网站": LeadSource.WEB_FORM,
    "表单": LeadSource.WEB_FORM,
    "转介绍": LeadSource.REFERRAL,
    "介绍": LeadSource.REFERRAL,
    "推荐": LeadSource.REFERRAL,
    "客户推荐": LeadSource.REFERRAL,
    "展会": LeadSource.EXHIBITION,
    "会展": LeadSource.EXHIBITION,
    "广告": LeadSource.ADVERTISING,
    "广告投放": LeadSource.ADVERTISING,
    "搜索推广": LeadSource.ADVERTISING,
    "其他": LeadSource.OTHER,
    "其它": LeadSource.OTHER,
}
STATUS_WORDS = {
    "新建": LeadStatus.NEW,
    "新线索": LeadStatus.NEW,
    "未处理": LeadStatus.NEW,
    "待跟进": LeadStatus.NEW,
    "已联系": LeadStatus.CONTACTED,
    "跟进中": LeadStatus.CONTACTED,
    "已跟进": LeadStatus.CONTACTED,
    "合格": LeadStatus.QUALIFIED,
    "有效": LeadStatus.QUALIFIED,
    "已确认": LeadStatus.QUALIFIED,
    "无效": LeadStatus.DISQUALIFIED,
    "不合格": LeadStatus.DISQUALIFIED,
    "已关闭": LeadStatus.DISQUALIFIED,
}
CHOICE_FIELDS = ("source", "status")


def _first(values: dict[str, list[Any]], name: str) -> str:
    return next((clean_text(v) for v in values.get(name, []) if clean_text(v)), "")


def _choice(text: str, words: dict[str, str], choices: Any) -> str | None:
    folded = fold_width(text).strip()
    if folded.lower() in choices.values:
        return folded.lower()
    if folded in words:
        return words[folded]
    for value, label in choices.choices:
        if folded.lower() == str(label).lower():
            return value
    return None


class LeadImportAdapter:
    target = "leads"
    permission = "leads.add_lead"
    label = gettext_lazy("Leads")
    fields = {
        "name": gettext_lazy("Name"),
        "company": gettext_lazy("Company"),
        "title": gettext_lazy("Job title"),
        "mobile": gettext_lazy("Mobile"),
        "phone": gettext_lazy("Phone"),
        "email": gettext_lazy("E-mail"),
        "wechat_id": gettext_lazy("WeChat ID"),
        "province": gettext_lazy("Province"),
        "city": gettext_lazy("City"),
        "source": gettext_lazy("Source"),
        "status": gettext_lazy("Status"),
        "disqualify_reason": gettext_lazy("Disqualify reason"),
        "owner": gettext_lazy("Owner"),
        "notes": gettext_lazy("Notes"),
    }
    synonyms = {
        "name": [
            "姓名",
            "联系人",
            "联系人姓名",
            "客户姓名",
            "名字",
            "Name",
            "Full Name",
            "Lead Name",
        ],
        "company": ["公司", "公司名称", "单位", "企业名称", "Company", "Company Name", "Account"],
        "title": ["职位", "职务", "Title", "Job Title"],
        "mobile": ["手机", "手机号", "手机号码", "移动电话", "Mobile", "Mobile Phone", "Cell"],
        "phone": ["电话", "座机", "固话", "办公电话", "Phone", "Telephone", "Work Phone"],
        "email": ["邮箱", "电子邮箱", "电子邮件", "Email", "E-mail", "Email Address"],
        "wechat_id": ["微信", "微信号", "WeChat", "WeChat ID"],
        "province": ["省份", "省", "地区", "Province", "State", "Region"],
        "city": ["城市", "市", "City"],
        "source": ["来源", "线索来源", "渠道", "Source", "Lead Source"],
        "status": ["状态", "线索状态", "Status", "Lead Status"],
        "disqualify_reason": ["无效原因", "关闭原因", "Disqualify Reason", "Reason"],
        "owner": ["负责人", "销售", "所属销售", "跟进人", "Owner", "Lead Owner"],
        "notes": ["备注", "说明", "描述", "Notes", "Description"],
    }

    def custom_labels(self) -> dict[str, str]:
        return {}

    def prepare(self, *, actor: Any) -> Any:
        return {"actor": actor, "owners": OwnerLookup()}

    def parse(self, values: dict[str, list[Any]], context: Any) -> dict[str, Any]:
        errors: list[str] = []
        record: dict[str, Any] = {}
        for name, limit in TEXT_LIMITS.items():
            text = _first(values, name)
            if len(text) > limit:
                errors.append(
                    _("%(field)s is too long (%(length)s characters, at most %(limit)s).")
                    % {"field": self.fields[name], "length": len(text), "limit": limit}
                )
            elif text:
                record[name] = text
        for name in ("mobile", "phone"):
            if _first(values, name):
                try:
                    record[name] = parse_phone(_first(values, name))
                except ImportValueError as error:
                    errors.append(error.message)
        if _first(values, "email"):
            try:
                record["email"] = parse_email(_first(values, "email"))
            except ImportValueError as error:
                errors.append(error.message)
        for name, words, choices in (
            ("source", SOURCE_WORDS, LeadSource),
            ("status", STATUS_WORDS, LeadStatus),
        ):
            text = _first(values, name)
            if not text:
                continue
            value = _choice(text, words, choices)
            if value is None or value == LeadStatus.CONVERTED:
                errors.append(
                    _("“%(value)s” is not a known %(field)s.")
                    % {"value": text[:40], "field": self.fields[name]}
                )
            else:
                record[name] = value
        if _first(values, "owner"):
            try:
                record["owner"] = context["owners"].resolve(_first(values, "owner")).pk
            except ImportValueError as error:
                errors.append(error.message)
        if _first(values, "notes"):
            record["notes"] = "\n".join(clean_text(v) for v in values["notes"] if clean_text(v))
        if not record.get("name"):
            errors.append(_("The name is missing."))
        if record.get("status") == LeadStatus.DISQUALIFIED and not record.get("disqualify_reason"):
            errors.append(_("A disqualified lead needs a reason."))
        if errors:
            raise RowInvalid(errors)
        record.setdefault("source", LeadSource.IMPORT)
        return record

    def keys(self, record: dict[str, Any]) -> list[str]:
        keys = []
        if record.get("mobile"):
            keys.append(f"mobile:{record['mobile']}")
        if record.get("email"):
            keys.append(f"email:{record['email'].lower()}")
        return keys

    def find_existing(self, record: dict[str, Any], context: Any) -> Lead | None:
        condition = Q()
        if record.get("mobile"):
            condition |= Q(mobile=record["mobile"])
        if record.get("email"):
            condition |= Q(email__iexact=record["email"])
        if not condition:
            return None
        return (
            lead_list(actor=context["actor"], action="change")
            .exclude(status=LeadStatus.CONVERTED)
            .filter(condition)
            .order_by("id")
            .first()
        )

    def create(self, *, actor: Any, record: dict[str, Any], context: Any) -> Lead:
        return lead_create(actor=actor, **record)

    def update(
        self, *, actor: Any, instance: Any, record: dict[str, Any], policy: str, context: Any
    ) -> dict[str, Any] | None:
        instance.refresh_from_db()
        changes = {
            name: value
            for name, value in record.items()
            if value != _current(instance, name)
            and (policy == "overwrite" or _current(instance, name) in ("", None))
            and not (name == "source" and policy != "overwrite")
        }
        if not changes:
            return None
        before = {name: _current(instance, name) for name in changes}
        lead_update(actor=actor, lead=instance, expected_version=None, **changes)
        return before

    def undo_create(self, *, actor: Any, object_id: str) -> None:
        lead = Lead.objects.filter(pk=object_id, deleted_at__isnull=True).first()
        if lead is not None:
            lead_delete(actor=actor, lead=lead)

    def undo_update(self, *, actor: Any, object_id: str, before: dict[str, Any]) -> None:
        lead = Lead.objects.filter(pk=object_id, deleted_at__isnull=True).first()
        if lead is not None and lead.status != LeadStatus.CONVERTED:
            lead_update(actor=actor, lead=lead, expected_version=None, **before)


def _current(lead: Lead, name: str) -> Any:
    return lead.owner_id if name == "owner" else getattr(lead, name)


register_import_target("leads", LeadImportAdapter())
