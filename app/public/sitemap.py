"""sitemap.xml: every public page with its last change, taken from the posts it shows."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import url_for

from app.extensions import db
from app.public import queries
from app.public.feeds import utc

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"

Location = tuple[str, dict[str, Any], datetime | None]


def _list_pages(
    endpoint: str, query: Any, values: dict[str, Any] | None = None
) -> Iterator[Location]:
    changed = queries.last_modified(query)
    for page in range(1, queries.page_count(lambda: query) + 1):
        yield endpoint, {**(values or {}), "page": page}, changed


def locations() -> Iterator[Location]:
    """(endpoint, values, lastmod) for every HTML page the freezer writes, but 404.html."""
    everything = queries.published_posts()
    site_changed = queries.last_modified(everything)
    yield from _list_pages("public.index", everything)
    columns = (queries.Post.slug, queries.Post.updated_at, queries.Post.published_at)
    for slug, updated, published in db.session.execute(everything.with_only_columns(*columns)):
        yield "public.post", {"slug": slug}, updated or published
    yield "public.tags", {}, site_changed
    for tag, _count in queries.tags_with_counts():
        yield from _list_pages("public.tag", queries.tag_posts(tag), {"slug": tag.slug})
    yield "public.archive", {}, site_changed
    months = queries.archive_months()
    for year in sorted({year for year, _month, _n in months}, reverse=True):
        changed = queries.last_modified(queries.period_posts(year))
        yield "public.archive_year", {"year": year}, changed
    for year, month, _n in months:
        changed = queries.last_modified(queries.period_posts(year, month))
        yield "public.archive_month", {"year": year, "month": month}, changed
    for page in queries.visible_pages():
        yield "public.page", {"slug": page.slug}, page.updated_at or page.published_at
    yield "public.search", {}, None


def sitemap_xml() -> bytes:
    """The sitemap document, absolute URLs in a stable order."""
    urlset = ET.Element("urlset", xmlns=NAMESPACE)
    for endpoint, values, changed in locations():
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = url_for(endpoint, **values, _external=True)
        if changed:
            ET.SubElement(url, "lastmod").text = utc(changed).isoformat()
    ET.indent(urlset)
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"
