"""Notes: files in content/notes/ become rows; hashtags, photos, reply links, stable URLs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.content import ContentError, ContentErrors, Document, parse_document, sync_content
from app.content.document import serialize_document
from app.content.notes import hashtags, link_hashtags, note_url_values
from app.content.service import save_post
from app.content.store import document_from_post
from app.extensions import db
from app.models import Post


def sync(app):
    return sync_content(app.config["CONTENT_DIR"], app.config["MAX_CONTENT_FILE_BYTES"])


def get(slug: str) -> Post:
    post = db.session.scalar(sa.select(Post).where(Post.slug == slug))
    assert post is not None, slug
    return post


def write_note(content_dir: Path, name: str, text: str) -> Path:
    path = content_dir / "notes" / f"{name}.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


NOTE = """---
date: 2026-11-02 08:15
photos:
  - src: media/cat.jpg
    alt: A cat asleep on a keyboard
in-reply-to: https://example.com/posts/cats/
---

Morning. #cats are better than #coffee, `#notatag` in code.
"""


def test_a_note_file_becomes_a_row_without_title(app, content_dir):
    write_note(content_dir, "2026-11-02-081500", NOTE)
    report = sync(app)
    assert "notes/2026-11-02-081500.md" in report.added
    note = get("2026-11-02-081500")
    assert note.kind == "note"
    assert note.title == ""
    assert note.published_at == datetime(2026, 11, 2, 8, 15)
    assert note.photos == [{"src": "/media/cat.jpg", "alt": "A cat asleep on a keyboard"}]
    assert note.refs == {"in-reply-to": ["https://example.com/posts/cats/"]}
    assert note.display_name.startswith("Morning. #cats are better")
    assert note.status == "published"


def test_hashtags_become_tags_and_stay_in_the_text(app, content_dir):
    write_note(content_dir, "2026-11-02-081500", NOTE)
    sync(app)
    note = get("2026-11-02-081500")
    assert sorted(t.name for t in note.tags) == ["cats", "coffee"]
    assert "#cats" in note.body_html  # the text is left as written
    # Written back, the hashtags stay in the text and do not become a 'tags:' line.
    assert document_from_post(note).tags == []


def test_hashtags_are_not_taken_from_code_links_or_headings():
    html = (
        '<h2 id="python">Python</h2><p>Tagged #python and #Py-thon_3 but not C# or '
        '&#35;x or <code>#code</code> or <a href="https://x.org/#frag">https://x.org/#frag'
        "</a> or #1 or a/#path.</p><pre><code>#!/bin/sh\n# comment</code></pre>"
    )
    assert hashtags(html) == ["python", "Py-thon_3"]
    linked = link_hashtags(html, lambda name: f"/tags/{name.lower()}/")
    assert '<a class="hashtag" rel="tag" href="/tags/python/">#python</a>' in linked
    assert "<code>#code</code>" in linked
    assert linked.count("hashtag") == 2


def test_a_note_needs_a_date_and_has_no_title():
    with pytest.raises(ContentError) as missing:
        parse_document("---\ntags: [a]\n---\nHi\n", "content/notes/x.md", "note")
    assert str(missing.value).startswith("content/notes/x.md:1: missing 'date'")
    with pytest.raises(ContentError) as titled:
        parse_document("---\ndate: 2026-01-01\ntitle: Hi\n---\nHi\n", "content/notes/x.md", "note")
    assert "content/notes/x.md:3: a note has no title" in str(titled.value)
    assert "content/posts/" in str(titled.value)  # what to do instead


@pytest.mark.parametrize("text", ["", "Just a thought.\n"])
def test_a_note_without_front_matter_is_told_to_start_with_a_date(text):
    with pytest.raises(ContentError) as info:
        parse_document(text, "content/notes/empty.md", "note")
    assert str(info.value) == (
        "content/notes/empty.md:1: no front matter "
        "(start the file with '---', 'date: YYYY-MM-DD HH:MM', '---')"
    )
    with pytest.raises(ContentError, match=r"'title: \.\.\.'"):  # an article needs a title
        parse_document(text, "content/posts/empty.md")


@pytest.mark.parametrize(
    ("front", "line", "message"),
    [
        ("in-reply-to: example.com/post", 3, "invalid 'in-reply-to'"),
        ("like-of: javascript:alert(1)", 3, "invalid 'like-of'"),
        ("in-reply-to:\n  - https://example.com/a\n  - example.com/b", 5, "URL 2: 'example.com/b'"),
        ("in-reply-to: [https://example.com/a, 'ftp://b']", 3, "URL 2: 'ftp://b' is not"),
        ("bookmark-of: {url: https://example.com/}", 3, "a list of them"),
        ("photos:\n  - src: ../secret.jpg\n    alt: x", 3, "neither an http(s) URL nor a path"),
        ("photos:\n  - alt: no src", 3, "needs a 'src'"),
        ("photos:\n  - src: media/a.jpg\n    title: x", 3, "unknown keys title"),
    ],
)
def test_bad_note_fields_name_the_file_and_line(front, line, message):
    text = f"---\ndate: 2026-01-01\n{front}\n---\nHi\n"
    with pytest.raises(ContentError) as error:
        parse_document(text, "content/notes/n.md", "note")
    assert f"content/notes/n.md:{line}:" in str(error.value)
    assert message in str(error.value)


def test_a_note_answers_several_pages_and_is_written_back_as_it_was():
    one, two = "https://example.com/a", "https://example.com/b"
    refs = f"in-reply-to:\n  - {one}\n  - {two}\n  - {one}\nlike-of: {two}\n"
    text = f"---\ndate: 2026-01-01\n{refs}---\nHi\n"
    doc = parse_document(text, "content/notes/n.md", "note")
    assert doc.refs == {"in-reply-to": [one, two], "like-of": [two]}  # in order, each once
    written = serialize_document(doc, "n")
    assert f"in-reply-to:\n- {one}\n- {two}\nlike-of: {two}\n" in written  # one: a string
    assert parse_document(written, "content/notes/n.md", "note") == doc
    assert (
        parse_document("---\ndate: 2026-01-01\nlike-of: []\n---\nHi\n", "n.md", "note").refs == {}
    )


def test_a_photo_without_alt_is_a_warning_in_a_file(app, content_dir):
    write_note(
        content_dir,
        "2026-11-03-090000",
        "---\ndate: 2026-11-03 09:00\nphotos: [media/a.jpg]\n---\n",
    )
    report = sync(app)
    assert any(
        w.startswith("content/notes/2026-11-03-090000.md: photo 1 has no alt text")
        for w in report.warnings
    )
    assert get("2026-11-03-090000").photos == [{"src": "/media/a.jpg"}]


def test_a_bad_note_changes_nothing(app, content_dir):
    write_note(content_dir, "bad", "---\ndate: soon\n---\nHi\n")
    with pytest.raises(ContentErrors, match=r"content/notes/bad\.md:2: invalid 'date'"):
        sync(app)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


def test_first_save_names_the_note_by_its_date_and_a_date_edit_keeps_it(synced, content_dir):
    doc = Document(
        title="",
        slug="",
        body="First! #hello\n",
        kind="note",
        date=datetime(2026, 12, 3, 18, 15, 30),
    )
    note = save_post(doc)
    assert note.slug == "2026-12-03-181530"
    path = content_dir / "notes" / "2026-12-03-181530.md"
    text = path.read_text()
    assert "title" not in text
    assert text.startswith("---\ndate: ")
    assert note_url_values(note.slug) == {"year": 2026, "month": 12, "day": 3, "stamp": "181530"}
    assert [t.name for t in note.tags] == ["hello"]

    moved = document_from_post(note)
    moved.date = datetime(2025, 1, 1, 7, 0)
    saved = save_post(moved, note)
    assert saved.slug == "2026-12-03-181530"  # the URL never moves
    assert saved.published_at == datetime(2025, 1, 1, 7, 0)
    assert path.exists()
    assert list((content_dir / "notes").glob("2026-12-03-*.md")) == [path]

    # A file's own date edit keeps its URL too: the slug is its name.
    path.write_text(path.read_text().replace("2025-01-01", "2024-06-01"))
    sync(synced)
    assert get("2026-12-03-181530").published_at.year == 2024


def test_two_notes_in_one_second_get_two_urls(synced):
    when = datetime(2026, 12, 3, 18, 15, 30)
    first = save_post(Document(title="", slug="", body="One\n", kind="note", date=when))
    second = save_post(Document(title="", slug="", body="Two\n", kind="note", date=when))
    assert (first.slug, second.slug) == ("2026-12-03-181530", "2026-12-03-181530-2")
    assert note_url_values(second.slug)["stamp"] == "181530-2"


def test_a_note_without_date_is_dated_at_its_first_save(synced):
    note = save_post(Document(title="", slug="", body="Now\n", kind="note"))
    assert note.published_at is not None
    assert note.slug == note.published_at.strftime("%Y-%m-%d-%H%M%S")


def test_publishing_a_photo_without_alt_is_refused_a_draft_is_not(synced, content_dir):
    photo = [{"src": "/media/a.jpg"}]
    doc = Document(title="", slug="", body="Look\n", kind="note", photos=photo)
    with pytest.raises(ContentError) as error:
        save_post(doc)
    assert error.value.field == "photos"
    assert "no alt text" in str(error.value)
    assert not list((content_dir / "notes").glob("2026-12-*.md"))
    draft = save_post(
        Document(title="", slug="", body="Look\n", kind="note", photos=photo, draft=True)
    )
    assert draft.status == "draft"


def test_articles_still_need_a_title():
    with pytest.raises(ContentError, match="missing or empty 'title'"):
        parse_document("---\ndate: 2026-01-01\n---\nHi\n", "content/posts/x.md", "post")


def test_a_note_is_named_by_its_local_date_and_time(synced):
    synced.config["SITE_TIMEZONE"] = "Europe/Berlin"
    when = datetime(2026, 12, 3, 23, 15, 30)  # UTC: past midnight in Berlin
    note = save_post(Document(title="", slug="", body="Late\n", kind="note", date=when))
    assert note.slug == "2026-12-04-001530"
    assert note.published_at == when


def test_a_note_dated_in_the_future_is_scheduled_and_not_on_the_timeline(synced, client):
    when = datetime(2099, 5, 1, 12, 0)
    note = save_post(Document(title="", slug="", body="Later #soon\n", kind="note", date=when))
    assert note.status == "scheduled"
    assert client.get("/notes/2099/05/01/120000/").status_code == 404
    assert "Later" not in client.get("/").text


def test_the_preview_serves_a_note_at_its_one_url(synced, client):
    when = datetime(2026, 1, 2, 3, 4, 5)
    save_post(Document(title="", slug="", body="Hello from the preview\n", kind="note", date=when))
    page = client.get("/notes/2026/01/02/030405/")
    assert page.status_code == 200
    assert "Hello from the preview" in page.text
    assert client.get("/notes/2026-01-02-030405/").status_code == 404  # not a second URL
    assert client.get("/posts/2026-01-02-030405/").status_code == 404


def test_a_photo_alone_is_described_by_its_alt_text(synced, client):
    photo = {"src": "media/cat.jpg", "alt": "A cat asleep on a keyboard"}
    when = datetime(2026, 1, 3, 4, 5, 6)
    save_post(Document(title="", slug="", body="", kind="note", date=when, photos=[photo]))
    page = client.get("/notes/2026/01/03/040506/").text
    assert '<meta name="description" content="A cat asleep on a keyboard">' in page
    assert '<meta property="og:description" content="A cat asleep on a keyboard">' in page
