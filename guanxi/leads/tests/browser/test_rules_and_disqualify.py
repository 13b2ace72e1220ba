"""In Chromium: a manager sets a round-robin rule for a group, enters a lead left
to the rules (it goes to the group's rep), and the rep disqualifies it with a reason."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.leads.models import AssignmentRule, Lead, LeadStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_rule_assignment_and_disqualify(open_page, org, viewport):
    size = "phone" if viewport is PHONE else "desktop"
    page = open_page(org.manager, viewport=viewport)
    page.goto("/leads/")
    page.get_by_test_id("assignment-rules").click()
    page.wait_for_url(re.compile(r"/leads/assignment-rules/$"))
    save_screenshot(page, f"leads-rules-{size}")
    page.locator(f"a[href='/leads/assignment-rules/{org.west.pk}/']").click()
    page.check("input[name=method][value=round_robin]")
    page.check(f"input[name=members][value='{org.west_rep.pk}']")
    save_screenshot(page, f"leads-rule-form-{size}")
    page.get_by_test_id("save-rule").click()
    page.wait_for_url(re.compile(r"/leads/assignment-rules/$"))
    assert list(AssignmentRule.objects.get(team=org.west).members.all()) == [org.west_rep]

    page.goto("/leads/create/")
    page.fill("#id_name", "周杰")
    page.fill("#id_company", "成都天府软件有限公司")
    page.select_option("#id_owner", "")
    page.select_option("#id_team", str(org.west.pk))
    page.get_by_test_id("save-lead").click()
    page.wait_for_url(re.compile(r"/leads/\d+/$"))
    lead = Lead.objects.get()
    assert (lead.owner, lead.team) == (org.west_rep, org.west)  # by the west group's rule
    expect(page.get_by_test_id("lead-owner")).to_contain_text(str(org.west_rep))

    rep = open_page(org.west_rep, viewport=viewport)
    rep.goto(f"/leads/{lead.pk}/")
    rep.get_by_test_id("lead-disqualify").click()
    rep.get_by_test_id("confirm-disqualify").click()
    expect(rep.get_by_test_id("error-reason")).to_be_visible()
    rep.fill("#id_reason", "已选择竞争对手")
    save_screenshot(rep, f"leads-disqualify-{size}")
    rep.get_by_test_id("confirm-disqualify").click()
    rep.wait_for_url(re.compile(rf"/leads/{lead.pk}/$"))
    expect(rep.get_by_test_id("disqualified-banner")).to_contain_text("已选择竞争对手")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.DISQUALIFIED
