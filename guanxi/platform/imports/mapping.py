"""Guess which field each column fills, from Chinese and English headers or a preset.

A mapping is {header text: field name}; "" means "ignore this column". Custom
fields map as "custom:<key>". Presets name the columns other CRMs write into their
exports. Assumed column names (the vendors change them between versions; the
guesser still catches what a preset misses):
- HubSpot (Companies / Contacts "Export" in the UI, 2024): "Record ID", "Company name",
  "Company owner", "Phone Number", "Street Address", "City", "State/Region",
  "Industry", "Original Source"/"Lead Source"; contacts "First Name", "Last Name",
  "Email", "Mobile Phone Number", "Job Title", "Associated Company", "Contact owner".
- Salesforce (report export / Data Loader): "Account Name", "Account Owner", "Phone",
  "Billing Street", "Billing City", "Billing State/Province", "Industry", "Account Source",
  API names Name, Phone, BillingCity, BillingState, BillingStreet, AccountSource.
- Zoho CRM (Accounts / Contacts export): "Account Name", "Account Owner", "Phone",
  "Billing Street", "Billing City", "Billing State", "Industry", "Tag", "Description";
  contacts "First Name", "Last Name", "Email", "Mobile", "Title", "Contact Owner".
- 悟空CRM (客户 / 联系人 导出): 客户名称, 客户级别, 客户来源, 客户行业, 手机, 电话, 邮箱,
  负责人, 省市区, 详细地址, 备注; 联系人 姓名, 客户名称, 手机, 电话, 电子邮箱, 职务.
"""

from __future__ import annotations

import re
from typing import Any

from guanxi.platform.text import fold_width

PRESETS: dict[str, dict[str, dict[str, str]]] = {
    "hubspot": {
        "customers": {
            "Company name": "name",
            "Name": "name",
            "Company owner": "owner",
            "Phone Number": "phones",
            "Street Address": "street",
            "City": "city",
            "State/Region": "province",
            "Industry": "industry",
            "Original Source": "source",
            "Lead Source": "source",
            "Description": "notes",
        },
        "contacts": {
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "emails",
            "Phone Number": "phones",
            "Mobile Phone Number": "phones",
            "Job Title": "title",
            "Associated Company": "customer",
            "Company Name": "customer",
        },
    },
    "salesforce": {
        "customers": {
            "Account Name": "name",
            "Name": "name",
            "Account Owner": "owner",
            "Phone": "phones",
            "Billing Street": "street",
            "BillingStreet": "street",
            "Billing City": "city",
            "BillingCity": "city",
            "Billing State/Province": "province",
            "BillingState": "province",
            "Industry": "industry",
            "Account Source": "source",
            "AccountSource": "source",
            "Description": "notes",
        },
        "contacts": {
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "emails",
            "Phone": "phones",
            "Mobile": "phones",
            "Title": "title",
            "Account Name": "customer",
        },
    },
    "zoho": {
        "customers": {
            "Account Name": "name",
            "Account Owner": "owner",
            "Phone": "phones",
            "Billing Street": "street",
            "Billing City": "city",
            "Billing State": "province",
            "Industry": "industry",
            "Lead Source": "source",
            "Tag": "tags",
            "Description": "notes",
        },
        "contacts": {
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "emails",
            "Phone": "phones",
            "Mobile": "phones",
            "Title": "title",
            "Account Name": "customer",
        },
    },
    "wukong": {
        "customers": {
            "客户名称": "name",
            "客户级别": "grade",
            "客户来源": "source",
            "客户行业": "industry",
            "手机": "phones",
            "电话": "phones",
            "邮箱": "emails",
            "负责人": "owner",
            "省市区": "province",
            "详细地址": "street",
            "备注": "notes",
        },
        "contacts": {
            "姓名": "name",
            "客户名称": "customer",
            "手机": "phones",
            "电话": "phones",
            "电子邮箱": "emails",
            "邮箱": "emails",
            "职务": "title",
        },
    },
}


def header_key(text: str) -> str:
    """Headers compared ignoring width, case, spaces, punctuation ("Mobile-Phone")."""
    return re.sub(r"[\s_\-./:()（）*#]+", "", fold_width(text or "")).lower()


def guess_mapping(
    headers: list[str],
    synonyms: dict[str, list[str]],
    *,
    preset: str | None = None,
    target: str = "",
    custom_labels: dict[str, str] | None = None,
) -> dict[str, str]:
    """One field per header; a preset's exact names first, then synonyms, then custom labels."""
    preset_columns = {
        header_key(k): v for k, v in PRESETS.get(preset or "", {}).get(target, {}).items()
    }
    by_key = {header_key(word): field for field, words in synonyms.items() for word in words}
    for key, label in (custom_labels or {}).items():
        by_key.setdefault(header_key(label), f"custom:{key}")
    mapping = {}
    for header in headers:
        base = re.sub(r" \(\d+\)$", "", header)
        key = header_key(base)
        mapping[header] = preset_columns.get(key) or by_key.get(key, "")
    return mapping


def preset_names() -> list[str]:
    return sorted(PRESETS)


def clean_mapping(mapping: dict[str, Any], headers: list[str], fields: set[str]) -> dict[str, str]:
    """Keep only known headers and fields (custom:* allowed); unknown ones are ignored."""
    cleaned = {}
    for header in headers:
        field = str(mapping.get(header) or "")
        cleaned[header] = field if field in fields or field.startswith("custom:") else ""
    return cleaned
