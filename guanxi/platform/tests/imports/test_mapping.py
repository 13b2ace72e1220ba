"""Guessing column fields from headers, and the other CRMs' presets."""

from __future__ import annotations

from guanxi.platform.imports.mapping import clean_mapping, guess_mapping

SYNONYMS = {
    "name": ["客户名称", "公司名称", "Company Name", "Account Name"],
    "phones": ["手机", "手机号", "Mobile Phone"],
    "emails": ["邮箱", "Email"],
    "owner": ["所属销售", "负责人", "Owner"],
    "source": ["来源", "Lead Source"],
    "grade": ["客户级别"],
}


def test_chinese_and_english_headers() -> None:
    headers = [
        "客户名称",
        "手机",
        "手机 (2)",
        "邮箱",
        "所属销售",
        "ＭＯＢＩＬＥ　ＰＨＯＮＥ",
        "account_name",
        "备忘",
    ]
    mapping = guess_mapping(headers, SYNONYMS, custom_labels={"vip": "备忘"})
    assert mapping == {
        "客户名称": "name",
        "手机": "phones",
        "手机 (2)": "phones",
        "邮箱": "emails",
        "所属销售": "owner",
        "ＭＯＢＩＬＥ　ＰＨＯＮＥ": "phones",
        "account_name": "name",
        "备忘": "custom:vip",
    }


def test_hubspot_preset() -> None:
    headers = ["Record ID", "Company name", "Company owner", "Phone Number", "City", "Create Date"]
    mapping = guess_mapping(headers, {}, preset="hubspot", target="customers")
    assert mapping["Company name"] == "name"
    assert mapping["Company owner"] == "owner"
    assert mapping["Phone Number"] == "phones"
    assert mapping["City"] == "city"
    assert mapping["Record ID"] == "" and mapping["Create Date"] == ""


def test_wukong_preset() -> None:
    headers = ["客户名称", "客户级别", "客户来源", "手机", "负责人", "下次联系时间"]
    mapping = guess_mapping(headers, SYNONYMS, preset="wukong", target="customers")
    assert mapping == {
        "客户名称": "name",
        "客户级别": "grade",
        "客户来源": "source",
        "手机": "phones",
        "负责人": "owner",
        "下次联系时间": "",
    }


def test_clean_mapping_drops_unknown_fields_and_headers() -> None:
    cleaned = clean_mapping(
        {"a": "name", "b": "hack", "zzz": "name", "c": "custom:x"}, ["a", "b", "c"], {"name"}
    )
    assert cleaned == {"a": "name", "b": "", "c": "custom:x"}
