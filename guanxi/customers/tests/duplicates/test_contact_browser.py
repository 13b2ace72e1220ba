"""In Chromium: the contacts tab of the duplicates page, the contact merge screen, the
merge itself, and undo from the list."""

from __future__ import annotations

import pytest

from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.customers.duplicates import duplicates_find
from guanxi.customers.models import Contact, ContactDuplicatePair, Interaction
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory, InteractionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_merge_two_contacts_in_the_browser(org, open_page) -> None:
    customer = CustomerFactory(owner=org.east_rep, name="杭州云栖科技有限公司")
    kept = ContactFactory(customer=customer, name="陈建国", phones=["13812345678"])
    duplicate = ContactFactory(
        customer=customer, name="陳建國", title="总经理", emails=["jg@yunqi.cn"]
    )
    InteractionFactory(customer=customer, contact=duplicate, content="电话沟通报价")
    duplicates_find(actor=org.east_rep)
    assert ContactDuplicatePair.objects.count() == 1

    page = open_page(org.east_rep, viewport=DESKTOP)
    page.goto("/customers/duplicates/")
    page.get_by_test_id("tab-contacts").click()
    rows = page.get_by_test_id("contact-duplicate-row")
    rows.first.wait_for()
    assert rows.count() == 1
    save_screenshot(page, "contact-duplicates-list-desktop")
    rows.first.get_by_test_id("contact-duplicate-merge").click()
    page.get_by_test_id("contact-merge-form").wait_for()
    page.get_by_test_id("survivor-a").check()
    page.get_by_test_id("choose-name-a").check()  # the default is the newer record's
    page.get_by_test_id("choose-title-b").check()
    save_screenshot(page, "contact-merge-desktop")

    phone = open_page(org.east_rep, viewport=PHONE)
    phone.goto(page.url.replace(page.url.split("/customers/")[0], ""))
    phone.get_by_test_id("contact-merge-form").wait_for()
    save_screenshot(phone, "contact-merge-phone")
    phone.goto("/customers/duplicates/?tab=contacts")
    phone.get_by_test_id("contact-duplicate-row").first.wait_for()
    save_screenshot(phone, "contact-duplicates-list-phone")

    page.get_by_test_id("contact-merge-submit").click()
    page.wait_for_url(f"**/customers/{customer.pk}/")
    body = page.locator("body").inner_text()
    assert "陈建国" in body and "总经理" in body
    save_screenshot(page, "contact-merge-survivor-desktop")
    survivor = Contact.objects.get(pk=kept.pk)
    assert (survivor.name, survivor.title) == ("陈建国", "总经理")
    assert survivor.emails == ["jg@yunqi.cn"]
    assert Interaction.objects.get().contact_id == kept.pk
    assert Contact.objects.get(pk=duplicate.pk).deleted_at is not None
    assert ContactDuplicatePair.objects.get().status == "merged"

    page.goto("/customers/duplicates/?tab=contacts")
    page.get_by_test_id("merge-undo").click()
    page.wait_for_url(f"**/customers/{customer.pk}/")
    assert Contact.objects.get(pk=duplicate.pk).deleted_at is None
    assert Interaction.objects.get().contact_id == duplicate.pk
    assert ContactDuplicatePair.objects.get().status == "open"
