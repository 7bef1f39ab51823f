"""Every link and image in the imported bodies, pointed at its new place.

A link to another imported post (by its old URL, or an ``import-ref:`` from a shortcode)
gets the post's new URL; a file of the export gets copied into ``content/media/``; a file
that is missing is listed, and keeps (or gets) its address on the old site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from app.content.importers.fences import outside_code
from app.content.importers.media import MediaCopies, find_file, is_media
from app.content.importers.model import Export, Item, site_owned
from app.content.importers.report import Report
from app.content.importers.shortcodes import REF_SCHEME

_MD_TARGET = re.compile(r"(\]\(\s*)(<[^>\n]*>|[^\s)]+)")
#: A reference definition ('[label]: url'); not a footnote's text ('[^1]: words').
_MD_DEFINITION = re.compile(r"^( {0,3}\[(?!\^)[^\]]+\]:\s*)(\S+)", re.MULTILINE)
_HTML_ATTR = re.compile(r"""(\b(?:src|href)\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE)
#: A shortcode's placeholder written as text, not as a link's target (Jekyll's
#: ``See {% post_url x %}.`` prints the URL).
#: A sentence's full stop after it is not part of it.
_BARE_REF = re.compile(re.escape(REF_SCHEME) + r"[\w/.%~-]*[\w/%~-](?:#(?:[\w.%~-]*[\w%~-])?)?")


def url_key(path: str) -> str:
    """An old path as a lookup key: decoded, no 'index.html', no trailing slash."""
    path = unquote(path)
    path = path.removesuffix("index.html").removesuffix("index.htm")
    return "/" + path.strip("/") if path.strip("/") else "/"


def ref_key(key: str) -> str:
    """A ref as a lookup key ('content/post/a.md' and '/post/a.md' are one key)."""
    key = unquote(key).strip().strip("/").removeprefix("content/")
    return key.removesuffix("/index.md").removesuffix("/_index.md").lower()


@dataclass
class Addresses:
    """New URLs of the imported posts by old URL and by ref key."""

    by_url: dict[str, str]
    by_ref: dict[str, str]
    drafts: set[str]

    @classmethod
    def of(cls, items: list[Item], new_urls: list[str]) -> Addresses:
        by_url: dict[str, str] = {}
        by_ref: dict[str, str] = {}
        for item, new in zip(items, new_urls, strict=True):
            for old in item.old_urls:
                by_url.setdefault(url_key(old.split("?")[0]) + _query(old), new)
            for key in item.ref_keys:
                by_ref.setdefault(ref_key(key), new)
        drafts = {new for item, new in zip(items, new_urls, strict=True) if item.doc.draft}
        return cls(by_url, by_ref, drafts)


def _query(url: str) -> str:
    return "?" + url.split("?", 1)[1] if "?" in url else ""


@dataclass
class Rewriter:
    """Rewrites the references of one export's bodies; plans media copies."""

    export: Export
    addresses: Addresses
    media: MediaCopies
    report: Report

    def body(self, item: Item) -> str:
        """``item``'s body with every reference rewritten."""

        def fix_md(match: re.Match[str]) -> str:
            target = match[2]
            bracketed = target.startswith("<")
            new = self.target(target.strip("<>"), item)
            return match[1] + (f"<{new}>" if bracketed else new)

        def fix_html(match: re.Match[str]) -> str:
            return f"{match[1]}{match[2]}{self.target(match[3], item)}{match[2]}"

        def edit(text: str) -> str:
            text = _MD_TARGET.sub(fix_md, text)
            text = _MD_DEFINITION.sub(lambda m: m[1] + self.target(m[2], item), text)
            text = _HTML_ATTR.sub(fix_html, text)
            return _BARE_REF.sub(lambda m: self.target(m[0], item), text)

        return outside_code(item.doc.body, edit)

    def target(self, url: str, item: Item) -> str:
        """The new form of one link or image target."""
        # a ref's fragment was written after its tag ('{% link a.md %}#part'): find the name
        needle = (
            unquote(url[len(REF_SCHEME) :].partition("#")[0]) if url.startswith(REF_SCHEME) else url
        )
        where_line = item.line_of_text(needle)
        new = self._target(url, item, where_line)
        if new.split("#")[0] in self.addresses.drafts and not item.doc.draft:
            self.report.warn(
                item.source,
                where_line,
                f"links to {new}, a draft: the build's link check fails until it is published",
                "publish it, or remove the link",
            )
        return new

    def _target(self, url: str, item: Item, where_line: int | None) -> str:
        if url.startswith(REF_SCHEME):
            key = url[len(REF_SCHEME) :]
            base, _, fragment = key.partition("#")
            new = self.addresses.by_ref.get(ref_key(base))
            if new is None:
                self.report.warn(
                    item.source,
                    where_line,
                    f"link to {unquote(base)!r}, which is not in this import",
                    "fix the link by hand",
                )
                anchor = f"#{fragment}" if fragment else ""
                if self.export.old_base:  # where it may still be, not a broken link here
                    old = f"{self.export.old_base.rstrip('/')}/{unquote(base).lstrip('/')}"
                    return old + anchor
                return unquote(base) + anchor
            return new + (f"#{fragment}" if fragment else "")
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https"):
            return url
        ours = not parts.netloc or parts.netloc.lower() in self.export.old_hosts
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if ours and parts.path.startswith("/"):
            query = f"?{parts.query}" if parts.query else ""
            by_url = self.addresses.by_url
            new = by_url.get(url_key(parts.path) + query) or by_url.get(url_key(parts.path))
            if new is not None:
                return new + fragment
        relative = not parts.netloc and not parts.path.startswith("/") and bool(parts.path)
        if relative and item.old_urls:  # '../other-post/': beside the post's old page
            new = self.addresses.by_url.get(url_key(urljoin(item.old_urls[0], parts.path)))
            if new is not None:
                return new + fragment
        if not (ours or self._media_host(parts.path)) or not parts.path:
            return url
        found = find_file(parts.path, item, self.export, relative=relative)
        if found is not None and (is_media(parts.path) or self._media_host(parts.path)):
            return self.media.add(found)
        if is_media(parts.path):
            self.report.media_missing.append((f"{item.source}:{where_line or 1}", url))
            if not parts.netloc and self.export.old_base:
                # where it was on the old site (relative: beside the post's old page)
                page = item.old_urls[0] if item.old_urls else "/"
                return self.export.old_base.rstrip("/") + urljoin(page, url)
            if not parts.netloc:
                self.report.warn(
                    item.source,
                    where_line,
                    f"{url} is not in the export and would be a broken link here",
                    "add the file to the export, or pass --old-url to link to the old site",
                )
        elif not parts.netloc and parts.path.startswith("/") and not site_owned(parts.path):
            self.report.not_imported.append((f"{item.source}:{where_line or 1}", url))
        return url

    def _media_host(self, path: str) -> bool:
        """A CDN or another host serving the old site's uploads folder ('/wp-content/...')."""
        return any(p != "/" and path.startswith(p) for p, _ in self.export.media_roots)
