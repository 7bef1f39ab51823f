"""The editor: write-through create/edit/delete, validation, conflicts, failures, preview."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlalchemy.exc import OperationalError

from app.content.files import content_hash
from app.extensions import db
from app.models import Post
from tests.admin_helpers import post_form


def row(slug):
    db.session.expire_all()
    return db.session.scalar(sa.select(Post).where(Post.slug == slug))


def loaded_hash(client, post_id):
    """The file hash the editor page carries, as a browser would send it back."""
    html = client.get(f"/admin/posts/{post_id}/edit").get_data(as_text=True)
    marker = 'id="source_hash" name="source_hash" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def assert_consistent(content_dir):
    """Every row has its file with the recorded hash, and every file has its row."""
    rows = {p.source_path: p.source_hash for p in db.session.scalars(sa.select(Post))}
    files = {
        p.relative_to(content_dir).as_posix(): content_hash(p.read_bytes())
        for p in content_dir.glob("*/*.md")
        if p.parent.name in ("posts", "pages", "notes")
    }
    assert rows == files


def test_create_edit_delete_keep_files_and_db_consistent(synced, author_client, content_dir):
    client = author_client
    response = client.post("/admin/posts/new", data=post_form(title="Über café: part 1"))
    assert response.status_code == 302
    post = row("uber-cafe-part-1")
    assert response.headers["Location"] == f"/admin/posts/{post.id}/edit"
    path = content_dir / "posts" / "uber-cafe-part-1.md"
    text = path.read_text()
    assert "title: 'Über café: part 1'" in text
    assert "\ndate: 2026-11-01T09:30:00+00:00\n" in text
    assert "tags: [news, Python]" in text
    assert text.endswith("Hello *there*.\n\nSecond paragraph.\n")  # CRLF from the browser
    assert post.body_html == "<p>Hello <em>there</em>.</p>\n<p>Second paragraph.</p>"
    assert post.author.username == "ada"
    assert_consistent(content_dir)
    page = client.get(f"/admin/posts/{post.id}/edit")
    assert "Saved" in page.get_data(as_text=True)

    response = client.post(
        f"/admin/posts/{post.id}/edit",
        data=post_form(
            title="Part one",
            slug="part-one",
            status="draft",
            tags="news",
            summary="Short.",
            body="Changed.",
            source_hash=loaded_hash(client, post.id),
        ),
    )
    assert response.status_code == 302
    assert not path.exists()
    renamed = row("part-one")
    assert renamed.id == post.id
    assert renamed.draft is True
    assert renamed.summary == "Short."
    assert [t.name for t in renamed.tags] == ["news"]
    assert "draft: true" in (content_dir / "posts" / "part-one.md").read_text()
    assert_consistent(content_dir)

    confirm = client.get(f"/admin/posts/{post.id}/delete")
    assert b"content/posts/part-one.md" in confirm.data
    assert (content_dir / "posts" / "part-one.md").exists()  # GET changes nothing
    response = client.post(f"/admin/posts/{post.id}/delete", follow_redirects=True)
    assert b"Deleted &#39;Part one&#39;" in response.data
    assert not (content_dir / "posts" / "part-one.md").exists()
    assert row("part-one") is None
    assert_consistent(content_dir)


def test_a_failed_commit_leaves_file_and_row_as_before(
    synced, author_client, content_dir, monkeypatch
):
    post = row("hello-world")
    path = content_dir / post.source_path
    before_file, before_title = path.read_bytes(), post.title
    source_hash = loaded_hash(author_client, post.id)

    def broken_commit():
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(db.session, "commit", broken_commit)
    edit = author_client.post(
        f"/admin/posts/{post.id}/edit",
        data=post_form(
            title="Never saved",
            slug="hello-world",
            body="My precious words.",
            source_hash=source_hash,
        ),
    )
    create = author_client.post("/admin/posts/new", data=post_form(title="Never created"))
    monkeypatch.undo()

    assert edit.status_code == 422
    text = edit.get_data(as_text=True)
    assert "Could not save" in text
    assert "disk I/O error" in text
    assert "My precious words." in text  # the typed text is still in the editor
    assert path.read_bytes() == before_file
    assert row("hello-world").title == before_title
    assert create.status_code == 422
    assert not (content_dir / "posts" / "never-created.md").exists()
    assert row("never-created") is None
    assert_consistent(content_dir)


def test_a_file_changed_on_disk_is_a_conflict_not_an_overwrite(synced, author_client, content_dir):
    post = row("hello-world")
    path = content_dir / post.source_path
    source_hash = loaded_hash(author_client, post.id)  # the editor is open
    theirs = path.read_text().replace("title:", "title: Edited elsewhere\nold_title:", 1)
    path.write_text(theirs)

    mine = post_form(
        title="Mine", slug="hello-world", body="My version of the text.", source_hash=source_hash
    )
    response = author_client.post(f"/admin/posts/{post.id}/edit", data=mine)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "The file changed on disk since you opened it" in html
    assert "Edited elsewhere" in html  # their version
    assert "My version of the text." in html  # ours, kept
    assert path.read_text() == theirs
    assert row("hello-world").title == post.title

    marker = 'id="disk_hash" name="disk_hash" type="hidden" value="'
    disk_hash = html[html.index(marker) + len(marker) :].split('"', 1)[0]
    assert disk_hash == content_hash(theirs.encode())
    response = author_client.post(
        f"/admin/posts/{post.id}/edit",
        data={**mine, "disk_hash": disk_hash, "overwrite": "Save mine anyway"},
    )
    assert response.status_code == 302
    assert "My version of the text." in path.read_text()
    assert_consistent(content_dir)


def test_validation_errors_are_inline_and_keep_the_typed_text(synced, author_client, content_dir):
    before = sorted(p.name for p in (content_dir / "posts").iterdir())
    cases = [
        ({"slug": "Not A Slug!"}, "Use lowercase letters, digits and single hyphens."),
        ({"slug": "hello-world"}, "already used by another post"),
        ({"title": ""}, "This field is required."),
        ({"status": "scheduled", "date": "2020-01-01T10:00"}, "needs a date in the future"),
        ({"date": "yesterday"}, "Not a valid datetime value."),
    ]
    for changes, message in cases:
        data = post_form(body="Words I typed for an hour.", **changes)
        response = author_client.post("/admin/posts/new", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, changes
        assert message in html, (changes, message)
        assert 'class="error"' in html
        assert "Words I typed for an hour." in html
        assert 'aria-invalid="true"' in html
    assert sorted(p.name for p in (content_dir / "posts").iterdir()) == before


def test_slug_is_made_from_the_title_when_left_empty(synced, author_client):
    author_client.post("/admin/posts/new", data=post_form(title="What\u2019s new in 2026?"))
    assert row("whats-new-in-2026") is not None


def test_scheduled_post_is_marked_and_hidden_from_readers(synced, author_client, app):
    future = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = author_client.post(
        "/admin/posts/new",
        data=post_form(title="Tomorrow's news", status="scheduled", date=future),
        follow_redirects=True,
    )
    assert b"scheduled for" in response.data
    dashboard = author_client.get("/admin/?status=scheduled").get_data(as_text=True)
    assert "Tomorrow&#39;s news" in dashboard
    assert 'status-scheduled">Scheduled<' in dashboard
    page = author_client.get("/posts/tomorrow-s-news/")
    assert page.status_code == 200
    assert b'<span class="badge">Scheduled</span>' in page.data
    assert reader_get(app, "/posts/tomorrow-s-news/").status_code == 404


def test_drafts_are_visible_only_to_a_logged_in_author_and_marked(synced, author_client, app):
    author_client.post("/admin/posts/new", data=post_form(title="Secret draft", status="draft"))
    page = author_client.get("/posts/secret-draft/")
    assert page.status_code == 200
    assert b'<span class="badge">Draft</span>' in page.data
    assert b"drafts are included" in page.data
    assert b"Secret draft" in author_client.get("/").data
    assert reader_get(app, "/posts/secret-draft/").status_code == 404
    index = reader_get(app, "/").data
    assert b"Secret draft" not in index
    assert b"drafts are included" not in index


def test_pages_can_be_written_too(synced, author_client, content_dir):
    response = author_client.post(
        "/admin/posts/new?kind=page",
        data=post_form(kind="page", title="Colophon", date="", status="published"),
    )
    assert response.status_code == 302
    assert (content_dir / "pages" / "colophon.md").exists()
    assert row("colophon").published_at is None
    assert author_client.get("/colophon/").status_code == 200
    reserved = author_client.post(
        "/admin/posts/new?kind=page", data=post_form(kind="page", title="Tags", status="published")
    )
    assert reserved.status_code == 422
    assert b"reserved by the site" in reserved.data


def test_preview_renders_like_a_save(synced, author_client):
    body = "# Title\r\n\r\n```python\r\nprint('hi')\r\n```\r\n\r\n<script>alert(1)</script>"
    response = author_client.post("/admin/preview", json={"body": body})
    assert response.status_code == 200
    html = response.json["html"]
    assert '<div class="highlight">' in html
    assert "<script>" not in html
    author_client.post("/admin/posts/new", data=post_form(title="Previewed", body=body))
    assert row("previewed").body_html == html
    assert author_client.post("/admin/preview", json={"text": "x"}).status_code == 400


@pytest.mark.slow
def test_preview_html_equals_the_frozen_page(synced, author_client, app):
    from app.build.jobs import runner_for

    body = (
        "Intro with a footnote.[^1]\n\n```python\ndef f():\n    return 1\n```\n\n"
        "| a | b |\n|---|--:|\n| 1 | 2 |\n\n[^1]: The note.\n"
    )
    preview = author_client.post("/admin/preview", json={"body": body}).json["html"]
    author_client.post("/admin/posts/new", data=post_form(title="Frozen check", body=body))
    runner = runner_for(app)
    job = runner.start(app)
    runner.wait(120)
    assert job.state == "succeeded", job.errors
    frozen = (app.config["BUILD_DIR"] / "posts" / "frozen-check" / "index.html").read_text()
    assert preview in frozen
    assert row("frozen-check").body_html == preview


def reader_get(app, url):
    """A request from an anonymous reader (a fresh app context: no logged-in user cached on g)."""
    with app.app_context():
        return app.test_client().get(url)


def png_bytes(color="red"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), color).save(buffer, "PNG")
    return buffer.getvalue()


def test_upload_stores_the_image_and_answers_with_markdown(synced, author_client, content_dir):
    response = author_client.post(
        "/admin/media",
        data={"file": (io.BytesIO(png_bytes()), "My Photo.PNG"), "alt": "A [red] square"},
    )
    assert response.status_code == 201
    name = response.json["name"]
    assert name.startswith("my-photo-")
    assert name.endswith(".png")
    assert response.json["markdown"] == f"![A (red) square](/media/{name})"
    assert (content_dir / "media" / name).read_bytes() == png_bytes()


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"alt": "no file"}, 422, "Choose an image file"),
        ({"file": (io.BytesIO(b"png?"), "x.png")}, 422, "Describe the image"),
        ({"file": (io.BytesIO(b"not an image"), "x.png"), "alt": "x"}, 422, "not a valid"),
    ],
)
def test_bad_uploads_get_a_clear_error(synced, author_client, content_dir, data, status, message):
    before = sorted((content_dir / "media").iterdir())
    response = author_client.post("/admin/media", data=data)
    assert response.status_code == status
    assert message in response.json["error"]
    assert sorted((content_dir / "media").iterdir()) == before


def test_too_large_upload_is_refused(synced, author_client, app):
    app.config["MAX_UPLOAD_BYTES"] = 10
    response = author_client.post(
        "/admin/media", data={"file": (io.BytesIO(png_bytes()), "big.png"), "alt": "big"}
    )
    assert response.status_code == 413
    assert "larger than" in response.json["error"]


def test_editor_opens_the_version_on_disk_when_the_file_changed(synced, author_client, content_dir):
    post = row("hello-world")
    path = content_dir / post.source_path
    path.write_text(path.read_text().replace("title:", "title: Edited elsewhere\nold_title:", 1))
    page = author_client.get(f"/admin/posts/{post.id}/edit").text
    assert "changed outside the admin" in page
    assert 'value="Edited elsewhere"' in page
    source_hash = loaded_hash(author_client, post.id)
    assert source_hash == content_hash(path.read_bytes())
    response = author_client.post(
        f"/admin/posts/{post.id}/edit",
        data=post_form(title="Merged", slug="hello-world", body="Both.", source_hash=source_hash),
    )
    assert response.status_code == 302
    text = path.read_text()
    assert "title: Merged" in text
    assert "old_title:" in text  # the key added on disk survives the save
    assert_consistent(content_dir)


def test_delete_refuses_a_file_changed_since_confirmation(synced, author_client, content_dir):
    post = row("hello-world")
    path = content_dir / post.source_path
    page = author_client.get(f"/admin/posts/{post.id}/delete").text
    marker = 'id="source_hash" name="source_hash" type="hidden" value="'
    source_hash = page[page.index(marker) + len(marker) :].split('"', 1)[0]
    path.write_text(path.read_text() + "\nAdded elsewhere.\n")
    response = author_client.post(
        f"/admin/posts/{post.id}/delete", data={"source_hash": source_hash}, follow_redirects=True
    )
    assert "Not deleted: the file changed since you opened it" in response.text
    assert path.exists()
    assert row("hello-world") is not None


def _editor_fields(client, post_id) -> dict[str, str]:
    """The editor's form as the browser sends it back untouched."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(client.get(f"/admin/posts/{post_id}/edit").get_data(as_text=True))
    fields: dict[str, str] = {}
    for node in tree.css("form#editor input[name], form#editor textarea[name]"):
        kind = node.attributes.get("type")
        if kind in ("submit", "file") or (kind == "radio" and "checked" not in node.attributes):
            continue
        fields[node.attributes["name"]] = (
            node.text() if node.tag == "textarea" else node.attributes.get("value") or ""
        )
    for node in tree.css("form#editor select[name]"):
        chosen = node.css_first("option[selected]") or node.css_first("option")
        fields[node.attributes["name"]] = chosen.attributes.get("value") or ""
    return fields


def test_a_save_keeps_what_the_file_wrote_of_the_fields_left_alone(
    synced, author_client, content_dir
):
    from app.content.sync import sync_content

    path = content_dir / "posts" / "as-written.md"
    text = "---\ndate: 2024-01-05\ntitle: As written\ntags: zeta, Alpha\nx_custom: 1\n---\n\nBo.\n"
    path.write_text(text)
    sync_content(content_dir, synced.config["MAX_CONTENT_FILE_BYTES"])
    post = row("as-written")
    fields = _editor_fields(author_client, post.id)
    assert fields["tags"] == "zeta, Alpha"  # in the file's order
    response = author_client.post(f"/admin/posts/{post.id}/edit", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert path.read_text() == text  # nothing changed: not a byte
    fields = _editor_fields(author_client, post.id)
    response = author_client.post(
        f"/admin/posts/{post.id}/edit", data={**fields, "title": "Retitled"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert path.read_text() == text.replace("title: As written", "title: Retitled")
