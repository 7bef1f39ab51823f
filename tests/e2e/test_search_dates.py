"""Search results show dates as every list of the site does: "September 8, 2026"."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect


def test_search_results_show_dates_as_the_lists_do(page, sub_path_site: tuple[str, Path]):
    blog, build = sub_path_site
    page.goto(blog + "search/?q=dataclass")
    result = page.locator("#search-results li time")
    expect(result).to_have_count(1)
    post = (build / "posts" / "python-code" / "index.html").read_text()
    shown = result.inner_text()
    assert f">{shown}</time>" in post  # the very words of the post's own date line
    assert result.get_attribute("datetime") == "2026-09-08"
    assert shown == "September 8, 2026"
    assert page.problems == []  # type: ignore[attr-defined]
