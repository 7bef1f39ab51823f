"""The editor in a real browser for every kind: a note has no title nor slug, yet its preview,
image upload, Ctrl+S and leave-page warning work, and no editor page logs an error."""

from __future__ import annotations

import io
import os
import re

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Post
from tests.conftest import AUTHOR_PASSWORD


@pytest.fixture
def admin_url(synced, author, live_server) -> str:
    """The authoring app over HTTP, with CSRF protection on as in real use."""
    synced.config["WTF_CSRF_ENABLED"] = True
    return live_server


def log_in(page: Page, admin_url: str) -> None:
    page.goto(admin_url + "/admin/login")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".flash")).to_contain_text("Welcome back, ada.")


def png(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), color).save(buffer, "PNG")
    return buffer.getvalue()


def note_id(body_start: str) -> int:
    notes = db.session.scalars(sa.select(Post).where(Post.kind == "note"))
    return next(p.id for p in notes if p.body.strip().startswith(body_start))


def preview_and_upload(page: Page, text: str, color: str) -> None:
    """Type in the body, see the preview follow; upload an image, see it inserted."""
    body = page.locator("#body")
    body.fill(text)
    preview = page.frame_locator("#preview")
    expect(preview.locator("#preview-body")).to_contain_text(text)
    expect(page.locator("#preview-state")).to_contain_text("Preview up to date")

    page.locator("#upload-file").set_input_files(
        files=[{"name": f"{color}.png", "mimeType": "image/png", "buffer": png(color)}]
    )
    page.locator("#upload-alt").fill(f"A {color} rectangle")
    page.get_by_role("button", name="Upload and insert").click()
    expect(page.locator("#upload-state")).to_contain_text(f"Inserted /media/{color}-")
    expect(body).to_have_value(re.compile(re.escape(text) + rf"!\[A {color} rectangle\]"))
    expect(preview.locator("#preview-body img")).to_have_attribute("alt", f"A {color} rectangle")


def test_new_note_previews_uploads_saves_and_warns(page, admin_url):
    log_in(page, admin_url)
    page.goto(admin_url + "/admin/posts/new?kind=note")
    expect(page.locator("#title")).to_have_count(0)  # a note has neither title nor slug
    expect(page.locator("#slug")).to_have_count(0)
    preview_and_upload(page, "A note typed in the editor. ", "teal")

    # Unsaved changes: leaving asks first.
    dialogs: list[str] = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", dismiss)
    page.get_by_role("link", name="Publish", exact=True).click()
    expect(page).to_have_url(re.compile(r".*/admin/posts/new\?kind=note$"))
    assert dialogs == ["beforeunload"]
    page.remove_listener("dialog", dismiss)

    page.locator("#body").press("Control+s")  # the editor's save shortcut
    expect(page.locator(".flash-success")).to_contain_text("Saved")
    expect(page).to_have_url(re.compile(r".*/admin/posts/\d+/edit$"))
    assert page.problems == []  # type: ignore[attr-defined]


def test_editing_a_note_previews_and_uploads(page, admin_url):
    log_in(page, admin_url)
    page.goto(f"{admin_url}/admin/posts/{note_id('Setting up this microblog')}/edit")
    expect(page.locator("#body")).to_have_value(re.compile("Setting up this microblog"))
    preview_and_upload(page, "An edited note. ", "olive")
    assert page.problems == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["/admin/posts/new", "/admin/posts/new?kind=page"])
def test_post_and_page_editors_have_no_errors(page, admin_url, path):
    log_in(page, admin_url)
    page.goto(admin_url + path)
    page.get_by_label("Title").fill("Hello there")
    expect(page.get_by_label("Slug")).to_have_value("hello-there")
    page.locator("#body").fill("Some *text*.")
    expect(page.frame_locator("#preview").locator("#preview-title")).to_have_text("Hello there")
    expect(page.frame_locator("#preview").locator("#preview-body em")).to_have_text("text")
    assert page.problems == []  # type: ignore[attr-defined]


def test_too_large_upload_says_so_and_gives_the_limit(page, admin_url, synced):
    synced.config["MAX_UPLOAD_BYTES"] = 1024  # refused by Flask before it reads the body
    noise = Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    assert len(buffer.getvalue()) > 1024 + 64 * 1024
    log_in(page, admin_url)
    page.goto(admin_url + "/admin/posts/new?kind=note")
    page.locator("#upload-file").set_input_files(
        files=[{"name": "noise.png", "mimeType": "image/png", "buffer": buffer.getvalue()}]
    )
    page.locator("#upload-alt").fill("Noise")
    page.get_by_role("button", name="Upload and insert").click()
    state = page.locator("#upload-state")
    expect(state).to_have_text(
        "Upload failed: the file is too large (the limit is 1 KiB); choose a smaller image"
    )
