"""What crawlers and link previews read: sitemap, robots.txt, canonical, description, social."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SITE = "https://example.org/"


def _sitemap(build: Path) -> dict[str, str | None]:
    root = ET.parse(build / "sitemap.xml").getroot()
    assert root.tag == f"{NS}urlset"
    entries = {}
    for url in root.findall(f"{NS}url"):
        lastmod = url.find(f"{NS}lastmod")
        entries[url.findtext(f"{NS}loc")] = lastmod.text if lastmod is not None else None
    return entries


def test_sitemap_lists_every_page_with_absolute_urls(built_site):
    entries = _sitemap(built_site)
    for loc in entries:
        parts = urlsplit(loc)
        assert (parts.scheme, parts.netloc) == ("https", "example.org"), loc
        target = built_site / parts.path.lstrip("/")
        assert (target / "index.html" if loc.endswith("/") else target).is_file(), loc
    pages = {
        SITE + p.relative_to(built_site).as_posix().removesuffix("index.html")
        for p in built_site.rglob("*.html")
    }
    assert set(entries) == pages - {SITE + "404.html"}


def test_sitemap_lastmod_comes_from_the_posts(built_site):
    entries = _sitemap(built_site)
    assert entries[SITE + "posts/publishing/"] == "2026-11-02T00:00:00+00:00"
    assert entries[SITE + "archive/2026/09/"] == "2026-09-15T00:00:00+00:00"
    newest = max(datetime.fromisoformat(v) for v in entries.values() if v)
    assert entries[SITE] == newest.isoformat()
    assert entries[SITE + "search/"] is None


def test_robots_txt_points_at_the_sitemap(built_site):
    robots = (built_site / "robots.txt").read_text()
    assert "User-agent: *\nAllow: /\n" in robots
    assert "noindex" not in (built_site / "index.html").read_text()
    assert re.search(r"^Sitemap: https://example\.org/sitemap\.xml$", robots, re.MULTILINE)


def test_post_page_has_canonical_description_and_social_meta(synced, client):
    html = client.get("/posts/python-code/").get_data(as_text=True)
    url = "http://localhost/posts/python-code/"
    description = "Fenced code blocks are highlighted with Pygments"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta name="description" content="{description}' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Highlighted Python">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert f'<meta property="og:description" content="{description}' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<meta name="twitter:title" content="Highlighted Python">' in html
    assert '<meta property="article:published_time" content="2026-09-08T00:00:00+00:00">' in html
    assert '<meta property="article:tag" content="python">' in html


def test_list_pages_are_websites_in_link_previews(synced, client):
    html = client.get("/tags/python/").get_data(as_text=True)
    assert '<meta property="og:type" content="website">' in html
    assert '<meta property="og:description" content="Posts tagged python">' in html
    assert '<meta property="og:url" content="http://localhost/tags/python/">' in html
