"""A watch's rebuilder over the fixture site, in process (what ``freeze.py --watch`` runs
between its file events)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from app.build.pipeline import build_site
from app.build.sources import Changes
from app.build.watch import Rebuilder
from tests.test_recorded_deps import _fixture_site


@contextmanager
def fixture_watch(base: Path) -> Iterator[tuple[Rebuilder, Flask, Path]]:
    """A rebuilder of the fixture site copied into ``base``, its app and content folder;
    what its builds froze is unfrozen after."""
    app, content_dir, _ = _fixture_site(base)

    def build(app: Flask, migrate: bool, changes: Changes, clean: bool) -> bool:
        build_site(app, migrate=migrate, incremental=not clean, changes=changes)
        return True

    try:
        yield Rebuilder(lambda: app, build, [], lambda: None), app, content_dir
    finally:
        gc.unfreeze()
