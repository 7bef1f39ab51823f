"""What every importer hands to the shared steps: ``Item``s (a Document and where it came
from) in an ``Export`` (plus where its media live and what the old site was called)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from app.content.document import Document, clean_name
from app.content.slugs import RESERVED_PAGE_SLUGS, is_valid_slug, slugify
from app.localtime import TimeZoneError, to_utc, zone_named

if TYPE_CHECKING:
    from app.content.importers.report import Report


@dataclass
class Item:
    """One document to import; ``body_line`` is the source line of the body's first line."""

    doc: Document
    source: str
    line: int | None = None
    body_line: int = 1
    #: Paths (or path?query) the post had on the old site: they become ``aliases``.
    old_urls: list[str] = field(default_factory=list)
    #: The folder that relative media references in the body resolve against.
    root: Path | None = None
    #: Names other posts may use to link here ({% post_url %}, {{< ref >}}, {filename}).
    ref_keys: list[str] = field(default_factory=list)
    #: The body as the source file has it (from ``body_line``): where a reference is.
    raw_body: str = ""
    #: A translation or copy: gives way to the others on a slug or old URL both want.
    secondary: bool = False

    def line_of_text(self, needle: str) -> int | None:
        """The source line where ``needle`` first occurs in the body (else the item's)."""
        pos = self.raw_body.find(needle) if needle else -1
        return self.body_line + line_of(self.raw_body, pos) - 1 if pos != -1 else self.line

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


@dataclass
class Export:
    """An importer's result: items, and how to find the files the bodies reference."""

    items: list[Item]
    #: (URL path prefix, folder): '/wp-content/uploads/' -> the uploads folder.
    media_roots: list[tuple[str, Path]] = field(default_factory=list)
    #: Host names of the old site: absolute links to them are links into this import.
    old_hosts: set[str] = field(default_factory=set)
    #: The old site's base URL ('https://example.org'), for links to things not imported.
    old_base: str | None = None
    #: The folder relative references may reach into (the site or export folder).
    top: Path | None = None


_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
)


def old_zone(name: Any, report: Report, where: str) -> tzinfo | None:
    """The time zone an old site's settings name (Jekyll's ``timezone:``, Hugo's
    ``timeZone``, Pelican's ``TIMEZONE``); None, with a warning, for one that is not."""
    if not name:
        return None
    try:
        return zone_named(str(name))
    except TimeZoneError:
        report.warn(
            where,
            None,
            f"time zone {name!r} is not known: dates without an offset are read in SITE_TIMEZONE",
            "use an IANA name such as 'Europe/Berlin'",
        )
        return None


def parse_date(value: Any, zone: tzinfo = UTC) -> datetime | None:
    """A date as the old tools wrote them (ISO, '2015-01-01 10:00:00 +0100', RFC 2822),
    as naive UTC; one without an offset is local time in ``zone`` (the old site's). None
    when there is none or it does not parse."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    else:
        text = _parse_text(str(value).strip())
        if text is None:
            return None
        parsed = text
    try:
        return to_utc(parsed, zone).replace(microsecond=0)
    except OverflowError:  # the calendar's first or last day, past its end in UTC
        return parsed.replace(tzinfo=None, microsecond=0)


def local_day(value: Any) -> datetime | None:
    """A date as written, its time zone ignored: the day an old site's URL shows."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", str(value or ""))
    try:
        return datetime(int(match[1]), int(match[2]), int(match[3])) if match else None
    except ValueError:
        return None


def _parse_text(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def one_or_many(value: Any) -> list[Any]:
    """A field that takes one text or a list of them (``aliases: /old/`` or ``[/a/, /b/]``);
    anything else is a TypeError (the file is reported, as the other engine refuses it)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return list(value)
    raise TypeError(f"expected text or a list of texts, not {type(value).__name__} {value!r}")


def as_list(value: Any) -> list[str]:
    """Tags or categories: a list, or text split on commas (or spaces when Jekyll-style)."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        items = [str(v) for v in value if v is not None and not isinstance(v, dict)]
    else:
        text = str(value)
        items = text.split(",") if "," in text else text.split()
    return [name for name in (clean_name(i) for i in items) if name]


def merge_tags(*groups: list[str]) -> list[str]:
    """Tags in order, without duplicates (case-insensitive, the first spelling kept)."""
    seen: dict[str, str] = {}
    for group in groups:
        for name in group:
            seen.setdefault(name.casefold(), name)
    return list(seen.values())


def make_slug(value: str | None, fallback: str) -> str:
    """The source's slug when it is a valid one, else one made from it (or the fallback)."""
    text = unquote((value or "").strip().strip("/").split("/")[-1])  # WordPress: '%ce%b5...'
    if text and is_valid_slug(text):
        return text
    return slugify(text or fallback)


_DATED_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")


def dated_name(stem: str) -> tuple[date | None, str]:
    """'2015-01-01-title' -> (2015-01-01, 'title'), as Jekyll names its posts."""
    match = _DATED_NAME.match(stem)
    if match is None:
        return None, stem
    try:
        return date(int(match[1]), int(match[2]), int(match[3])), match[4]
    except ValueError:
        return None, stem


def text_value(value: Any) -> str:
    """A field as one line of text ('' for none; a list's first element)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or isinstance(value, dict):
        return ""
    return " ".join(str(value).split())


def guarded(
    report: Report, where: str, read: Callable[..., Item | None], *args: Any
) -> Item | None:
    """``read(*args)``, or None with an error naming ``where`` when it fails unexpectedly:
    one odd file of a real export is reported, the others still checked."""
    try:
        return read(*args)
    except Exception as exc:
        report.fail(
            where,
            None,
            f"could not be imported ({type(exc).__name__}: {exc})",
            "fix or remove it in the source, then import again",
        )
        return None


#: Paths the site itself publishes: an old URL there cannot redirect, a link there is ours.
_SITE_SEGMENTS = RESERVED_PAGE_SLUGS
_SITE_FILES = frozenset(
    ("feed.xml", "feed.json", "rss.xml", "sitemap.xml", "robots.txt", "search.json", "_redirects")
)


def site_owned(path: str) -> bool:
    """Whether ``path`` is one of this site's own addresses ('/', '/tags/...', feeds)."""
    parts = path.strip("/").split("/")
    return parts[0] in _SITE_SEGMENTS or parts[0] in _SITE_FILES or not parts[0]


def line_of(text: str, pos: int) -> int:
    """The 1-based line of a character offset."""
    return text.count("\n", 0, pos) + 1
