"""URLs inside rendered content: '/x' means the site root, so sub-path deploys keep working."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape, unescape
from urllib.parse import urljoin

_URL_ATTR = re.compile(r'(?<=\s)(href|src)="([^"]*)"')


def _is_site_rooted(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//")


def resolve(url: str, page_url: str, site_url: str) -> str:
    """The absolute form of a URL found in content on ``page_url``."""
    if _is_site_rooted(url):
        return urljoin(site_url, url.lstrip("/"))
    return urljoin(page_url, url)


def _rewrite(html: str, change: Callable[[str], str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        old = unescape(match[2])
        new = change(old)
        return match[0] if new == old else f'{match[1]}="{escape(new)}"'

    return _URL_ATTR.sub(substitute, html)


def site_relative(html: str, site_path: str) -> str:
    """Prefix site-rooted links ('/media/a.png') with the site's path ('/blog/')."""
    prefix = site_path.rstrip("/")
    if not prefix:
        return html
    return _rewrite(html, lambda url: prefix + url if _is_site_rooted(url) else url)


def absolute(html: str, page_url: str, site_url: str) -> str:
    """Every link and image made absolute, as feed readers need."""
    return _rewrite(html, lambda url: resolve(url, page_url, site_url) if url else url)
