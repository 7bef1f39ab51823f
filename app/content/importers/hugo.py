"""Hugo: a site folder (``content/``, ``static/``, the site config).

YAML, TOML and JSON front matter; ``draft`` (and a past ``expiryDate``) is a draft; page
bundles (``post/index.md`` with its images); ``aliases``, ``url`` and the section's
``permalinks`` pattern give the old URLs; files at the top of ``content/`` are pages.

A multilingual site (``languages``): the default language's pages (``a.md``, ``a.en.md``,
or its own ``contentDir``) are imported as they are (under ``/en`` when the old site put that
language in a folder); each translation (``a.fr.md``, or the language's ``contentDir``) is a
post or page of its own, ``a-fr``, whose old URLs are under ``/fr``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
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
    old_zone,
    one_or_many,
    parse_date,
    text_value,
)
from app.content.importers.pipeline import Options
from app.content.importers.report import Report
from app.content.importers.shortcodes import Place, hugo
from app.localtime import site_zone, to_local

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


@dataclass(frozen=True)
class _Languages:
    """A site's languages: the one imported, the others (translations, skipped)."""

    default: str
    others: frozenset[str]
    #: The default language's pages were under ``/en/`` (``defaultContentLanguageInSubdir``).
    in_subdir: bool
    #: Folders of the other languages' pages (``languages.fr.contentDir``), from the site's.
    other_dirs: dict[str, str]
    content_dir: str | None = None

    @classmethod
    def of(cls, config: dict[str, Any]) -> _Languages:
        default = str(config.get("defaultcontentlanguage") or "en").lower()
        table = config.get("languages")
        table = table if isinstance(table, dict) else {}
        dirs = {
            str(lang).lower(): str(settings.get("contentDir") or settings.get("contentdir"))
            for lang, settings in table.items()
            if isinstance(settings, dict)
            and (settings.get("contentDir") or settings.get("contentdir"))
        }
        return cls(
            default,
            frozenset(str(lang).lower() for lang in table) - {default},
            config.get("defaultcontentlanguageinsubdir") is True,
            {lang: folder for lang, folder in dirs.items() if lang != default},
            dirs.get(default),
        )

    def split(self, stem: str) -> tuple[str, str | None]:
        """A file name's stem without its language (``about.fr``: ``about``, 'fr'), and the
        language when it is another than the default."""
        name, dot, lang = stem.rpartition(".")
        if not dot or lang.lower() not in self.others | {self.default}:
            return stem, None
        return name, (lang.lower() if lang.lower() != self.default else None)


def read(source: Path, options: Options, report: Report) -> Export:
    """Every page of a Hugo site's content folder, with bundles and static files."""
    config = _config(source, report)
    languages = _Languages.of(config)
    named_zone = next((v for k, v in config.items() if str(k).lower() == "timezone"), None)
    zone = old_zone(named_zone, report, "the site config") or site_zone()
    folder = str(languages.content_dir or config.get("contentdir") or "content")
    content = source / folder
    if not content.is_dir():
        report.fail(str(source), None, "no content/ folder here", "give the Hugo site's folder")
        return Export([])
    base_url = str(config.get("baseurl") or "")
    site_path = urlsplit(base_url).path.rstrip("/")
    permalinks = _permalinks(config.get("permalinks"))
    roots = [(folder, None), *((f, lang) for lang, f in sorted(languages.other_dirs.items()))]
    inner = {(source / f).resolve() for f, lang in roots if lang is not None}
    items: list[Item] = []
    translations: list[Item] = []  # after the originals: their names and refs come first
    for root, root_lang in roots:
        for path in sorted((source / root).rglob("*")):
            if path.suffix not in SUFFIXES or not path.is_file():
                continue
            if root_lang is None and inner & set(path.resolve().parents):
                continue  # another language's folder inside this one: read as its own
            rel = path.relative_to(source / root)
            display = f"{root}/{rel.as_posix()}"
            stem, lang = languages.split(path.stem)
            lang = lang or root_lang
            if stem == "_index":
                report.skipped.append(f"{display}: a list page (this site makes its own)")
                continue
            if stem != "index" and _bundle_index(path.parent, languages):
                continue  # a page resource of a bundle, not a page
            if lang is not None:  # the other languages are always under their code
                prefix = f"{site_path}/{lang}"
            else:
                prefix = site_path + (f"/{languages.default}" if languages.in_subdir else "")
            named = rel.with_name(stem + path.suffix)  # without its language's '.fr'
            args = (path, named, display, prefix, permalinks, report, lang, zone)
            item = guarded(report, display, _item, *args)
            if item is not None:
                (translations if lang else items).append(item)
    static = source / str(config.get("staticdir") or "static")
    static_roots = [(f"{site_path}/", static)] if site_path else []
    static_roots.append(("/", static))
    hosts = {urlsplit(base_url).netloc.lower()} if base_url else set()
    return Export(items + translations, static_roots, hosts, base_url.rstrip("/") or None, source)


def _bundle_index(folder: Path, languages: _Languages) -> bool:
    """Whether ``folder`` is a page bundle (``index.md``, or ``index.fr.md``)."""
    return any(
        languages.split(found.stem)[0] == "index" and found.suffix in SUFFIXES
        for found in folder.glob("index.*")
    )


def _config(source: Path, report: Report) -> dict[str, Any]:
    for name in CONFIG_NAMES:
        path = source / name
        if not path.is_file():
            continue
        text = path.read_text("utf-8")
        try:
            if path.suffix in (".yaml", ".yml"):  # which may begin with '---'
                return frontmatter.load_config(text)
            wrapped = f"+++\n{text}\n+++\n" if path.suffix == ".toml" else text
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
    path: Path,
    rel: Path,
    display: str,
    prefix: str,
    permalinks: dict[str, str],
    report: Report,
    lang: str | None = None,
    zone: tzinfo = UTC,
) -> Item | None:
    """The page at ``path`` (``rel``: its place in content/, without a language's name);
    ``lang``: a translation's language (its slug ends with it); ``zone``: the site's
    ``timeZone``, which dates without an offset are in."""
    read = frontmatter.read_file(path, display, report)
    if read is None:
        return None
    meta, body, body_line = read
    if meta.get("headless") is True:
        report.skipped.append(f"{display}: a headless bundle (not a page)")
        return None
    frontmatter.note_fields(meta, MAPPED, report)
    bundle = rel.stem == "index"
    logical = PurePosixPath(rel.parent.as_posix() if bundle else rel.with_suffix("").as_posix())
    section = logical.parts[0] if len(logical.parts) > 1 else None
    name = logical.name
    title = text_value(meta.get("title")) or name.replace("-", " ").capitalize()
    frontmatter.check_date(
        meta, ("date", "publishdate", "pubdate", "lastmod", "expirydate"), path, display, report
    )
    date = parse_date(meta.get("date") or meta.get("publishdate") or meta.get("pubdate"), zone)
    if date is None and section is not None:
        report.warn(
            display,
            1,
            "no date: the file's modification time is used",
            "add 'date:' to the imported file if it is wrong",
        )
        date = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None, microsecond=0)
    draft = meta.get("draft") is True or str(meta.get("draft")).lower() == "true"
    expiry = parse_date(meta.get("expirydate"), zone)
    if expiry is not None and expiry < datetime.now(UTC).replace(tzinfo=None) and not draft:
        draft = True
        report.warn(display, 1, "expired on the old site (expiryDate): imported as a draft")
    shown = to_local(date, zone).replace(tzinfo=None) if date else None  # as the site showed it
    source_slug = text_value(meta.get("slug"))
    converted = hugo(body, Place(report, display, body_line))
    doc = Document(
        title=title,
        slug=make_slug(f"{source_slug or name}-{lang}" if lang else source_slug or name, title),
        body=html_to_markdown(converted) if path.suffix == ".html" else converted,
        kind="post" if section is not None else "page",
        date=date if section is not None else None,
        updated=parse_date(meta.get("lastmod"), zone),
        tags=merge_tags(as_list(meta.get("tags")), as_list(meta.get("categories"))),
        draft=draft,
        summary=text_value(meta.get("summary") or meta.get("description")),
        author=text_value(meta.get("author") or meta.get("authors")) or None,
    )
    old = (
        []
        if draft
        else [prefix + _url(meta, logical, section, source_slug, title, shown, permalinks)]
    )
    for alias in one_or_many(meta.get("aliases")):
        alias = str(alias)
        old.append(prefix + (alias if alias.startswith("/") else f"/{section or ''}/{alias}"))
    keys = [rel.as_posix(), logical.as_posix(), path.name, name, f"{name}.md"]
    if lang is not None:  # a ref to the page's name is to the original
        keys = [display, f"{lang}/{logical.as_posix()}", path.name]
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
        return f"{head}/{hugo_path(slug or logical.name)}/"
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
        "title": hugo_path(title),
        "slug": hugo_path(slug or title),
        "slugorfilename": hugo_path(slug or logical.name),
        "filename": logical.name,
        "contentbasename": logical.name,
    }
    path = re.sub(r":(\w+)", lambda m: values.get(m[1], m[0]), pattern)
    return "/" + path.lstrip("/")


_PATH_MARKS = frozenset("./\\_#+~-@")


def hugo_path(text: str) -> str:
    """A title, slug or file name as Hugo puts it in a URL (its ``MakePathSanitized``):
    letters (accents and all), digits and ``. / _ # + ~ - @`` kept, a run of spaces one
    hyphen, anything else dropped, lower case."""
    out: list[str] = []
    hyphen_due = last_hyphen = False
    for index, char in enumerate(text):
        escape = char == "%" and re.fullmatch(r"[0-9A-Fa-f]{2}", text[index + 1 : index + 3])
        if char != " " and (
            char.isalpha()
            or char.isdigit()
            or char in _PATH_MARKS
            or unicodedata.category(char).startswith("M")
            or escape
        ):
            last_hyphen = char == "-"
            if hyphen_due and not last_hyphen:
                out.append("-")
            hyphen_due = False
            out.append(char)
        elif out and not last_hyphen and char.isspace():
            hyphen_due = True
    return "".join(out).lower()
