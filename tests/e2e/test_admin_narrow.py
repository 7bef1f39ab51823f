"""The admin on a phone (375 px wide): no page scrolls sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.conftest import AUTHOR_PASSWORD

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def admin_url(synced, author, live_server) -> str:
    return live_server


@pytest.mark.parametrize("path", ["/admin/", "/admin/publish", "/admin/tokens"])
def test_admin_pages_fit_a_phone_screen(
    browser: Browser, admin_url: str, path: str, artifacts: Path
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(admin_url + "/admin/login")
        page.get_by_label("Username").fill("ada")
        page.get_by_label("Password").fill(AUTHOR_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(admin_url + "/admin/")
        page.goto(admin_url + path)
        widths = page.evaluate(
            "() => ({page: document.documentElement.scrollWidth, view: window.innerWidth,"
            " wide: [...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className)})"
        )
        page.screenshot(path=artifacts / f"admin-375{path.rstrip('/').replace('/', '-')}.png")
        assert widths["page"] <= widths["view"], widths
        if path == "/admin/":  # the posts are all there, as cards, not cut off
            assert page.locator("table.posts tbody tr").count() >= 9
            assert page.get_by_role("link", name="Hello, world").is_visible()
    finally:
        context.close()
