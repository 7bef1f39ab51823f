"""``freeze.py``'s engine: migrate, sync content, freeze, check links, swap into ``build/``."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, has_app_context, request, request_started
from flask_migrate import upgrade
from jinja2 import TemplateError

from app.build import generators
from app.build.errors import BuildError
from app.build.freezer import StagingFreezer
from app.build.incremental import StagedOutput, link_tree
from app.build.links import check_links
from app.build.output import build_lock, make_staging_dir, swap_into_place
from app.content import SyncReport, sync_content
from app.extensions import db

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
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"Built {self.pages} pages ({self.written} written, {self.unchanged} unchanged, "
            f"{self.removed} removed) in {self.seconds:.2f}s"
        )

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable summary ``freeze.py --json`` prints."""
        return {
            "ok": True,
            "pages": self.pages,
            "written": self.written,
            "unchanged": self.unchanged,
            "removed": self.removed,
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


def _describe(exc: Exception) -> str:
    """A one-line cause, naming the template and line for template errors."""
    if isinstance(exc, TemplateError):
        where = getattr(exc, "filename", None) or getattr(exc, "name", None) or "a template"
        line = getattr(exc, "lineno", None)
        return f"{where}{f':{line}' if line else ''}: {exc.message or type(exc).__name__}"
    return f"{type(exc).__name__}: {exc}"


def freeze_to(
    app: Flask, output: StagedOutput, progress: ProgressCallback | None = None
) -> list[str]:
    """Render every public URL into ``output``; returns warnings worth showing the author."""
    app.config.update(
        FREEZER_DESTINATION=str(output.root),
        FREEZER_BASE_URL=app.config["SITE_URL"],
        FREEZER_IGNORE_MIMETYPE_WARNINGS=True,
        FREEZER_REMOVE_EXTRA_FILES=False,  # StagedOutput.remove_stale counts what it removes
        PROPAGATE_EXCEPTIONS=True,
    )
    current = ["(start)"]

    def note_url(sender: Flask, **extra: object) -> None:
        current[0] = request.path

    freezer = StagingFreezer(app, output, generators.ALL)
    with request_started.connected_to(note_url, app):
        try:
            total = len(set(freezer.all_urls())) if progress else 0
            for done, page in enumerate(freezer.freeze_yield(), start=1):
                if progress:
                    progress(done, max(total, done), page.url)
        except Exception as exc:
            raise BuildError(f"could not build {current[0]}: {_describe(exc)}") from exc
    return [
        f"nothing was built for endpoint {name}: add a URL generator"
        for name in sorted(freezer.missing_endpoints)
    ]


def _render_and_swap(
    app: Flask, build_dir: Path, incremental: bool, progress: ProgressCallback | None
) -> tuple[StagedOutput, list[str]]:
    """Render into a staging copy of ``build_dir``, check it, then swap it into place."""
    staging = make_staging_dir(build_dir)
    try:
        if incremental and build_dir.is_dir():
            link_tree(build_dir, staging)
        output = StagedOutput(staging)
        warnings = freeze_to(app, output, progress)
        output.remove_stale()
        broken = check_links(staging, app.config["SITE_URL"])
        if broken:
            raise BuildError(f"{len(broken)} broken link(s)", [str(b) for b in broken])
        swap_into_place(staging, build_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return output, warnings


def build_site(
    app: Flask,
    *,
    migrate: bool = True,
    incremental: bool = True,
    progress: ProgressCallback | None = None,
) -> BuildResult:
    """The whole pipeline; on any error ``BUILD_DIR`` is left exactly as it was.

    Incremental builds start from hard links to the previous build and rewrite only files
    whose bytes change, so the result is the same as a clean build, only faster to write.
    """
    started = time.perf_counter()
    build_dir: Path = app.config["BUILD_DIR"]
    app.config["BUILD_TIME"] = datetime.now(UTC).replace(tzinfo=None)
    if app.jinja_env.cache is not None:
        app.jinja_env.cache.clear()  # render the theme as it is on disk now, in long-lived apps
    with build_lock(build_dir):
        with app.app_context():
            if migrate:
                upgrade()
            report = sync_content(app.config["CONTENT_DIR"], app.config["MAX_CONTENT_FILE_BYTES"])
        if has_app_context():
            db.session.expire_all()  # a caller's own session must not render rows from before
        output, warnings = _render_and_swap(app, build_dir, incremental, progress)
    return BuildResult(
        pages=output.pages,
        seconds=time.perf_counter() - started,
        out_dir=build_dir,
        sync=report,
        written=output.written,
        unchanged=output.unchanged,
        removed=output.removed,
        warnings=warnings,
    )
