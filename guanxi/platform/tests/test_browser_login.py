"""A person signs in with the real login form in Chromium, on desktop and phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from guanxi.conftest import DESKTOP, PHONE, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_user_logs_in_and_sees_the_home_page_in_chinese(open_page, org, viewport):
    page = open_page(org.east_rep, viewport=viewport)
    assert page.locator("#follow-ups-due").is_visible()
    assert "今日待跟进" in page.content()
    save_screenshot(page, f"home-{viewport['width']}")


def test_wrong_password_shows_an_error_and_stays_on_login(open_page, org):
    page = open_page(None)
    page.goto("/accounts/login/")
    page.fill("#id_username", org.east_rep.username)
    page.fill("#id_password", "wrong-password")
    page.click("form button[type=submit]")
    # Waits for the answer: right after the click the old form may still be shown.
    expect(page.locator(".alert-danger")).to_be_visible()
    assert "/accounts/login/" in page.url
