"""What changed since the last build: the content sync, and the theme's compiled templates."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from app import tricks
from app.build.memory import BuildMemory, changed_sources
from app.content import ContentErrors, SyncReport, highlightmemo, sync_content
from app.content.confine import media_files
from app.content.render import renderer_id
from app.content.scan import stat_cache_for, stat_cache_path


@dataclass
class Changes:
    """What changed since the last build, for a process that remembers it (``--watch``)."""

    memory: BuildMemory
    #: Paths the watcher saw change.
    paths: set[str]


def forget_changed_templates(app: Flask) -> None:
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


def sync_sources(
    app: Flask, changes: Changes | None, named: Collection[str] | None = None
) -> SyncReport:
    """Import what changed in the content folder (in an app context); content errors for
    its documents and its media files (links out of it, names that break URLs) together.

    ``--watch`` syncs the files its watcher saw change; a command-line build those its
    stamps ``named`` (``app.build.stamps``), else it starts from the file hashes the last one
    saved, so that it reads only files whose stat changed.
    """
    _, media_errors = media_files(app.config["CONTENT_DIR"])
    try:
        report = _sync_documents(app, changes, named)
    except ContentErrors as exc:
        raise ContentErrors([*exc.errors, *media_errors]) from exc
    if media_errors:
        raise ContentErrors(media_errors)
    return report


def _sync_documents(
    app: Flask, changes: Changes | None, named: Collection[str] | None
) -> SyncReport:
    memo = None
    if tricks.enabled("highlight-memo", app.config):
        memo = highlightmemo.HighlightMemo(
            highlightmemo.memo_path(Path(app.instance_path)), renderer_id()
        )
    with highlightmemo.active(memo):
        return _sync_with(app, changes, named)


def _sync_with(app: Flask, changes: Changes | None, named: Collection[str] | None) -> SyncReport:
    content_dir: Path = app.config["CONTENT_DIR"]
    max_bytes = app.config["MAX_CONTENT_FILE_BYTES"]
    if changes:
        only = changed_sources(content_dir, changes.memory, changes.paths)
        try:
            return sync_content(content_dir, max_bytes, only=only)
        except BaseException:
            changes.memory.forget()  # the next sync looks at every file again
            raise
    if named is not None:
        return sync_content(content_dir, max_bytes, only=named)
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
