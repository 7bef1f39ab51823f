"""Hugo: a site folder (``content/``, ``static/``, the site config).

YAML, TOML and JSON front matter; ``draft`` (and a past ``expiryDate``) is a draft; page
bundles (``post/index.md`` with its images); ``aliases``, ``url`` and the section's
``permalinks`` pattern give the old URLs; files at the top of ``content/`` are pages.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from app.content.document import Document
from app.content.importers import frontmatter
from app.content.importers.htmlmd import html_to_markdown
from app.content.importers.model import (
    Export,
    Item,
    as_list,
    guarded,
    local_day,
    make_slug,
    merge_tags,
    one_or_many,
    parse_date,
    text_value,
)
from app.content.importers.pipeline import Options
from app.content.importers.report import Report
from app.content.importers.shortcodes import Place, hugo
from app.content.slugs import slugify

SUFFIXES = (".md", ".markdown", ".html")
CONFIG_NAMES = [
    f"{folder}{name}.{ext}"
    for folder in ("", "config/_default/")
    for name in ("hugo", "config")
    for ext in ("toml", "yaml", "yml", "json")
]
MAPPED = {
    "title": "title",
    "date": "date",
    "publishdate": "date",
    "pubdate": "date",
    "lastmod": "updated",
    "draft": "draft",
    "expirydate": "draft (when past)",
    "tags": "tags",
    "categories": "tags",
    "slug": "slug",
    "url": "aliases",
    "aliases": "aliases",
    "description": "summary",
    "summary": "summary",
    "author": "author",
    "authors": "author",
}


def read(source: Path, options: Options, report: Report) -> Export:
    """Every page of a Hugo site's content folder, with bundles and static files."""
    config = _config(source, report)
    content = source / str(config.get("contentdir") or "content")
    if not content.is_dir():
        report.fail(str(source), None, "no content/ folder here", "give the Hugo site's folder")
        return Export([])
    base_url = str(config.get("baseurl") or "")
    prefix = urlsplit(base_url).path.rstrip("/")
    permalinks = _permalinks(config.get("permalinks"))
    items: list[Item] = []
    for path in sorted(content.rglob("*")):
        if path.suffix not in SUFFIXES or not path.is_file():
            continue
        rel = path.relative_to(content)
        if path.stem == "_index":
            report.skipped.append(
                f"content/{rel.as_posix()}: a list page (this site makes its own)"
            )
            continue
        if path.stem != "index" and (path.parent / "index.md").is_file():
            continue  # a page resource of a bundle, not a page
        item = guarded(
            report, f"content/{rel.as_posix()}", _item, path, rel, prefix, permalinks, report
        )
        if item is not None:
            items.append(item)
    static = source / str(config.get("staticdir") or "static")
    roots = [(f"{prefix}/", static)] if prefix else []
    roots.append(("/", static))
    hosts = {urlsplit(base_url).netloc.lower()} if base_url else set()
    return Export(items, roots, hosts, base_url.rstrip("/") or None, source)


def _config(source: Path, report: Report) -> dict[str, Any]:
    for name in CONFIG_NAMES:
        path = source / name
        if not path.is_file():
            continue
        text = path.read_text("utf-8")
        wrapped = {
            "toml": f"+++\n{text}\n+++\n",
            "json": text,
        }.get(path.suffix.lstrip("."), f"---\n{text}\n---\n")
        try:
            meta, _, _, _ = frontmatter.split(wrapped)
        except frontmatter.FrontMatterError as exc:
            report.warn(name, exc.line, f"site config not read: {exc}")
            return {}
        return meta
    return {}


def _permalinks(value: Any) -> dict[str, str]:
    """Section -> pattern (Hugo's old flat form, or the newer ``page:`` table)."""
    if not isinstance(value, dict):
        return {}
    page = value.get("page")
    table = page if isinstance(page, dict) else value
    return {str(k): str(v) for k, v in table.items() if isinstance(v, str)}


def _item(
    path: Path, rel: Path, prefix: str, permalinks: dict[str, str], report: Report
) -> Item | None:
    display = f"content/{rel.as_posix()}"
    read = frontmatter.read_file(path, display, report)
    if read is None:
        return None
    meta, body, body_line = read
    if meta.get("headless") is True:
        report.skipped.append(f"{display}: a headless bundle (not a page)")
        return None
    frontmatter.note_fields(meta, MAPPED, report)
    bundle = path.stem == "index"
    logical = PurePosixPath(rel.parent.as_posix() if bundle else rel.with_suffix("").as_posix())
    section = logical.parts[0] if len(logical.parts) > 1 else None
    name = logical.name
    title = text_value(meta.get("title")) or name.replace("-", " ").capitalize()
    frontmatter.check_date(
        meta, ("date", "publishdate", "pubdate", "lastmod", "expirydate"), path, display, report
    )
    date = parse_date(meta.get("date") or meta.get("publishdate") or meta.get("pubdate"))
    if date is None and section is not None:
        report.warn(
            display,
            1,
            "no date: the file's modification time is used",
            "add 'date:' to the imported file if it is wrong",
        )
        date = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None, microsecond=0)
    draft = meta.get("draft") is True or str(meta.get("draft")).lower() == "true"
    expiry = parse_date(meta.get("expirydate"))
    if expiry is not None and expiry < datetime.now(UTC).replace(tzinfo=None) and not draft:
        draft = True
        report.warn(display, 1, "expired on the old site (expiryDate): imported as a draft")
    source_slug = text_value(meta.get("slug"))
    converted = hugo(body, Place(report, display, body_line))
    doc = Document(
        title=title,
        slug=make_slug(source_slug or name, title),
        body=html_to_markdown(converted) if path.suffix == ".html" else converted,
        kind="post" if section is not None else "page",
        date=date if section is not None else None,
        updated=parse_date(meta.get("lastmod")),
        tags=merge_tags(as_list(meta.get("tags")), as_list(meta.get("categories"))),
        draft=draft,
        summary=text_value(meta.get("summary") or meta.get("description")),
        author=text_value(meta.get("author") or meta.get("authors")) or None,
    )
    old = (
        []
        if draft
        else [prefix + _url(meta, logical, section, source_slug, title, date, permalinks)]
    )
    for alias in one_or_many(meta.get("aliases")):
        alias = str(alias)
        old.append(prefix + (alias if alias.startswith("/") else f"/{section or ''}/{alias}"))
    keys = [rel.as_posix(), logical.as_posix(), path.name, name, f"{name}.md"]
    return Item(
        doc, display, 1, body_line, [re.sub("/{2,}", "/", u) for u in old], path.parent, keys, body
    )


def _url(
    meta: dict[str, Any],
    logical: PurePosixPath,
    section: str | None,
    slug: str,
    title: str,
    date: datetime | None,
    permalinks: dict[str, str],
) -> str:
    """The page's URL on the old site: ``url``, the section's pattern, or its path."""
    if meta.get("url"):
        return "/" + str(meta["url"]).lstrip("/")
    pattern = permalinks.get(section or "")
    if pattern is None:
        parent = logical.parent.as_posix()
        head = "" if parent == "." else f"/{parent}"
        return f"{head}/{slug or logical.name}/".lower()
    day = local_day(meta.get("date")) or date or datetime(1970, 1, 1)
    values = {
        "year": f"{day.year:04d}",
        "month": f"{day.month:02d}",
        "monthname": day.strftime("%B").lower(),
        "day": f"{day.day:02d}",
        "weekday": str(day.isoweekday() % 7),
        "weekdayname": day.strftime("%A").lower(),
        "yearday": str(day.timetuple().tm_yday),
        "section": section or "",
        "sections": logical.parent.as_posix(),
        "title": slugify(title),
        "slug": slug or slugify(title),
        "slugorfilename": slug or logical.name,
        "filename": logical.name,
        "contentbasename": logical.name,
    }
    path = re.sub(r":(\w+)", lambda m: values.get(m[1], m[0]), pattern)
    return "/" + path.lstrip("/")
