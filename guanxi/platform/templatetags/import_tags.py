"""`{% if request.user|can_import:"contacts" %}`: show an Import button only to people
who may import into that target."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.platform.import_wizard import import_target_allowed

register = template.Library()


@register.filter
def can_import(user: Any, target: str) -> bool:
    return import_target_allowed(user, target)
