"""Finding a page's Webmention endpoint as the spec says: the HTTP ``Link`` header first,
then the first ``<link>`` or ``<a>`` with ``rel="webmention"`` in the document, resolved
against the page's final URL (after redirects); an empty ``href`` is the page itself."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

from app.webmention.http import Fetched

_LINK_PART = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
_REL = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.IGNORECASE)


def from_link_headers(headers: list[str]) -> str | None:
    """The first ``Link: <url>; rel="webmention"`` target (``rel`` may hold several names)."""
    for header in headers:
        for match in _LINK_PART.finditer(header):
            rel = _REL.search(match.group(2))
            if rel and "webmention" in (rel.group(1) or rel.group(2) or "").lower().split():
                return match.group(1).strip()
    return None


class _FirstRel(HTMLParser):
    """The ``href`` of the first ``<link>`` or ``<a>`` whose ``rel`` names webmention."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.href is not None or tag not in ("link", "a"):
            return
        values = dict(attrs)
        rels = (values.get("rel") or "").lower().split()
        if "webmention" in rels and values.get("href") is not None:
            self.href = values["href"] or ""


def from_html(text: str) -> str | None:
    parser = _FirstRel()
    parser.feed(text)
    return parser.href


def endpoint_of(page: Fetched) -> str | None:
    """The absolute endpoint URL of a fetched page, or None when it has none."""
    found = from_link_headers(page.links)
    if found is None and page.is_html:
        found = from_html(page.text)
    if found is None:
        return None
    return urljoin(page.url, found)
