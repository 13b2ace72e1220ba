"""The Swagger page renders in a real browser from local files only (no CDN)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_offline(open_page: Any, live_server: Any) -> None:
    page = open_page(None)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))

    page.goto("/api/docs")
    # Tags start collapsed (docExpansion "none"); every app's tag is there.
    page.wait_for_function("document.querySelectorAll('.opblock-tag').length >= 15", timeout=30_000)
    page.locator(".opblock-tag", has_text="customers").first.click()
    expect(page.get_by_text("/api/v1/customers/{customer_id}").first).to_be_visible()
    assert hosts == {urlparse(live_server.url).netloc}
