"""Write-through saves shared by the admin and the API."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.content import ContentError, Document
from app.content.service import ConflictError, SlugTakenError, delete_post, save_post
from app.extensions import db
from app.models import Post


def new_doc(**changes):
    fields = {
        "title": "Fresh post",
        "slug": "fresh-post",
        "body": "Hello *there*.\n",
        "date": datetime(2026, 11, 1),
        "tags": ["news"],
    }
    return Document(**{**fields, **changes})


def get(slug):
    return db.session.scalar(sa.select(Post).where(Post.slug == slug))


def test_create_writes_file_and_row(synced, content_dir):
    post = save_post(new_doc())
    path = content_dir / "posts" / "fresh-post.md"
    assert path.read_text().startswith("---\ntitle: Fresh post\n")
    assert post.body_html == "<p>Hello <em>there</em>.</p>"
    assert post.source_path == "posts/fresh-post.md"
    assert [t.name for t in post.tags] == ["news"]


def test_update_and_rename(synced, content_dir):
    post = save_post(new_doc())
    save_post(new_doc(slug="renamed", title="Renamed"), post)
    assert not (content_dir / "posts" / "fresh-post.md").exists()
    assert "title: Renamed" in (content_dir / "posts" / "renamed.md").read_text()
    assert get("renamed").id == post.id


def test_invalid_document_changes_nothing(synced, content_dir):
    with pytest.raises(ContentError, match="invalid slug"):
        save_post(new_doc(slug="../escape"))
    with pytest.raises(ContentError, match="title"):
        save_post(new_doc(title=" "))
    assert not list(content_dir.rglob("*escape*"))
    assert get("fresh-post") is None


def test_duplicate_slug(synced):
    with pytest.raises(SlugTakenError):
        save_post(new_doc(slug="hello-world"))


def test_file_changed_on_disk_is_a_conflict(synced, content_dir):
    post = get("hello-world")
    path = content_dir / "posts" / "hello-world.md"
    path.write_text(path.read_text() + "\nEdited in vim.\n")
    with pytest.raises(ConflictError) as info:
        save_post(new_doc(slug="hello-world", title="Mine"), post)
    assert "Edited in vim." in info.value.disk_text
    assert "Edited in vim." in path.read_text()
    db.session.rollback()
    assert get("hello-world").title == "Hello, world"


def test_commit_failure_restores_the_file(synced, content_dir, monkeypatch):
    post = get("hello-world")
    path = content_dir / "posts" / "hello-world.md"
    before = path.read_bytes()

    def fail():
        raise RuntimeError("disk full")

    monkeypatch.setattr(db.session, "commit", fail)
    with pytest.raises(RuntimeError):
        save_post(new_doc(slug="hello-world", title="Lost?"), post)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert get("hello-world").title == "Hello, world"


def test_delete_removes_file_and_row(synced, content_dir):
    delete_post(get("shell-snippets"))
    assert not (content_dir / "posts" / "shell-snippets.md").exists()
    assert get("shell-snippets") is None
