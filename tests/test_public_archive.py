"""The archive: every post by year and month, with a page per year and per month."""

from __future__ import annotations

import re


def test_archive_lists_every_published_post_by_month(synced, client):
    html = client.get("/archive/").get_data(as_text=True)
    assert '<a href="/archive/2026/">2026</a>' in html
    months = re.findall(r'<h3><a href="/archive/2026/(\d\d)/">(\w+)</a></h3>', html)
    assert months == [("11", "November"), ("10", "October"), ("09", "September"), ("08", "August")]
    assert html.index("Publishing the site") < html.index("Hello, world")
    assert len(re.findall(r'<li[^>]*><time [^>]*datetime="2026-', html)) == 10  # 3 notes
    assert "Unfinished thoughts" not in html
    assert "A letter to the future" not in html


def test_year_and_month_pages(synced, client):
    year = client.get("/archive/2026/").get_data(as_text=True)
    assert "<h1>Archive: 2026</h1>" in year
    assert 'href="/archive/2026/10/"' in year
    month = client.get("/archive/2026/10/").get_data(as_text=True)
    assert "<h1>Archive: October 2026</h1>" in month
    assert "Shell snippets I keep reaching for" in month
    assert "Publishing the site" not in month
    assert 'href="/archive/"' in month


def test_empty_or_impossible_periods_are_404(synced, client):
    assert client.get("/archive/2025/").status_code == 404
    assert client.get("/archive/2026/01/").status_code == 404
    assert client.get("/archive/2026/13/").status_code == 404
    assert client.get("/archive/2026/1/").status_code == 404
    assert client.get("/archive/0000/").status_code == 404
    assert client.get("/archive/2099/01/").status_code == 404  # only a scheduled post


def test_archive_is_in_the_navigation(synced, client):
    assert 'href="/archive/"' in client.get("/").get_data(as_text=True)


def test_built_archive_pages(built_site):
    for path in ("archive", "archive/2026", "archive/2026/09", "archive/2026/10"):
        assert (built_site / path / "index.html").is_file(), path
    assert not (built_site / "archive" / "2099").exists()
