"""The compose box in a real browser: type (and see the count), attach a photo with alt text,
post; save a draft; both appear on the dashboard, with the state they were given."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from app.extensions import db
from app.models import Post
from tests.conftest import AUTHOR_PASSWORD


@pytest.fixture
def admin_url(synced, author, live_server) -> str:
    """The authoring app over HTTP, with CSRF protection on as in real use."""
    synced.config["WTF_CSRF_ENABLED"] = True
    synced.config["NOTE_LENGTH"] = 40
    return live_server


def test_compose_count_photo_post_and_draft(page, admin_url, tmp_path, artifacts, axe):
    photo = tmp_path / "boats.png"
    Image.new("RGB", (30, 20), "navy").save(photo, "PNG")
    page.goto(admin_url + "/admin/login")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".flash")).to_contain_text("Welcome back, ada.")

    box = page.get_by_label("What's new?")
    count = page.locator("#compose-count")
    expect(count).to_contain_text("0 / 40 characters")
    box.fill("Boats in the harbour, #sailing")
    expect(count.locator("output")).to_have_text("30")  # counted as it is typed
    expect(count).not_to_have_class("compose-count muted small over")
    box.press_sequentially(" and a long tail of words")
    expect(count.locator("output")).to_have_text("55")
    expect(count).to_have_class("compose-count muted small over")  # a guide, not a limit
    page.locator("#compose-photo").set_input_files(str(photo))
    page.get_by_label("Alt text").fill("Three small boats moored at dusk")
    assert axe(page) == []
    page.get_by_role("button", name="Post", exact=True).click()

    expect(page.locator(".flash")).to_contain_text("posted")
    row = page.locator("table.posts tr", has_text="Boats in the harbour")
    expect(row).to_contain_text("Published")
    expect(row).to_contain_text("note")
    expect(row.locator("a.tag")).to_have_text("sailing")  # the hashtag made a tag

    page.get_by_label("What's new?").fill("A half-formed thought")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flash")).to_contain_text("saved as a draft")
    draft_row = page.locator("table.posts tr", has_text="A half-formed thought")
    expect(draft_row).to_contain_text("Draft")
    page.screenshot(path=str(artifacts / "compose-note.png"), full_page=True)
    assert page.problems == []  # type: ignore[attr-defined]

    notes = {
        p.body.strip(): p for p in db.session.scalars(sa.select(Post).where(Post.kind == "note"))
    }
    posted = notes["Boats in the harbour, #sailing and a long tail of words"]
    assert posted.photos[0]["alt"] == "Three small boats moored at dusk"
    assert notes["A half-formed thought"].draft
