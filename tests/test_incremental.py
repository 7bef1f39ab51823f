"""Incremental builds: only changed files are rewritten, and the result equals a clean build."""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.build import BuildError, BuildResult, build_site
from app.build.incremental import refresh_tree, write_chunks_if_changed, write_if_changed
from app.build.output import StagedOutput, build_lock
from app.public import search
from config import TestingConfig

NEW_POST = """---
title: Brand new
date: 2026-10-01
tags: [fresh]
summary: A post added between two builds.
---

Fresh words, linking [home](/).
"""


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*") if p.is_file()}


def build(app: Flask, *, incremental: bool = True) -> BuildResult:
    return build_site(app, incremental=incremental)


def clean_build_of(app: Flask, tmp_path: Path) -> dict[str, str]:
    """A from-scratch build of the same content into another folder."""
    build_dir = app.config["BUILD_DIR"]
    app.config["BUILD_DIR"] = tmp_path / "clean"
    try:
        result = build(app, incremental=False)
        assert result.written == result.pages
        assert result.unchanged == 0
        return tree(tmp_path / "clean")
    finally:
        app.config["BUILD_DIR"] = build_dir


@pytest.fixture
def app(tmp_path: Path, content_dir: Path, site_dir: Path) -> Flask:
    """A public app as ``freeze.py`` makes it: no app context pushed around the build."""
    return create_app(
        TestingConfig,
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'site.db'}",
            "CONTENT_DIR": content_dir,
            "SITE_DIR": site_dir,
            "BUILD_DIR": tmp_path / "build",
        },
        authoring=False,
    )


@pytest.fixture
def built(app: Flask) -> Path:
    """The sample site built once; returns BUILD_DIR."""
    result = build(app)
    assert result.pages == result.written > 10
    return app.config["BUILD_DIR"]


def test_rebuild_without_changes_writes_nothing(app, built):
    before = inodes(built)
    result = build(app)
    assert (result.written, result.removed, result.unchanged) == (0, 0, result.pages)
    assert inodes(built) == before
    assert "(0 written," in result.summary()


def test_editing_one_post_rewrites_only_what_depends_on_it(app, built, content_dir, tmp_path):
    before = inodes(built)
    page = built / "posts" / "hello-world" / "index.html"
    kept = tmp_path / "old-hello.html"
    os.link(page, kept)  # the inode build/ used before the rebuild
    old_bytes = kept.read_bytes()
    post = content_dir / "posts" / "hello-world.md"
    post.write_text(post.read_text().replace("Welcome to", "A warm welcome to"))

    result = build(app)

    assert "A warm welcome to" in page.read_text()
    assert kept.read_bytes() == old_bytes, "the previous build's file was modified in place"
    after = inodes(built)
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    assert "posts/hello-world/index.html" in changed
    assert "about/index.html" not in changed
    assert "static/css/site.css" not in changed
    assert len(changed) == result.written < result.pages / 2
    assert result.unchanged == result.pages - result.written
    assert tree(built) == clean_build_of(app, tmp_path)


def test_adding_a_post_matches_a_clean_build(app, built, content_dir, tmp_path):
    (content_dir / "posts" / "brand-new.md").write_text(NEW_POST)
    result = build(app)
    assert (built / "posts" / "brand-new" / "index.html").is_file()
    assert (built / "tags" / "fresh" / "index.html").is_file()
    assert 0 < result.written < result.pages
    assert tree(built) == clean_build_of(app, tmp_path)


def test_deleting_a_post_removes_its_pages(app, built, content_dir, tmp_path):
    assert (built / "tags" / "tools" / "index.html").is_file()
    (content_dir / "posts" / "shell-snippets.md").unlink()
    result = build(app)
    assert not (built / "posts" / "shell-snippets").exists()
    assert not (built / "tags" / "tools").exists()
    assert result.removed >= 2
    assert tree(built) == clean_build_of(app, tmp_path)


def test_template_change_rewrites_pages_but_not_assets(app, built, site_dir, tmp_path):
    before = inodes(built)
    footer = site_dir / "templates" / "partials" / "footer.html"
    footer.write_text(footer.read_text() + "\n<!-- a new footer line -->\n")
    result = build(app)
    after = inodes(built)
    assert after["static/css/site.css"] == before["static/css/site.css"]
    assert after["index.html"] != before["index.html"]
    assert result.unchanged > 0
    assert result.written > 5
    assert tree(built) == clean_build_of(app, tmp_path)


def test_failed_incremental_build_leaves_the_previous_build_intact(app, built, content_dir):
    before, before_inodes = tree(built), inodes(built)
    post = content_dir / "posts" / "hello-world.md"
    post.write_text(post.read_text() + "\n[gone](/posts/nowhere/)\n")
    with pytest.raises(BuildError, match="broken link"):
        build(app)
    assert tree(built) == before
    assert inodes(built) == before_inodes
    assert not list(built.parent.glob(".build-staging-*"))


def test_staged_output_replaces_files_and_folders_that_changed_kind(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    (old / "a").mkdir(parents=True)
    (old / "a" / "index.html").write_text("folder then file")
    (old / "b").write_text("file then folder")
    (old / "same.txt").write_text("same")
    new.mkdir()
    present = refresh_tree(old, new)
    assert len(present) == 3
    output = StagedOutput(new)
    output.write("a", b"now a file")
    output.write("b/index.html", b"now in a folder")
    output.write("same.txt", b"same")
    output.remove_stale(present)
    assert (output.written, output.unchanged, output.removed) == (2, 1, 0)
    assert tree(new) == {
        "a": hashlib.sha256(b"now a file").hexdigest(),
        "b/index.html": hashlib.sha256(b"now in a folder").hexdigest(),
        "same.txt": hashlib.sha256(b"same").hexdigest(),
    }
    assert (old / "a" / "index.html").read_text() == "folder then file"
    assert (old / "b").read_text() == "file then folder"


def test_pages_are_never_written_through_a_link_or_file_standing_for_a_folder(tmp_path):
    outside, staging = tmp_path / "outside", tmp_path / "staging"
    outside.mkdir()
    (staging / "posts").mkdir(parents=True)
    output = StagedOutput(staging)
    output.write("posts/first/index.html", b"1")  # the folders of staging are known now
    (staging / "posts" / "linked").symlink_to(outside, target_is_directory=True)
    (staging / "tags").symlink_to(outside, target_is_directory=True)
    (staging / "posts" / "filed").write_text("a file of the last build")
    output.write("posts/linked/index.html", b"2")
    output.write("tags/x/page/2/index.html", b"3")
    output.write("posts/filed/index.html", b"4")
    output.write("posts/filed/more/index.html", b"5")
    assert list(outside.iterdir()) == []
    for rel in ("posts/linked", "tags", "tags/x/page/2", "posts/filed/more"):
        assert (staging / rel).is_dir()
        assert not (staging / rel).is_symlink()
    assert (staging / "posts/filed/index.html").read_bytes() == b"4"


def test_staged_output_counts_kept_files_and_refuses_a_file_made_twice(tmp_path):
    output = StagedOutput(tmp_path)
    output.write("a.html", b"rendered")
    output.keep(["b.html", "c.html"])
    assert (output.pages, output.kept, output.rendered, output.written) == (3, 2, 1, 1)
    assert output.unchanged == 2
    with pytest.raises(ValueError, match=r"a\.html was produced twice"):
        output.keep(["d.html", "a.html"])
    with pytest.raises(ValueError, match=r"b\.html was produced twice"):
        output.write("b.html", b"again")
    assert output.pages == 3  # a refused keep counts nothing


def test_builds_of_one_folder_take_turns(tmp_path):
    build_dir = tmp_path / "build"
    with build_lock(build_dir):
        fd = os.open(tmp_path, os.O_RDONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again
    finally:
        os.close(fd)


def test_refresh_tree_turns_an_older_build_into_links_to_the_new_one(tmp_path):
    new, old = tmp_path / "new", tmp_path / "old"
    for rel, text in {
        "same.html": "same",
        "changed.html": "new text",
        "a/index.html": "was a file",
        "b": "was a folder",
        "deep/x/index.html": "x",
    }.items():
        (new / rel).parent.mkdir(parents=True, exist_ok=True)
        (new / rel).write_text(text)
    old.mkdir()
    os.link(new / "same.html", old / "same.html")
    (old / "changed.html").write_text("old text")
    (old / "a").write_text("a file where a folder is now")
    (old / "b").mkdir()
    (old / "b" / "index.html").write_text("a folder where a file is now")
    (old / "gone").mkdir()
    (old / "gone" / "index.html").write_text("removed since")
    (old / "link.html").symlink_to(new / "same.html")

    present = refresh_tree(new, old)

    assert present == {"same.html", "changed.html", "a/index.html", "b", "deep/x/index.html"}
    assert inodes(old) == inodes(new)
    assert not (old / "gone").exists()
    assert not (old / "link.html").is_symlink()


@pytest.mark.parametrize("chunked", [False, True], ids=["whole", "chunked"])
def test_a_written_file_is_new_and_an_unchanged_one_is_left_alone(tmp_path, chunked):
    """Both writers leave a file with the same bytes as it is (same inode) and give a changed
    one a new inode, so the previous build's hard link keeps its bytes."""

    def write(rel: str, data: bytes) -> bool:
        if chunked:
            return write_chunks_if_changed(
                tmp_path, rel, (data[i : i + 3] for i in range(0, len(data), 3))
            )
        return write_if_changed(tmp_path, rel, data)

    assert write("a/b/search.json", b'{"items":[1,2]}')
    path = tmp_path / "a" / "b" / "search.json"
    linked = tmp_path / "previous.json"
    os.link(path, linked)
    assert not write("a/b/search.json", b'{"items":[1,2]}')
    assert path.stat().st_ino == linked.stat().st_ino
    assert write("a/b/search.json", b'{"items":[1,3]}')
    assert path.read_bytes() == b'{"items":[1,3]}'
    assert linked.read_bytes() == b'{"items":[1,2]}'
    assert path.stat().st_mode & 0o777 == 0o644
    (tmp_path / "c" / "d").mkdir(parents=True)  # a folder where the file goes now
    assert write("c", b"file")
    assert (tmp_path / "c").read_bytes() == b"file"
    assert sorted(p.name for p in (tmp_path / "a" / "b").iterdir()) == ["search.json"]


@pytest.mark.parametrize(
    "new",
    [
        b"0123456789" * 3 + b"!",
        b"0123456789" * 2 + b"x",
        b"0123456789",
        b"!" + b"0123456789" * 3,
        b"",
    ],
    ids=["longer", "last-chunk", "shorter", "first-byte", "empty"],
)
def test_chunks_are_compared_where_they_go_and_written_from_the_first_change(tmp_path, new):
    old = b"0123456789" * 3
    assert write_chunks_if_changed(tmp_path, "search.json", [old])
    before = (tmp_path / "search.json").stat().st_ino
    chunks = (new[i : i + 4] for i in range(0, len(new), 4))
    assert write_chunks_if_changed(tmp_path, "search.json", chunks)
    assert (tmp_path / "search.json").read_bytes() == new
    assert (tmp_path / "search.json").stat().st_ino != before
    assert not write_chunks_if_changed(tmp_path, "search.json", [new[:5], new[5:]])
    assert [p.name for p in tmp_path.iterdir()] == ["search.json"]


def test_an_empty_file_replaces_a_folder_standing_in_its_place(tmp_path):
    (tmp_path / "search.json" / "x").mkdir(parents=True)
    assert write_chunks_if_changed(tmp_path, "search.json", [])
    assert (tmp_path / "search.json").read_bytes() == b""


def test_a_failing_chunk_leaves_the_old_file_and_no_part(tmp_path):
    assert write_chunks_if_changed(tmp_path, "search.json", [b"old"])

    def failing():
        yield b"new"
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        write_chunks_if_changed(tmp_path, "search.json", failing())
    assert [p.name for p in tmp_path.iterdir()] == ["search.json"]
    assert (tmp_path / "search.json").read_bytes() == b"old"


def test_a_stored_page_reports_the_status_the_build_cache_records(tmp_path):
    from app.build.incremental import store_if_changed
    from app.build.manifest import identity

    def stored(rel: str, data: bytes) -> tuple[bool, tuple[int, int, int]]:
        written, stat = store_if_changed(tmp_path, rel, data)
        return written, (stat.st_ino, stat.st_size, stat.st_mtime_ns)

    (tmp_path / "posts").mkdir()
    for rel in ("posts/new/index.html", "top.html", "posts/new/deeper/page/2/index.html"):
        written, status = stored(rel, b"first")  # a new folder, a known one, several levels
        assert written
        assert status == identity(tmp_path / rel)
        assert stored(rel, b"first") == (False, status)  # the same bytes: kept as it is
        written, changed = stored(rel, b"second")
        assert written
        assert changed == identity(tmp_path / rel) != status


@pytest.mark.parametrize(
    ("change", "off"),
    [("body", ""), ("new post", ""), ("slug", ""), ("body", "search-copy")],
)
def test_search_index_makes_only_the_documents_of_changed_posts(
    app, built, content_dir, tmp_path, monkeypatch, change, off
):
    """``search.json`` copies every other post's document from the last build's file (the
    trick ``search-copy``); the documents it makes are read from the database."""
    asked: list[str] = []
    texts = search.queries.search_texts

    def counted(posts):  # what is asked of the read model, which still answers
        asked.extend(search._slugs_and_ids(posts)[0])
        return texts(posts)

    monkeypatch.setattr(search.queries, "search_texts", counted)
    if off:
        app.config["SPEED_TRICKS_OFF"] = off
    post = content_dir / "posts" / "hello-world.md"
    if change == "body":
        post.write_text(post.read_text().replace("Welcome to", "A warm welcome to"))
    elif change == "new post":
        (content_dir / "posts" / "brand-new.md").write_text(NEW_POST)
    else:
        post.rename(post.with_name("hello-again.md"))
    build(app)
    index = (built / "search.json").read_text()
    if off:
        assert len(asked) == index.count('"url":"/posts/') + index.count('"url":"/notes/')
    else:
        assert asked == {"body": ["hello-world"], "new post": ["brand-new"]}.get(
            change, ["hello-again"]
        )
    assert tree(built) == clean_build_of(app, tmp_path)
