"""The accounts screens in Chromium: create a user, switch language, API tokens,
and screenshots of every page at desktop and phone size."""

from __future__ import annotations

import re

import pytest

from guanxi.accounts.selectors import role_by_code
from guanxi.conftest import DESKTOP, PHONE, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Brand-new-pw-2026"


def test_admin_creates_a_sales_rep_who_then_signs_in(open_page, org, live_server):
    page = open_page(org.admin)
    page.goto("/accounts/settings/")
    page.click("[data-testid=settings-accounts-user-list]")
    page.click("#user-create-link")
    page.fill("#id_username", "east3")
    page.fill("#id_display_name", "王五")
    page.fill("#id_password", NEW_PASSWORD)
    page.fill("#id_email", "wangwu@example.com")
    page.select_option("#id_role", str(role_by_code("sales").pk))
    page.select_option("#id_team", str(org.east.pk))
    page.click("#user-form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/users/$"))
    row = page.locator("tr[data-username=east3]")
    assert row.is_visible()
    assert "销售" in row.inner_text()

    page.click("#user-menu")
    page.click("text=退出登录" if page.locator("text=退出登录").count() else "text=Log out")
    page.wait_for_url(re.compile(r"/accounts/(login|logout)/"))

    page.goto("/accounts/login/")
    page.fill("#id_username", "east3")
    page.fill("#id_password", NEW_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("#user-menu").inner_text().strip().startswith("王")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_language_switch_from_the_user_menu_and_back(open_page, org, viewport):
    page = open_page(org.east_rep, viewport=viewport)
    page.goto("/accounts/settings/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.click("#user-menu")
    page.click("[data-testid=language-en]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "/accounts/settings/" in page.url
    assert page.locator(".page-title").inner_text().strip() == "Settings"
    org.east_rep.refresh_from_db()
    assert org.east_rep.language == "en"
    page.click("#user-menu")
    page.click("[data-testid=language-zh-hans]")
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    org.east_rep.refresh_from_db()
    assert org.east_rep.language == "zh-hans"


def test_language_switch_on_the_login_page(open_page, org):
    page = open_page(None)
    page.goto("/accounts/login/")
    page.click("[data-testid=language-en]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.locator("h2").inner_text().strip() == "Log in to your account"
    page.click("[data-testid=language-zh-hans]")
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")


def test_api_token_key_is_shown_exactly_once(open_page, org):
    page = open_page(org.east_rep)
    page.goto("/accounts/tokens/")
    page.fill("#id_name", "ERP sync")
    page.click("#api-token-create-form button[type=submit]")
    key = page.locator("#api-token-key").input_value()
    assert key.startswith("gx_") and len(key) > 30
    assert page.locator("#api-token-warning").is_visible()
    page.click("#api-token-copy")
    save_screenshot(page, "api-token-created-1366")
    page.click("#api-token-done")
    page.wait_for_url(re.compile(r"/accounts/tokens/$"))
    assert "ERP sync" in page.locator("#api-token-table").inner_text()
    assert key not in page.content()
    page.reload()
    assert key not in page.content()
    page.go_back()
    assert key not in page.content()


SCREENS = [
    ("settings", "/accounts/settings/"),
    ("profile", "/accounts/profile/"),
    ("password", "/accounts/password/"),
    ("tokens", "/accounts/tokens/"),
    ("users", "/accounts/users/"),
    ("user-create", "/accounts/users/create/"),
    ("teams", "/accounts/teams/"),
    ("roles", "/accounts/roles/"),
    ("role-create", "/accounts/roles/create/"),
]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screens_render_at_desktop_and_phone_size(open_page, org, viewport):
    page = open_page(org.admin, viewport=viewport)
    for name, url in [
        *SCREENS,
        ("user-update", f"/accounts/users/{org.east_rep.pk}/update/"),
        ("team-update", f"/accounts/teams/{org.east.pk}/update/"),
        ("role-update", f"/accounts/roles/{role_by_code('manager').pk}/update/"),
    ]:
        response = page.goto(url)
        assert response.status == 200, url
        # nothing wider than the viewport (no sideways scrolling on a phone)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{url} overflows by {overflow}px"
        save_screenshot(page, f"accounts-{name}-{viewport['width']}")
    page.goto("/accounts/users/create/")
    page.click("#user-form button[type=submit]")
    page.wait_for_selector(".field-error")
    save_screenshot(page, f"accounts-user-create-errors-{viewport['width']}")


def test_forbidden_page_for_a_sales_rep(open_page, org):
    page = open_page(org.east_rep, viewport=PHONE)
    response = page.goto("/accounts/users/")
    assert response.status == 403
    assert page.locator("#permission-denied").is_visible()
    save_screenshot(page, "accounts-forbidden-390")
