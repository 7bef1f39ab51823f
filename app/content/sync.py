"""Files ↔ DB: import new and changed files by hash, drop rows whose file is gone, export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlalchemy as sa

from app.content.document import Document, parse_document, serialize_document
from app.content.errors import ContentError, ContentErrors
from app.content.files import atomic_write, read_text
from app.content.store import apply_document, delete_orphan_tags, document_from_post
from app.extensions import db
from app.models import Post

#: Sub-folder of the content directory for each kind of document.
KIND_DIRS = {"post": "posts", "page": "pages"}
MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass
class SyncReport:
    """What a sync changed, by source path."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.removed)} removed, {self.unchanged} unchanged"
        )


def source_path_for(kind: str, slug: str) -> str:
    """Where a new document of this kind and slug lives, relative to the content dir."""
    return f"{KIND_DIRS[kind]}/{slug}.md"


def iter_content_files(content_dir: Path, warnings: list[str]) -> Iterator[tuple[Path, str, str]]:
    """(path, source path relative to content_dir, kind) of every Markdown file, sorted."""
    for kind, folder in KIND_DIRS.items():
        base = content_dir / folder
        if not base.is_dir():
            continue
        for path in sorted(base.iterdir()):
            rel = path.relative_to(content_dir).as_posix()
            if path.name.startswith(".") or path.name.endswith("~") or path.is_dir():
                continue  # hidden files, editor backups and temp files, sub-folders
            if path.suffix.lower() not in MARKDOWN_SUFFIXES:
                warnings.append(f"content/{rel}: ignored, only .md files are content")
                continue
            yield path, rel, kind


def sync_content(content_dir: Path, max_bytes: int) -> SyncReport:
    """Make the DB mirror ``content_dir``; all or nothing: any bad file changes no row."""
    report = SyncReport()
    errors: list[ContentError] = []
    rows = {p.source_path: p for p in db.session.scalars(sa.select(Post))}
    changed: list[tuple[str, Document, str]] = []
    slug_owner: dict[str, str] = {}
    seen: set[str] = set()

    for path, rel, kind in iter_content_files(content_dir, report.warnings):
        seen.add(rel)
        row = rows.get(rel)
        try:
            text, digest = read_text(path, f"content/{rel}", max_bytes)
            if row is not None and row.source_hash == digest and row.kind == kind:
                report.unchanged += 1
                slug = row.slug
            else:
                doc = parse_document(text, f"content/{rel}", kind)
                changed.append((rel, doc, digest))
                slug = doc.slug
                report.warnings.extend(
                    f"content/{rel}: unknown front-matter key {key!r} kept as is"
                    for key in doc.extra
                )
                if not doc.body:
                    report.warnings.append(f"content/{rel}: the body is empty")
        except ContentError as exc:
            errors.append(exc)
            continue
        if slug in slug_owner:
            errors.append(
                ContentError(
                    f"content/{rel}",
                    f"duplicate slug {slug!r}, already used by content/{slug_owner[slug]}",
                    hint="give one of them another 'slug:' or file name",
                )
            )
        else:
            slug_owner[slug] = rel
    if errors:
        raise ContentErrors(errors)

    for rel in sorted(set(rows) - seen):
        db.session.delete(rows.pop(rel))
        report.removed.append(rel)
    db.session.flush()
    for rel, doc, digest in changed:
        row = rows.get(rel)
        (report.updated if row else report.added).append(rel)
        with db.session.no_autoflush:
            row = apply_document(row or Post(), doc, rel, digest)
        db.session.add(row)
        db.session.flush()  # new tags become visible to the next file's lookups
    db.session.flush()
    delete_orphan_tags()
    db.session.commit()
    return report


def _same_document(path: Path, rel: str, doc: Document) -> bool:
    try:
        existing = parse_document(path.read_text(encoding="utf-8"), f"content/{rel}", doc.kind)
    except (ContentError, UnicodeDecodeError):
        return False
    # The DB keeps tags by name, not in the author's order: order alone is no change.
    normal = {"explicit_slug": False, "tags": sorted(doc.tags)}
    return replace(existing, **{**normal, "tags": sorted(existing.tags)}) == replace(doc, **normal)


def export_content(content_dir: Path) -> int:
    """Write every DB post to its file; returns how many files changed."""
    written = 0
    for post in db.session.scalars(sa.select(Post).order_by(Post.source_path)):
        path = content_dir / post.source_path
        doc = document_from_post(post)
        if path.exists() and _same_document(path, post.source_path, doc):
            continue  # keep the author's own formatting when nothing differs
        post.source_hash = atomic_write(path, serialize_document(doc, path.stem))
        written += 1
    db.session.commit()
    return written
