"""A few saved reports for the demo data set (called by guanxi.demo.generator)."""

from __future__ import annotations

from typing import Any

from guanxi.reports.builder.services import saved_report_create

# (name, owner's role code, shared with the team, definition)
DEMO_REPORTS: list[tuple[str, str, bool, dict[str, Any]]] = [
    ("各省销售额与客户数", "admin", False,
     {"dimension": "region", "measures": ["revenue", "customers"], "top_n": 10}),
    ("按来源看客户价值", "admin", False,
     {"dimension": "source", "measures": ["customers", "clv_total", "clv_average"]}),
    ("团队月度销售", "manager", True,
     {"dimension": "month", "measures": ["revenue", "profit", "orders"]}),
    ("产品销售排行", "manager", True,
     {"dimension": "product", "measures": ["revenue", "profit", "customers"], "top_n": 15}),
    ("流失风险按负责人", "manager", True,
     {"dimension": "owner", "measures": ["at_risk", "value_at_risk"], "sort": "value_at_risk"}),
]  # fmt: skip


def generate_saved_reports(*, users: list[Any], **_ignored: Any) -> dict[str, int]:
    """Save DEMO_REPORTS for the first active user of each role among `users` (User
    rows or the demo's DemoStaff, by username; "admin" falls back to the first
    superuser). A user who already has a report of that name is skipped, so the
    generator can run twice."""
    from guanxi.accounts.models import User

    names = [user.username for user in users]
    people = User.objects.filter(username__in=names, is_active=True).select_related("role")
    by_role: dict[str, Any] = {}
    for person in people.order_by("id"):
        code = "admin" if person.is_superuser else getattr(person.role, "code", None)
        if code and code not in by_role:
            by_role[code] = person
    if "admin" not in by_role:
        admin = User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
        if admin is not None:
            by_role["admin"] = admin
    created = 0
    for name, role, is_shared, definition in DEMO_REPORTS:
        owner = by_role.get(role)
        if owner is None or owner.saved_reports.filter(name=name).exists():
            continue
        saved_report_create(actor=owner, name=name, definition=definition, is_shared=is_shared)
        created += 1
    return {"saved_reports": created}
