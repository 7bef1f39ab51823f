"""In-browser search on the built site, served over HTTP under a sub-path like a real host."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect


@pytest.fixture
def blog(sub_path_site: tuple[str, Path]) -> str:
    """The sample site built for and served at http://127.0.0.1:PORT/blog/."""
    return sub_path_site[0]


def test_reader_finds_a_post_by_a_word_in_its_body(page, blog, artifacts: Path):
    page.goto(blog)
    page.get_by_role("link", name="Search").click()
    page.wait_for_url("**/blog/search/")
    box = page.get_by_label("Words to look for")
    expect(page.locator("#search-status")).to_contain_text("posts and pages to search")
    expect(page.get_by_text("Search needs JavaScript")).to_be_hidden()
    box.fill("dataclass")
    results = page.locator("#search-results li")
    expect(results).to_have_count(1)
    expect(results.get_by_role("link")).to_have_text("Highlighted Python")
    page.screenshot(path=str(artifacts / "search.png"), full_page=True)
    results.get_by_role("link").click()
    page.wait_for_url("**/blog/posts/python-code/")
    assert page.locator("h1").inner_text() == "Highlighted Python"
    assert page.problems == []  # type: ignore[attr-defined]


def test_query_in_the_address_is_searched_and_ranked_by_title(page, blog):
    page.goto(blog + "search/?q=PYTHON")
    expect(page.get_by_label("Words to look for")).to_have_value("PYTHON")
    links = page.locator("#search-results li h2 a")
    expect(links.first).to_have_text("Highlighted Python")
    page.get_by_label("Words to look for").fill("no-such-word-anywhere")
    expect(page.locator("#search-status")).to_have_text("0 results.")
    expect(page.locator("#search-results li")).to_have_count(0)
    assert "q=no-such-word-anywhere" in page.url
    assert page.problems == []  # type: ignore[attr-defined]


def test_without_javascript_the_page_points_to_the_archive(browser, blog):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(blog + "search/")
        expect(page.get_by_text("Search needs JavaScript")).to_be_visible()
        page.locator("#search-fallback").get_by_role("link", name="archive").click()
        page.wait_for_url("**/blog/archive/")
    finally:
        context.close()
