"""A command-line build replans a body edit from the plan the last build saved (``snapshot``),
and every build still equals a clean one."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.build import build_site
from app.build.manifest import manifest_path, snapshot_path
from app.build.pipeline import Changes
from app.build.warm import BuildMemory
from config import TestingConfig
from tests import test_incremental
from tests.test_build_cache import _append, _edit, _set_front, save_in_admin, saved_in_admin
from tests.test_incremental import NEW_POST, build, clean_build_of, tree

#: The public app of the incremental-build tests (built without an app context around it).
app = test_incremental.app


@pytest.fixture
def other(app: Flask) -> Flask:
    """Another public app on the same site, for clean builds."""
    return create_app(TestingConfig, dict(app.config), authoring=False)


def _plan_file(app: Flask) -> Path:
    return snapshot_path(manifest_path(Path(app.instance_path), app.config["BUILD_DIR"]))


def test_command_line_builds_replan_body_edits_and_plan_the_rest_in_full(
    app, other, content_dir, site_dir, tmp_path
):
    first = build(app)
    assert (first.rendered, first.replanned) == (first.pages, False)
    assert _plan_file(app).is_file()
    posts = content_dir / "posts"
    steps = [
        ("nothing", True, lambda: None),
        ("body", True, lambda: _append(posts / "hello-world.md", "\nMore words.\n")),
        ("title", False, lambda: _set_front(posts / "hello-world.md", "title", "Hello again")),
        ("body", True, lambda: _append(posts / "hello-world.md", "\nAnd [home](/).\n")),
        ("add", False, lambda: (posts / "cli-new.md").write_text(NEW_POST)),
        ("body", True, lambda: _append(posts / "cli-new.md", "\nEdited after.\n")),
        ("page", False, lambda: _append(content_dir / "pages" / "about.md", "\nAbout more.\n")),
        (
            "template",
            False,
            lambda: _edit(site_dir / "templates" / "post.html", "</nav>", "</nav>\n"),
        ),
        ("static added", False, lambda: (site_dir / "static" / "extra.txt").write_text("x")),
        ("static edited", True, lambda: (site_dir / "static" / "extra.txt").write_text("xy")),
        ("static removed", False, lambda: (site_dir / "static" / "extra.txt").unlink()),
        ("medium added", False, lambda: (content_dir / "media" / "new.txt").write_bytes(b"m")),
        ("delete", False, lambda: (posts / "cli-new.md").unlink()),
        ("body", True, lambda: _append(posts / "hello-world.md", "\nThe end.\n")),
    ]
    for name, replanned, step in steps:
        step()
        result = build(app)
        assert result.replanned == replanned, name
        if name == "body":  # the post, the feeds showing it, search.json
            assert 0 < result.rendered < 12, name
        if name == "static edited":
            assert result.rendered == 1, name
        assert tree(app.config["BUILD_DIR"]) == clean_build_of(other, tmp_path / name), name


def test_a_post_the_authoring_app_saved_is_built_from_the_saved_plan(
    app, other, content_dir, tmp_path
):
    """The admin writes the row with the file, so the sync finds nothing to import: the
    rows, compared with those the plan was made from, tell the build what changed."""
    build(app)
    save_in_admin(app, "hello-world", saved_in_admin)
    result = build(app)
    assert (result.sync.updated, result.replanned) == ([], True)
    assert 0 < result.rendered < 12
    page = app.config["BUILD_DIR"] / "posts" / "hello-world" / "index.html"
    assert "Saved from the admin." in page.read_text()
    assert tree(app.config["BUILD_DIR"]) == clean_build_of(other, tmp_path / "clean")


def test_a_title_saved_by_the_authoring_app_plans_the_site_anew(app, other, content_dir, tmp_path):
    """A plan that does not hold is dropped whole: the lists show the new title."""
    build(app)
    save_in_admin(app, "hello-world", lambda doc: {"title": "Retitled in the admin"})
    result = build(app)
    assert not result.replanned
    assert (
        "Retitled in the admin" in (app.config["BUILD_DIR"] / "archive" / "index.html").read_text()
    )
    assert tree(app.config["BUILD_DIR"]) == clean_build_of(other, tmp_path / "clean")


@pytest.mark.parametrize("damage", ["torn", "foreign", "gone", "old format"])
def test_a_damaged_or_stray_plan_is_not_used(app, other, content_dir, tmp_path, damage):
    build(app)
    plan = _plan_file(app)
    if damage == "torn":
        data = plan.read_bytes()
        plan.write_bytes(data[: len(data) // 2])
    elif damage == "foreign":  # another build's plan, not the one the records name
        plan.write_bytes(b"0123456789abcdef\n" + plan.read_bytes().partition(b"\n")[2])
    elif damage == "gone":
        plan.unlink()
    else:  # written by an earlier version
        token = plan.read_bytes().partition(b"\n")[0]
        plan.write_bytes(token + b"\n" + json.dumps({"format": 0}).encode())
    _append(content_dir / "posts" / "hello-world.md", "\nAfter the damage.\n")
    result = build(app)
    assert not result.replanned
    assert (
        "After the damage."
        in (app.config["BUILD_DIR"] / "posts" / "hello-world" / "index.html").read_text()
    )
    assert tree(app.config["BUILD_DIR"]) == clean_build_of(other, tmp_path / "clean")
    again = build(app)  # the full plan was saved: the next build starts from it
    assert (again.replanned, again.rendered) == (True, 0)


def test_a_watch_build_forgets_the_saved_plan(app, content_dir):
    """--watch keeps its plan in memory and saves none: the one on disk would be outdated."""
    build(app)
    memory = BuildMemory()
    first = build_site(app, changes=Changes(memory, set()))
    assert first.replanned  # the watch's first build starts from the saved plan too
    post = content_dir / "posts" / "hello-world.md"
    _append(post, "\nWatched.\n")
    assert build_site(app, changes=Changes(memory, {str(post)})).replanned
    assert not build(app).replanned  # the plan on disk was forgotten, not trusted
    assert build(app).replanned


def test_a_scheduled_post_that_came_due_plans_the_site_anew(app, other, content_dir, tmp_path):
    due = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(seconds=2)
    (content_dir / "posts" / "soon.md").write_text(
        f"---\ntitle: Soon\ndate: {due.isoformat(sep=' ')}\ntags: [soon]\n---\n\nIt is time.\n"
    )
    build(app)
    assert not (app.config["BUILD_DIR"] / "posts" / "soon").exists()
    time.sleep(max(0.0, (due - datetime.now(UTC).replace(tzinfo=None)).total_seconds()) + 0.2)
    result = build(app)
    assert not result.replanned
    assert (app.config["BUILD_DIR"] / "posts" / "soon" / "index.html").is_file()
    assert tree(app.config["BUILD_DIR"]) == clean_build_of(other, tmp_path / "clean")


def test_freeze_replans_a_body_edit_from_the_command_line(freeze, content_dir):
    first = freeze("--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["replanned"] is False
    _append(content_dir / "posts" / "hello-world.md", "\nFrom the command line.\n")
    again = freeze("--json")
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["replanned"] is True
    assert 0 < summary["rendered"] < 12
