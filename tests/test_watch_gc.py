"""``gc-between-builds``: a watch collects garbage between builds and freezes the rest, and
what a build left in a cycle is still collected the next time."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from tests.watch_helpers import fixture_watch


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_a_watch_collects_between_builds_and_leaks_no_cycle(tmp_path: Path):
    """The watch loop calls ``collect_garbage`` once the tree is quiet after a build (see
    ``test_watch``): called here as it would."""
    with fixture_watch(tmp_path) as (rebuilder, app, _):
        assert rebuilder.first()
        rebuilder.collect_garbage()
        assert gc.get_freeze_count() > 0  # the memory of the build is set aside
        cycle = _Cycle()
        gone = weakref.ref(cycle)
        del cycle
        gc.freeze()  # frozen with the rest, as garbage a build left would be
        assert gone() is not None
        assert rebuilder.rebuild(set())
        assert gone() is not None  # a build alone collects nothing: a save may follow
        rebuilder.collect_garbage()
        assert gone() is None  # unfrozen and collected once the watch is idle

        app.config["SPEED_TRICKS_OFF"] = "gc-between-builds"
        gc.unfreeze()
        assert rebuilder.rebuild(set())
        rebuilder.collect_garbage()
        assert gc.get_freeze_count() == 0
