"""``freeze.py``'s engine: migrate, sync content, freeze, check links, swap into ``build/``."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, request, request_started
from flask_frozen import Freezer
from flask_migrate import upgrade
from jinja2 import TemplateError

from app.build import generators
from app.build.errors import BuildError
from app.build.links import check_links
from app.build.output import make_staging_dir, swap_into_place
from app.content import SyncReport, sync_content


@dataclass
class BuildResult:
    """What a build did."""

    pages: int
    seconds: float
    out_dir: Path
    sync: SyncReport = field(default_factory=SyncReport)

    def summary(self) -> str:
        return f"Built {self.pages} files into {self.out_dir} in {self.seconds:.2f}s"


def _freezer(app: Flask) -> Freezer:
    freezer = Freezer(app, with_no_argument_rules=True, log_url_for=True)
    for generator in generators.ALL:
        freezer.register_generator(generator)
    return freezer


def _describe(exc: Exception) -> str:
    """A one-line cause, naming the template and line for template errors."""
    if isinstance(exc, TemplateError):
        where = getattr(exc, "filename", None) or getattr(exc, "name", None) or "a template"
        line = getattr(exc, "lineno", None)
        return f"{where}{f':{line}' if line else ''}: {exc.message or type(exc).__name__}"
    return f"{type(exc).__name__}: {exc}"


def freeze_to(app: Flask, destination: Path) -> int:
    """Freeze the public site into ``destination``; returns how many files were written."""
    app.config.update(
        FREEZER_DESTINATION=str(destination),
        FREEZER_BASE_URL=app.config["SITE_URL"],
        FREEZER_REDIRECT_POLICY="error",
        FREEZER_IGNORE_MIMETYPE_WARNINGS=True,
        FREEZER_REMOVE_EXTRA_FILES=True,
        PROPAGATE_EXCEPTIONS=True,
    )
    current = ["(start)"]

    def note_url(sender: Flask, **extra: object) -> None:
        current[0] = request.path

    count = 0
    with request_started.connected_to(note_url, app):
        try:
            for _page in _freezer(app).freeze_yield():
                count += 1
        except Exception as exc:
            raise BuildError(f"could not build {current[0]}: {_describe(exc)}") from exc
    return count


def build_site(app: Flask, *, migrate: bool = True) -> BuildResult:
    """The whole pipeline; on any error ``BUILD_DIR`` is left exactly as it was."""
    started = time.perf_counter()
    build_dir: Path = app.config["BUILD_DIR"]
    app.config["BUILD_TIME"] = datetime.now(UTC).replace(tzinfo=None)
    with app.app_context():
        if migrate:
            upgrade()
        report = sync_content(app.config["CONTENT_DIR"], app.config["MAX_CONTENT_FILE_BYTES"])
    staging = make_staging_dir(build_dir)
    try:
        pages = freeze_to(app, staging)
        broken = check_links(staging, app.config["SITE_URL"])
        if broken:
            raise BuildError(f"{len(broken)} broken link(s)", [str(b) for b in broken])
        swap_into_place(staging, build_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildResult(pages, time.perf_counter() - started, build_dir, report)
