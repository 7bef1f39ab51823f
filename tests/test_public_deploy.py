"""Deploy anywhere: a build for https://host/blog/ works when served under /blog/ only.

The ``sub_path_site`` fixture (tests/conftest.py) builds and serves it.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

pytestmark = pytest.mark.slow

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class _References(HTMLParser):
    """Every URL an HTML page refers to, including the search page's index (data-index)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in ("href", "src", "data-index", "action"):
                self.urls.append(value)
            if value and tag == "meta" and name == "content" and value.startswith("http"):
                self.urls.append(value)  # og:url


def _html_refs(text: str) -> list[str]:
    parser = _References()
    parser.feed(text)
    return parser.urls


def _json_refs(document: dict) -> list[str]:
    if "version" in document:  # JSON Feed
        refs = [document["home_page_url"], document["feed_url"]]
        for item in document["items"]:
            refs += [item["url"], *_html_refs(item["content_html"])]
        return refs
    return [item["url"] for item in document["items"]]  # search index


def _xml_refs(body: bytes) -> list[str]:
    root = ET.fromstring(body)
    if root.tag == f"{SITEMAP}urlset":
        return [loc.text or "" for loc in root.iter(f"{SITEMAP}loc")]
    refs = [link.get("href", "") for link in root.iter(f"{ATOM}link")]
    for content in root.iter(f"{ATOM}content"):
        refs += _html_refs(content.text or "")
    return refs


def references(url: str, content_type: str, body: bytes) -> list[str]:
    path = urlsplit(url).path
    if "html" in content_type:
        return _html_refs(body.decode())
    if path.endswith(".json"):
        return _json_refs(json.loads(body))
    if path.endswith(".xml"):
        return _xml_refs(body)
    if path.endswith("robots.txt"):
        return re.findall(r"^Sitemap: (\S+)$", body.decode(), re.MULTILINE)
    return []


def crawl(start: str, *more: str) -> tuple[set[str], list[str]]:
    """Follow every same-host reference from ``start``; returns (fetched URLs, problems)."""
    origin = urlsplit(start)
    seen = {start, *more}
    queue = deque((url, "(start)") for url in (start, *more))
    problems: list[str] = []
    while queue:
        url, found_on = queue.popleft()
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                content_type, body = response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as exc:
            exc.close()
            problems.append(f"{url} -> {exc.code} (linked from {found_on})")
            continue
        for ref in references(url, content_type, body):
            target = urldefrag(urljoin(url, ref)).url
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https") or parts.netloc != origin.netloc:
                continue
            if not parts.path.startswith(origin.path):
                problems.append(f"{target} is outside {origin.path} (linked from {url})")
            elif target not in seen:
                seen.add(target)
                queue.append((target, url))
    return seen, problems


def test_every_link_asset_feed_and_sitemap_url_resolves_under_the_sub_path(sub_path_site):
    start, build = sub_path_site
    fetched, problems = crawl(start, start + "robots.txt")
    assert problems == []
    served = {urlsplit(url).path.removeprefix("/blog/") for url in fetched}
    files = {
        p.relative_to(build).as_posix().removesuffix("index.html")
        for p in build.rglob("*")
        if p.is_file()
    }
    hosts_only = {"404.html", "_redirects", "redirects.nginx.conf"}  # read by the host
    assert files - hosts_only <= served  # every published file is reachable from the index


def test_site_rooted_links_in_content_follow_the_sub_path(sub_path_site):
    start, build = sub_path_site
    page = (build / "posts" / "linked" / "index.html").read_text()
    assert 'href="/blog/about/"' in page
    feed = json.loads((build / "feed.json").read_text())
    (item,) = (i for i in feed["items"] if i["url"].endswith("/posts/linked/"))
    assert f'href="{start}posts/hello-world/"' in item["content_html"]
    assert f'href="{start}about/"' in item["content_html"]


def test_nothing_is_served_outside_the_sub_path(sub_path_site):
    start, _build = sub_path_site
    root = start.removesuffix("blog/")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(root + "feed.xml", timeout=10)
    assert error.value.code == 404
    error.value.close()
