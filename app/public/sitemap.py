"""sitemap.xml: every public page with its last change, taken from the posts it shows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from app.dates import local_month
from app.public import queries
from app.public.feeds import utc
from app.public.permalinks import url_values
from app.public.urls import build_url_for

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"

Location = tuple[str, dict[str, Any], datetime | None]


def _changed(posts: Sequence[Any]) -> datetime | None:
    """When the newest of ``posts`` last changed."""
    return max((post.updated_at or post.published_at for post in posts), default=None)


def _list_pages(
    endpoint: str, posts: Sequence[Any], values: dict[str, Any] | None = None
) -> Iterator[Location]:
    changed = _changed(posts)
    for page in range(1, queries.pages_for(len(posts)) + 1):
        yield endpoint, {**(values or {}), "page": page}, changed


def locations() -> Iterator[Location]:
    """(endpoint, values, lastmod) for every HTML page the freezer writes, but 404.html.

    One listing of the posts (a build's own) gives every date: no query per tag or month.
    """
    posts: list[Any] = queries.listing()
    site_changed = _changed(posts)
    yield from _list_pages("public.index", posts)
    for post in posts:
        endpoint, values = url_values(post.kind, post.slug)  # a post's or a note's page
        yield endpoint, values, post.updated_at or post.published_at
    yield "public.tags", {}, site_changed
    by_tag: dict[int, list[Any]] = {}
    by_year: dict[int, list[Any]] = {}
    by_month: dict[tuple[int, int], list[Any]] = {}
    for post in posts:
        for post_tag in post.tags:
            by_tag.setdefault(post_tag.id, []).append(post)
        year, month = local_month(post.published_at)  # the archive's pages are local months
        by_year.setdefault(year, []).append(post)
        by_month.setdefault((year, month), []).append(post)
    for tag, _count in queries.tags_with_counts():
        yield from _list_pages("public.tag", by_tag.get(tag.id, []), {"slug": tag.slug})
    yield "public.archive", {}, site_changed
    for year in sorted(by_year, reverse=True):
        yield "public.archive_year", {"year": year}, _changed(by_year[year])
    for (year, month), month_posts in sorted(by_month.items(), reverse=True):
        yield "public.archive_month", {"year": year, "month": month}, _changed(month_posts)
    for page in queries.visible_pages():
        yield "public.page", {"slug": page.slug}, page.updated_at or page.published_at
    yield "public.search", {}, None


def sitemap_xml() -> bytes:
    """The sitemap document, absolute URLs in a stable order (written as text: tens of
    thousands of URLs through ElementTree cost seconds)."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<urlset xmlns="{NAMESPACE}">']
    for endpoint, values, changed in locations():
        loc = escape(build_url_for(endpoint, **values, _external=True))
        lastmod = f"\n    <lastmod>{utc(changed).isoformat()}</lastmod>" if changed else ""
        lines.append(f"  <url>\n    <loc>{loc}</loc>{lastmod}\n  </url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode()
