"""The steps every import shares: slugs, links and media, validation, all-or-nothing write.

Every file is staged and checked before the first is written; a failure while writing, or
a sync that refuses the result, puts every file back as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from app.content.aliases import check_alias
from app.content.document import Document, parse_document
from app.content.document import serialize_document as serialize
from app.content.errors import ContentError, ContentErrors
from app.content.files import atomic_write
from app.content.importers.links import Addresses, Rewriter, url_key
from app.content.importers.media import MediaCopies
from app.content.importers.model import Export, Item, site_owned
from app.content.importers.report import PostLine, Report
from app.content.kinds import KIND_DIRS, MARKDOWN_SUFFIXES
from app.content.media import MEDIA_FOLDER
from app.content.service import validate
from app.content.slugs import MAX_SLUG_LENGTH, RESERVED_PAGE_SLUGS
from app.content.sync import source_path_for, sync_content
from app.extensions import db
from app.localtime import site_zone


@dataclass(frozen=True)
class Options:
    """How to import: ``media`` is a folder of the export's images given apart from it."""

    dry_run: bool = False
    overwrite: bool = False
    media: Path | None = None
    #: The old site's address ('https://blog.example.org'), when the export does not say.
    old_url: str | None = None


Reader = Callable[[Path, Options, Report], Export]


@dataclass
class _Existing:
    path: str
    title: str
    aliases: tuple[str, ...] = ()


@dataclass
class Plan:
    """The files an import would write, as bytes, by path relative to the content folder."""

    files: dict[str, bytes] = field(default_factory=dict)


def run(reader: Reader, source: Path, content_dir: Path, options: Options, report: Report) -> None:
    """Read, plan, check and (unless a dry run or anything failed) write an import."""
    export = reader(source, options, report)
    if options.old_url:
        export.old_base = options.old_url.rstrip("/")
        export.old_hosts.add(urlsplit(options.old_url).netloc.lower())
    plan = _plan(export, content_dir, options, report)
    if options.dry_run or not report.ok:
        return
    _write(plan, content_dir, report)


def _existing(content_dir: Path) -> dict[str, _Existing]:
    """Slugs already used in the content folder, with their file and title."""
    found: dict[str, _Existing] = {}
    for kind, folder in KIND_DIRS.items():
        for path in sorted((content_dir / folder).glob("*")):
            if path.suffix not in MARKDOWN_SUFFIXES or not path.is_file():
                continue
            rel = f"{folder}/{path.name}"
            try:
                doc = parse_document(path.read_text("utf-8"), f"content/{rel}", kind, site_zone())
            except (ContentError, UnicodeDecodeError):
                found.setdefault(path.stem, _Existing(rel, ""))
                continue
            found.setdefault(doc.slug, _Existing(rel, doc.title, tuple(doc.aliases)))
    return found


def _unique(slug: str, taken: set[str] | dict[str, Any]) -> str:
    for n in range(2, 10_000):
        candidate = f"{slug[: MAX_SLUG_LENGTH - 6]}-{n}"
        if candidate not in taken:
            return candidate
    raise RuntimeError("no free slug")  # pragma: no cover


def _assign_slugs(
    items: list[Item], content_dir: Path, options: Options, report: Report
) -> tuple[list[Item], list[Item]]:
    """(items to write, items already imported) with their final slugs: collisions are
    renamed with a report line; an item already imported (same file, same title) is
    skipped unless ``--overwrite``, but links to it still find it."""
    existing = _existing(content_dir)
    used: dict[str, Item] = {}
    kept: list[Item] = []
    there: list[Item] = []
    for item in items:
        doc = item.doc
        slug = doc.slug
        if doc.kind == "page" and slug in RESERVED_PAGE_SLUGS:
            slug = f"{slug}-page"
            ours = [old for old in item.old_urls if site_owned(urlsplit(old).path or "/")]
            report.warn(
                item.source,
                item.line,
                f"the page slug {doc.slug!r} is reserved here; imported as {slug!r}",
                f"links to its old URL {ours[0]} reach this site's own page there"
                if ours
                else "its old URL redirects to the new one",
            )
        if slug in used:
            new = _unique(slug, used.keys() | existing.keys())
            report.warn(
                item.source,
                item.line,
                f"slug {slug!r} is also the slug of {used[slug].where}; imported as {new!r}",
                "rename it after the import if you like",
            )
            slug = new
        elif slug in existing:
            old = existing[slug]
            target = source_path_for(doc.kind, slug)
            if old.path == target and options.overwrite:
                report.warn(item.source, item.line, f"replaces content/{target} (--overwrite)")
            elif old.path == target and old.title == doc.title:
                report.skipped.append(
                    f"{item.where}: content/{target} exists (imported before?); "
                    "pass --overwrite to replace it"
                )
                there.append(item)
                continue
            else:
                new = _unique(slug, used.keys() | existing.keys())
                report.warn(
                    item.source,
                    item.line,
                    f"content/{old.path} already uses the slug {slug!r}; imported as {new!r}",
                    "pass --overwrite to replace that file instead" if old.path == target else "",
                )
                slug = new
        used[slug] = item
        item.doc = replace(doc, slug=slug, explicit_slug=False)
        kept.append(item)
    return kept, there


def new_url(doc: Document) -> str:
    """Where a document is published (the public blueprint's rules)."""
    return _url_for(doc.kind, doc.slug)


def _url_for(kind: str, slug: str) -> str:
    return f"/{slug}/" if kind == "page" else f"/{KIND_DIRS[kind]}/{slug}/"


def _url_of(rel: str, slug: str) -> str:
    """The address of an existing file ('pages/about.md' -> '/about/')."""
    folder = rel.partition("/")[0]
    kind = next((k for k, f in KIND_DIRS.items() if f == folder), "post")
    return _url_for(kind, slug)


def _with_aliases(doc: Document, aliases: list[str]) -> Document:
    return replace(doc, aliases=aliases)


def _aliases(
    item: Item, url: str, taken: set[str], claimed: dict[str, str], report: Report
) -> list[str]:
    """The old paths that can redirect here (a query such as WordPress's '/?p=12' cannot:
    it only serves to rewrite links between the imported posts); an old path that is now
    another document's address, already redirects to another (``claimed``), or is no path
    an alias can be (``check_alias``), is left out, with a warning."""
    aliases: list[str] = []
    for old in item.old_urls:
        parts = urlsplit(old)
        if parts.query and parts.path in ("", "/"):  # a link form, never a page's address
            continue
        try:
            path = check_alias(old)
        except ValueError as exc:
            rel = source_path_for(item.doc.kind, item.doc.slug)
            report.warn(
                item.source,
                item.line,
                f"the old URL {old} does not redirect: {exc}",
                f"add it to 'aliases:' of content/{rel} as this site takes it, "
                "if links to it matter",
            )
            continue
        if url_key(path) == url_key(url) or path in aliases:
            continue
        owned = site_owned(path) and not path.strip("/").startswith("posts/")
        if url_key(path) in taken or owned:
            report.warn(
                item.source,
                item.line,
                f"the old URL {path} is already an address of this site: it does not redirect",
                "rename one of the two if the old links matter",
            )
            continue
        owner = claimed.setdefault(url_key(path), item.where)
        if owner != item.where:
            report.warn(
                item.source,
                item.line,
                f"the old URL {path} is also an old URL of {owner}: it redirects there",
                "a translation or a copy? keep it in one file's 'aliases:'",
            )
            continue
        aliases.append(path)
    return aliases


def _plan(export: Export, content_dir: Path, options: Options, report: Report) -> Plan:
    ordered = sorted(export.items, key=lambda item: item.secondary)  # stable: originals first
    items, there = _assign_slugs(ordered, content_dir, options, report)
    urls = [new_url(item.doc) for item in items]
    media = MediaCopies(content_dir)
    addresses = Addresses.of(items + there, urls + [new_url(item.doc) for item in there])
    rewriter = Rewriter(export, addresses, media, report)
    plan = Plan()
    top = export.top.resolve() if export.top else None
    existing = _existing(content_dir)
    taken = {url_key(u) for u in urls} | {url_key(_url_of(e.path, s)) for s, e in existing.items()}
    written = {source_path_for(item.doc.kind, item.doc.slug) for item in items}
    claimed = {  # old URLs the other files already redirect (a file replaced keeps none)
        url_key(alias): f"content/{e.path}"
        for e in existing.values()
        if e.path not in written
        for alias in e.aliases
    }
    for item, url in zip(items, urls, strict=True):
        # a draft had no public address: nothing to redirect from
        aliases = [] if item.doc.draft else _aliases(item, url, taken, claimed, report)
        doc = _with_aliases(replace(item.doc, body=rewriter.body(item)), aliases)
        rel = source_path_for(doc.kind, doc.slug)
        try:
            doc = validate(doc)
        except ContentError as exc:
            report.fail(item.source, item.line, exc.message, exc.hint)
            continue
        plan.files[rel] = serialize(doc, doc.slug, site_zone()).encode("utf-8")
        report.posts.append(
            PostLine(
                item.source, item.line, doc.kind, doc.slug, url, rel, doc.draft, tuple(aliases)
            )
        )
    for path, name in media.names.items():
        shown = path.relative_to(top) if top and path.is_relative_to(top) else path
        report.media_copied.append((str(shown), f"content/{MEDIA_FOLDER}/{name}"))
        target = content_dir / MEDIA_FOLDER / name
        if not target.exists():
            plan.files[f"{MEDIA_FOLDER}/{name}"] = media.staged[name]
    return plan


def _write(plan: Plan, content_dir: Path, report: Report) -> None:
    """Write every planned file, then sync; on any failure put every file back."""
    from app.schema import upgrade_schema  # Alembic only for a real run

    previous: dict[Path, bytes | None] = {}
    try:
        upgrade_schema()  # as a build does: a new checkout's database gets its tables
        for rel, data in plan.files.items():
            path = content_dir / rel
            previous[path] = path.read_bytes() if path.exists() else None
            atomic_write(path, data)
            report.written.append(f"content/{rel}")
        synced = sync_content(content_dir, current_app.config["MAX_CONTENT_FILE_BYTES"])
        report.rendered += synced.warnings  # said once: the next build finds them unchanged
    except ContentErrors as exc:
        _restore(previous)
        for error in exc.errors:
            report.fail(error.path or "content", error.line, error.message, error.hint)
        report.written.clear()
    except OSError as exc:
        _restore(previous)
        report.fail(str(exc.filename or content_dir), None, f"could not write: {exc.strerror}")
        report.written.clear()
    except SQLAlchemyError as exc:
        db.session.rollback()
        _restore(previous)
        report.fail(
            "the database",
            None,
            f"the sync after the import failed: {str(exc).splitlines()[0]}",
            "run 'flask db upgrade' (or build once) to set up the database, then import again",
        )
        report.written.clear()
    except BaseException:
        _restore(previous)
        raise


def _restore(previous: dict[Path, bytes | None]) -> None:
    for path, data in previous.items():
        if data is None:
            path.unlink(missing_ok=True)
        else:
            atomic_write(path, data)
