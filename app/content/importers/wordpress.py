"""WordPress: a WXR export (Tools > Export) and, optionally, its uploads folder.

Posts and pages become documents (HTML through ``htmlmd``), attachments feed [gallery] and
the media copies; a post that was not public (draft, pending, private, password) is a
draft here. Old URLs: the item's ``link``, its ``?p=ID`` and slugs in ``_wp_old_slug``.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from app.content.document import Document
from app.content.importers.htmlmd import html_to_markdown
from app.content.importers.model import (
    Export,
    Item,
    guarded,
    line_of,
    make_slug,
    merge_tags,
    parse_date,
)
from app.content.importers.pipeline import Options
from app.content.importers.report import Report
from app.content.importers.shortcodes import Place, wordpress
from app.content.importers.wpautop import autop
from app.localtime import site_zone

_NAMESPACES = (
    ("purl.org/rss/1.0/modules/content", "content"),
    ("/excerpt/", "excerpt"),
    ("wordpress.org/export/", "wp"),
    ("purl.org/dc/elements", "dc"),
)
#: Statuses that were public on the old site ('future' is scheduled: dated, not a draft).
_PUBLIC = {"publish", "future", "inherit"}
_SKIPPED_STATUSES = {"trash", "auto-draft"}
_KEPT_META = {"_wp_old_slug", "footnotes"}
#: A block-editor footnote: its mark in the text and the block that lists the notes (whose
#: texts are in the post's ``footnotes`` meta, not in the body).
_FOOTNOTE_MARK = re.compile(r"<sup\b[^>]*\bdata-fn=[\"']([^\"']+)[\"'][^>]*>.*?</sup>", re.S | re.I)
_FOOTNOTES_BLOCK = re.compile(r"<!-- wp:footnotes\b.*?(?:/-->|<!-- /wp:footnotes -->)", re.S)


def _name(tag: str) -> str:
    """'{http://wordpress.org/export/1.2/}post_id' -> 'wp:post_id'."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    for part, prefix in _NAMESPACES:
        if part in uri:
            return f"{prefix}:{local}"
    return local


@dataclass
class _Entry:
    """One ``<item>`` as names -> texts (repeated names in lists)."""

    fields: dict[str, str] = field(default_factory=dict)
    categories: list[tuple[str, str]] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)
    comments: int = 0

    @classmethod
    def of(cls, element: Element) -> _Entry:
        entry = cls()
        for child in element:
            name = _name(child.tag)
            if name == "category":  # WordPress keeps term names HTML-escaped: 'News &amp; Views'
                term = unescape((child.text or "").strip())
                entry.categories.append((child.get("domain", ""), term))
            elif name == "wp:postmeta":
                values = {_name(c.tag): (c.text or "") for c in child}
                key = values.get("wp:meta_key", "")
                entry.meta.setdefault(key, []).append(values.get("wp:meta_value", ""))
            elif name == "wp:comment":
                entry.comments += 1
            else:
                entry.fields[name] = child.text or ""
        return entry

    def get(self, name: str) -> str:
        return self.fields.get(name, "").strip()

    def date(self, name: str) -> datetime | None:
        """A WordPress date field as written (naive); None for none or WordPress's zero."""
        return parse_date(self.get(name).replace("0000-00-00 00:00:00", ""))


class _BlogClock:
    """The old blog's UTC offsets, as the items dated both ways show them. ``wp:post_date``
    is the blog's local time, and a WXR file does not name its zone: a date given only that
    way (a draft's) takes the offset of the item nearest in time, else ``SITE_TIMEZONE``."""

    def __init__(self, entries: list[_Entry]) -> None:
        pairs = ((e.date("wp:post_date"), e.date("wp:post_date_gmt")) for e in entries)
        known = sorted((local, local - gmt) for local, gmt in pairs if local and gmt)
        self.locals = [local for local, _ in known]
        self.offsets = [offset for _, offset in known]

    def utc(self, entry: _Entry) -> datetime | None:
        """The entry's moment (naive UTC): its GMT date, its local date, its ``pubDate``."""
        local = entry.date("wp:post_date")
        if (gmt := entry.date("wp:post_date_gmt")) or local is None:
            return gmt or parse_date(entry.get("pubDate"))
        if not self.locals:
            return parse_date(local, site_zone())
        at = bisect_left(self.locals, local)
        near = min(
            (i for i in (at - 1, at) if 0 <= i < len(self.locals)),
            key=lambda i: abs(self.locals[i] - local),
        )
        return local - self.offsets[near]


def read(source: Path, options: Options, report: Report) -> Export:
    """Every post and page of a WXR file, with the folders its media may be in."""
    display = source.name
    try:
        raw = source.read_text("utf-8")
        root = ElementTree.fromstring(raw)
    except (OSError, UnicodeDecodeError) as exc:
        report.fail(display, None, f"cannot read the export: {exc}")
        return Export([])
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        line = getattr(exc, "position", (None,))[0]
        report.fail(display, line, f"not a WXR (XML) file: {exc}", "export again from WordPress")
        return Export([])
    channel = root.find("channel")
    if channel is None:
        report.fail(display, 1, "no <channel> in the file", "is this a WordPress export (WXR)?")
        return Export([])
    site = {_name(c.tag): (c.text or "").strip() for c in channel if len(c) == 0}
    authors = _authors(channel)
    entries = [_Entry.of(e) for e in channel.findall("item")]
    starts = [m.start() for m in re.finditer(r"<item[\s>]", raw)]
    attachments = {
        int(e.get("wp:post_id") or 0): e.get("wp:attachment_url")
        for e in entries
        if e.get("wp:post_type") == "attachment" and e.get("wp:attachment_url")
    }
    children: dict[str, list[str]] = {}
    for e in entries:
        if e.get("wp:post_type") == "attachment" and e.get("wp:attachment_url"):
            children.setdefault(e.get("wp:post_parent"), []).append(e.get("wp:attachment_url"))
    clock = _BlogClock(entries)
    items: list[Item] = []
    for index, entry in enumerate(entries):
        pos = starts[index] if index < len(starts) else 0
        where = f"{display}:{line_of(raw, pos)}"
        item = guarded(
            report,
            where,
            _item,
            entry,
            display,
            raw,
            pos,
            report,
            authors,
            attachments,
            children,
            clock,
        )
        if item is not None:
            items.append(item)
    base = site.get("wp:base_blog_url") or site.get("wp:base_site_url") or site.get("link")
    hosts = {
        urlsplit(url).netloc.lower()
        for url in (site.get("wp:base_site_url"), site.get("wp:base_blog_url"), site.get("link"))
        if url
    }
    uploads = options.media or _uploads_next_to(source)
    if uploads is None:
        report.warn(
            display,
            None,
            "no uploads folder given: images stay on the old site",
            "pass --media path/to/wp-content/uploads to copy them",
        )
    roots = [("/wp-content/uploads/", uploads)] if uploads else []
    return Export(items, roots, hosts, base or None, uploads)


def _uploads_next_to(source: Path) -> Path | None:
    for candidate in (source.parent / "wp-content" / "uploads", source.parent / "uploads"):
        if candidate.is_dir():
            return candidate
    return None


def _authors(channel: Element) -> dict[str, str]:
    names: dict[str, str] = {}
    for author in channel:
        if _name(author.tag) == "wp:author":
            values = {_name(c.tag): (c.text or "").strip() for c in author}
            login = values.get("wp:author_login", "")
            names[login] = unescape(values.get("wp:author_display_name") or login)
    return names


def _item(
    entry: _Entry,
    display: str,
    raw: str,
    pos: int,
    report: Report,
    authors: dict[str, str],
    attachments: dict[int, str],
    children: dict[str, list[str]],
    clock: _BlogClock,
) -> Item | None:
    kind = entry.get("wp:post_type") or "post"
    status = entry.get("wp:status")
    line = line_of(raw, pos)
    title = entry.get("title")
    if kind not in ("post", "page"):
        if kind != "attachment":
            report.drop(f"wp:post_type {kind} (not a post or page)")
        return None
    if status in _SKIPPED_STATUSES:
        report.skipped.append(f"{display}:{line}: {kind} {title!r} (status {status})")
        return None
    post_id = entry.get("wp:post_id")
    link = entry.get("link")
    slug = make_slug(entry.get("wp:post_name") or _last_segment(link), title or f"post-{post_id}")
    if not title:
        title = slug.replace("-", " ").capitalize()
        report.warn(display, line, f"{kind} {post_id} has no title; titled {title!r}")
    draft = status not in _PUBLIC
    if not status:
        report.warn(
            display,
            line,
            f"{kind} {title!r} has no wp:status: imported as a draft",
            "remove 'draft: true' from the imported file if it was public",
        )
    if entry.get("wp:post_password"):
        draft = True
        report.warn(display, line, f"{title!r} was password-protected: imported as a draft")
    date = clock.utc(entry)
    if date is None and kind == "post":
        report.warn(display, line, f"{title!r} has no date", "set 'date:' in the imported file")
    body_start = raw.find("<content:encoded>", pos)
    body_line = line_of(raw, body_start) if body_start != -1 else line
    place = Place(report, display, body_line)
    # Paragraphs first, shortcodes next: WordPress's own order when it shows a post.
    html = autop(entry.fields.get("content:encoded", ""))
    html = _footnotes(html, entry, place, title)
    html = wordpress(html, place, attachments, children.get(post_id, []))
    tags = merge_tags(
        [
            name
            for domain, name in entry.categories
            if domain == "category" and name != "Uncategorized"
        ],
        [name for domain, name in entry.categories if domain == "post_tag"],
    )
    _note_fields(entry, report)
    doc = Document(
        title=title,
        slug=slug,
        body=html_to_markdown(html) if html.strip() else "",
        kind=kind,
        date=date if kind == "post" else None,
        updated=entry.date("wp:post_modified_gmt"),
        tags=tags,
        draft=draft,
        summary=" ".join(html_to_markdown(entry.fields.get("excerpt:encoded", "")).split()),
        author=authors.get(entry.get("dc:creator")) or entry.get("dc:creator") or None,
    )
    if doc.date is None and kind == "post":  # a draft never saved with a date
        doc.date = doc.updated or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    old = [_path(link)] if link else []
    if link and _slug_in_path(link):
        old += [_with_slug(_path(link), s) for s in entry.meta.get("_wp_old_slug", [])]
    if post_id:
        old.append(f"/?p={post_id}" if kind == "post" else f"/?page_id={post_id}")
    raw_body = entry.fields.get("content:encoded", "")
    urls = [u for u in old if u]
    return Item(doc, display, line, body_line, urls, None, [post_id], raw_body)


def _footnotes(html: str, entry: _Entry, place: Place, title: str) -> str:
    """Block-editor footnotes as Markdown ones: each mark a ``[^n]``, and the notes (from the
    post's ``footnotes`` meta) where the footnotes block was, else at the end."""
    marks = _FOOTNOTE_MARK.search(html)
    if marks is None:
        return html
    try:
        notes = {
            str(note["id"]): str(note.get("content") or "")
            for note in json.loads((entry.meta.get("footnotes") or [""])[-1])
        }
    except (ValueError, TypeError, KeyError, AttributeError):
        notes = {}
    if not notes:
        place.report.warn(
            place.source,
            place.at(html, marks.start()),
            f"{title!r} has footnotes whose texts are not in the export (its 'footnotes' meta)",
            "write the notes as Markdown footnotes ([^1]) in the imported file",
        )
        return html
    numbers: dict[str, int] = {}

    def mark(match: re.Match[str]) -> str:
        if match[1] not in notes:
            return match[0]
        number = numbers.setdefault(match[1], len(numbers) + 1)
        return f"[^{number}]"

    html = _FOOTNOTE_MARK.sub(mark, html)
    listed = "".join(f"<p>[^{n}]: {notes[i]}</p>" for i, n in numbers.items())
    html, found = _FOOTNOTES_BLOCK.subn(lambda _: listed, html, count=1)
    return html if found else html + "\n" + listed


def _note_fields(entry: _Entry, report: Report) -> None:
    report.map("title", "title")
    report.map("wp:post_name", "slug")
    report.map("wp:post_date_gmt", "date")
    report.map("wp:status", "draft")
    report.map("content:encoded", "body (Markdown)")
    if entry.categories:
        report.map("category / post_tag", "tags")
    if "footnotes" in entry.meta:
        report.map("wp:postmeta footnotes", "footnotes")
    if entry.fields.get("excerpt:encoded", "").strip():
        report.map("excerpt:encoded", "summary")
    if entry.comments:
        report.drop("wp:comment")
    for key in entry.meta:
        if key not in _KEPT_META:
            report.drop(f"wp:postmeta {key}")
    for name in ("wp:comment_status", "wp:ping_status", "wp:menu_order", "wp:is_sticky"):
        if entry.get(name) not in ("", "0", "open", "closed"):
            report.drop(name)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (
        parts.path + (f"?{parts.query}" if parts.query else "") if parts.path or parts.query else ""
    )


def _last_segment(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def _slug_in_path(url: str) -> bool:
    """Whether the permalink names the post by its path (not plain ``/?p=ID`` permalinks)."""
    parts = urlsplit(url)
    return not parts.query and bool(parts.path.strip("/"))


def _with_slug(path: str, slug: str) -> str:
    """The link with its last segment replaced: what the post was called before."""
    head, _, last = path.rstrip("/").rpartition("/")
    return f"{head}/{slug}/" if last and path.endswith("/") else f"{head}/{slug}"
