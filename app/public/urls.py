"""URLs: in rendered content ('/x' is the site root, for sub-path deploys), and a build's own."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape, unescape
from typing import Any
from urllib.parse import urljoin

from flask import url_for

from app.public import snapshot

_URL_ATTR = re.compile(r'(?<=\s)(href|src)="([^"]*)"')
#: A start tag of sanitized HTML (nh3: every attribute double-quoted, so a ``>`` in a value
#: ends nothing; no ``<`` in text): URLs and ids are changed there alone, never in text such
#: as ``<code>&lt;a href="/x"&gt;</code>``.
START_TAG = re.compile(r'<[a-zA-Z][^\s/>]*(?:\s+[^\s"=/>]+(?:="[^"]*")?)*\s*/?>')


def _is_site_rooted(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//")


def resolve(url: str, page_url: str, site_url: str) -> str:
    """The absolute form of a URL found in content on ``page_url``."""
    if _is_site_rooted(url):
        return urljoin(site_url, url.lstrip("/"))
    return urljoin(page_url, url)


def rebase(url: str, page_url: str) -> str:
    """A relative URL found in content on ``page_url`` as it reads elsewhere in the site
    (as :func:`resolve` makes it); fragments, site-rooted and absolute URLs as they are."""
    if not url or url.startswith("#") or _is_site_rooted(url):
        return url
    return urljoin(page_url, url)


def rewrite_urls(html: str, change: Callable[[str], str]) -> str:
    """``html`` (sanitized: ``content.render``) with each ``href`` and ``src`` attribute as
    ``change`` says (it sees them unescaped); text that reads like one stays as it is."""
    if 'href="' not in html and 'src="' not in html:  # most posts: a scan in C, not in re
        return html

    def substitute(match: re.Match[str]) -> str:
        old = unescape(match[2])
        new = change(old)
        return match[0] if new == old else f'{match[1]}="{escape(new)}"'

    def in_tag(tag: re.Match[str]) -> str:
        text = tag[0]
        return _URL_ATTR.sub(substitute, text) if "=" in text else text

    return START_TAG.sub(in_tag, html)


def site_relative(html: str, site_path: str) -> str:
    """Prefix site-rooted links ('/media/a.png') with the site's path ('/blog/')."""
    prefix = site_path.rstrip("/")
    if not prefix:
        return html
    return rewrite_urls(html, lambda url: prefix + url if _is_site_rooted(url) else url)


def absolute(html: str, page_url: str, site_url: str) -> str:
    """Every link and image made absolute, as feed readers need."""
    return rewrite_urls(html, lambda url: resolve(url, page_url, site_url) if url else url)


def build_url_for(endpoint: str, **values: Any) -> str:
    """``url_for`` for templates and lists of links: a build remembers every URL it made.

    A build's URLs cannot change while it runs, so repeated calls (the header's links on
    every page) are a dict lookup, and a URL with one plain slug is its rule's URL with the
    slug put in (slugs are ``[a-z0-9-]``: nothing to quote).
    """
    build = None if endpoint.startswith(".") else snapshot.current()
    urls = None if build is None else build.urls
    if urls is None:
        return url_for(endpoint, **values)
    key = (endpoint, *sorted(values.items()))
    found = urls.get(key)
    if found is None:
        found = urls[key] = _with_slug(urls, endpoint, values) or url_for(endpoint, **values)
    return found


_SLUG_MARK = "zq0slug0qz"
_PLAIN = re.compile(r"[a-z0-9-]+")


def _with_slug(urls: dict[tuple[Any, ...], str], endpoint: str, values: dict[str, Any]) -> str:
    """The URL for ``values`` from the rule's URL with a marker slug, when that is exact."""
    slug = values.get("slug")
    if not isinstance(slug, str) or not _PLAIN.fullmatch(slug) or len(values) > 2:
        return ""
    if len(values) == 2 and not isinstance(values.get("_external"), bool):
        return ""
    key = ("<slug>", endpoint, values.get("_external"))
    pattern = urls.get(key)
    if pattern is None:
        pattern = urls[key] = url_for(endpoint, **{**values, "slug": _SLUG_MARK})
    before, mark, after = pattern.partition(_SLUG_MARK)
    return f"{before}{slug}{after}" if mark and _SLUG_MARK not in after else ""
