"""Lead services: validation (nothing written), assignment rules, follow-ups,
disqualify, versions, recycle bin, conversion (new / attach / rollback)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from guanxi.customers.models import Contact, Customer, Interaction
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory
from guanxi.leads import selectors, services
from guanxi.leads.models import AssignmentMethod, Lead, LeadActivity, LeadStatus
from guanxi.leads.tests.factories import make_lead
from guanxi.platform.exceptions import ConflictError, NotFound, PermissionDenied, ValidationError
from guanxi.platform.models import AuditEntry

pytestmark = pytest.mark.django_db


def _lead_audits() -> int:
    return AuditEntry.objects.filter(action__startswith="leads.").count()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " "}, "name"),
        ({"mobile": "12345"}, "mobile"),
        ({"phone": "call me"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a" * 250 + "@x.cn"}, "email"),
        ({"company": "公" * 201}, "company"),
        ({"name": "名" * 101}, "name"),
        ({"source": "tv"}, "source"),
        ({"status": "won"}, "status"),
        ({"status": "converted"}, "status"),
        ({"status": "disqualified"}, "disqualify_reason"),
        ({"owner": 999999}, "owner"),
        ({"owner": "abc"}, "owner"),
        ({"team": 999999}, "team"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_garbage_gives_field_errors_and_writes_nothing(
    org: Any, fields: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {"name": "陈晓明", **fields}
    with pytest.raises(ValidationError) as caught:
        services.lead_create(actor=org.east_rep, **values)
    assert field in caught.value.field_errors
    assert Lead.objects.count() == 0
    assert _lead_audits() == 0


def test_create_normalises_and_audits(org: Any) -> None:
    lead = services.lead_create(
        actor=org.east_rep,
        name=" 陈晓明 ",
        company="杭州云栖科技有限公司",
        mobile="138 1234 5678",
        email="Chen@Example.COM",
        owner=org.east_rep,
        source="exhibition",
    )
    assert lead.name == "陈晓明"
    assert lead.mobile == "+8613812345678"
    assert lead.email == "Chen@example.com"
    assert lead.team == org.east
    assert lead.status == LeadStatus.NEW
    assert lead.assigned_at is not None
    assert AuditEntry.objects.filter(action="leads.lead.created", object_id=str(lead.pk)).exists()


def test_rep_cannot_give_a_lead_to_someone_else(org: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.lead_create(actor=org.east_rep, name="x", owner=org.east_rep2)
    assert "owner" in caught.value.field_errors
    lead = services.lead_create(actor=org.manager, name="x", owner=org.east_rep2)
    assert lead.owner == org.east_rep2
    assert lead.team == org.east


def test_leads_are_filed_only_under_teams_in_scope(org: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.lead_create(actor=org.east_rep, name="x", team=org.west)
    assert "team" in caught.value.field_errors
    assert services.lead_create(actor=org.east_rep, name="x", team=org.east).team == org.east
    assert services.lead_create(actor=org.manager, name="y", team=org.west).team == org.west
    with pytest.raises(ValidationError):
        services.lead_create(actor=org.manager, name="z", team=org.service_team)


def test_without_permission_nothing_is_created(org: Any) -> None:
    org.west_rep.role.permissions = []
    org.west_rep.role.save()
    from guanxi.platform.permissions import forget_cached_permissions

    forget_cached_permissions(org.west_rep)
    with pytest.raises(PermissionDenied):
        services.lead_create(actor=org.west_rep, name="x")
    assert Lead.objects.count() == 0


# --- assignment rules ---------------------------------------------------------------


def test_no_rule_leaves_the_lead_in_the_team_pool(org: Any) -> None:
    lead = services.lead_create(actor=org.east_rep, name="x")
    assert lead.owner is None
    assert lead.team == org.east
    assert lead.assigned_at is None


def test_round_robin_takes_turns(org: Any) -> None:
    services.assignment_rule_save(
        actor=org.admin,
        team=org.east,
        method=AssignmentMethod.ROUND_ROBIN,
        members=[org.east_rep.pk, org.east_rep2.pk],
    )
    owners = [
        services.lead_create(actor=org.manager, name=f"线索{i}", team=org.east).owner
        for i in range(5)
    ]
    first, second = sorted([org.east_rep, org.east_rep2], key=lambda user: user.pk)
    assert owners == [first, second, first, second, first]


def test_round_robin_skips_inactive_members(org: Any) -> None:
    services.assignment_rule_save(
        actor=org.admin,
        team=org.east,
        method=AssignmentMethod.ROUND_ROBIN,
        members=[org.east_rep.pk, org.east_rep2.pk],
    )
    org.east_rep2.is_active = False
    org.east_rep2.save(update_fields=["is_active"])
    owners = {
        services.lead_create(actor=org.manager, name=f"线索{i}", team=org.east).owner
        for i in range(3)
    }
    assert owners == {org.east_rep}


def test_region_rule_maps_provinces_and_falls_back_to_members(org: Any) -> None:
    services.assignment_rule_save(
        actor=org.admin,
        team=org.east,
        method=AssignmentMethod.REGION,
        members=[org.east_rep.pk],
        targets=[("浙江", org.east_rep2.pk), ("江苏", org.east_rep.pk)],
    )
    zhejiang = services.lead_create(actor=org.manager, name="a", team=org.east, province="浙江")
    jiangsu = services.lead_create(actor=org.manager, name="b", team=org.east, province="江苏")
    other = services.lead_create(actor=org.manager, name="c", team=org.east, province="广东")
    assert zhejiang.owner == org.east_rep2
    assert jiangsu.owner == org.east_rep
    assert other.owner == org.east_rep


def test_source_rule(org: Any) -> None:
    services.assignment_rule_save(
        actor=org.admin,
        team=org.east,
        method=AssignmentMethod.SOURCE,
        members=[],
        targets=[("exhibition", org.east_rep2.pk)],
    )
    from_show = services.lead_create(
        actor=org.manager, name="a", team=org.east, source="exhibition"
    )
    from_ads = services.lead_create(
        actor=org.manager, name="b", team=org.east, source="advertising"
    )
    assert from_show.owner == org.east_rep2
    assert from_ads.owner is None  # no entry and no members: the pool


def test_rule_settings_refuse_bad_input(org: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.assignment_rule_save(
            actor=org.admin,
            team=org.east,
            method="lottery",
            members=[999999],
            targets=[("tv", org.east_rep.pk)],
        )
    assert {"method", "members"} <= set(caught.value.field_errors)
    with pytest.raises(PermissionDenied):
        services.assignment_rule_save(
            actor=org.east_rep, team=org.east, method="round_robin", members=[]
        )


def test_explicit_owner_bypasses_the_rule(org: Any) -> None:
    services.assignment_rule_save(
        actor=org.admin, team=org.east, method="round_robin", members=[org.east_rep2.pk]
    )
    lead = services.lead_create(actor=org.east_rep, name="x", owner=org.east_rep)
    assert lead.owner == org.east_rep


# --- update, follow-ups, disqualify, recycle bin --------------------------------------


def test_stale_version_is_a_conflict(org: Any) -> None:
    lead = make_lead(actor=org.east_rep)
    services.lead_update(actor=org.east_rep, lead=lead, expected_version=1, company="甲")
    with pytest.raises(ConflictError):
        services.lead_update(actor=org.east_rep, lead=lead, expected_version=1, company="乙")
    lead.refresh_from_db()
    assert lead.company == "甲"
    assert lead.version == 2


def test_follow_up_marks_contacted_and_moves_last_followed(org: Any) -> None:
    lead = make_lead(actor=org.east_rep)
    when = timezone.now() - dt.timedelta(days=2)
    services.lead_activity_create(
        actor=org.east_rep, lead=lead, kind="call", content="约了下周见面", occurred_at=when
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED
    assert lead.last_followed_at == when
    with pytest.raises(ValidationError) as caught:
        services.lead_activity_create(actor=org.east_rep, lead=lead, kind="fax", content=" ")
    assert {"kind", "content"} <= set(caught.value.field_errors)


def test_disqualify_needs_a_reason(org: Any) -> None:
    lead = make_lead(actor=org.east_rep)
    with pytest.raises(ValidationError) as caught:
        services.lead_disqualify(actor=org.east_rep, lead=lead, reason="  ")
    assert "disqualify_reason" in caught.value.field_errors
    lead = services.lead_disqualify(actor=org.east_rep, lead=lead, reason="没有预算")
    assert lead.status == LeadStatus.DISQUALIFIED
    assert lead.disqualify_reason == "没有预算"
    reopened = services.lead_update(
        actor=org.east_rep, lead=lead, expected_version=lead.version, status="qualified"
    )
    assert reopened.disqualify_reason == ""


def test_delete_and_restore(org: Any) -> None:
    lead = make_lead(actor=org.east_rep)
    services.lead_delete(actor=org.east_rep, lead=lead)
    with pytest.raises(NotFound):
        selectors.lead_get(actor=org.east_rep, lead_id=lead.pk)
    with pytest.raises(NotFound):
        services.lead_restore(actor=org.west_rep, instance=lead)
    services.lead_restore(actor=org.east_rep, instance=lead)
    assert selectors.lead_get(actor=org.east_rep, lead_id=lead.pk) == lead


# --- conversion -----------------------------------------------------------------------


def _lead_with_history(org: Any, **fields: Any) -> Lead:
    lead = make_lead(
        actor=org.east_rep,
        company=fields.pop("company", "杭州云栖科技有限公司"),
        mobile=fields.pop("mobile", "13812345678"),
        email=fields.pop("email", "chen@yunqi.cn"),
        title="采购经理",
        province="浙江",
        city="杭州",
        **fields,
    )
    services.lead_activity_create(
        actor=org.east_rep,
        lead=lead,
        kind="call",
        content="首次电话沟通",
        occurred_at=timezone.now() - dt.timedelta(days=3),
    )
    services.lead_activity_create(actor=org.east_rep, lead=lead, kind="visit", content="上门拜访")
    lead.refresh_from_db()
    return lead


def test_convert_to_a_new_customer(org: Any) -> None:
    lead = _lead_with_history(org)
    result = services.lead_convert(actor=org.east_rep, lead=lead, expected_version=lead.version)
    customer, contact = result.customer, result.contact
    assert result.is_new_customer
    assert customer.name == "杭州云栖科技有限公司"
    assert customer.owner == org.east_rep
    assert customer.province == "浙江"
    assert contact.customer == customer
    assert contact.name == "陈晓明"
    assert contact.title == "采购经理"
    assert contact.phones == ["+8613812345678"]
    assert contact.emails == ["chen@yunqi.cn"]
    assert contact.is_primary
    moved = list(Interaction.objects.filter(customer=customer).order_by("occurred_at"))
    assert [i.content for i in moved] == ["首次电话沟通", "上门拜访"]
    assert all(i.author == org.east_rep and i.contact == contact for i in moved)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED
    assert lead.converted_customer == customer
    assert lead.converted_contact == contact
    assert lead.converted_at is not None
    assert AuditEntry.objects.filter(action="leads.lead.converted", object_id=str(lead.pk)).exists()
    assert AuditEntry.objects.filter(
        action="customers.customer.lead_converted", object_id=str(customer.pk)
    ).exists()
    # Read-only afterwards.
    with pytest.raises(ValidationError):
        services.lead_update(actor=org.east_rep, lead=lead, expected_version=None, company="x")
    with pytest.raises(ValidationError):
        services.lead_convert(actor=org.east_rep, lead=lead)
    with pytest.raises(ValidationError):
        services.lead_activity_create(actor=org.east_rep, lead=lead, kind="note", content="x")


def test_person_without_company_becomes_an_individual(org: Any) -> None:
    lead = _lead_with_history(org, company="")
    result = services.lead_convert(actor=org.east_rep, lead=lead)
    assert result.customer.kind == "individual"
    assert result.customer.name == "陈晓明"
    assert result.customer.phones == ["+8613812345678"]


def test_duplicates_found_by_phone_email_and_company(org: Any) -> None:
    by_phone = CustomerFactory(owner=org.east_rep, name="老客户甲", phones=["+8613812345678"])
    by_company = CustomerFactory(owner=org.west_rep, name="杭州云栖科技股份有限公司")
    holder = CustomerFactory(owner=org.east_rep, name="老客户乙")
    ContactFactory(customer=holder, name="王五", emails=["chen@yunqi.cn"])
    CustomerFactory(owner=org.east_rep, name="无关公司", phones=["+8613900000000"])
    lead = _lead_with_history(org)
    candidates = {
        c.customer.pk: c for c in selectors.duplicate_candidates(actor=org.east_rep, lead=lead)
    }
    assert set(candidates) == {by_phone.pk, by_company.pk, holder.pk}
    assert candidates[by_phone.pk].reasons == ["same_phone"]
    assert candidates[holder.pk].reasons == ["same_email"]
    assert candidates[by_company.pk].reasons == ["same_company"]
    assert candidates[by_phone.pk].is_visible
    assert not candidates[by_company.pk].is_visible  # someone else's: shown, not attachable


def test_foreign_numbers_are_found_too(org: Any) -> None:
    uk = CustomerFactory(owner=org.east_rep, name="London Tea Ltd", phones=["+442079460958"])
    lead = make_lead(actor=org.east_rep, company="", mobile="+44 20 7946 0958")
    found = selectors.duplicate_candidates(actor=org.east_rep, lead=lead)
    assert [candidate.customer for candidate in found] == [uk]


def test_attach_to_an_existing_customer(org: Any) -> None:
    existing = CustomerFactory(owner=org.east_rep, name="杭州云栖科技有限公司")
    ContactFactory(customer=existing, name="老联系人", is_primary=True)
    lead = _lead_with_history(org)
    result = services.lead_convert(actor=org.east_rep, lead=lead, customer=existing.pk)
    assert not result.is_new_customer
    assert result.customer == existing
    assert Customer.objects.count() == 1
    assert not result.contact.is_primary
    assert Interaction.objects.filter(customer=existing).count() == 2


def test_attach_to_a_customer_out_of_scope_is_refused(org: Any) -> None:
    theirs = CustomerFactory(owner=org.west_rep, name="别人的客户")
    lead = _lead_with_history(org)
    with pytest.raises(ValidationError) as caught:
        services.lead_convert(actor=org.east_rep, lead=lead, customer=theirs.pk)
    assert "customer" in caught.value.field_errors
    lead.refresh_from_db()
    assert lead.status != LeadStatus.CONVERTED
    assert Contact.objects.count() == 0


def test_any_error_rolls_everything_back(org: Any) -> None:
    lead = _lead_with_history(org)
    customers_before = Customer.objects.count()
    with (
        mock.patch(
            "guanxi.leads.services.interaction_create", side_effect=RuntimeError("disk full")
        ),
        pytest.raises(RuntimeError),
    ):
        services.lead_convert(actor=org.east_rep, lead=lead)
    assert Customer.objects.count() == customers_before
    assert Contact.objects.count() == 0
    assert Interaction.objects.count() == 0
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED
    assert lead.converted_customer is None
    assert LeadActivity.objects.filter(lead=lead).count() == 2


def test_opportunity_input_is_checked_before_anything_is_written(org: Any) -> None:
    lead = _lead_with_history(org)
    with pytest.raises(ValidationError) as caught:
        services.lead_convert(
            actor=org.east_rep,
            lead=lead,
            create_opportunity=True,
            opportunity_title="",
            opportunity_amount="-5",
            opportunity_close_on="tomorrow",
        )
    assert {"opportunity.title", "opportunity.amount", "opportunity.expected_close_on"} <= set(
        caught.value.field_errors
    )
    assert Customer.objects.count() == 0


def test_convert_with_an_opportunity(org: Any) -> None:
    pytest.importorskip("guanxi.deals.services")
    from guanxi.deals.models import Opportunity

    lead = _lead_with_history(org)
    close_on = timezone.localdate() + dt.timedelta(days=30)
    result = services.lead_convert(
        actor=org.east_rep,
        lead=lead,
        create_opportunity=True,
        opportunity_title="云栖 CRM 采购",
        opportunity_amount="120000.00",
        opportunity_close_on=close_on.isoformat(),
    )
    opportunity = Opportunity.objects.get(pk=result.opportunity.pk)
    assert opportunity.customer == result.customer
    assert str(opportunity.amount) == "120000.00"


def test_disqualified_and_pool_leads_cannot_be_converted_by_a_rep(org: Any) -> None:
    lead = services.lead_disqualify(
        actor=org.east_rep, lead=make_lead(actor=org.east_rep), reason="无效"
    )
    with pytest.raises(ValidationError):
        services.lead_convert(actor=org.east_rep, lead=lead)
    pool_lead = services.lead_create(actor=org.east_rep, name="公海线索")
    assert pool_lead.owner is None
    with pytest.raises(NotFound):
        selectors.lead_get(actor=org.east_rep, lead_id=pool_lead.pk, action="convert")


def test_converted_lead_follows_a_customer_merge(org: Any) -> None:
    from guanxi.customers.services import customer_merge

    survivor = CustomerFactory(owner=org.east_rep, name="合并后的客户")
    lead = _lead_with_history(org)
    converted = services.lead_convert(actor=org.east_rep, lead=lead).customer
    customer_merge(actor=org.manager, survivor=survivor, other=converted)
    lead.refresh_from_db()
    assert lead.converted_customer == survivor
