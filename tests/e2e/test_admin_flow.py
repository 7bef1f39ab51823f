"""An author in a real browser: log in, write with code and an image, preview, save, publish."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.conftest import AUTHOR_PASSWORD
from tests.static_http import serve

BODY = """A post written in the browser.

```python
def greet(name):
    return f"Hello, {name}!"
```

| Day | Words |
|-----|------:|
| Mon | 420   |

"""


@pytest.fixture
def admin_url(synced, author, live_server) -> str:
    """The authoring app over HTTP, with CSRF protection on as in real use."""
    synced.config["WTF_CSRF_ENABLED"] = True
    return live_server


@pytest.fixture
def serve_build(app) -> Iterator[str]:
    """build/ served by a plain static file server, as a host would."""
    build_dir: Path = app.config["BUILD_DIR"]
    build_dir.mkdir(parents=True, exist_ok=True)
    with serve(build_dir) as origin:
        yield origin


def png(color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), color).save(buffer, "PNG")
    return buffer.getvalue()


def test_author_writes_previews_saves_and_publishes(page, admin_url, serve_build, artifacts, axe):
    page.goto(admin_url + "/admin/")
    expect(page).to_have_url(f"{admin_url}/admin/login?next=%2Fadmin%2F")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".flash")).to_contain_text("Welcome back, ada.")

    page.get_by_role("link", name="New post").first.click()
    page.get_by_label("Title").fill("Written in the browser")
    expect(page.get_by_label("Slug")).to_have_value("written-in-the-browser")
    body = page.locator("#body")
    body.fill(BODY)
    page.get_by_label("Tags").fill("python, browser")
    page.get_by_role("radio", name="Published", exact=True).check()

    page.locator("#upload-file").set_input_files(
        files=[{"name": "red dot.png", "mimeType": "image/png", "buffer": png()}]
    )
    page.locator("#upload-alt").fill("A red rectangle")
    page.get_by_role("button", name="Upload and insert").click()
    expect(page.locator("#upload-state")).to_contain_text("Inserted /media/red-dot-")
    expect(body).to_have_value(re.compile(r"\| Mon \| 420   \|\n\n!\[A red rectangle\]"))

    preview = page.frame_locator("#preview")
    expect(preview.locator("#preview-body .highlight .k").first).to_have_text("def")
    expect(preview.locator("#preview-title")).to_have_text("Written in the browser")
    image = preview.locator("#preview-body img")
    expect(image).to_have_attribute("alt", "A red rectangle")
    page.wait_for_function(
        "() => document.querySelector('#preview').contentDocument"
        ".querySelector('#preview-body img')?.naturalWidth === 24"
    )
    expect(preview.locator("#preview-body table td").first).to_have_text("Mon")
    assert axe(page) == []  # the editor itself
    page.screenshot(path=str(artifacts / "admin-editor.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(artifacts / "admin-editor-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.keyboard.press("Control+s")  # the editor's save shortcut
    expect(page.locator(".flash-success")).to_contain_text("Saved 'Written in the browser'")
    expect(page).to_have_url(re.compile(r".*/admin/posts/\d+/edit$"))

    # Unsaved changes: leaving asks first.
    dialogs: list[str] = []

    def accept(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", accept)
    page.get_by_label("Summary").fill("Not saved yet")
    page.get_by_role("link", name="Publish", exact=True).click()
    expect(page.get_by_role("heading", name="Publish", exact=True)).to_be_visible()
    assert dialogs == ["beforeunload"]

    page.get_by_role("button", name="Publish the site").click()
    expect(page.locator("#build-state")).to_have_text("succeeded", timeout=60_000)
    expect(page.locator("#build-summary")).to_contain_text("Built ")
    expect(page.locator("#build-pages")).not_to_have_text("\u2013")

    page.goto(admin_url + "/admin/?tag=browser")
    row = page.locator("table.posts tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator(".status")).to_have_text("Published")
    page.screenshot(path=str(artifacts / "admin-dashboard.png"), full_page=True)

    page.goto(serve_build + "/posts/written-in-the-browser/")
    expect(page.locator("h1")).to_have_text("Written in the browser")
    expect(page.locator(".entry-body .highlight .k").first).to_have_text("def")
    page.wait_for_function("() => document.querySelector('.entry-body img')?.naturalWidth === 24")
    expect(page.locator(".entry-body table td").first).to_have_text("Mon")
    page.goto(serve_build + "/")
    expect(page.get_by_role("link", name="Written in the browser")).to_be_visible()

    # ... and everywhere a reader looks for it: its tag page, the archive, the feed, search.
    page.goto(serve_build + "/tags/browser/")
    expect(page.get_by_role("link", name="Written in the browser")).to_be_visible()
    page.goto(serve_build + "/archive/")
    expect(page.get_by_role("link", name="Written in the browser")).to_be_visible()
    feed = page.request.get(serve_build + "/feed.xml")
    assert feed.ok
    assert "<title>Written in the browser</title>" in feed.text()
    page.goto(serve_build + "/search/")
    page.get_by_role("searchbox").fill("browser")
    expect(page.get_by_role("link", name="Written in the browser")).to_be_visible()
    assert page.problems == []  # type: ignore[attr-defined]
