"""The built site in a real browser, served from build/ by a static file server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.static_http import serve


@pytest.fixture
def static_site(freeze) -> Iterator[str]:
    result = freeze("--base-url", "http://127.0.0.1/")
    assert result.returncode == 0, result.stderr
    with serve(freeze.build_dir) as origin:
        yield origin


def test_reader_browses_index_post_and_tag(page, static_site, artifacts: Path):
    page.goto(static_site + "/")
    assert page.title() == "microblog"
    page.get_by_role("link", name="Highlighted Python").first.click()
    page.wait_for_url("**/posts/python-code/")
    assert page.locator("h1").inner_text() == "Highlighted Python"
    assert page.locator(".highlight .k").first.inner_text() == "class"
    page.screenshot(path=str(artifacts / "post-desktop.png"), full_page=True)
    page.get_by_role("link", name="#python").click()
    page.wait_for_url("**/tags/python/")
    assert "Posts tagged" in page.locator("h1").inner_text()
    assert page.problems == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "path", ["/", "/posts/on-static-sites/", "/tags/python/", "/about/", "/search/", "/archive/"]
)
def test_pages_have_no_serious_accessibility_violations(page, static_site, axe, path):
    page.goto(static_site + path)
    assert axe(page) == []
    assert page.problems == []  # type: ignore[attr-defined]


def test_the_accessibility_check_catches_violations(page, axe):
    page.set_content(
        '<!doctype html><html lang="en"><title>t</title><main>'
        '<input type="text"><p style="color:#eee;background:#fff">faint</p></main></html>'
    )
    found = " ".join(axe(page))
    assert "label (critical)" in found
    assert "color-contrast (serious)" in found


def test_every_built_page_loads_without_errors(page, static_site, freeze):
    pages = sorted(
        p.relative_to(freeze.build_dir).as_posix() for p in freeze.build_dir.rglob("*.html")
    )
    assert len(pages) > 20
    for rel in pages:
        page.goto(f"{static_site}/{rel.removesuffix('index.html')}", wait_until="networkidle")
        assert page.problems == [], rel  # type: ignore[attr-defined]


@pytest.mark.parametrize(("width", "label"), [(320, "phone"), (1280, "desktop")])
def test_screenshots_at_phone_and_desktop_widths(page, static_site, artifacts, width, label):
    page.set_viewport_size({"width": width, "height": 900})
    for name, path in (("index", "/"), ("post", "/posts/python-code/")):
        page.goto(static_site + path)
        # nothing overflows sideways on a phone: the page is exactly as wide as the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(artifacts / f"{name}-{label}.png"), full_page=True)
