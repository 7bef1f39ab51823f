"""The dashboard's compose box and the editor for notes, through the real app over HTTP."""

from __future__ import annotations

import io

import sqlalchemy as sa
from PIL import Image

from app.extensions import db
from app.models import Post
from tests.admin_helpers import csrf_token


def png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (4, 3), (10, 120, 200)).save(data, "PNG")
    data.seek(0)
    return data


def notes() -> list[Post]:
    """The notes a test wrote (not the fixture content's, from August 2026)."""
    fixture = Post.source_path.like("notes/2026-08-%")
    return list(db.session.scalars(sa.select(Post).where(Post.kind == "note", ~fixture)))


def test_the_dashboard_has_a_compose_box_with_a_count(synced, author_client):
    page = author_client.get("/admin/").text
    assert 'action="/admin/notes"' in page
    assert 'enctype="multipart/form-data"' in page
    assert 'data-note-length="500"' in page
    assert "/ 500 characters" in page
    assert 'name="csrf_token"' in page


def test_post_a_note_with_a_photo_in_one_step(synced, author_client, content_dir):
    response = author_client.post(
        "/admin/notes",
        data={
            "body": "Harbour at dusk. #photos\r\n",
            "photo": (png(), "dusk.png"),
            "alt": "Boats in the harbour at dusk",
            "post": "Post",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    (note,) = notes()
    assert note.status == "published"
    assert note.title == ""
    assert [t.name for t in note.tags] == ["photos"]
    (photo,) = note.photos
    assert photo["alt"] == "Boats in the harbour at dusk"
    assert (content_dir / photo["src"].lstrip("/")).is_file()
    text = (content_dir / note.source_path).read_text()
    assert "alt: Boats in the harbour at dusk" in text
    assert note.source_path == f"notes/{note.slug}.md"
    dashboard = author_client.get("/admin/").text
    assert "Harbour at dusk. #photos" in dashboard  # listed, named by its first words
    assert f'href="/notes/{note.slug[:4]}/' in dashboard  # its View link


def test_save_draft_keeps_it_a_draft(synced, author_client):
    response = author_client.post("/admin/notes", data={"body": "Not yet.", "draft": "Save draft"})
    assert response.status_code == 302
    (note,) = notes()
    assert note.status == "draft"


def test_a_photo_without_alt_text_is_not_posted_and_the_text_is_kept(
    synced, author_client, content_dir
):
    response = author_client.post(
        "/admin/notes",
        data={"body": "Look at this", "photo": (png(), "a.png"), "alt": "", "post": "Post"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Describe the photo" in response.text
    assert "Look at this</textarea>" in response.text
    assert notes() == []
    assert not list((content_dir / "media").glob("a-*.png"))  # nothing stored either


def test_an_empty_note_is_refused(synced, author_client):
    response = author_client.post("/admin/notes", data={"body": "  ", "post": "Post"})
    assert response.status_code == 422
    assert "Write something or attach a photo." in response.text


def test_a_note_is_edited_without_a_title_and_keeps_its_url(synced, author_client, content_dir):
    author_client.post("/admin/notes", data={"body": "First version #one", "post": "Post"})
    (note,) = notes()
    slug, path = note.slug, content_dir / note.source_path
    editor = author_client.get(f"/admin/posts/{note.id}/edit")
    assert editor.status_code == 200
    assert 'name="title"' not in editor.text
    response = author_client.post(
        f"/admin/posts/{note.id}/edit",
        data={
            "csrf_token": csrf_token(editor.text),
            "status": "published",
            "date": "2025-01-02T03:04",
            "tags": "",
            "body": "Second version #two",
            "source_hash": note.source_hash,
        },
    )
    assert response.status_code == 302, response.text
    db.session.expire_all()
    (edited,) = notes()
    assert edited.slug == slug  # a date edit does not move it
    assert [t.name for t in edited.tags] == ["two"]
    assert "Second version #two" in path.read_text()
    assert "tags:" not in path.read_text()  # hashtags stay in the text


def test_articles_still_need_a_title_in_the_editor(synced, author_client):
    page = author_client.get("/admin/posts/new")
    response = author_client.post(
        "/admin/posts/new",
        data={
            "csrf_token": csrf_token(page.text),
            "kind": "post",
            "title": "",
            "status": "draft",
            "body": "Text",
        },
    )
    assert response.status_code == 422
    assert "This field is required." in response.text
