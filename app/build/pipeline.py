"""``freeze.py``'s engine: migrate, sync content, freeze, check links, swap into ``build/``."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, has_app_context
from sqlalchemy import Engine

from app.build import generators, snapshot
from app.build.errors import BuildError
from app.build.freezer import StagingFreezer
from app.build.incremental import BackgroundCopy, StagedOutput, refresh_tree, relink_changed
from app.build.inputs import SiteInputs
from app.build.links import PageLinks, check_references
from app.build.manifest import (
    KEEP,
    FileRecord,
    Manifest,
    Spare,
    identity,
    manifest_path,
    read_snapshot,
)
from app.build.manifest import load as load_manifest
from app.build.manifest import save as save_manifest
from app.build.output import (
    build_lock,
    clear_stale_staging,
    keep_as_spare,
    make_staging_dir,
    new_staging_dir,
    spare_dir,
    swap_into_place,
)
from app.build.render import Job, describe, render_pages, worker_count
from app.build.snapshot import Sources
from app.build.warm import (
    BuildMemory,
    Planned,
    changed_sources,
    replan,
    warm_up,
)
from app.content import SyncReport, sync_content
from app.content.parallel import can_fork, release_freed_memory
from app.content.scan import stat_cache_for, stat_cache_path
from app.content.sync import IMPORT_BATCH
from app.extensions import db
from app.public import queries
from app.public.search import LAST_INDEX, LastIndex
from app.schema import upgrade_schema
from app.wal import BackgroundCheckpoint

#: The endpoint of ``search.json``, whose documents a build copies from the last one's.
SEARCH_INDEX = "public.search_json"

#: Called after each page with (pages done, estimated total, URL).
ProgressCallback = Callable[[int, int, str], None]


@dataclass
class BuildResult:
    """What a build did: pages produced, how many were (re)written, kept as they were, removed."""

    pages: int
    seconds: float
    out_dir: Path
    sync: SyncReport = field(default_factory=SyncReport)
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    #: Pages rendered (the others' inputs had not changed), and by how many processes.
    rendered: int = 0
    workers: int = 1
    warnings: list[str] = field(default_factory=list)
    #: Whether the pages were planned from this process's last build (see ``warm``).
    replanned: bool = False

    def summary(self) -> str:
        return (
            f"Built {self.pages} pages ({self.written} written, {self.unchanged} unchanged, "
            f"{self.removed} removed) in {self.seconds:.2f}s, rendering {self.rendered}"
            + (f" on {self.workers} processes" if self.workers > 1 else "")
        )

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable summary ``freeze.py --json`` prints."""
        return {
            "ok": True,
            "pages": self.pages,
            "written": self.written,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "rendered": self.rendered,
            "workers": self.workers,
            "replanned": self.replanned,
            "seconds": round(self.seconds, 3),
            "out_dir": str(self.out_dir),
            "content": {
                "added": len(self.sync.added),
                "updated": len(self.sync.updated),
                "removed": len(self.sync.removed),
                "unchanged": self.sync.unchanged,
            },
            "warnings": [*self.sync.warnings, *self.warnings],
            "errors": [],
        }


@dataclass
class Plan:
    """Which pages a build keeps from the last one and which it renders."""

    kept: dict[str, FileRecord] = field(default_factory=dict)
    jobs: list[Job] = field(default_factory=list)
    keys: dict[str, str | None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: Every page with its digest, and what the digests were computed from.
    pages: Planned = field(default_factory=list)
    inputs: SiteInputs | None = None
    #: The build cache the inputs were read from (see ``queries.build_cache``).
    answers: dict[str, Any] | None = None
    replanned: bool = False
    #: The rows the plan was made from, read first (a command-line build: see ``snapshot``).
    sources: Sources | None = None


@dataclass
class Changes:
    """What changed since the last build, for a process that remembers it (``--watch``)."""

    memory: BuildMemory
    #: Paths the watcher saw change.
    paths: set[str]
    sync: SyncReport | None = None
    #: The content files among ``paths`` (``posts/a.md``) the sync read; None: it read all.
    sources: list[str] | None = None


def _list_pages(
    app: Flask,
    freezer: StagingFreezer,
    changes: Changes | None,
    plan: Plan,
    saved: bytes | None = None,
) -> None:
    """Every page of the site with the digest of its inputs (None: unknown, render it),
    from the last build's plan when only post bodies changed: the one this process
    remembers (``changes``), or else the one ``saved`` with the build cache."""
    try:
        with app.test_request_context(base_url=freezer._script_name() or None):
            sync = changes.sync if changes else None
            if changes and sync and not (sync.added or sync.removed):
                memory = changes.memory
                pages = replan(app, memory, sync.updated, changes.paths, changes.sources)
                if pages is not None:
                    plan.pages, plan.inputs, plan.warnings = pages, memory.inputs, memory.warnings
                    plan.answers, plan.replanned = memory.answers, True
                    return
            if changes is None:
                plan.sources = queries.source_versions()  # before any other row is read
                if saved is not None and _replan_saved(app, freezer, plan, saved):
                    return
            plan.inputs = inputs = SiteInputs(app)
            plan.pages = [(page, inputs.key(page.endpoint, page.values)) for page in freezer.plan()]
            plan.answers = queries.build_cache_now()
            plan.warnings = [
                f"nothing was built for endpoint {name}: add a URL generator"
                for name in sorted(freezer.missing_endpoints)
            ]
    except BuildError:
        raise
    except Exception as exc:
        raise BuildError(f"could not list the pages of the site: {describe(exc)}") from exc


def _replan_saved(app: Flask, freezer: StagingFreezer, plan: Plan, saved: bytes) -> bool:
    """Plan from the snapshot ``saved`` with the build cache, if it still holds."""
    assert plan.sources is not None
    found = snapshot.replan_from(app, freezer, saved, plan.sources)
    if found is None:
        return False
    pages, memory = found
    plan.pages, plan.inputs, plan.warnings = pages, memory.inputs, memory.warnings
    plan.answers, plan.replanned = memory.answers, True
    return True


def plan_build(
    app: Flask,
    build_dir: Path,
    previous: dict[str, FileRecord],
    changes: Changes | None = None,
    saved: bytes | None = None,
) -> Plan:
    """List every page; keep those whose inputs and file in ``build_dir`` are unchanged.

    ``saved``: the snapshot of the plan ``previous`` was made from (see ``snapshot``).
    """
    app.config.update(
        FREEZER_BASE_URL=app.config["SITE_URL"],
        FREEZER_REMOVE_EXTRA_FILES=False,  # StagedOutput.remove_stale counts what it removes
        PROPAGATE_EXCEPTIONS=True,
    )
    freezer = StagingFreezer(app, generators.ALL)
    plan = Plan()
    _list_pages(app, freezer, changes, plan, saved)
    root = str(build_dir)
    for page, key in plan.pages:
        old = previous.get(page.rel)
        if page.rel in plan.kept or page.rel in plan.keys:
            raise BuildError(f"{page.rel} would be written twice (by {page.url})")
        if old and key and old.key == key and identity(f"{root}/{page.rel}") == old.identity:
            plan.kept[page.rel] = old
        else:
            plan.keys[page.rel] = key
            plan.jobs.append(Job(page.url, page.rel))
    return plan


def freeze_to(
    app: Flask,
    output: StagedOutput,
    plan: Plan,
    progress: ProgressCallback | None = None,
    mirror: Path | None = None,
    previous: Mapping[str, FileRecord] | None = None,
    checkpoint: bool = False,
) -> dict[str, FileRecord]:
    """Render the plan's pages into ``output``, keep the others; the records of every file.

    ``mirror``: a folder to hard-link every rendered file into as well; ``previous``: the
    records of the build ``output`` was made a copy of; ``checkpoint``: checkpoint the
    database's log meanwhile (after a large import, see ``app.wal``).
    """
    app.config["FREEZER_DESTINATION"] = str(output.root)
    records = dict(plan.kept)
    output.keep(plan.kept.keys())
    output.workers = worker_count(app, len(plan.jobs))
    last_index = _last_search_index(plan, previous or {}, output.root)
    if last_index is not None:
        app.extensions[LAST_INDEX] = last_index
    engine = _engine(app) if checkpoint else None
    started: BackgroundCheckpoint | None = None
    try:
        rendered = render_pages(app, output.root, plan.jobs, output.workers, mirror)
        for done, result in enumerate(rendered, start=1):
            if engine is not None and started is None:  # the renderers are forked by now
                started = BackgroundCheckpoint(engine).start()
            output.record(result.rel, result.written)
            identity_now = result.identity or identity(output.root / result.rel)
            assert identity_now is not None, result.rel
            key = plan.keys[result.rel]
            records[result.rel] = FileRecord(
                key, identity_now, packed=result.links, note=result.note
            )
            if progress:
                progress(done, len(plan.jobs), result.url)
    finally:
        app.extensions.pop(LAST_INDEX, None)
        if started is not None:
            started.join()
    return records


def _engine(app: Flask) -> Engine:
    with app.app_context():
        return db.engine


def _last_search_index(
    plan: Plan, previous: Mapping[str, FileRecord], root: Path
) -> LastIndex | None:
    """What ``search.json`` may copy from the last build's (see ``search.LastIndex``): a
    post's document holds while its page does, as long as the file is the one recorded."""
    rel = next((page.rel for page, _key in plan.pages if page.endpoint == SEARCH_INDEX), None)
    old = previous.get(rel) if rel is not None else None
    if rel not in plan.keys or old is None or old.note is None:
        return None
    if identity(root / rel) != old.identity:
        return None
    unchanged = frozenset(
        page.values["slug"]
        for page, _key in plan.pages
        if page.endpoint == "public.post" and page.rel in plan.kept
    )
    return LastIndex(root / rel, old.note, unchanged)


class _Links(Mapping[str, PageLinks]):
    """The references of every page of a build, unpacked when a check asks for a page (the
    last few kept: a page's anchors are looked up once per link to them)."""

    def __init__(self, records: dict[str, FileRecord]) -> None:
        self.records = {rel: record for rel, record in records.items() if record.has_links}
        self.unpack = lru_cache(maxsize=256)(self._unpack)

    def _unpack(self, rel: str) -> PageLinks:
        links = self.records[rel].links
        assert links is not None
        return links

    def __getitem__(self, rel: str) -> PageLinks:
        return self.unpack(rel)

    def __contains__(self, rel: object) -> bool:  # Mapping's would unpack the page to tell
        return rel in self.records

    def __iter__(self) -> Iterator[str]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)


def _lost_anchor(old: FileRecord | None, new: FileRecord) -> bool:
    """Whether a page lost an id that other pages may link to."""
    if old is None or old.packed == new.packed:
        return False
    before, now = old.links, new.links
    return before is None or now is None or not before.ids <= now.ids


def _check(
    records: dict[str, FileRecord],
    previous: dict[str, FileRecord],
    output: StagedOutput,
    rendered: set[str],
) -> None:
    """Check the links of re-rendered pages; of every page when a file or an anchor went away."""
    pages = _Links(records)
    checked = rendered & pages.records.keys()
    lost_anchor = any(_lost_anchor(previous.get(rel), records[rel]) for rel in checked)
    everything = output.removed or lost_anchor or not previous
    only = None if everything else sorted(checked)
    broken = check_references(pages, output.produced, only)
    if broken:
        raise BuildError(f"{len(broken)} broken link(s)", [str(b) for b in broken])


def _start_copy(build_dir: Path, incremental: bool) -> BackgroundCopy | None:
    """With no spare next to ``build_dir`` (deleted, or never kept: a cached ``build/`` in
    CI), start linking one in another process (or, in a process running threads, link it
    now): the build syncs and plans meanwhile, then renders into it (or keeps it for the
    next build)."""
    spare = spare_dir(build_dir)
    if not incremental or os.path.lexists(spare) or not build_dir.is_dir():
        return None
    clear_stale_staging(build_dir)
    spare.mkdir()
    return BackgroundCopy(build_dir, spare, fork=can_fork())


def _bring_up_to_date(
    staging: Path,
    build_dir: Path,
    manifest: Manifest,
    from_spare: bool,
    copied: set[str] | None = None,
) -> set[str]:
    """Make ``staging`` (the spare, or an empty folder) a copy of ``build_dir`` in links.

    The cache's record of the spare is trusted only for the spare itself: a new folder may
    get the inode of one that was deleted. ``copied``: the files of a spare this build
    linked itself (``BackgroundCopy``).
    """
    if from_spare and copied is not None:
        return copied
    spare = manifest.spare
    if from_spare and spare is not None and spare.describes(staging):
        inodes = {rel: record.identity[0] for rel, record in manifest.records.items()}
        return relink_changed(build_dir, staging, inodes, spare.removed, spare.written)
    return refresh_tree(build_dir, staging)


def _render_and_swap(
    app: Flask,
    build_dir: Path,
    incremental: bool,
    progress: ProgressCallback | None,
    changes: Changes | None = None,
    copy: BackgroundCopy | None = None,
    checkpoint: bool = False,
) -> tuple[StagedOutput, Plan]:
    """Render into a staging copy of ``build_dir``, check it, then swap it into place
    (checkpointing the database's log meanwhile, with ``checkpoint``: see ``freeze_to``).

    When every page's inputs and file are unchanged, there is nothing to render, check or
    swap: ``build_dir`` stays as it is, not even a link is made (but for the spare that
    ``copy`` is making, which is kept for the next build).
    """
    cache = manifest_path(Path(app.instance_path), build_dir)
    incremental = incremental and build_dir.is_dir()
    memory = changes.memory if changes else None
    manifest = memory.manifest_for(build_dir, cache) if memory and incremental else None
    if manifest is None:  # not this process's last build: plan and relink it all
        if memory:
            memory.forget()
        manifest = load_manifest(cache, build_dir) if incremental else Manifest()
    previous = manifest.records
    remembered = changes if memory and memory.inputs else None
    saved = read_snapshot(cache) if previous and remembered is None else None
    plan = plan_build(app, build_dir, previous, remembered, saved)
    warnings = plan.warnings
    copied = copy.files() if copy is not None else None  # the spare is complete now
    if previous and not plan.jobs and plan.kept.keys() == previous.keys():
        clear_stale_staging(build_dir)
        output = StagedOutput(build_dir)  # nothing changed: no staging, no swap
        output.keep(plan.kept.keys())
        # The spare is build/ in links: say so, for the next build; a plan made in full is
        # saved for the next one to start from.
        new_plan = _snapshot_of(app, plan) if not plan.replanned else None
        if copied is not None or new_plan is not None:
            spare = Spare.of(spare_dir(build_dir), [], []) if copied is not None else manifest.spare
            manifest.spare = _save_unchanged(plan, cache, build_dir, previous, spare, new_plan)
        if memory and plan.inputs is not None:  # the same build, with this build's inputs
            _remember(memory, plan, build_dir, cache, manifest)
            warm_up(app)
        return output, plan
    staging, from_spare = make_staging_dir(build_dir, reuse_spare=incremental)
    # A first build links each page into the next build's spare as it writes it: on two
    # cores that costs its workers ~5 %, where linking the whole site later costs the next
    # build (an edit) one to three seconds.
    first = not build_dir.exists()
    mirror = new_staging_dir(build_dir) if first else None
    try:
        # The spare (or, the first time, an empty folder) becomes a copy of build/ in links;
        # a clean build starts from an empty folder.
        present = (
            _bring_up_to_date(staging, build_dir, manifest, from_spare, copied)
            if incremental
            else set()
        )
        output = StagedOutput(staging)
        records = freeze_to(app, output, plan, progress, mirror, previous, checkpoint)
        output.remove_stale(present)
        rendered = {rel for rel, record in records.items() if previous.get(rel) is not record}
        _check(records, previous, output, rendered)
        swap_into_place(staging, build_dir)
    except BaseException:
        if mirror is not None:
            shutil.rmtree(mirror, ignore_errors=True)
        try:  # an unfinished build is still a fine start for the next one (see refresh_tree)
            if manifest.spare is not None:  # but it is no longer the build before build/
                save_manifest(cache, build_dir, previous, None, KEEP)
            keep_as_spare(staging, build_dir)
        except OSError:
            shutil.rmtree(spare_dir(build_dir), ignore_errors=True)
            shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        spare = spare_dir(build_dir)
        state = None
        if mirror is not None:  # linked page by page as this build wrote them
            keep_as_spare(mirror, build_dir)
            state = Spare.of(spare, [], [])
        elif not first and incremental and spare.exists():
            # The build before this one: it differs in what this build wrote and removed.
            written = sorted(output.written_files)
            state = Spare.of(spare, output.removed_files, written)
        save_manifest(cache, build_dir, records, state, _snapshot_of(app, plan))
    except OSError as exc:
        warnings.append(f"could not save the build cache: {exc} (the next build does more work)")
    else:
        if memory and plan.inputs is not None:
            _remember(memory, plan, build_dir, cache, Manifest(records, state))
            if output.workers > 1:  # the pages were rendered elsewhere
                warm_up(app)
    return output, plan


def _remember(
    memory: BuildMemory,
    plan: Plan,
    build_dir: Path,
    cache: Path,
    manifest: Manifest,
) -> None:
    """Keep what ``plan`` was made of, for the next build of this process."""
    assert plan.inputs is not None
    memory.remember(
        build_dir, cache, manifest, plan.pages, plan.inputs, plan.answers, plan.warnings
    )


def _snapshot_of(app: Flask, plan: Plan) -> bytes | None:
    """The snapshot of a plan that read its rows first (see ``snapshot``); None for one made
    from a memory (``--watch``), which has no such snapshot to give."""
    if plan.inputs is None or plan.sources is None:
        return None
    return snapshot.dump(
        plan.pages, plan.inputs, app.config["BUILD_TIME"], plan.warnings, plan.sources
    )


def _save_unchanged(
    plan: Plan,
    cache: Path,
    build_dir: Path,
    previous: dict[str, FileRecord],
    spare: Spare | None,
    new_plan: bytes | None,
) -> Spare | None:
    """Save the records of a build that changed nothing (``spare``: its spare, which it may
    have linked; ``new_plan``: a snapshot of its plan, or None to keep the saved one)."""
    try:
        save_manifest(cache, build_dir, previous, spare, KEEP if new_plan is None else new_plan)
    except OSError as exc:
        plan.warnings.append(f"could not save the build cache: {exc} (the next build does more)")
        return None
    return spare


def _forget_changed_templates(app: Flask) -> None:
    """Drop compiled templates whose file changed; all of them when a template was added or
    removed (it may now shadow another). Unchanged ones are not compiled again."""
    env, cache = app.jinja_env, app.jinja_env.cache
    if cache is None:
        return
    names = tuple(env.list_templates())
    if app.extensions.get("microblog.template_names") != names:
        cache.clear()
        app.extensions["microblog.template_names"] = names
        return
    for key, template in list(cache.items()):
        if not template.is_up_to_date:
            del cache[key]


def _sync(app: Flask, changes: Changes | None) -> SyncReport:
    """Import what changed in the content folder (in an app context).

    ``--watch`` syncs the files its watcher saw change; a command-line build starts from the
    file hashes the last one saved, so that it reads only files whose stat changed.
    """
    content_dir: Path = app.config["CONTENT_DIR"]
    max_bytes = app.config["MAX_CONTENT_FILE_BYTES"]
    if changes:
        only = changes.sources = changed_sources(content_dir, changes.memory, changes.paths)
        try:
            return sync_content(content_dir, max_bytes, only=only)
        except BaseException:
            changes.memory.forget()  # the next sync looks at every file again
            raise
    cache = stat_cache_for(content_dir)
    cache_file = stat_cache_path(Path(app.instance_path), content_dir)
    if not len(cache):
        cache.load(cache_file, content_dir)
    report = sync_content(content_dir, max_bytes, stat_cache=cache)
    try:
        cache.save(cache_file, content_dir)
    except OSError as exc:
        report.warnings.append(f"could not save the sync cache: {exc} (the next build reads more)")
    return report


@contextmanager
def _copy_started(build_dir: Path, incremental: bool) -> Iterator[BackgroundCopy | None]:
    """``_start_copy`` for the length of a build, its process reaped whatever happens."""
    copy = _start_copy(build_dir, incremental)
    try:
        yield copy
    finally:
        if copy is not None:
            copy.close()


def build_site(
    app: Flask,
    *,
    migrate: bool = True,
    incremental: bool = True,
    progress: ProgressCallback | None = None,
    changes: Changes | None = None,
) -> BuildResult:
    """The whole pipeline; on any error ``BUILD_DIR`` is left exactly as it was.

    Incremental builds start from hard links to the previous build and rewrite only files
    whose bytes change, so the result is the same as a clean build, only faster to write.
    """
    started = time.perf_counter()
    build_dir: Path = app.config["BUILD_DIR"]
    app.config["BUILD_TIME"] = datetime.now(UTC).replace(tzinfo=None)
    _forget_changed_templates(app)  # render the theme as it is on disk now, in long-lived apps
    app.jinja_env.auto_reload = False  # and do not stat every template on every page
    with build_lock(build_dir), _copy_started(build_dir, incremental) as copy:
        with app.app_context():
            if migrate:
                upgrade_schema()
            report = _sync(app, changes)
        if report.rendered > IMPORT_BATCH:  # the page renderers are forked from this process
            release_freed_memory()
        if has_app_context():
            db.session.expire_all()  # a caller's own session must not render rows from before
        if changes:
            changes.sync = report
        try:
            output, plan = _render_and_swap(
                app, build_dir, incremental, progress, changes, copy, report.checkpoint_due
            )
        except BaseException:
            if changes:
                changes.memory.forget()
            raise
        if changes and changes.memory.build_dir is not None:
            changes.memory.build_time = app.config["BUILD_TIME"]
    return BuildResult(
        pages=output.pages,
        seconds=time.perf_counter() - started,
        out_dir=build_dir,
        sync=report,
        written=output.written,
        unchanged=output.unchanged,
        removed=output.removed,
        rendered=output.rendered,
        workers=output.workers,
        warnings=plan.warnings,
        replanned=plan.replanned,
    )
