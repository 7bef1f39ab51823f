"""Pelican: a content folder (or a site folder with ``pelicanconf.py`` and ``content/``).

Markdown with metadata headers (``Title:``, ``Date:``, ``Status: draft``, ``Slug:``,
``Category:``, ``Tags:``, ``Summary:``) and reStructuredText with ``:field:`` lists,
turned into HTML by docutils and then into Markdown. ``Status: draft`` and ``hidden`` are
drafts; ``pages/`` holds pages; the old URL follows ``ARTICLE_URL``/``Save_as``.
"""

from __future__ import annotations

import ast
import re
import unicodedata
import warnings
from datetime import UTC, datetime, tzinfo
from pathlib import Path, PurePosixPath
from typing import Any, cast
from urllib.parse import urlsplit

from dateutil import parser  # type: ignore[import-untyped]
from markupsafe import Markup
from text_unidecode import unidecode  # type: ignore[import-untyped]

from app.content.document import Document
from app.content.importers import frontmatter
from app.content.importers.htmlmd import html_to_markdown
from app.content.importers.model import (
    Export,
    Item,
    as_list,
    dated_name,
    guarded,
    local_day,
    merge_tags,
    old_zone,
    parse_date,
    text_value,
)
from app.content.importers.pelicanrst import WARNING, read_rst
from app.content.importers.pipeline import Options
from app.content.importers.report import Report
from app.content.importers.shortcodes import ref_url
from app.content.slugs import slugify
from app.localtime import site_zone

MARKDOWN = (".md", ".markdown", ".mkd", ".mdown")
STATIC_DIRS = {"images", "static", "extra", "theme", "files", "downloads"}
MAPPED = {
    "title": "title",
    "date": "date",
    "modified": "updated",
    "status": "draft",
    "slug": "slug",
    "category": "tags",
    "tags": "tags",
    "summary": "summary",
    "author": "author",
    "authors": "author",
    "save_as": "aliases",
    "url": "aliases",
}
_HEADER = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):\s?(.*)$")
_PLACEHOLDER = re.compile(
    r"(?:\{|%7B|\|)(filename|static|attach|tag|category|index)(?:\}|%7D|\|)"
    r"([^\s)\"'>]*)",
    re.IGNORECASE,
)


def read(source: Path, options: Options, report: Report) -> Export:
    """Every article and page of a Pelican content folder."""
    conf = _conf(source)
    zone = old_zone(conf.get("TIMEZONE"), report, "pelicanconf.py") or site_zone()
    content = (
        source / conf.get("PATH", "content") if (source / "pelicanconf.py").is_file() else source
    )
    if not content.is_dir():
        report.fail(str(source), None, "no content folder here", "give Pelican's content/ folder")
        return Export([])
    items: list[Item] = []
    for path in sorted(content.rglob("*")):
        rel = path.relative_to(content)
        if not path.is_file() or set(rel.parts[:-1]) & STATIC_DIRS:
            continue
        if path.suffix in MARKDOWN or path.suffix == ".rst":
            item = guarded(report, rel.as_posix(), _item, path, rel, conf, zone, report)
            if item is not None:
                items.append(item)
        elif path.suffix in (".html", ".htm"):
            report.skipped.append(f"{rel.as_posix()}: an HTML article (copy its text by hand)")
    site = conf.get("SITEURL", "")
    hosts = {urlsplit(site).netloc.lower()} if site else set()
    return Export(items, [("/", content)], hosts, site.rstrip("/") or None, content)


def _conf(source: Path) -> dict[str, Any]:
    """The settings of ``pelicanconf.py`` (read, never run): its strings, and the
    slug settings (``SLUG_REGEX_SUBSTITUTIONS``, ``SLUGIFY_USE_UNICODE``...)."""
    path = source / "pelicanconf.py"
    if not path.is_file():
        return {}
    text = path.read_text("utf-8", errors="replace")
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):  # not Python: its one-line strings, as best we can
        return {m[1]: m[3] for m in re.finditer(r"^([A-Z_]+)\s*=\s*(['\"])(.*?)\2\s*$", text, re.M)}
    conf: dict[str, Any] = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if not isinstance(node, ast.Assign | ast.AnnAssign) or not isinstance(target, ast.Name):
            continue
        try:
            value = ast.literal_eval(node.value) if node.value is not None else None
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue  # computed (SITEURL = HOST + '/blog'): Pelican's defaults then
        if isinstance(value, str) or target.id in _SLUG_SETTINGS:
            conf[target.id] = value
    return conf


#: Pelican's defaults (pelican/settings.py) for how it made slugs.
_SLUG_SETTINGS: dict[str, Any] = {
    "SLUG_REGEX_SUBSTITUTIONS": [
        (r"[^\w\s-]", ""),
        (r"(?u)\A\s*", ""),
        (r"(?u)\s*\Z", ""),
        (r"[-\s]+", "-"),
    ],
    "CATEGORY_REGEX_SUBSTITUTIONS": None,  # SLUG_REGEX_SUBSTITUTIONS'
    "SLUGIFY_SOURCE": "title",
    "SLUGIFY_USE_UNICODE": False,
    "SLUGIFY_PRESERVE_CASE": False,
}


def pelican_slug(value: str, conf: dict[str, Any], kind: str = "SLUG") -> str:
    """The slug Pelican made of ``value`` (a title, a category): its ``slugify`` with the
    site's settings: tags stripped, NFKC, ASCII (unless SLUGIFY_USE_UNICODE), then
    ``{kind}_REGEX_SUBSTITUTIONS`` (case-insensitive), lowercased (unless
    SLUGIFY_PRESERVE_CASE). The old URLs have it; the new file has this site's slug."""

    def setting(name: str) -> Any:
        given = conf.get(name)
        return _SLUG_SETTINGS[name] if given is None else given

    subs = conf.get(f"{kind}_REGEX_SUBSTITUTIONS") or setting("SLUG_REGEX_SUBSTITUTIONS")
    text = unicodedata.normalize("NFKC", str(Markup(value).striptags()))
    if not setting("SLUGIFY_USE_UNICODE"):
        text = unidecode(text)
    for src, dst in subs:
        nfkc = unicodedata.normalize
        text = re.sub(nfkc("NFKC", src), nfkc("NFKC", dst), text, flags=re.IGNORECASE)
    if not setting("SLUGIFY_PRESERVE_CASE"):
        text = text.lower()
    return text.strip()


def _metadata(text: str) -> tuple[dict[str, str], str, int]:
    """Markdown metadata headers: 'Key: value' lines (indented lines continue one)."""
    meta: dict[str, str] = {}
    lines = text.split("\n")
    key = None
    index = 0
    for index, line in enumerate(lines):  # noqa: B007 (index is used after the loop)
        match = _HEADER.match(line)
        if match:
            key = match[1].lower()
            meta[key] = match[2].strip()
        elif key and line.startswith(("    ", "\t")) and line.strip():
            meta[key] += " " + line.strip()
        else:
            break
    else:
        index = len(lines)
    while index < len(lines) and not lines[index].strip():
        index += 1
    return meta, "\n".join(lines[index:]), index + 1


def _item(path: Path, rel: Path, conf: dict[str, Any], zone: tzinfo, report: Report) -> Item | None:
    display = rel.as_posix()
    try:
        text = path.read_text("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError) as exc:
        report.fail(display, None, f"cannot read it: {exc}", "save it as UTF-8")
        return None
    if path.suffix == ".rst":
        meta, html, messages = read_rst(text)
        for line, level, said in messages:
            report.warn(
                display,
                line,
                f"reStructuredText: {said}",
                "what it marks is not imported: fix it in the source, or add it by hand"
                if level > WARNING
                else "check the imported text there",
            )
        body, body_line, raw = html_to_markdown(_placeholders(html, rel)), 1, text
    elif text.startswith("---"):
        read = frontmatter.read_file(path, display, report)
        if read is None:
            return None
        fm, raw, body_line = read
        meta = {
            k: text_value(v) if not isinstance(v, list) else ", ".join(map(str, v))
            for k, v in fm.items()
        }
        body = _placeholders(raw, rel)
    else:
        meta, raw, body_line = _metadata(text)
        body = _placeholders(raw, rel)
    frontmatter.note_fields(meta, MAPPED, report)
    status = meta.get("status", "published").lower()
    if status == "skip":
        report.skipped.append(f"{display}: Status: skip")
        return None
    is_page = rel.parts[0] == "pages"
    _, name = dated_name(path.stem)
    name_date = local_day(path.stem[:10])  # FILENAME_METADATA's default: a leading date
    title = meta.get("title") or name.replace("-", " ").capitalize()
    if "title" not in meta:
        report.warn(display, 1, f"no Title: titled {title!r}", "set 'title:' in the imported file")
    written = _date(meta, "date", path, display, report)
    date = parse_date(written, zone) or parse_date(name_date, zone)
    if date is None and not is_page:
        report.warn(display, 1, "no Date: the file's modification time is used")
        date = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None, microsecond=0)
    day = written.replace(tzinfo=None) if written else name_date or date  # as written
    category = meta.get("category") or (rel.parts[0] if len(rel.parts) > 1 and not is_page else "")
    by_name = conf.get("SLUGIFY_SOURCE") == "basename"
    source_text = path.stem if by_name else title
    slug = meta.get("slug") or pelican_slug(source_text, conf)  # Pelican's: the old URLs'
    draft = status in ("draft", "hidden")
    doc = Document(
        title=title,
        slug=slugify(meta.get("slug") or source_text),
        body=body,
        kind="page" if is_page else "post",
        date=None if is_page else date,
        updated=parse_date(_date(meta, "modified", path, display, report), zone),
        tags=merge_tags(as_list(category), as_list(meta.get("tags"))),
        draft=draft,
        summary=" ".join(meta.get("summary", "").split()),
        author=(meta.get("author") or meta.get("authors") or "").split(",")[0].strip() or None,
    )
    old = [] if draft else _old_urls(meta, conf, is_page, slug, category, day)
    keys = [display, rel.with_suffix("").as_posix(), path.name]
    translation = meta.get("lang", conf.get("DEFAULT_LANG", "en")) != conf.get("DEFAULT_LANG", "en")
    return Item(doc, display, 1, body_line, old, path.parent, keys, raw, secondary=translation)


def _date(
    meta: dict[str, str], key: str, path: Path, display: str, report: Report
) -> datetime | None:
    """``Date:`` or ``Modified:`` as written (its offset, if any, kept), read as Pelican
    reads it (``pelican.utils.get_date``: dateutil, so '20 Jul 2019' too); None, with a
    warning naming its line, when it is not a date."""
    value = meta.get(key) or ""
    text = " ".join(value.replace("_", " ").split()) if key == "date" else value.strip()
    if not text:
        return None
    line = frontmatter.key_line(path, key)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    today = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    with warnings.catch_warnings(record=True) as heard:
        warnings.simplefilter("always")
        try:
            parsed = cast(datetime, parser.parse(text, default=today))
        except (ValueError, OverflowError, TypeError):
            parsed = None
    if parsed is not None and heard:  # a time zone name it does not know ('CEST')
        report.warn(
            display,
            line,
            f"{key} {value!r}: its time zone is not understood; the time is read as local "
            "time (pelicanconf.py's TIMEZONE, else SITE_TIMEZONE)",
            "write the offset, as in 2019-07-14 10:00+02:00",
        )
    if parsed is None:
        report.warn(
            display,
            line,
            f"{key} {value!r} is not a date: it is not used",
            "write it as YYYY-MM-DD or YYYY-MM-DD HH:MM",
        )
    return parsed


def _placeholders(text: str, rel: Path) -> str:
    """Pelican's ``{filename}``, ``{static}``, ``{attach}``, ``{tag}``, ``{index}`` links."""
    here = PurePosixPath(rel.parent.as_posix())

    def one(match: re.Match[str]) -> str:
        what, target = match[1].lower(), match[2]
        if what == "index":
            return "/"
        if what in ("tag", "category"):
            return f"/tags/{slugify(target, fallback_prefix='tag')}/"
        path, hash_, fragment = target.partition("#")
        resolved = path.lstrip("/") if path.startswith("/") else _normal(here / path)
        document = PurePosixPath(path).suffix.lower() in (*MARKDOWN, ".rst", ".html", ".htm", "")
        if what == "filename" and document:  # else a file, as Pelican's {filename} may be
            return ref_url(resolved) + (hash_ + fragment if fragment else "")
        return "/" + resolved

    return _PLACEHOLDER.sub(one, text)


def _normal(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


def _old_urls(
    meta: dict[str, str],
    conf: dict[str, Any],
    is_page: bool,
    slug: str,
    category: str,
    date: datetime | None,
) -> list[str]:
    """The article's URL on the old site: its URL/Save_as, else the settings' pattern."""
    given = [meta[k] for k in ("url", "save_as") if meta.get(k)]
    if given:
        return ["/" + u.lstrip("/") for u in given]
    kind = "PAGE" if is_page else "ARTICLE"
    lang = meta.get("lang") or conf.get("DEFAULT_LANG", "en")
    if lang != conf.get("DEFAULT_LANG", "en"):  # a translation: Pelican's *_LANG_URL
        default = "pages/{slug}-{lang}.html" if is_page else "{slug}-{lang}.html"
        patterns = [conf.get(f"{kind}_LANG_URL", default)]
    elif f"{kind}_URL" in conf:
        patterns = [conf[f"{kind}_URL"]]
    else:
        patterns = ["pages/{slug}.html"] if is_page else ["{slug}.html", "{category}/{slug}.html"]
    values: dict[str, Any] = {
        "slug": slug,
        "category": pelican_slug(
            category or conf.get("DEFAULT_CATEGORY", "misc"), conf, "CATEGORY"
        ),
        "date": date or datetime(1970, 1, 1),
        "lang": lang,
        "author": "",
    }
    urls = []
    for pattern in patterns:
        try:
            urls.append("/" + pattern.format(**values).lstrip("/"))
        except (KeyError, ValueError, IndexError):
            continue
    return urls
