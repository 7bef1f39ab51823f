"""``files-checked-early``: a watch checks that the last build's files are still in place
when a burst of changes begins (``Rebuilder.burst_began``), and the build that follows plans
with that check. A page changed in ``build/`` before it is made again; a check made before
another build swapped ``build/`` is not used."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.build.output import spare_dir
from tests.test_recorded_deps import _assert_like_a_clean_build
from tests.watch_helpers import fixture_watch

PAGE = Path("posts", "hello-world", "index.html")
HAND_MADE = b"<!-- changed by hand -->"


def _edit_a_post(content_dir: Path) -> str:
    post = content_dir / "posts" / "on-static-sites.md"
    post.write_text(post.read_text() + "\nA line saved while watched.\n")
    return str(post)


@pytest.mark.parametrize("off", ["", "files-checked-early"])
def test_a_page_changed_in_build_before_a_save_is_made_again(tmp_path: Path, off: str):
    with fixture_watch(tmp_path) as (rebuilder, app, content_dir):
        app.config["SPEED_TRICKS_OFF"] = off
        assert rebuilder.first()
        page = app.config["BUILD_DIR"] / PAGE
        page.write_bytes(page.read_bytes() + HAND_MADE)  # in place: the same inode
        rebuilder.burst_began()  # the watcher saw the save below
        assert rebuilder.rebuild({_edit_a_post(content_dir)})
        assert HAND_MADE not in page.read_bytes()
        _assert_like_a_clean_build(app, tmp_path / "clean", "a page changed by hand", off)


def test_a_page_changed_after_the_check_is_made_again_by_the_next_build(tmp_path: Path):
    """The check stands for the moment the change came, as the plan's own ``lstat`` stands
    for its moment: a file changed later is found by the build after."""
    with fixture_watch(tmp_path) as (rebuilder, app, content_dir):
        assert rebuilder.first()
        page = app.config["BUILD_DIR"] / PAGE
        rebuilder.burst_began()
        page.write_bytes(page.read_bytes() + HAND_MADE)
        assert rebuilder.rebuild({_edit_a_post(content_dir)})
        assert HAND_MADE in page.read_bytes()  # the build planned with the early check
        rebuilder.burst_began()
        assert rebuilder.rebuild({_edit_a_post(content_dir)})
        assert HAND_MADE not in page.read_bytes()
        _assert_like_a_clean_build(app, tmp_path / "clean", "a page changed after the check")


def test_a_check_made_before_another_build_swapped_build_is_not_used(tmp_path: Path):
    """Another build (the admin's Publish) swapped its folder in after the check, keeping
    this one's as the spare, and stopped before saving its cache: the files the check
    found are not those in ``build/`` now."""
    with fixture_watch(tmp_path) as (rebuilder, app, content_dir):
        assert rebuilder.first()
        build = Path(app.config["BUILD_DIR"])
        rebuilder.burst_began()
        other = Path(shutil.copytree(build, tmp_path / "other", copy_function=os.link))
        (other / PAGE).unlink()
        (other / PAGE).write_bytes(HAND_MADE)  # another file where the page was
        spare = spare_dir(build)
        shutil.rmtree(spare, ignore_errors=True)
        build.rename(spare)
        other.rename(build)
        assert rebuilder.rebuild({_edit_a_post(content_dir)})
        assert HAND_MADE not in (build / PAGE).read_bytes()
        _assert_like_a_clean_build(app, tmp_path / "clean", "a folder swapped in")
