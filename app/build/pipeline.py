"""``freeze.py``'s engine: one ``Build`` of named phases, from content/ to a swapped build/.

sync -> plan -> stage -> render -> check -> swap -> remember. Per-build state lives on the
``Build``; what a later build needs of this one is its build cache (``manifest``), and in a
long-lived process (``--watch``) the same records kept in memory (``memory.BuildMemory``).
Why one module: the phases share the Build's state, so they stay one class (some 480
lines); what each phase asks of others lives in its own module (``pagelist``, ``deps``,
``render``, ``links``, ``output``, ``searchcopy``...).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, has_app_context

from app import translations, tricks
from app.build import generators, keptfile
from app.build.blame import explain_broken
from app.build.compiled import keep_compiled_templates
from app.build.dbmark import database_mark, sqlite_file
from app.build.deps import (
    Changed,
    Reads,
    answers_hold,
    build_posts,
    changed_fields,
    common_digest,
    row_context,
)
from app.build.errors import BuildError
from app.build.freezer import PlannedPage, StagingFreezer, site_path
from app.build.incremental import BackgroundCopy, refresh_tree, relink_changed
from app.build.keptposts import KeptPosts
from app.build.links import RecordedLinks, check_references, lost_anchor
from app.build.manifest import FileRecord, Manifest, Spare, files_in_place, identity, manifest_path
from app.build.manifest import load as load_manifest
from app.build.manifest import save as save_manifest
from app.build.memory import warm_up
from app.build.output import (
    StagedOutput,
    build_lock,
    clear_stale_staging,
    keep_as_spare,
    make_staging_dir,
    new_staging_dir,
    spare_dir,
    swap_into_place,
)
from app.build.pagelist import PageList, list_pages, saved_pages
from app.build.postrows import PostRows, rows_of
from app.build.render import Job, describe, render_pages, worker_count
from app.build.result import BuildResult, Upcoming
from app.build.searchcopy import last_search_index
from app.build.sources import Changes, forget_changed_templates, sync_sources
from app.content import SyncReport
from app.content.parallel import can_fork, release_freed_memory
from app.content.sync import IMPORT_BATCH
from app.extensions import db
from app.public.snapshot import Snapshot
from app.recording import recording
from app.schema import upgrade_schema
from app.status import frozen
from app.wal import BackgroundCheckpoint

#: Called after each page with (pages done, estimated total, URL).
ProgressCallback = Callable[[int, int, str], None]


@dataclass
class Plan:
    """Every page of the build: those kept from the last one, and those to render."""

    pages: list[PlannedPage] = field(default_factory=list)
    kept: dict[str, FileRecord] = field(default_factory=dict)
    jobs: list[Job] = field(default_factory=list)
    #: Each page's key (its endpoint and values), by file.
    keys: dict[str, str] = field(default_factory=dict)
    #: The fields of the posts that changed since the last build (None: not known).
    changed: Changed | None = None
    warnings: list[str] = field(default_factory=list)


class Build:
    """One build of an app's site into its ``BUILD_DIR``; ``run`` it once."""

    def __init__(
        self,
        app: Flask,
        *,
        migrate: bool = True,
        incremental: bool = True,
        progress: ProgressCallback | None = None,
        changes: Changes | None = None,
        named: Collection[str] | None = None,
        mark: bool = False,
    ) -> None:
        self.app, self.migrate, self.progress, self.changes = app, migrate, progress, changes
        #: The content files changed since the last build, when the caller knows them (the
        #: command line's stamps: ``stamps.Observed.changed``; a watch's are in ``changes``).
        self.named = named
        #: With ``mark``, the database as this build's pages read it (``database_mark``).
        self.mark = mark
        self.database_mark: bytes | None = None
        #: Pages rendered that every build renders again (``Reads.renders_again``).
        self.renders_again = 0
        self.build_dir: Path = app.config["BUILD_DIR"]
        self.incremental = incremental
        self.cache = manifest_path(Path(app.instance_path), self.build_dir)
        self.memory = changes.memory if changes else None
        self.manifest = Manifest()
        self.plan = Plan()
        self.reads: Reads | None = None
        #: Every post's row now (``postrows.rows_of``): what the next build compares with.
        self.rows: PostRows | None = None
        self.common = ""
        self.report = SyncReport()
        self.output = StagedOutput(self.build_dir)
        self.copy: BackgroundCopy | None = None
        self.records: dict[str, FileRecord] = {}
        #: A first build links each page it writes into here too: the next build's spare.
        self.mirror: Path | None = None
        self.first = False
        #: The fields the read model read of posts (see ``deps.answers_hold``).
        self.model: set[str] = set()
        self.upcoming: Upcoming | None = None
        #: The list of the site's pages as the build cache keeps it (see ``pagelist``).
        self.pages: str | None = None
        #: What every page of this build reads (made after the sync) and when it runs.
        off = tricks.disabled(app.config)
        #: The listing and rows kept from the last build (``keptposts``): a watch's in
        #: memory, the command line's in a file beside the build cache (``keptfile``).
        self.kept: KeptPosts | None = None
        self.kept_file: Path | None = None
        if "kept-posts" not in off:
            if self.memory:
                self.kept = self.memory.posts
            else:
                self.kept_file = keptfile.kept_path(self.cache)
                self.kept = keptfile.load(self.kept_file) if incremental else KeptPosts()
        self.snapshot = Snapshot(off, source=self.kept)
        self.time = datetime.now(UTC).replace(tzinfo=None)

    # -- the phases -----------------------------------------------------------------------

    def run(self) -> BuildResult:
        """The whole pipeline; on any error ``BUILD_DIR`` is left exactly as it was."""
        started = time.perf_counter()
        forget_changed_templates(self.app)  # the theme as it is on disk now
        translations.forget(self.app)  # and its texts (site/i18n)
        keep_compiled_templates(self.app, self.cache.parent / "templates")
        self.app.jinja_env.auto_reload = False  # and not stat'ed on every page
        with build_lock(self.build_dir), self._copy_started(), frozen(self.time):
            self.sync()
            if self.mark:  # after the sync's writes, before any page reads
                self.database_mark = self._database_mark()
            self.upcoming = Upcoming.find(self.app)
            try:
                with self.snapshot.active():  # the posts as the sync left them
                    self.make_plan()
                    if self.nothing_changed():
                        self.remember_unchanged()
                    else:
                        self.stage_render_check_swap()
                        self.remember()
                    self.keep_posts()
            except BaseException:
                if self.memory:
                    self.memory.forget()
                raise
        return self.result(time.perf_counter() - started)

    def sync(self) -> None:
        """Migrate the database and import what changed in the content folder."""
        app = self.app
        with app.app_context():
            if self.migrate:
                upgrade_schema()
            self.report = sync_sources(app, self.changes, self.named)
        if self.report.rendered > IMPORT_BATCH:  # the page renderers are forked from here
            release_freed_memory()
        if has_app_context():
            db.session.expire_all()  # a caller's own session must not render rows from before

    def make_plan(self) -> None:
        """List every page; keep those whose file is there and whose recorded reads hold."""
        app = self.app
        app.config.update(
            FREEZER_BASE_URL=app.config["SITE_URL"],
            FREEZER_REMOVE_EXTRA_FILES=False,  # StagedOutput.remove_stale counts what it removes
            PROPAGATE_EXCEPTIONS=True,
        )
        self.incremental = self.incremental and self.build_dir.is_dir()
        self.manifest = self._last_manifest()
        freezer = StagingFreezer(app, generators.ALL)
        try:
            base_url = site_path(app) or None
            with app.test_request_context(base_url=base_url):
                with recording() as listed:  # what listing posts reads is the read model's
                    self.reads = reads = Reads(app, build_posts())
                    self.common = common_digest(app)
                self.model = listed.model | listed.fields.keys()
                reads.clock_settings()  # asked here, in the build's request context
                manifest = self.manifest
                same = manifest.common == self.common
                self.rows = rows_of(
                    reads.posts,
                    self.kept.rows if self.kept else None,
                    row_context(app, self.common),
                )
                changed = changed_fields(manifest.rows, self.rows) if same else None
                if same and manifest.model is not None:
                    self.model.update(manifest.model)
                reuse = same and tricks.enabled("page-list", app.config)
                saved = manifest.pages if reuse else None
                listing = saved_pages(app, saved, reads, changed, self.model)
                if listing is None:
                    listing = list_pages(app, freezer, reads)
                    self.model |= listing.model
                self.pages = listing.saved
                self.plan = self._plan(listing, reads, changed, same)
        except BuildError:
            raise
        except Exception as exc:
            raise BuildError(f"could not list the pages of the site: {describe(exc)}") from exc
        self.plan.warnings = list(listing.warnings)

    def _plan(self, listing: PageList, reads: Reads, changed: Changed | None, same: bool) -> Plan:
        pages = list(listing.pages)
        rels = [page.rel for page in pages]
        keys = dict(zip(rels, listing.keys, strict=True))
        if len(keys) != len(rels):
            _written_twice(pages)
        kept = self._kept(keys, reads, changed) if same else {}
        jobs = [Job(page.url, page.rel) for page in pages if page.rel not in kept]
        return Plan(pages, kept, jobs, keys, changed)

    def _kept(
        self, keys: dict[str, str], reads: Reads, changed: Changed | None
    ) -> dict[str, FileRecord]:
        """The last build's records of pages it made with the same key, whose file is
        still in ``build/`` and whose recorded reads hold: each part (``Reads.part_holds``)
        is asked once for all the pages that share it, and a page's own reads only when
        they may answer differently (the read model's answers may have changed, or the page
        read a field of a post that changed: ``Manifest.readers``)."""
        if changed is None:
            return {}
        manifest = self.manifest
        previous = manifest.records
        candidates = {
            rel: old
            for rel, key in keys.items()
            if (old := previous.get(rel)) is not None and old.key == key
        }
        answers_same = manifest.model is not None and answers_hold(changed, self.model)
        touched = manifest.readers(changed, answers_same)
        return {
            rel: old
            for rel, old in self._in_place(candidates).items()
            if reads.keeps(old, changed, answers_same, rel in touched)
        }

    def _in_place(self, candidates: dict[str, FileRecord]) -> dict[str, FileRecord]:
        """The ``candidates`` whose file is still the one recorded: as a watch found them
        when the change came (``BuildMemory.check_files``), or found now."""
        early = self.memory.files_checked(self.build_dir, self.manifest) if self.memory else None
        if early is None:
            return files_in_place(self.build_dir, candidates)
        return {rel: old for rel, old in candidates.items() if rel in early}

    def nothing_changed(self) -> bool:
        previous = self.manifest.records
        return bool(previous) and not self.plan.jobs and self.plan.kept.keys() == previous.keys()

    def stage_render_check_swap(self) -> None:
        """Render into a staging copy of ``build/``, check its links, swap it into place."""
        copied = self.copy.files() if self.copy is not None else None  # the spare is complete
        staging, from_spare = make_staging_dir(self.build_dir, reuse_spare=self.incremental)
        # A first build links each page into the next build's spare as it writes it: on two
        # cores that costs its workers ~5 %, where linking the whole site later costs the
        # next build (an edit) one to three seconds.
        self.first = not self.build_dir.exists()
        self.mirror = new_staging_dir(self.build_dir) if self.first else None
        try:
            present = self._stage(staging, from_spare, copied) if self.incremental else set()
            self.output = StagedOutput(staging)
            self.records = self.render()
            self.output.remove_stale(present)
            self.check()
            swap_into_place(staging, self.build_dir)
        except BaseException:
            self._keep_unfinished(staging)
            raise

    def _stage(self, staging: Path, from_spare: bool, copied: set[str] | None) -> set[str]:
        """Make ``staging`` (the spare, or an empty folder) a copy of ``build/`` in links.

        The cache's record of the spare is trusted only for the spare itself: a new folder
        may get the inode of one that was deleted. ``copied``: the files of a spare this
        build linked itself (``BackgroundCopy``).
        """
        if from_spare and copied is not None:
            return copied
        spare = self.manifest.spare
        if from_spare and spare is not None and spare.describes(staging):
            records = self.manifest.records
            inodes = {rel: record.identity[0] for rel, record in records.items()}
            return relink_changed(self.build_dir, staging, inodes, spare.removed, spare.written)
        return refresh_tree(self.build_dir, staging)

    def render(self) -> dict[str, FileRecord]:
        """Render the plan's pages into the staging folder; the records of every file."""
        app, plan, output = self.app, self.plan, self.output
        assert self.reads is not None
        app.config["FREEZER_DESTINATION"] = str(output.root)
        records = dict(plan.kept)
        output.keep(plan.kept.keys())
        output.workers = worker_count(app, len(plan.jobs))
        if self.snapshot.copy_search:
            self.snapshot.last_index = last_search_index(
                output.root,
                plan.pages,
                plan.kept,
                self.manifest.records,
                plan.changed,
                self.reads.posts,
            )
        checkpoint = _engine(app) if self.report.checkpoint_due else None
        started: BackgroundCheckpoint | None = None
        parts: dict[str, str] = {}  # one text per part: most pages of a kind share theirs
        try:
            rendered = render_pages(
                app, self.reads, output.root, plan.jobs, output.workers, self.mirror
            )
            for done, result in enumerate(rendered, start=1):
                if checkpoint is not None and started is None:  # the renderers are forked now
                    started = BackgroundCheckpoint(checkpoint).start()
                output.record(result.rel, result.written)
                self.model.update(result.model)
                self.renders_again += self.reads.renders_again(result.part)
                identity_now = result.identity or identity(output.root / result.rel)
                assert identity_now is not None, result.rel
                records[result.rel] = FileRecord(
                    plan.keys[result.rel],
                    identity_now,
                    packed=result.links,
                    note=result.note,
                    part=result.part and parts.setdefault(result.part, result.part),
                    deps=result.deps,
                )
                if self.progress:
                    self.progress(done, len(plan.jobs), result.url)
        finally:
            self.snapshot.last_index = None
            if started is not None:
                started.join()
        return records

    def check(self) -> None:
        """Check the links of re-rendered pages; of every page when a file or an anchor
        went away (or there is no last build to trust)."""
        records, previous = self.records, self.manifest.records
        pages = RecordedLinks(records)
        rendered = {rel for rel, record in records.items() if previous.get(rel) is not record}
        checked = rendered & pages.records.keys()
        anchor_lost = any(lost_anchor(previous.get(rel), records[rel]) for rel in checked)
        everything = self.output.removed or anchor_lost or not previous
        only = None if everything else sorted(checked)
        broken = check_references(pages, self.output.produced, only)
        if broken:  # each said with the content file and line it is written at
            broken, exempt = explain_broken(self.app, broken)
            self.plan.warnings.extend(exempt)
            if broken:
                raise BuildError(f"{len(broken)} broken link(s)", [str(b) for b in broken])

    def remember(self) -> None:
        """Save the records of the build now in place, for the next build (and this process)."""
        spare = spare_dir(self.build_dir)
        state = None
        if self.mirror is not None:  # linked page by page as this build wrote them
            keep_as_spare(self.mirror, self.build_dir)
            state = Spare.of(spare, [], [])
        elif not self.first and self.incremental and spare.exists():
            # The build before this one: it differs in what this build wrote and removed.
            written = sorted(self.output.written_files)
            state = Spare.of(spare, self.output.removed_files, written)
        self._save(
            replace(
                self.manifest,
                records=self.records,
                spare=state,
                common=self.common,
                rows=self._rows(),
                model=sorted(self.model),
                pages=self.pages,
            )
        )
        if self.output.workers > 1 and self.memory:  # the pages were rendered elsewhere
            warm_up(self.app)

    def remember_unchanged(self) -> None:
        """Nothing to render, check or swap: ``build/`` stays as it is, not even a link is
        made (but for the spare a background copy made, which is kept for the next build)."""
        clear_stale_staging(self.build_dir)
        self.output = StagedOutput(self.build_dir)
        self.output.keep(self.plan.kept.keys())
        manifest = self.manifest
        copied = self.copy.files() if self.copy is not None else None
        spare = (
            Spare.of(spare_dir(self.build_dir), [], []) if copied is not None else manifest.spare
        )
        rows, model = self._rows(), sorted(self.model)
        digests = manifest.rows.digests if manifest.rows is not None else None
        before = (digests, manifest.model, manifest.pages)
        if copied is not None or before != (rows.digests, model, self.pages) or self.memory:
            self._save(
                replace(
                    manifest,
                    spare=spare,
                    common=self.common,
                    rows=rows,
                    model=model,
                    pages=self.pages,
                )
            )
        if self.memory:
            warm_up(self.app)

    def keep_posts(self) -> None:
        """Save the listing and rows for the next command-line build, if they changed."""
        if self.kept_file is None or self.kept is None or not self.kept.changed():
            return
        try:
            keptfile.save(self.kept_file, self.kept)
        except OSError as exc:
            keptfile.forget(self.kept_file)
            self.plan.warnings.append(
                f"could not save the kept posts: {exc} (the next build reads them all)"
            )

    # -- helpers --------------------------------------------------------------------------

    def _database_mark(self) -> bytes | None:
        path = sqlite_file(str(self.app.config["SQLALCHEMY_DATABASE_URI"]))
        return database_mark(path) if path is not None else None

    def _last_manifest(self) -> Manifest:
        """The records of the build in ``build/``: this process's, or the build cache's."""
        memory = self.memory
        found = memory.manifest_for(self.build_dir, self.cache) if memory else None
        if found is not None:
            return found
        if memory:
            memory.forget()
        return load_manifest(self.cache, self.build_dir) if self.incremental else Manifest()

    def _rows(self) -> PostRows:
        assert self.rows is not None
        return self.rows

    def _save(self, manifest: Manifest) -> None:
        try:
            save_manifest(self.cache, self.build_dir, manifest)
        except OSError as exc:
            self.plan.warnings.append(
                f"could not save the build cache: {exc} (the next build does more work)"
            )
            return
        if self.memory:
            self.memory.remember(self.build_dir, self.cache, manifest)

    def _keep_unfinished(self, staging: Path) -> None:
        """After a failure: an unfinished build is still a fine start for the next one (see
        ``refresh_tree``), but no longer the build before ``build/``."""
        if self.mirror is not None:
            shutil.rmtree(self.mirror, ignore_errors=True)
        try:
            if self.manifest.spare is not None:
                self.manifest.spare = None
                save_manifest(self.cache, self.build_dir, self.manifest)
            keep_as_spare(staging, self.build_dir)
        except OSError:
            shutil.rmtree(spare_dir(self.build_dir), ignore_errors=True)
            shutil.rmtree(staging, ignore_errors=True)

    @contextmanager
    def _copy_started(self) -> Iterator[None]:
        """With no spare next to ``build/`` (deleted, or never kept: a cached ``build/`` in
        CI), link one in another process while this one syncs and plans; reaped whatever
        happens."""
        build_dir, spare = self.build_dir, spare_dir(self.build_dir)
        if self.incremental and not os.path.lexists(spare) and build_dir.is_dir():
            clear_stale_staging(build_dir)
            spare.mkdir()
            self.copy = BackgroundCopy(build_dir, spare, fork=can_fork())
        try:
            yield
        finally:
            if self.copy is not None:
                self.copy.close()

    def result(self, seconds: float) -> BuildResult:
        output = self.output
        return BuildResult(
            pages=output.pages,
            seconds=seconds,
            out_dir=self.build_dir,
            sync=self.report,
            written=output.written,
            unchanged=output.unchanged,
            removed=output.removed,
            rendered=output.rendered,
            workers=output.workers,
            warnings=self.plan.warnings,
            upcoming=self.upcoming,
            files={rel: r.identity for rel, r in (self.records or self.plan.kept).items()},
            database_mark=self.database_mark,
            renders_again=self.renders_again,
        )


def build_site(
    app: Flask,
    *,
    migrate: bool = True,
    incremental: bool = True,
    progress: ProgressCallback | None = None,
    changes: Changes | None = None,
    named: Collection[str] | None = None,
    mark: bool = False,
) -> BuildResult:
    """Build ``app``'s site (see ``Build``); on any error ``BUILD_DIR`` is left as it was.

    Incremental builds start from hard links to the previous build and render only pages
    whose recorded reads answer differently now, so the result is the same as a clean
    build, only faster to make.
    """
    build = Build(
        app,
        migrate=migrate,
        incremental=incremental,
        progress=progress,
        changes=changes,
        named=named,
        mark=mark,
    )
    return build.run()


def _written_twice(pages: list[PlannedPage]) -> None:
    """Raise for the first file two pages of the list would write."""
    seen: set[str] = set()
    for page in pages:
        if page.rel in seen:
            raise BuildError(f"{page.rel} would be written twice (by {page.url})")
        seen.add(page.rel)


def _engine(app: Flask) -> Any:
    with app.app_context():
        return db.engine
