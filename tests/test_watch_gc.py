"""``gc-between-builds``: a watch collects garbage after each build and freezes the rest,
and what a build left in a cycle is still collected after the next one."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from tests.watch_helpers import fixture_watch


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_a_watch_collects_between_builds_and_leaks_no_cycle(tmp_path: Path):
    with fixture_watch(tmp_path) as (rebuilder, app, _):
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
