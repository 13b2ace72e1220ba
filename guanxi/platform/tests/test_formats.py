"""Amounts are grouped by thousands in both languages (¥1,234,567.80)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_amounts_are_grouped_by_thousands(language: str) -> None:
    template = Template('¥{{ amount|floatformat:"2g" }} ¥{{ amount|floatformat:"0g" }}')
    with translation.override(language):
        assert template.render(Context({"amount": 1234567.8})) == "¥1,234,567.80 ¥1,234,568"
