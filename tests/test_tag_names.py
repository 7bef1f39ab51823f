"""A tag's name comes from the files as they are now (``app.content.tagnames``): the same
whatever order the posts came in, through a sync, a save or a delete, as a fresh database
names it."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from app import create_app
from app.content.service import delete_post, save_post
from app.content.store import document_from_post
from app.content.sync import sync_content
from app.content.tagnames import choose
from app.extensions import db
from app.models import Post, Tag
from config import TestingConfig
from tests.test_freeze import tree_digest


def write(content_dir: Path, slug: str, tags: list[str]) -> None:
    listed = ", ".join(f'"{t}"' for t in tags)
    (content_dir / "posts" / f"{slug}.md").write_text(
        f"---\ntitle: {slug}\ndate: 2026-01-01\ntags: [{listed}]\n---\n\nText.\n"
    )


def sync(app: Flask) -> None:
    sync_content(app.config["CONTENT_DIR"], app.config["MAX_CONTENT_FILE_BYTES"])


def name_of(slug: str) -> str | None:
    return db.session.scalar(sa.select(Tag.name).where(Tag.slug == slug))


def fresh_name_of(app: Flask, tmp_path: Path, slug: str) -> str | None:
    """The tag's name in a new database synced from the same files (a fresh clone's)."""
    fresh = create_app(
        TestingConfig,
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / uuid.uuid4().hex}.db",
            "CONTENT_DIR": app.config["CONTENT_DIR"],
            "SITE_DIR": app.config["SITE_DIR"],
        },
    )
    with fresh.app_context():
        upgrade()
        sync(fresh)
        name = name_of(slug)
        db.session.remove()
        db.engine.dispose()
    return name


def test_the_most_written_spelling_names_a_tag_and_a_tie_goes_to_the_first():
    assert choose(Counter({"cafe": 2, "Café": 1})) == "cafe"
    assert choose(Counter({"cafe": 1, "Café": 1, "CAFÉ": 1})) == "CAFÉ"
    assert choose(Counter({"Python": 1})) == "Python"


def test_a_tags_name_follows_the_files_not_the_order_they_came_in(app, content_dir, tmp_path):
    """The finding: 'Café' named the tag because its post came first, and kept naming it
    after that post dropped the tag; a fresh database named it otherwise."""
    steps: list[tuple[str, list[str] | None, str | None]] = [
        ("t1", ["Café"], "Café"),
        ("t2", ["cafe"], "Café"),  # a tie of two: the first in code-point order
        ("t3", ["CAFÉ", "café"], "CAFÉ"),  # the post's first spelling counts, once
        ("t4", ["cafe"], "cafe"),  # two posts write 'cafe'
        ("t2", ["x1"], "CAFÉ"),  # t2 drops it: a tie again
        ("t1", None, "CAFÉ"),  # deleted
        ("t4", None, "CAFÉ"),
        ("t3", None, None),  # no post has it: gone
    ]
    for slug, tags, expected in steps:
        if tags is None:
            (content_dir / "posts" / f"{slug}.md").unlink()
        else:
            write(content_dir, slug, tags)
        sync(app)
        assert name_of("cafe") == expected, (slug, tags)
        assert fresh_name_of(app, tmp_path, "cafe") == expected, (slug, tags)


def test_saves_and_deletes_name_the_tags_they_touch(synced, content_dir):
    write(content_dir, "t1", ["Café"])
    write(content_dir, "t2", ["Café"])
    sync(synced)
    t1, t2 = (db.session.scalar(sa.select(Post).where(Post.slug == s)) for s in ("t1", "t2"))
    save_post(replace(document_from_post(t1), tags=["cafe"]), t1)
    assert name_of("cafe") == "Café"  # one each: 'Café' comes first
    save_post(replace(document_from_post(t2), tags=["cafe", "Brand new"]), t2)
    assert name_of("cafe") == "cafe"
    assert name_of("brand-new") == "Brand new"
    save_post(replace(document_from_post(t1), tags=["CAFE"]), t1)
    assert name_of("cafe") == "CAFE"  # a tie: 'CAFE' before 'cafe'
    delete_post(t1)
    assert name_of("cafe") == "cafe"
    delete_post(t2)
    assert name_of("cafe") is None
    assert name_of("brand-new") is None


@pytest.mark.parametrize("order", [["a", "b"], ["b", "a"]])
def test_the_tags_of_a_row_are_kept_as_the_file_writes_them(app, content_dir, order):
    spelled = {"a": "Zeta", "b": "alpha"}
    write(content_dir, "ordered", [spelled[k] for k in order])
    sync(app)
    post = db.session.scalar(sa.select(Post).where(Post.slug == "ordered"))
    assert post.tags_written == [spelled[k] for k in order]
    assert document_from_post(post).tags == [spelled[k] for k in order]


def test_a_build_after_tag_edits_is_what_a_fresh_clone_builds(freeze, tmp_path):
    """The finding, through ``python freeze.py``: the tags index, the tag page's heading
    and the feeds showed the name of a post that no longer had the tag."""
    for slug, tags in (("t1", ["Café"]), ("t2", ["cafe"]), ("t3", ["CAFÉ", "café"])):
        write(freeze.content_dir, slug, tags)
    assert freeze().returncode == 0
    write(freeze.content_dir, "t1", ["x1"])
    result = freeze()
    assert result.returncode == 0, result.stderr
    fresh = tmp_path / "fresh"
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    result = freeze("--out", str(fresh), env=database)
    assert result.returncode == 0, result.stderr
    assert tree_digest(freeze.build_dir) == tree_digest(fresh)
    assert "CAFÉ" in (fresh / "tags" / "cafe" / "index.html").read_text()
