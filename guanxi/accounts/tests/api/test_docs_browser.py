"""The Swagger page renders in a real browser from local files only (no CDN)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_offline(open_page: Any, live_server: Any) -> None:
    page = open_page(None)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))

    page.goto("/api/docs")
    page.wait_for_selector(".opblock", timeout=15_000)

    assert page.locator(".opblock").count() >= 30
    assert page.get_by_text("/api/v1/customers/{customer_id}").first.is_visible()
    assert hosts == {urlparse(live_server.url).netloc}
