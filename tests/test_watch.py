"""``freeze.py --watch``: which changes count, and the loop end to end in a subprocess."""

from __future__ import annotations

import os
import queue
import threading
import time
from pathlib import Path

import pytest

from app.build.watch import ChangeFilter, Watcher
from tests.polling import FreezeProcess, wait_for


@pytest.fixture
def change_filter(tmp_path: Path) -> ChangeFilter:
    return ChangeFilter(
        folders=[tmp_path / "content", tmp_path / "site"],
        files=[tmp_path / "config.py", tmp_path / ".env"],
        ignored=[tmp_path / "content" / "build"],
    )


@pytest.mark.parametrize(
    "rel",
    [
        "content/posts/a.md",
        "site/templates/post.html",
        "site/static/css/site.css",
        "site/i18n/fr.toml",
        ".env",
    ],
)
def test_content_theme_and_settings_changes_count(change_filter, tmp_path, rel):
    assert change_filter.relevant(str(tmp_path / rel))


@pytest.mark.parametrize(
    "rel",
    [
        "content/posts/.#a.md",
        "content/posts/a.md~",
        "content/posts/.a.md.swp",
        "content/posts/4913",
        "content/posts/#a.md#",
        "content/posts/a.md.tmp",
        "content/.git/index",
        "content/build/index.html",
        "other/a.md",
        "settings.py",
    ],
)
def test_editor_droppings_and_outside_paths_are_ignored(change_filter, tmp_path, rel):
    assert not change_filter.relevant(str(tmp_path / rel))


def test_the_tidy_up_after_a_build_waits_for_a_quiet_tree(tmp_path):
    """A save right after a build is built at once; the clean-up after builds (``on_idle``:
    a watch's garbage collection) comes once nothing changed for ``idle`` seconds, and each
    burst is announced (``on_burst``) before it is built."""
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    watcher = Watcher([tmp_path / "content"], [], [], idle=3.0)  # a save comes well within it
    calls: list[str] = []
    built: queue.Queue[set[str]] = queue.Queue()

    def on_change(changed: set[str]) -> None:
        calls.append("build")
        built.put(changed)

    watcher.start()
    loop = threading.Thread(
        target=watcher.run,
        args=(on_change, lambda: calls.append("tidy"), lambda: calls.append("burst")),
    )
    loop.start()
    try:
        wait_for(lambda: calls == ["tidy"], what="the first tidy-up")  # quiet from the start
        (posts / "a.md").write_text("one")
        assert {Path(p).name for p in built.get(timeout=30)} == {"a.md"}
        (posts / "b.md").write_text("two")  # right after the build: no tidy-up before it
        assert {Path(p).name for p in built.get(timeout=30)} == {"b.md"}
        wait_for(lambda: calls[-1] == "tidy", what="the tidy-up after the builds")
        assert calls == ["tidy", "burst", "build", "burst", "build", "tidy"]
    finally:
        watcher.stop()
        loop.join(timeout=30)
    assert not loop.is_alive()


@pytest.mark.slow
def test_watch_rebuilds_on_changes_survives_errors_and_stops_on_ctrl_c(freeze, tmp_path):
    process = FreezeProcess(freeze.env, tmp_path, "--watch")
    page = freeze.build_dir / "posts" / "hello-world" / "index.html"
    post = freeze.content_dir / "posts" / "hello-world.md"
    try:
        wait_for(lambda: "Watching" in process.stdout, what="the first build")
        assert "Welcome to" in page.read_text()

        # An editor saving by writing a temp file and renaming it over the post.
        temp = post.with_name(".hello-world.md.tmp")
        temp.write_text(post.read_text().replace("Welcome to", "A warm welcome to"))
        os.replace(temp, post)
        wait_for(lambda: "A warm welcome to" in page.read_text(), what="the rebuilt page")

        broken = freeze.content_dir / "posts" / "broken.md"
        broken.write_text("---\ntitle: Broken\ndate: 2026-01-01\ntags: [oops\n---\nBody\n")
        wait_for(lambda: "left unchanged" in process.stderr, what="the failed rebuild")
        assert "A warm welcome to" in page.read_text()

        broken.write_text("---\ntitle: Fixed\ndate: 2026-01-01\n---\nBody\n")
        fixed = freeze.build_dir / "posts" / "broken" / "index.html"
        wait_for(fixed.is_file, what="the build after the fix")
        assert process.proc.poll() is None

        assert process.interrupt() == 0
    finally:
        process.kill()
    assert "Traceback" not in process.stderr
    assert "Stopped." in process.stdout
    assert "Built" in process.stdout


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.03, 0.08, 0.15])
def test_ctrl_c_during_a_rebuild_stops_the_watch_and_keeps_a_whole_build(freeze, tmp_path, delay):
    """Wherever the rebuild is (sync, render, swap, saving its cache) when Ctrl+C comes."""
    process = FreezeProcess(freeze.env, tmp_path, "--watch")
    page = freeze.build_dir / "posts" / "hello-world" / "index.html"
    post = freeze.content_dir / "posts" / "hello-world.md"
    try:
        wait_for(lambda: "Watching" in process.stdout, what="the first build")
        post.write_text(post.read_text().replace("Welcome to", "Hello again to"))
        wait_for(lambda: "rebuilding" in process.stdout, what="the rebuild to start")
        time.sleep(delay)  # the moment of the Ctrl+C, not a wait for something
        assert process.interrupt() == 0
    finally:
        process.kill()
    assert "Traceback" not in process.stderr
    assert "could not save" not in process.stderr
    assert "Stopped." in process.stdout
    text = page.read_text()
    assert ("Welcome to" in text) != ("Hello again to" in text)  # the old build or the new
