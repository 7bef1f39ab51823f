"""``gc-between-builds``: a watch collects garbage after each build and freezes the rest,
and what a build left in a cycle is still collected after the next one."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from flask import Flask

from app.build.pipeline import build_site
from app.build.sources import Changes
from app.build.watch import Rebuilder
from tests.test_recorded_deps import _fixture_site


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_a_watch_collects_between_builds_and_leaks_no_cycle(tmp_path: Path):
    app, _, _ = _fixture_site(tmp_path)

    def build(app: Flask, migrate: bool, changes: Changes, clean: bool) -> bool:
        build_site(app, migrate=migrate, incremental=not clean, changes=changes)
        return True

    rebuilder = Rebuilder(lambda: app, build, [], lambda: None)
    try:
        assert rebuilder.first()
        assert gc.get_freeze_count() > 0  # the memory of the build is set aside
        cycle = _Cycle()
        gone = weakref.ref(cycle)
        del cycle
        gc.freeze()  # frozen with the rest, as garbage a build left would be
        assert gone() is not None
        assert rebuilder.rebuild(set())
        assert gone() is None  # unfrozen and collected after the next build

        app.config["SPEED_TRICKS_OFF"] = "gc-between-builds"
        gc.unfreeze()
        assert rebuilder.rebuild(set())
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
