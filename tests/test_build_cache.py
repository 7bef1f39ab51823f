"""Builds render only the pages whose inputs changed, and still equal a clean build."""

from __future__ import annotations

import json
import random
import re
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.build import BuildError, build_site, manifest
from app.build.cachefile import cache_file
from app.build.deps import read_posts
from app.build.manifest import FileRecord, Manifest, Spare, manifest_path
from app.build.manifest import load as load_manifest
from app.build.manifest import save as save_manifest
from app.build.memory import BuildMemory, changed_sources
from app.build.sources import Changes
from app.content import ContentErrors
from app.content.document import Document, parse_document
from app.content.scan import StatCache, stat_cache_path
from app.content.service import save_post
from app.extensions import db
from app.models import Post
from config import TestingConfig
from tests import test_incremental
from tests.test_incremental import NEW_POST, build, clean_build_of, inodes, tree

#: The public app of the incremental-build tests (built without an app context around it).
app = test_incremental.app


@pytest.fixture
def built(app: Flask) -> Path:
    result = build(app)
    assert result.rendered == result.pages > 10
    return app.config["BUILD_DIR"]


def test_a_rebuild_without_changes_renders_nothing(app, built):
    result = build(app)
    assert (result.rendered, result.written) == (0, 0)
    assert "rendering 0" in result.summary()


def test_editing_one_post_renders_its_page_and_the_lists_showing_it(app, built, content_dir):
    post = content_dir / "posts" / "hello-world.md"
    post.write_text(post.read_text().replace("Welcome to", "A warm welcome to"))
    before = inodes(built)
    result = build(app)
    after = inodes(built)
    assert 0 < result.rendered < result.pages / 2
    assert after["posts/hello-world/index.html"] != before["posts/hello-world/index.html"]
    others = [rel for rel in before if rel.startswith("posts/") and "hello-world" not in rel]
    assert others
    assert all(after[rel] == before[rel] for rel in others)


def test_editing_the_end_of_a_body_keeps_the_pages_that_only_list_the_post(app, built, content_dir):
    """Lists show a post's title, date, tags, summary and reading time, not its last words."""
    post = content_dir / "posts" / "hello-world.md"
    post.write_text(post.read_text() + "\nOne more closing sentence.\n")
    before = inodes(built)
    result = build(app)
    after = inodes(built)
    assert after["posts/hello-world/index.html"] != before["posts/hello-world/index.html"]
    assert after["search.json"] != before["search.json"]  # the text is searchable
    listing_only = ["archive/index.html", "sitemap.xml", "index.html", "tags/index.html"]
    assert all(after[rel] == before[rel] for rel in listing_only)
    assert result.rendered <= 8  # the post, search.json, three feeds and its tag's three


@pytest.mark.parametrize("note", ["kept", "torn"])
def test_search_json_copies_the_documents_of_unchanged_posts(
    app, built, content_dir, tmp_path, note
):
    """After an edit only the edited post's text is read again; the other documents are
    copied from the last build's file. A note this code cannot read makes them all anew."""
    if note == "torn":
        cache = manifest_path(Path(app.instance_path), built)
        with closing(sqlite3.connect(cache)) as connection, connection:
            connection.execute(
                "UPDATE files SET note = ? WHERE rel = 'search.json'", ('[["hello-world", 0',)
            )
    texts: list[tuple[object, ...]] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:
        if "substr(post.body_text" in statement:
            texts.append(tuple(parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        _append(content_dir / "posts" / "hello-world.md", "\nSearch for this.\n")
        result = build(app)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    read = sum(len(parameters) - 2 for parameters in texts)  # substr's two, then the ids
    posts = len(list((built / "posts").glob("*/index.html")))
    posts += len(list((built / "notes").rglob("index.html")))  # notes are searched too
    assert read == (1 if note == "kept" else posts), texts
    assert 0 < result.rendered < 12
    assert "Search for this." in (built / "search.json").read_text()
    assert tree(built) == clean_build_of(app, tmp_path / "clean")


def _cache_rows(app: Flask, built: Path) -> dict[str, tuple[object, ...]]:
    cache = manifest_path(Path(app.instance_path), built)
    with closing(sqlite3.connect(cache)) as connection:
        rows = connection.execute("SELECT rel, rowid, key, ino, size, mtime, note FROM files")
        return {rel: tuple(rest) for rel, *rest in rows}


def test_the_build_cache_loads_no_references_and_saves_only_what_changed(app, built, content_dir):
    before = _cache_rows(app, built)
    assert set(before) == set(tree(built))
    manifest = load_manifest(manifest_path(Path(app.instance_path), built), built)
    page = manifest.records["posts/hello-world/index.html"]
    assert page.stored is not None  # its references stay in the file until asked for
    assert page.links is not None
    assert any(target == "index.html" for _raw, target, _fragment in page.links.refs)
    _append(content_dir / "posts" / "hello-world.md", "\nA line for the cache.\n")
    result = build(app)
    after = _cache_rows(app, built)
    assert set(after) == set(tree(built))
    changed = {rel for rel in after if after[rel] != before[rel]}
    assert "posts/hello-world/index.html" in changed
    assert len(changed) == result.rendered  # the rows of kept pages were not written again


def _post_digests(app: Flask, built: Path) -> dict[int, bytes]:
    cache = manifest_path(Path(app.instance_path), built)
    with closing(sqlite3.connect(cache)) as connection:
        return dict(connection.execute("SELECT id, digest FROM posts"))


@pytest.mark.parametrize("watch", [False, True])
def test_the_post_rows_saved_are_those_a_fresh_cache_holds(app, content_dir, watch):
    """A save writes the rows that differ from those the file holds, known from the load
    (or, in a watch, from its own last save): after an edit, a removal, a new post and the
    edit undone, the file holds what a cache made from nothing does."""
    memory = BuildMemory()

    def again(*changed: Path) -> None:
        if watch:
            build_site(app, changes=Changes(memory, {str(path) for path in changed}))
        else:
            build(app)

    again()
    built = app.config["BUILD_DIR"]
    posts = content_dir / "posts"
    first = _post_digests(app, built)
    edited, gone = posts / "hello-world.md", posts / "shell-snippets.md"
    original = edited.read_text()
    _append(edited, "\nA line for the rows.\n")
    again(edited)
    gone.unlink()
    again(gone)
    (posts / "new-one.md").write_text(NEW_POST)
    again(posts / "new-one.md")
    edited.write_text(original)  # its row as the first build saved it
    again(edited)
    kept = _post_digests(app, built)
    manifest_path(Path(app.instance_path), built).unlink()
    cache_file(manifest_path(Path(app.instance_path), built), fresh=True)
    build_site(app, incremental=False)
    assert kept == _post_digests(app, built)
    assert kept.keys() != first.keys()
    assert len(kept) == len(first)  # one post gone, one new


@pytest.mark.parametrize("damage", [b"not a database at all", b""])
def test_a_damaged_build_cache_makes_one_full_build_then_works_again(app, built, damage):
    cache = manifest_path(Path(app.instance_path), built)
    cache.write_bytes(damage)
    first = build(app)
    assert first.rendered == first.pages  # nothing trusted
    assert not first.warnings
    second = build(app)
    assert second.rendered == 0


def test_a_clean_build_leaves_no_record_of_files_it_did_not_make(app, built, content_dir):
    (content_dir / "posts" / "hello-world.md").unlink()
    build_site(app, incremental=False)
    assert set(_cache_rows(app, built)) == set(tree(built))
    assert build(app).rendered == 0


def test_a_hand_edited_build_file_is_rendered_again(app, built):
    page = built / "about" / "index.html"
    good = page.read_text()
    with page.open("a") as out:  # in place: same inode, new size
        out.write("<!-- edited by hand -->")
    result = build(app)
    assert result.rendered == 1
    assert page.read_text() == good


@pytest.mark.parametrize("post_too", [False, True], ids=["page", "page-and-post"])
def test_a_page_the_last_build_wrote_deleted_by_hand_builds_like_a_clean_build(
    app, built, content_dir, tmp_path, post_too
):
    """Its folder deleted from build/ by hand (and its post from content/, or not): the next
    build makes the page again or lets it go, and does not fail linking what is not there."""
    post = content_dir / "posts" / "shell-snippets.md"
    _append(post, "\nA line the next build writes.\n")
    assert build(app).written > 0  # the page is one the last build wrote
    build(app)  # and the spare the build before it: its record of what was written is used
    _append(post, "\nAnother line.\n")
    build(app)
    shutil.rmtree(built / "posts" / "shell-snippets")
    if post_too:
        post.unlink()
    build(app)
    assert tree(built) == clean_build_of(app, tmp_path)
    assert _folders(built) == _folders(tmp_path / "clean")  # no empty one left behind


def _folders(root: Path) -> set[Path]:
    return {path.relative_to(root) for path in root.rglob("*") if path.is_dir()}


def test_an_unchanged_page_linking_to_a_removed_post_fails_the_build(app, built, content_dir):
    about = content_dir / "pages" / "about.md"
    about.write_text(about.read_text() + "\nSee [snippets](/posts/shell-snippets/).\n")
    build(app)
    before = tree(built)
    (content_dir / "posts" / "shell-snippets.md").unlink()
    with pytest.raises(BuildError) as failed:
        build(app)
    assert any(
        "about/index.html: broken link /posts/shell-snippets/" in p for p in failed.value.problems
    )
    assert tree(built) == before


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _set_front(path: Path, key: str, value: str) -> None:
    text = path.read_text()
    text = re.sub(rf"^{key}:.*$", f"{key}: {value}", text, count=1, flags=re.MULTILINE)
    if f"\n{key}: {value}" not in text:
        text = text.replace("---\n", f"---\n{key}: {value}\n", 1)
    path.write_text(text)


def test_random_edits_always_build_the_same_site_as_a_clean_build(
    app, built, content_dir, site_dir, tmp_path, monkeypatch
):
    """Whatever changes, rendering only what changed gives the bytes of a full build."""
    monkeypatch.setattr(manifest, "READS_SLICE", 3)  # the index of pages written over, sliced
    rng = random.Random(7)
    posts = content_dir / "posts"

    def some_post() -> Path:
        return rng.choice(sorted(posts.glob("*.md")))

    steps = {
        "body": lambda: _append(some_post(), "\nAnother paragraph, with *emphasis*.\n"),
        "lead": lambda: _edit(some_post(), "\n---\n\n", "\n---\n\nA new first paragraph.\n\n"),
        "summary": lambda: _set_front(some_post(), "summary", f"Said anew {rng.randrange(100)}"),
        "long body": lambda: _append(some_post(), "\n" + "More words to read. " * 400 + "\n"),
        "title": lambda: _set_front(some_post(), "title", f"Retitled {rng.randrange(1000)}"),
        "date": lambda: _set_front(
            some_post(), "date", f"2019-0{rng.randrange(1, 9)}-1{rng.randrange(9)}"
        ),
        "tags": lambda: _set_front(some_post(), "tags", f"[moved, t{rng.randrange(3)}]"),
        "draft": lambda: _set_front(some_post(), "draft", "true"),
        "add": lambda: (posts / f"new-{rng.randrange(10**6)}.md").write_text(NEW_POST),
        "delete": lambda: some_post().unlink(),
        "page title": lambda: _set_front(
            content_dir / "pages" / "about.md", "title", f"About {rng.randrange(100)}"
        ),
        "template": lambda: _edit(
            site_dir / "templates" / "partials" / "footer.html", "</footer>", "<!-- x --></footer>"
        ),
        "static": lambda: (site_dir / "static" / f"extra-{rng.randrange(100)}.txt").write_text("x"),
    }
    for name in [*steps, *rng.sample(sorted(steps), k=5)]:
        steps[name]()
        build(app)
        _assert_cache_indexes_hold(app, name)
        assert tree(app.config["BUILD_DIR"]) == clean_build_of(app, tmp_path / name), name


def _assert_cache_indexes_hold(app: Flask, step: str) -> None:
    """The build cache's index from posts to the pages that read them is what the pages'
    records say, and it keeps the parts some record uses, no other."""
    path = manifest_path(Path(app.instance_path), app.config["BUILD_DIR"])
    with closing(sqlite3.connect(path)) as cache:
        said = {
            (post, rel)
            for rel, deps in cache.execute("SELECT rel, deps FROM files WHERE deps IS NOT NULL")
            for post in read_posts(deps)
        }
        assert set(cache.execute("SELECT post, rel FROM reads")) == said, step
        used = set(cache.execute("SELECT part FROM files WHERE part IS NOT NULL"))
        assert set(cache.execute("SELECT id FROM parts")) == used, step


def _snapshot(*folders: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for f in folders for p in f.rglob("*") if p.is_file()}


def test_watch_rebuilds_from_memory_build_the_same_site_as_a_clean_build(
    app, content_dir, site_dir, tmp_path
):
    """--watch plans a body edit from its last build; every other edit plans the whole site."""
    memory = BuildMemory()
    other = create_app(TestingConfig, dict(app.config), authoring=False)  # for clean builds
    first = build_site(app, changes=Changes(memory, set()))
    assert first.rendered == first.pages
    rng = random.Random(11)
    posts = content_dir / "posts"
    hidden = {"unfinished-thoughts.md", "letter-to-the-future.md"}  # a draft, a scheduled post

    def some_post() -> Path:
        return rng.choice(sorted(p for p in posts.glob("*.md") if p.name not in hidden))

    steps = [
        ("body", lambda: _append(some_post(), "\nMore words.\n")),
        ("body", lambda: _append(some_post(), "\nAnd more, [home](/).\n")),
        ("title", lambda: _set_front(some_post(), "title", f"Retitled {rng.randrange(99)}")),
        ("body", lambda: _append(some_post(), "\nA closing line.\n")),
        ("lead", lambda: _edit(some_post(), "\n---\n\n", "\n---\n\nFirst words.\n\n")),
        ("add", lambda: (posts / "watch-new.md").write_text(NEW_POST)),
        ("body", lambda: _append(posts / "watch-new.md", "\nEdited while watched.\n")),
        (
            "template",
            lambda: _edit(site_dir / "templates" / "post.html", "</nav>", "</nav>\n"),
        ),
        ("body", lambda: _append(some_post(), "\nAfter the theme changed.\n")),
        ("delete", lambda: (posts / "watch-new.md").unlink()),
        ("body", lambda: _append(some_post(), "\nThe end.\n")),
    ]
    for name, step in steps:
        before = _snapshot(content_dir, site_dir)
        step()
        after = _snapshot(content_dir, site_dir)
        paths = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        memory.check_files()  # as the watch does when the first change comes
        result = build_site(app, changes=Changes(memory, paths))
        if name == "body":  # the post, the feeds showing it, search.json
            assert 0 < result.rendered < 12, name
        assert tree(app.config["BUILD_DIR"]) == clean_build_of(other, tmp_path / name), name


def save_in_admin(app: Flask, slug: str, change: Callable[[Document], dict[str, Any]]) -> Path:
    """Save the post ``slug`` as the authoring app does (file and row together), with the
    fields ``change`` gives for its document; returns the post's file."""
    authoring = create_app(TestingConfig, dict(app.config))
    path = Path(app.config["CONTENT_DIR"]) / "posts" / f"{slug}.md"
    with authoring.app_context():
        post = db.session.scalar(db.select(Post).filter_by(source_path=f"posts/{slug}.md"))
        doc = parse_document(path.read_text(), path)
        save_post(replace(doc, **change(doc)), post)
        db.session.commit()
    return path


def saved_in_admin(doc: Document) -> dict[str, Any]:
    """A body edit (for ``save_in_admin``) that the built page shows."""
    return {"body": doc.body + "\nSaved from the admin.\n"}


def test_watch_builds_a_post_the_authoring_app_saved(app, content_dir, tmp_path):
    """The admin writes the row with the file: the watch's sync finds nothing to import, and
    its build must still show the saved post."""
    memory = BuildMemory()
    build_site(app, changes=Changes(memory, set()))
    path = save_in_admin(
        app, "hello-world", lambda doc: {"body": doc.body + "\nSaved from the admin.\n"}
    )
    result = build_site(app, changes=Changes(memory, {str(path)}))
    assert result.sync.updated == []
    page = app.config["BUILD_DIR"] / "posts" / "hello-world" / "index.html"
    assert "Saved from the admin." in page.read_text()
    other = create_app(TestingConfig, dict(app.config), authoring=False)
    assert tree(app.config["BUILD_DIR"]) == clean_build_of(other, tmp_path / "clean")


def test_parallel_rendering_builds_the_same_site(freeze, tmp_path):
    """Forked workers (forced here on a small site) write what one process writes."""
    parallel = freeze(
        "--json", "--clean", env={"BUILD_WORKERS": "2", "BUILD_PARALLEL_MIN_PAGES": "1"}
    )
    assert parallel.returncode == 0, parallel.stderr
    summary = json.loads(parallel.stdout)
    assert summary["workers"] == 2
    assert summary["rendered"] == summary["pages"]
    in_parallel = tree(freeze.build_dir)
    one = freeze("--json", "--clean", env={"BUILD_WORKERS": "1"})
    assert json.loads(one.stdout)["workers"] == 1
    assert tree(freeze.build_dir) == in_parallel


def test_a_page_failing_in_a_worker_names_the_page_and_keeps_the_build(freeze, site_dir):
    assert freeze().returncode == 0
    before = tree(freeze.build_dir)
    _edit(
        site_dir / "templates" / "post.html",
        "{% block entry_footer %}",
        "{% block entry_footer %}{{ post.no_such_thing() }}",
    )
    failed = freeze("--clean", env={"BUILD_WORKERS": "2", "BUILD_PARALLEL_MIN_PAGES": "1"})
    assert failed.returncode == 1
    assert re.search(r"could not build /posts/[\w-]+/: .*post\.html", failed.stderr), failed.stderr
    assert tree(freeze.build_dir) == before


def test_a_list_template_showing_bodies_gets_them_and_stays_right(
    app, site_dir, content_dir, tmp_path
):
    """List pages read a post's body when the theme asks for it, and depend on it then."""
    _edit(
        site_dir / "templates" / "partials" / "post_summary.html",
        "</article>",
        "{{ post.body_html }}</article>",
    )
    build(app)
    built = app.config["BUILD_DIR"]

    def lists() -> str:
        return "".join(p.read_text() for p in [built / "index.html", *built.glob("page/*/*")])

    assert "Welcome to" in lists()
    _append(content_dir / "posts" / "hello-world.md", "\nShown on the home page too.\n")
    build(app)
    assert "Shown on the home page too." in lists()
    assert tree(app.config["BUILD_DIR"]) == clean_build_of(app, tmp_path / "clean")


def test_a_first_build_leaves_a_spare_of_links_for_the_next_one(app, built):
    spare = built.parent / ".build-spare"
    assert inodes(spare) == inodes(built)  # the same files, not copies
    post = app.config["CONTENT_DIR"] / "posts" / "hello-world.md"
    post.write_text(post.read_text() + "\nOne more line.\n")
    before = inodes(built)
    build(app)
    assert inodes(spare) == before  # the previous build became the spare


def test_a_build_without_a_spare_links_one_while_it_plans(app, built, tmp_path):
    """A spare deleted (or never kept: a cached build/ in CI) is linked again by the next
    build; changing nothing, it records it; the one after starts from it."""
    spare = built.parent / ".build-spare"
    shutil.rmtree(spare)
    assert build(app).rendered == 0
    assert inodes(spare) == inodes(built)  # the same files, not copies
    record = load_manifest(manifest_path(Path(app.instance_path), built), built).spare
    assert record is not None
    assert record.describes(spare)
    assert (record.removed, record.written) == ([], [])
    post = app.config["CONTENT_DIR"] / "posts" / "hello-world.md"
    post.write_text(post.read_text() + "\nOne more line.\n")
    before = inodes(built)
    build(app)
    assert inodes(spare) == before  # the previous build became the spare
    assert tree(built) == clean_build_of(app, tmp_path / "clean")
    shutil.rmtree(spare)
    post.write_text(post.read_text() + "\nAn edit with no spare.\n")
    before = inodes(built)
    result = build(app)
    assert 0 < result.written < result.pages
    assert inodes(spare) == before
    assert tree(built) == clean_build_of(app, tmp_path / "clean-again")


def test_a_background_copy_that_fails_is_made_again_here(tmp_path, monkeypatch):
    from app.build import incremental

    source = tmp_path / "build"
    for rel in ("index.html", "a/index.html", "a/b/c.txt"):
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_text(rel)
    parent, real = incremental.os.getpid(), incremental.refresh_tree

    def only_here(src: Path, dst: Path) -> set[str]:
        if incremental.os.getpid() != parent:
            raise OSError("the child fails")
        return real(src, dst)

    monkeypatch.setattr(incremental, "refresh_tree", only_here)
    (tmp_path / "copy").mkdir()
    copy = incremental.BackgroundCopy(source, tmp_path / "copy")
    assert copy.pid != parent
    assert copy.files() == {"index.html", "a/index.html", "a/b/c.txt"}
    assert inodes(tmp_path / "copy") == inodes(source)
    monkeypatch.setattr(incremental, "refresh_tree", real)
    (tmp_path / "again").mkdir()
    copy = incremental.BackgroundCopy(source, tmp_path / "again")
    assert copy.files() == {"index.html", "a/index.html", "a/b/c.txt"}
    assert inodes(tmp_path / "again") == inodes(source)
    copy.close()  # reaped once: closing again waits for nothing


def test_the_spare_is_relinked_from_what_the_last_build_changed(app, built, content_dir, tmp_path):
    """Builds in a row remove what went away and relink what changed, without listing."""
    posts = content_dir / "posts"
    (posts / "new-one.md").write_text(NEW_POST)
    build(app)
    (posts / "new-one.md").unlink()
    build(app)  # new-one's page is in the spare now: the next build must not bring it back
    _append(posts / "hello-world.md", "\nA last line.\n")
    result = build(app)
    assert not (built / "posts" / "new-one").exists()
    # The cache says what the next build must relink: what this one wrote (and removed).
    spare = load_manifest(manifest_path(Path(app.instance_path), built), built).spare
    assert spare is not None
    assert "posts/hello-world/index.html" in spare.written
    assert len(spare.written) == result.written
    assert tree(built) == clean_build_of(app, tmp_path / "clean")


def test_a_spare_left_by_a_failed_build_is_not_trusted(app, built, content_dir, tmp_path):
    """A failed build's pages (a new post's, here) must not reach a later build."""
    posts = content_dir / "posts"
    (posts / "new-one.md").write_text(NEW_POST)
    _append(posts / "hello-world.md", "\n[gone](/posts/nowhere/)\n")
    with pytest.raises(BuildError, match="broken link"):
        build(app)
    assert (built.parent / ".build-spare" / "posts" / "new-one" / "index.html").exists()
    (posts / "new-one.md").unlink()
    _edit(posts / "hello-world.md", "\n[gone](/posts/nowhere/)\n", "\n")
    build(app)
    assert not (built / "posts" / "new-one").exists()
    assert tree(built) == clean_build_of(app, tmp_path / "clean")


def _markers(build_dir: Path) -> dict[str, list[tuple[str, str]]]:
    """The body markers each post page shows, by slug."""
    return {
        page.parent.name: re.findall(r"Marker of ([a-z0-9-]+) v(\d+)", page.read_text())
        for page in (build_dir / "posts").glob("*/index.html")
    }


def _mark(path: Path, version: int) -> None:
    text = re.sub(r"\nMarker of [a-z0-9-]+ v\d+\n", "\n", path.read_text())
    path.write_text(f"{text}\nMarker of {path.stem} v{version}\n")


def test_post_pages_read_bodies_in_windows_and_never_an_old_one(app, content_dir, monkeypatch):
    """Post pages take their bodies from windows of posts in index order; every page shows
    its own post's body, whichever posts a build renders and after edits while watched."""
    monkeypatch.setattr("app.public.snapshot.BODY_WINDOW", 3)
    for path in (content_dir / "posts").glob("*.md"):
        _mark(path, 0)
    memory = BuildMemory()
    build_site(app, changes=Changes(memory, set()))
    shown = {slug: found for slug, found in _markers(app.config["BUILD_DIR"]).items() if found}
    assert len(shown) >= 6  # drafts and scheduled posts have no page
    assert all(found == [(slug, "0")] for slug, found in shown.items()), shown
    order = sorted(shown)
    edits = [order[0], order[1], order[0], order[0], order[-1], order[1]]
    for version, slug in enumerate(edits, start=1):
        path = content_dir / "posts" / f"{slug}.md"
        _mark(path, version)
        result = build_site(app, changes=Changes(memory, {str(path)}))
        assert 0 < result.rendered < 12
        assert _markers(app.config["BUILD_DIR"])[slug] == [(slug, str(version))]
    for slug in order[::2]:  # a build of every other post (not in windows' order)
        _mark(content_dir / "posts" / f"{slug}.md", 99)
    build_site(app)
    now = _markers(app.config["BUILD_DIR"])
    assert all(now[slug] == [(slug, "99")] for slug in order[::2]), now
    assert all(now[slug][0][1] != "99" for slug in order[1::2]), now


def test_a_first_build_links_the_next_builds_spare_as_it_writes(app, site_dir):
    """A first build links each page into the spare as it writes it; a failed first build
    leaves no half-made spare behind."""
    built = app.config["BUILD_DIR"]
    template = site_dir / "templates" / "archive.html"
    theme = template.read_text()
    template.write_text(theme.replace("{% block content %}", "{% block content %}{{ 1 / 0 }}", 1))
    with pytest.raises(BuildError):
        build(app)
    assert sorted(p.name for p in built.parent.glob(".build*")) == [".build-spare"]
    (built.parent / ".build-spare").rename(built.parent / "failed")  # as on a fresh machine
    template.write_text(theme)
    build(app)
    assert inodes(built.parent / ".build-spare") == inodes(built)
    assert sorted(p.name for p in built.parent.glob(".build*")) == [".build-spare"]


def test_a_first_build_on_workers_links_its_spare_too(freeze):
    result = freeze("--json", env={"BUILD_WORKERS": "2", "BUILD_PARALLEL_MIN_PAGES": "1"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["workers"] == 2
    spare = freeze.build_dir.parent / f".{freeze.build_dir.name}-spare"
    assert inodes(spare) == inodes(freeze.build_dir)


def test_a_command_line_build_without_a_spare_links_it_in_another_process(freeze):
    assert freeze().returncode == 0
    spare = freeze.build_dir.parent / f".{freeze.build_dir.name}-spare"
    shutil.rmtree(spare)
    again = freeze("--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["rendered"] == 0
    assert inodes(spare) == inodes(freeze.build_dir)


def test_watch_keeps_reporting_a_broken_file_until_it_is_fixed(app, content_dir):
    """--watch syncs only the files it saw change, but after a failed build every file."""
    memory = BuildMemory()
    build_site(app, changes=Changes(memory, set()))
    broken = content_dir / "posts" / "broken.md"
    broken.write_text("---\ntitle: [unclosed\n---\n\nText.\n")
    with pytest.raises(ContentErrors, match=r"broken\.md"):
        build_site(app, changes=Changes(memory, {str(broken)}))
    other = content_dir / "posts" / "hello-world.md"
    _append(other, "\nAn edit elsewhere.\n")
    with pytest.raises(ContentErrors, match=r"broken\.md"):
        build_site(app, changes=Changes(memory, {str(other)}))
    broken.write_text("---\ntitle: Fixed\ndate: 2026-01-02\n---\n\nText.\n")
    result = build_site(app, changes=Changes(memory, {str(broken)}))
    assert result.sync.added == ["posts/broken.md"]
    assert (app.config["BUILD_DIR"] / "posts" / "broken" / "index.html").is_file()
    _append(other, "\nAnd one more.\n")
    result = build_site(app, changes=Changes(memory, {str(other)}))
    assert result.sync.read == 1
    assert result.sync.updated == ["posts/hello-world.md"]


def test_watch_syncs_every_file_when_a_folder_of_documents_changes(app, content_dir, site_dir):
    memory = BuildMemory()
    build_site(app, changes=Changes(memory, set()))
    posts = content_dir / "posts"
    assert changed_sources(content_dir, memory, [str(posts / "a.md")]) == ["posts/a.md"]
    assert changed_sources(content_dir, memory, [str(site_dir / "templates" / "x.html")]) == []
    assert changed_sources(content_dir, memory, [str(content_dir / "media" / "a.png")]) == []
    assert changed_sources(content_dir, memory, [str(posts)]) is None
    (posts / "folder.md").mkdir()
    assert changed_sources(content_dir, memory, [str(posts / "folder.md")]) is None
    assert changed_sources(content_dir, BuildMemory(), [str(posts / "a.md")]) is None


def test_a_command_line_build_reads_only_files_changed_since_the_last(
    app, content_dir, monkeypatch
):
    """The file hashes a build saw are kept in instance/ for the next build's process."""
    # Every build a new process (an empty cache in memory); every file old enough to trust.
    monkeypatch.setattr(
        "app.build.sources.stat_cache_for", lambda _folder: StatCache(settle_seconds=-60)
    )
    documents = len(list(content_dir.glob("*/*.md")))
    assert build(app).sync.read == documents
    _append(content_dir / "posts" / "hello-world.md", "\nOne more line.\n")
    second = build(app)
    assert second.sync.read == 1
    assert second.sync.updated == ["posts/hello-world.md"]
    cache_file = stat_cache_path(Path(app.instance_path), app.config["CONTENT_DIR"])
    cache_file.write_text("{not json")  # a torn or foreign cache: every file is read again
    third = build(app)
    assert third.sync.read == documents
    assert not third.sync.changed


def test_a_watch_started_on_an_up_to_date_build_is_ready_for_its_first_edit(
    app, content_dir, tmp_path
):
    """The watch's first build renders nothing (it compiles the theme); the first edit is
    planned from it and builds what a clean build would."""
    build_site(app)  # the command line built the site before the watch started
    memory = BuildMemory()
    first = build_site(app, changes=Changes(memory, set()))
    assert first.rendered == 0
    assert app.jinja_env.cache is not None
    assert "post.html" in {key[1] for key in app.jinja_env.cache}
    post = content_dir / "posts" / "hello-world.md"
    _append(post, "\nA first edit while watched.\n")
    result = build_site(app, changes=Changes(memory, {str(post)}))
    assert 0 < result.rendered < 12
    assert tree(app.config["BUILD_DIR"]) == clean_build_of(app, tmp_path / "clean")


def test_a_link_out_of_the_sites_folder_fails_the_build_that_renders_it(app, content_dir):
    """Such a link is wrong whatever the rest of the site holds: the page's packed references
    carry it to the check."""
    app.config["SITE_URL"] = "https://example.org/blog/"
    _append(content_dir / "posts" / "hello-world.md", "\n[away](../../../other/)\n")
    with pytest.raises(BuildError) as info:
        build(app)
    assert any("outside the site root /blog/" in line for line in info.value.problems), info.value


def test_a_new_staging_folder_is_filled_in_full_even_with_a_lost_spares_inode(
    app, built, content_dir, tmp_path, monkeypatch
):
    """A build killed while it relinked the spare leaves it as a stale staging folder; the
    next build's new folder may get the inode the cache recorded for the spare."""
    post = content_dir / "posts" / "hello-world.md"
    _append(post, "\nOne edit.\n")
    build(app)
    (built.parent / ".build-spare").rename(built.parent / ".build-staging-killed")
    monkeypatch.setattr(Spare, "describes", lambda self, folder: True)  # the inode came back
    _append(post, "\nAnother edit.\n")
    build(app)
    assert tree(built) == clean_build_of(app, tmp_path / "clean")


def test_a_save_drops_the_rows_of_files_its_build_does_not_have(tmp_path):
    """Even rows another process added since this one loaded the cache."""
    cache, build_dir = tmp_path / "cache.sqlite", tmp_path / "build"
    records = {f"p{n}.html": FileRecord("k", (n, 1, 1), packed="[[],[]]") for n in range(3)}
    save_manifest(cache, build_dir, Manifest(records))
    loaded = load_manifest(cache, build_dir).records
    with closing(sqlite3.connect(cache)) as other, other:
        other.execute(
            "INSERT INTO files VALUES ('late.html', 'k', 9, 1, 1, NULL, NULL, NULL, NULL)"
        )
    del loaded["p0.html"]
    save_manifest(cache, build_dir, Manifest(loaded))
    again = load_manifest(cache, build_dir).records
    assert sorted(again) == ["p1.html", "p2.html"]
    assert again["p1.html"].identity == (1, 1, 1)
    assert again["p1.html"].links is not None


def test_a_full_disk_while_saving_the_cache_is_reported_as_such(tmp_path):
    """SQLite rolls the transaction back itself; our ROLLBACK must not hide why."""
    cache, build_dir = tmp_path / "cache.sqlite", tmp_path / "build"
    save_manifest(
        cache, build_dir, Manifest({"a.html": FileRecord("k", (1, 1, 1), packed="[[],[]]")})
    )
    db_file = cache_file(cache).db
    pages = db_file.execute("PRAGMA page_count").fetchone()[0]
    db_file.execute(f"PRAGMA max_page_count = {pages}")  # as full as a disk can be
    big = {f"p{n}.html": FileRecord("k" * 2000, (n, 1, 1), packed="[[],[]]") for n in range(50)}
    with pytest.raises(OSError, match="database or disk is full"):
        save_manifest(cache, build_dir, Manifest(big))
    save_manifest(
        cache, build_dir, Manifest({"b.html": FileRecord("k", (2, 1, 1), packed="[[],[]]")})
    )
    assert sorted(load_manifest(cache, build_dir).records) == ["b.html"]  # a fresh file


def test_asking_whether_a_page_has_references_does_not_unpack_them():
    """The link check intersects every rendered page with the pages that have references:
    13 724 JSON decodes at 10 000 posts when membership went through ``Mapping``'s lookup."""
    from app.build.links import PageLinks
    from app.build.links import RecordedLinks as _Links

    unpacked: list[str | None] = []

    class Counting(FileRecord):
        __slots__ = ()

        @property
        def links(self) -> PageLinks | None:
            unpacked.append(self.key)
            return FileRecord.links.fget(self)  # type: ignore[attr-defined]

    records = {
        f"p{i}/index.html": Counting(f"k{i}", (i, 1, 1), PageLinks(ids={f"id{i}"}))
        for i in range(3)
    }
    pages = _Links(records)
    assert "p1/index.html" in pages
    assert "nope/index.html" not in pages
    assert {"p1/index.html", "nope/index.html"} & pages.keys() == {"p1/index.html"}
    assert unpacked == []
    assert pages["p1/index.html"].ids == {"id1"}
    assert unpacked == ["k1"]


def _cache_of(app: Flask) -> Path:
    return manifest_path(Path(app.instance_path), app.config["BUILD_DIR"])


def test_the_cache_names_the_pages_that_read_each_post(app, built):
    """The index a build asks for an edit's pages is what the records themselves say."""
    from app.build.deps import read_posts

    manifest = load_manifest(_cache_of(app), built)
    with app.app_context():
        post_id = db.session.scalar(sa.select(Post.id).where(Post.slug == "hello-world"))
    assert all(r.stored and not isinstance(r._deps, str) for r in manifest.records.values())
    touched = manifest.touched([post_id])
    manifest.preload()
    readers = {
        rel
        for rel, record in manifest.records.items()
        if record.deps is not None and post_id in read_posts(record.deps)
    }
    assert touched == readers
    assert {"posts/hello-world/index.html", "archive/index.html", "search.json"} <= readers


def test_a_build_cache_of_an_older_format_is_replaced_not_an_error(app, built):
    cache = _cache_of(app)
    with closing(sqlite3.connect(cache)) as old, old:
        old.execute("DROP TABLE files")
        old.execute("CREATE TABLE files (rel TEXT PRIMARY KEY, key TEXT, deps TEXT)")
        old.execute("PRAGMA user_version = 7")
    cache_file(cache, fresh=False).close()  # a process that opened it before
    result = build(app)
    assert not result.warnings
    assert result.rendered == result.pages  # nothing of it was trusted
    assert build(app).rendered == 0
