"""In Chromium: run the finder from the page, open a pair, choose values, merge, and land
on the survivor's 360 page with the contacts of both records."""

from __future__ import annotations

import pytest

from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.customers.models import Customer, DuplicatePair
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_and_merge_duplicates_in_the_browser(org, open_page) -> None:
    older = CustomerFactory(owner=org.east_rep, name="杭州云栖科技", phones=["13812345678"])
    newer = CustomerFactory(
        owner=org.east_rep, name="杭州云栖科技有限公司", city="杭州", industry="软件"
    )
    ContactFactory(customer=older, name="陈甲")
    ContactFactory(customer=newer, name="林乙")
    CustomerFactory(owner=org.east_rep, name="成都熊猫餐饮管理有限公司")

    page = open_page(org.east_rep, viewport=DESKTOP)
    page.goto("/customers/")
    page.get_by_test_id("duplicates-link").click()
    page.get_by_test_id("find-duplicates").click()
    page.wait_for_url("**/platform/jobs/**")
    page.get_by_test_id("job-percent").filter(has_text="100%").wait_for()
    save_screenshot(page, "duplicates-job-desktop")

    page.goto("/customers/duplicates/")
    rows = page.get_by_test_id("duplicate-row")
    assert rows.count() == 1
    save_screenshot(page, "duplicates-list-desktop")
    rows.first.get_by_test_id("duplicate-merge").click()
    page.get_by_test_id("merge-form").wait_for()
    page.get_by_test_id("survivor-a").check()
    page.get_by_test_id("choose-name-b").check()
    save_screenshot(page, "duplicates-merge-desktop")

    phone = open_page(org.east_rep, viewport=PHONE)
    phone.goto(page.url.replace(page.url.split("/customers/")[0], ""))
    phone.get_by_test_id("merge-form").wait_for()
    save_screenshot(phone, "duplicates-merge-phone")
    phone.goto("/customers/duplicates/")
    save_screenshot(phone, "duplicates-list-phone")

    page.get_by_test_id("merge-submit").click()
    page.wait_for_url(f"**/customers/{older.pk}/")
    body = page.locator("body").inner_text()
    assert "陈甲" in body and "林乙" in body
    assert page.locator("h2.page-title").inner_text().strip().startswith("杭州云栖科技有限公司")
    save_screenshot(page, "duplicates-survivor-desktop")
    assert Customer.objects.get(pk=newer.pk).deleted_at is not None
    assert DuplicatePair.objects.get().status == "merged"
