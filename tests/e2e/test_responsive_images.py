"""A phone photo on a phone: the browser loads a small copy, not the 4000-pixel original."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.picture_helpers import phone_photo
from tests.static_http import serve


@pytest.fixture
def photo_site(freeze, tmp_path: Path) -> Iterator[str]:
    (freeze.content_dir / "media" / "river.jpg").write_bytes(phone_photo())
    (freeze.content_dir / "posts" / "river.md").write_text(
        "---\ntitle: The river\ndate: 2026-01-01\n---\n\nLook.\n\n![The river](/media/river.jpg)\n"
    )
    result = freeze(
        "--base-url", "http://127.0.0.1/", env={"IMAGE_CACHE_DIR": str(tmp_path / "cache")}
    )
    assert result.returncode == 0, result.stderr
    with serve(freeze.build_dir) as origin:
        yield origin


def test_a_phone_loads_a_fraction_of_the_photo(browser: Browser, photo_site: str):
    context = browser.new_context(viewport={"width": 375, "height": 800}, device_scale_factor=1)
    page = context.new_page()
    loaded: dict[str, int] = {}

    def on_response(response) -> None:  # type: ignore[no-untyped-def]
        if "/media/" in response.url and response.status == 200:
            loaded[response.url] = len(response.body())

    page.on("response", on_response)
    try:
        page.goto(photo_site + "/posts/river/")
        image = page.get_by_role("img", name="The river")
        image.scroll_into_view_if_needed()  # it is lazy: loaded once near the viewport
        page.wait_for_function(
            "document.querySelector('.entry-body img').complete"
            " && document.querySelector('.entry-body img').naturalWidth > 0"
        )
        shown = page.evaluate("document.querySelector('.entry-body img').currentSrc")
        box = image.bounding_box()
        assert box is not None
        # width/height attributes: the box is the photo's shape before and after it loads.
        assert abs(box["width"] / box["height"] - 4 / 3) < 0.02
        transferred = page.evaluate(
            "performance.getEntriesByType('resource')"
            ".filter(e => e.name.includes('/media/'))"
            ".map(e => [e.name, e.encodedBodySize])"
        )
    finally:
        context.close()

    original = len(phone_photo())
    assert shown.endswith("/media/_variants/480/river.jpg.webp")
    assert list(loaded) == [shown]  # one image request, and not the original
    assert dict(transferred) == {shown: loaded[shown]}
    assert loaded[shown] < original / 20, (loaded[shown], original)
