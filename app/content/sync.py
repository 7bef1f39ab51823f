"""Files ↔ DB: import new and changed files by hash, drop rows whose file is gone, export."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa

from app.content.document import KNOWN_KEYS, Document, parse_document, serialize_document
from app.content.errors import ContentError, ContentErrors
from app.content.files import atomic_write, decode_text
from app.content.kinds import KIND_DIRS, MARKDOWN_SUFFIXES
from app.content.notes import missing_alt
from app.content.parallel import PARALLEL_THRESHOLD, Prepared, Task, prepare_and_render
from app.content.removed import body_first_line
from app.content.scan import (
    Hasher,
    SourceFile,
    StatCache,
    iter_content_files,
    named_content_files,
    stat_cache_for,
)
from app.content.store import (
    NewRow,
    apply_document,
    delete_posts,
    document_from_post,
    ids_by_path,
    insert_documents,
    load_posts,
    load_tags,
    readers,
    select_in,
    tag_names,
    tag_slug,
    tags_for,
)
from app.content.tagnames import settle_tags, spellings
from app.content.templatetags import find_template_tags, tag_messages
from app.extensions import db
from app.localtime import site_zone, site_zone_name
from app.models import Post
from app.wal import deferred_checkpoint

__all__ = ["KIND_DIRS", "MARKDOWN_SUFFIXES", "SyncReport", "source_path_for", "sync_content"]


@dataclass
class SyncReport:
    """What a sync changed, by source path."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    #: Files read from disk (the others were vouched for by this process's stat cache).
    read: int = 0
    #: Documents parsed and rendered (only new and changed files are).
    rendered: int = 0
    #: Whether a large import committed without checkpointing SQLite's log (``app.wal``).
    checkpoint_due: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.removed)} removed, {self.unchanged} unchanged"
        )


#: Documents rendered and written to the database at a time during one sync.
IMPORT_BATCH = 500


def source_path_for(kind: str, slug: str) -> str:
    """Where a new document of this kind and slug lives, relative to the content dir."""
    return f"{KIND_DIRS[kind]}/{slug}.md"


class _Indexed(NamedTuple):
    """What the DB knows of a file: enough to tell whether it changed."""

    id: int
    source_hash: str
    kind: str
    slug: str
    renderer: str

    def holds(self, digest: str, kind: str, renderers: Collection[str]) -> bool:
        """Whether the row is this file as one of these readers (``store.readers``) makes it."""
        return (self.source_hash, self.kind) == (digest, kind) and self.renderer in renderers


def _index(only: Collection[str] | None = None) -> dict[str, _Indexed]:
    """Every row's (or those of the ``only`` source paths) path and hash, without bodies."""
    query = sa.select(
        Post.source_path, Post.id, Post.source_hash, Post.kind, Post.slug, Post.renderer
    )
    if only is None:
        return {row[0]: _Indexed(*row[1:]) for row in db.session.execute(query)}
    return {row[0]: _Indexed(*row[1:]) for row in select_in(query, Post.source_path, only)}


def _owners_elsewhere(slugs: Collection[str], only: Collection[str]) -> dict[str, str]:
    """Which rows outside the ``only`` source paths already have one of ``slugs``."""
    rows = select_in(sa.select(Post.slug, Post.source_path), Post.slug, slugs)
    return {slug: path for slug, path in rows if path not in only}


class _Changed(NamedTuple):
    """A new or changed file, read."""

    file: SourceFile
    digest: str


def sync_content(
    content_dir: Path,
    max_bytes: int,
    *,
    parallel_threshold: int = PARALLEL_THRESHOLD,
    workers: int | None = None,
    stat_cache: StatCache | None = None,
    only: Collection[str] | None = None,
) -> SyncReport:
    """Make the DB mirror ``content_dir``; all or nothing: any bad file changes no row.

    Unchanged files are told by hash (or, within one process, by ``stat_cache``, by default
    the process's own for ``content_dir``) and cost no parsing. More than
    ``parallel_threshold`` changed files are rendered on ``workers`` processes (default:
    every core) while this one writes the rows of those already done.

    ``only``: the source paths (``posts/a.md``) that may have changed since the last sync,
    when the caller knows (a file watcher); every other file is taken as unchanged.
    """
    report = SyncReport()
    index = _index(only)
    cache = stat_cache if stat_cache is not None else stat_cache_for(content_dir)
    scan = _Scan(content_dir, index, Hasher(max_bytes, cache), report, only)

    # A file that cannot even be read fails the sync: then only parse the others, for errors.
    # Parse everything first (cheap; each file is read as the workers take it, and they
    # start rendering the first bodies meanwhile), so that any error changes nothing; then
    # write in batches as the bodies come, so a large import never holds every rendered
    # document at once.
    results, rendered = prepare_and_render(
        scan.tasks(), len(scan.candidates), threshold=parallel_threshold, workers=workers
    )
    files, changed, problems = scan.files, scan.changed, scan.problems
    with ExitStack() as stack:
        stack.enter_context(closing(rendered))
        results_by_file = dict(zip(changed, results, strict=True))
        elsewhere = {}
        if only is not None:
            slugs = {r.doc.slug for r in results_by_file.values() if isinstance(r, Prepared)}
            elsewhere = _owners_elsewhere(slugs, only)
            report.unchanged += _count_rows() - len(index)
        prepared = _check(files, index, problems, results_by_file, report, elsewhere)

        report.removed = sorted(set(index) - {file.rel for file in files})
        large = len(results_by_file) > IMPORT_BATCH
        report.checkpoint_due = stack.enter_context(deferred_checkpoint(large))
        kept = [index[rel].id for rel in results_by_file if rel in index]
        before = spellings([*kept, *(index[rel].id for rel in report.removed)])
        with db.session.no_autoflush:
            delete_posts(index[rel].id for rel in report.removed)
        # The bodies come in the tasks' order (the files' order, as ``prepared`` has them).
        items = [(rel, prepared[rel]) for rel in results_by_file]
        for start in range(0, len(items), IMPORT_BATCH):  # written while the workers go on
            batch = items[start : start + IMPORT_BATCH]
            done = {
                rel: replace(item, rendered=r)
                for (rel, item), r in zip(batch, islice(rendered, len(batch)), strict=True)
            }
            report.rendered += len(done)
            _warn_body(done, changed, report)
            _write(done, changed, index, report)
            db.session.flush()
        if report.changed:
            db.session.flush()
            settle_tags(before, spellings([*kept, *ids_by_path(report.added).values()]))
        db.session.commit()
    return report


def _count_rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Post)) or 0


class _Scan:
    """Every content file (of ``only``); those that may have changed, read one by one as
    their tasks are taken (``tasks``); the new and changed ones; the errors of those
    unreadable."""

    def __init__(
        self,
        content_dir: Path,
        index: dict[str, _Indexed],
        hasher: Hasher,
        report: SyncReport,
        only: Collection[str] | None = None,
    ) -> None:
        if only is None:  # stat'ed after the Hasher started
            self.files = list(iter_content_files(content_dir, report.warnings))
        else:
            self.files = list(named_content_files(content_dir, only, report.warnings))
        self.index, self.hasher, self.report, self.only = index, hasher, report, only
        self.renderers = readers()
        self.zone = site_zone_name()
        self.changed: dict[str, _Changed] = {}
        self.problems: dict[str, ContentError] = {}
        #: Files the stat cache cannot vouch for, or whose row holds another hash, kind or
        #: renderer: read (and hashed, if not vouched for) by ``tasks``.
        self.candidates: list[SourceFile] = []
        for file in self.files:
            if file.problem is not None:  # never read (see ``confine``)
                self.problems[file.rel] = file.problem
                continue
            try:
                if self._unchanged(file, hasher.vouched(file)):
                    continue
            except ContentError as exc:
                self.problems[file.rel] = exc
                continue
            self.candidates.append(file)

    def _unchanged(self, file: SourceFile, digest: str | None) -> bool:
        known = self.index.get(file.rel)
        if digest is None or known is None or not known.holds(digest, file.kind, self.renderers):
            return False
        self.report.unchanged += 1
        return True

    def tasks(self) -> Iterator[Task]:
        """A task for each new or changed file, read when it is taken."""
        hasher = self.hasher
        for file in self.candidates:
            try:
                found = hasher.fingerprint(file)
                if self._unchanged(file, found.digest):
                    continue
                data = found.data if found.data is not None else hasher.read_bytes(file)
                text = decode_text(data, file.display)
            except ContentError as exc:
                self.problems[file.rel] = exc
                continue
            self.changed[file.rel] = _Changed(file, found.digest)
            yield Task(file.rel, file.kind, text, self.zone)
        if hasher.cache is not None and self.only is None:
            hasher.cache.retain({file.path for file in self.files})
        self.report.read = hasher.read


def _warn_body(
    prepared: dict[str, Prepared], changed: dict[str, _Changed], report: SyncReport
) -> None:
    """A warning for each place where sanitizing removed text of a body, and for each
    template tag of another generator (``templatetags``) in it, by file line."""
    for rel, item in prepared.items():
        assert item.rendered is not None
        tags = find_template_tags(item.doc.body)
        if not item.rendered.removed and not tags:
            continue
        try:
            text = Path(changed[rel].file.path).read_bytes().decode("utf-8", "replace")
        except OSError:
            text = ""
        first = body_first_line(text, item.doc.body)
        location = f"content/{rel}"
        removed = item.rendered.removed
        report.warnings.extend(removal.message(location, first) for removal in removed)
        report.warnings.extend(tag_messages(tags, location, first))


def _write(
    prepared: dict[str, Prepared],
    changed: dict[str, _Changed],
    index: dict[str, _Indexed],
    report: SyncReport,
) -> None:
    """Update changed rows, then insert new ones (removed rows are deleted before)."""
    rows = load_posts(index[rel].id for rel in prepared if rel in index)
    names = {
        rel: tag_names(item.doc, item.rendered)
        for rel, item in prepared.items()
        if item.rendered is not None
    }
    known_tags = load_tags(tag_slug(name) for item_names in names.values() for name in item_names)
    for item_names in names.values():  # in file order, for a stable order of new tags' ids
        tags_for(item_names, known_tags)
    new_rows: list[NewRow] = []
    with db.session.no_autoflush:
        for rel, item in prepared.items():
            digest = changed[rel].digest
            assert item.rendered is not None  # rendered by the batch that writes it
            if rel in index:
                report.updated.append(rel)
                row = rows[index[rel].id]
                apply_document(row, item.doc, rel, digest, item.rendered, known_tags=known_tags)
            else:
                report.added.append(rel)
                new_rows.append(NewRow(item.doc, rel, digest, item.rendered))
    insert_documents(new_rows, known_tags)


def _check(
    files: list[SourceFile],
    index: dict[str, _Indexed],
    problems: dict[str, ContentError],
    results: dict[str, Prepared | ContentError],
    report: SyncReport,
    elsewhere: dict[str, str] | None = None,
) -> dict[str, Prepared]:
    """Every error in file order (read, parse, duplicate slug), raised together; else the docs.

    ``elsewhere``: slugs taken by files this sync does not look at, and by which.
    """
    errors: list[ContentError] = []
    prepared: dict[str, Prepared] = {}
    slug_owner: dict[str, str] = dict(elsewhere or {})
    for file in files:
        rel = file.rel
        result = results.get(rel)
        error = problems.get(rel) or (result if isinstance(result, ContentError) else None)
        if error is not None:
            errors.append(error)
            continue
        if isinstance(result, Prepared):
            prepared[rel] = result
            slug = result.doc.slug
            report.warnings.extend(result.doc.notes)  # keys in another case, statuses...
            report.warnings.extend(
                f"content/{rel}: unknown front-matter key {key!r} kept as is"
                for key in result.doc.extra
                if key not in KNOWN_KEYS  # ``image:``, kept there for the row
            )
            if not result.doc.body and not result.doc.photos:
                report.warnings.append(f"content/{rel}: the body is empty")
            report.warnings.extend(
                f"content/{rel}: photo {number} has no alt text (add an 'alt:' line that "
                "describes it; the admin will not publish it without)"
                for number in missing_alt(result.doc.photos)
            )
        else:
            slug = index[rel].slug  # unchanged
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
    return prepared


def _same_document(path: Path, rel: str, doc: Document) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
        existing = parse_document(text, f"content/{rel}", doc.kind, site_zone())
    except (ContentError, UnicodeDecodeError):
        return False

    # The DB keeps tags by name, not in the author's order: order alone is no change.
    def normal(d: Document) -> Document:
        return replace(d, explicit_slug=False, tags=sorted(d.tags))

    return normal(existing) == normal(doc)


def export_content(content_dir: Path) -> int:
    """Write every DB post to its file; returns how many files changed."""
    written = 0
    for post in db.session.scalars(sa.select(Post).order_by(Post.source_path)):
        path = content_dir / post.source_path
        doc = document_from_post(post)
        if path.exists() and _same_document(path, post.source_path, doc):
            continue  # keep the author's own formatting when nothing differs
        post.source_hash = atomic_write(path, serialize_document(doc, path.stem, site_zone()))
        written += 1
    db.session.commit()
    return written
