"""Jekyll: a site folder (``_posts/``, ``_drafts/``, pages, ``assets/``, ``_config.yml``).

The date and slug come from the file name ('2015-01-01-title.md') unless the front matter
says otherwise; ``published: false`` and ``_drafts/`` are drafts; categories and tags are
tags; the old URL follows ``permalink:`` (the post's, else the site's style).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

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
    make_slug,
    merge_tags,
    old_zone,
    one_or_many,
    parse_date,
    text_value,
)
from app.content.importers.pipeline import Options
from app.content.importers.report import Report
from app.content.importers.shortcodes import Place, liquid
from app.localtime import site_zone, to_local, to_utc

SUFFIXES = (".md", ".markdown", ".mkd", ".mkdn", ".html")
#: Jekyll's named permalink styles.
STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
MAPPED = {
    "title": "title",
    "date": "date",
    "slug": "slug",
    "categories": "tags",
    "category": "tags",
    "tags": "tags",
    "published": "draft",
    "permalink": "aliases",
    "redirect_from": "aliases",
    "excerpt": "summary",
    "description": "summary",
    "author": "author",
    "last_modified_at": "updated",
}
_SKIPPED_DIRS = {"assets", "node_modules", "vendor", "_site"}


def read(source: Path, options: Options, report: Report) -> Export:
    """Posts, drafts and Markdown pages of a Jekyll site folder."""
    if not source.is_dir() or not any(source.glob("**/_posts")):
        report.fail(str(source), None, "no _posts/ folder here", "give the Jekyll site's folder")
        return Export([])
    config = _config(source, report)
    zone = old_zone(config.get("timezone"), report, "_config.yml")
    style = str(_posts_permalink(config) or config.get("permalink") or "date")
    base = str(config.get("baseurl") or "").rstrip("/")
    items: list[Item] = []
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if path.suffix not in SUFFIXES or not path.is_file() or _ignored(rel):
            continue
        parts = rel.parts
        if "_posts" in parts or "_drafts" in parts:
            item = guarded(report, rel.as_posix(), _post, path, rel, style, base, zone, report)
        elif not any(p.startswith((".", "_")) for p in parts) and path.suffix != ".html":
            item = guarded(report, rel.as_posix(), _page, path, rel, base, report)
        else:
            continue
        if item is not None:
            items.append(item)
    url = str(config.get("url") or "")
    hosts = {urlsplit(url).netloc.lower()} if url else set()
    roots = [(f"{base}/", source)] if base else []
    roots.append(("/", source))
    return Export(items, roots, hosts, url.rstrip("/") + base if url else None, source)


def _ignored(rel: Path) -> bool:
    return bool(set(rel.parts) & _SKIPPED_DIRS) or rel.name.lower().startswith("readme")


def _config(source: Path, report: Report) -> dict[str, Any]:
    path = source / "_config.yml"
    if not path.is_file():
        return {}
    try:
        return frontmatter.load_config(path.read_text("utf-8"))
    except (frontmatter.FrontMatterError, UnicodeDecodeError) as exc:
        report.warn("_config.yml", getattr(exc, "line", None), f"not read: {exc}")
        return {}


def _posts_permalink(config: dict[str, Any]) -> Any:
    """The posts collection's own ``permalink`` (``collections: posts: permalink:``), which
    Jekyll prefers to the site's."""
    collections = config.get("collections")
    posts = collections.get("posts") if isinstance(collections, dict) else None
    return posts.get("permalink") if isinstance(posts, dict) else None


def _body(body: str, path: Path, display: str, line: int, report: Report) -> str:
    body = liquid(body, Place(report, display, line))
    return html_to_markdown(body) if path.suffix == ".html" else body


def _post(
    path: Path, rel: Path, style: str, base: str, zone: tzinfo | None, report: Report
) -> Item | None:
    """A post; its dates without an offset are local time in Jekyll's ``timezone:`` (else
    SITE_TIMEZONE's), and its URL's day is its date in that zone when the site names one
    (Jekyll reads every date into it), else the day as written."""
    display = rel.as_posix()
    local = zone or site_zone()
    read = frontmatter.read_file(path, display, report)
    if read is None:
        return None
    meta, body, body_line = read
    frontmatter.note_fields(meta, MAPPED, report)
    name_date, name = dated_name(path.stem)
    in_drafts = "_drafts" in rel.parts
    frontmatter.check_date(meta, ("date", "last_modified_at"), path, display, report)
    named_day = datetime(name_date.year, name_date.month, name_date.day) if name_date else None
    date = parse_date(meta.get("date"), local) or (to_utc(named_day, local) if named_day else None)
    if date is None:
        if not in_drafts:
            report.warn(
                display,
                1,
                "no date in the file name or front matter",
                "name it YYYY-MM-DD-title.md or add 'date:'",
            )
        date = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None, microsecond=0)
    slug = make_slug(text_value(meta.get("slug")) or name, name)
    folder_categories = list(rel.parts[: rel.parts.index("_drafts" if in_drafts else "_posts")])
    # 'categories: a b' is two categories, 'category: a b' is one (Jekyll's own reading)
    single = meta.get("category")
    one = [text_value(single)] if isinstance(single, str) and single.strip() else as_list(single)
    categories = folder_categories + as_list(meta.get("categories")) + one
    draft = (
        in_drafts or meta.get("published") is False or str(meta.get("published")).lower() == "false"
    )
    title = text_value(meta.get("title")) or name.replace("-", " ").capitalize()
    doc = Document(
        title=title,
        slug=slug,
        body=_body(body, path, display, body_line, report),
        kind="post",
        date=date,
        updated=parse_date(meta.get("last_modified_at"), local),
        tags=merge_tags(categories, as_list(meta.get("tags"))),
        draft=draft,
        summary=text_value(meta.get("excerpt") or meta.get("description")),
        author=text_value(meta.get("author")) or None,
    )
    old: list[str] = []
    if not in_drafts:
        template = str(meta.get("permalink") or STYLES.get(style, style))
        day = local_day(meta.get("date")) or named_day or date
        if zone is not None and meta.get("date"):
            day = to_local(date, zone).replace(tzinfo=None)
        # ':title' is the post's 'slug:' if it has one (Jekyll's URL drop), else its file name's
        titled = text_value(meta.get("slug")) or name
        old.append(base + expand(template, day, titled, categories, path.suffix))
    old += [base + str(u) for u in one_or_many(meta.get("redirect_from"))]
    keys = [display, path.stem, f"{path.stem}{path.suffix}", rel.with_suffix("").as_posix()]
    return Item(doc, display, 1, body_line, old, path.parent, keys, body)


def _page(path: Path, rel: Path, base: str, report: Report) -> Item | None:
    display = rel.as_posix()
    read = frontmatter.read_file(path, display, report)
    if read is None:
        return None
    meta, body, body_line = read
    if not meta:  # a Markdown file without front matter is not a page in Jekyll
        return None
    if path.stem == "index" or meta.get("layout") in ("home", "archive"):
        report.skipped.append(f"{display}: the old home or list page (this site makes its own)")
        return None
    frontmatter.note_fields(meta, MAPPED, report)
    slug = make_slug(text_value(meta.get("slug")) or path.stem, path.stem)
    title = text_value(meta.get("title")) or path.stem.replace("-", " ").capitalize()
    draft = meta.get("published") is False
    doc = Document(
        title=title,
        slug=slug,
        body=_body(body, path, display, body_line, report),
        kind="page",
        tags=[],
        draft=draft,
        summary=text_value(meta.get("description")),
    )
    permalink = str(meta.get("permalink") or "")
    old = (
        [base + permalink]
        if permalink
        else [
            f"{base}/{rel.with_suffix('').as_posix()}.html",
            f"{base}/{rel.with_suffix('').as_posix()}/",
        ]
    )
    keys = [display, rel.with_suffix("").as_posix()]
    return Item(doc, display, 1, body_line, old, path.parent, keys, body)


def expand(template: str, date: datetime, title: str, categories: list[str], ext: str) -> str:
    """A Jekyll permalink template filled in for one post, as Jekyll's ``Jekyll::URL`` does:
    the categories downcased, each once, and every value percent-escaped (a category 'Brand
    Management' is ``/brand%20management/``)."""
    output_ext = ".html"
    values = {
        "year": f"{date.year:04d}",
        "short_year": f"{date.year % 100:02d}",
        "month": f"{date.month:02d}",
        "i_month": str(date.month),
        "day": f"{date.day:02d}",
        "i_day": str(date.day),
        "y_day": f"{date.timetuple().tm_yday:03d}",
        "hour": f"{date.hour:02d}",
        "minute": f"{date.minute:02d}",
        "second": f"{date.second:02d}",
        "week": f"{date.isocalendar()[1]:02d}",
        "short_day": date.strftime("%a"),
        "title": title,
        "slug": title,
        "categories": "/".join(dict.fromkeys(c.lower() for c in categories)),
        "slugified_categories": "/".join(dict.fromkeys(map(_slugify, categories))),
        "output_ext": output_ext,
    }
    path = re.sub(
        r":(\w+)", lambda m: _escape_path(values[m[1]]) if m[1] in values else m[0], template
    )
    path = re.sub(r"/{2,}", "/", "/" + path.lstrip("/"))
    return path


def _escape_path(value: str) -> str:
    """Jekyll's ``URL.escape_path``: everything but a path's own characters (RFC 3986's
    unreserved, sub-delims, ':', '@' and '/') percent-escaped, as UTF-8."""
    return quote(value, safe="/!$&'()*+,;=:@")


def _slugify(name: str) -> str:
    """Jekyll's ``Utils.slugify`` (its default mode): runs of what is not a letter, a mark or
    a digit as one '-', none at either end, downcased."""
    return re.sub(r"[\W_]+", "-", name).strip("-").lower()
