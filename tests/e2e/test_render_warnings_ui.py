"""In a real browser: the editor says when raw HTML hides text, in the preview and on save."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import AUTHOR_PASSWORD


@pytest.fixture
def admin_url(synced, author, live_server) -> str:
    synced.config["WTF_CSRF_ENABLED"] = True
    return live_server


def test_the_editor_warns_of_hidden_text_and_shows_style_as_text(page, admin_url, axe):
    page.goto(admin_url + "/admin/login")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="New post").first.click()
    page.get_by_label("Title").fill("About style")

    body = page.locator("#body")
    body.fill("Use the <style> element for CSS.\n\nMore prose.\n")
    state = page.locator("#preview-state")
    expect(state).to_have_text("Preview up to date (8 words).")
    preview = page.frame_locator("#preview").locator("#preview-body")
    expect(preview).to_contain_text("Use the <style> element for CSS.")
    expect(preview).to_contain_text("More prose.")

    body.fill("Use the <style> element for CSS.\n\n<!-- TODO\n\nMore prose.\n")
    expect(state).to_contain_text("Readers will not see everything: line 3:")
    expect(state).to_contain_text("“TODO More prose”")
    expect(state).to_have_class("warning")

    assert axe(page) == []  # the warning's colour keeps its contrast
    page.keyboard.press("Control+s")  # the editor's save shortcut
    warning = page.locator(".flash-warning")
    expect(warning).to_contain_text("Saved, but readers will not see everything: line 3:")
    assert axe(page) == []
    assert not page.problems, page.problems
