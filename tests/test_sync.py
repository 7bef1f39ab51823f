"""Syncing content/ into the database: by hash, all or nothing, with clear errors."""

import pytest
import sqlalchemy as sa

from app.content import ContentErrors, export_content, sync_content
from app.content.store import readers
from app.extensions import db
from app.models import Post, Tag


def sync(app):
    return sync_content(app.config["CONTENT_DIR"], app.config["MAX_CONTENT_FILE_BYTES"])


def slugs():
    return set(db.session.scalars(sa.select(Post.slug)))


def test_first_sync_imports_everything(app, content_dir):
    report = sync(app)
    files = list(content_dir.glob("*/*.md"))
    assert len(report.added) == len(files)
    assert slugs() == {f.stem for f in files}
    post = db.session.scalar(sa.select(Post).where(Post.slug == "python-code"))
    assert '<span class="k">' in post.body_html  # rendered once, at import
    assert post.source_path == "posts/python-code.md"
    assert len(post.source_hash) == 64


def test_second_sync_changes_nothing(app):
    sync(app)
    report = sync(app)
    assert not report.changed
    assert report.unchanged > 0


def test_rows_another_renderer_made_are_rendered_again(app):
    """After an upgrade of the Markdown renderer, unchanged files get its HTML too."""
    sync(app)
    db.session.execute(
        sa.update(Post)
        .where(Post.slug == "python-code")
        .values(renderer="older", body_html="<p>stale</p>", body_text="stale")
    )
    db.session.commit()
    report = sync(app)
    assert report.updated == ["posts/python-code.md"]
    post = db.session.scalar(sa.select(Post).where(Post.slug == "python-code"))
    assert '<span class="k">' in post.body_html
    assert "stale" not in post.body_text
    assert post.renderer in readers()
    assert not sync(app).changed


def test_changed_and_deleted_files(app, content_dir):
    sync(app)
    path = content_dir / "posts" / "hello-world.md"
    path.write_text(path.read_text().replace("Hello, world", "Hello again"))
    (content_dir / "posts" / "shell-snippets.md").unlink()
    report = sync(app)
    assert report.updated == ["posts/hello-world.md"]
    assert report.removed == ["posts/shell-snippets.md"]
    assert "shell-snippets" not in slugs()
    assert db.session.scalar(sa.select(Post.title).where(Post.slug == "hello-world")) == (
        "Hello again"
    )
    # 'tools' was only used by the deleted post
    assert db.session.scalar(sa.select(Tag).where(Tag.slug == "tools")) is None


def test_bad_file_changes_nothing_and_reports_every_error(app, content_dir):
    sync(app)
    before = {p.slug: p.source_hash for p in db.session.scalars(sa.select(Post))}
    (content_dir / "posts" / "broken.md").write_text("---\ntitle: [x\n---\n")
    (content_dir / "posts" / "no-title.md").write_text("---\ndate: 2026-01-01\n---\n")
    (content_dir / "posts" / "hello-world.md").unlink()
    with pytest.raises(ContentErrors) as info:
        sync(app)
    paths = sorted(e.path for e in info.value.errors)
    assert paths == ["content/posts/broken.md", "content/posts/no-title.md"]
    db.session.rollback()
    assert {p.slug: p.source_hash for p in db.session.scalars(sa.select(Post))} == before


def test_duplicate_slug_names_both_files(app, content_dir):
    (content_dir / "posts" / "copy.md").write_text(
        "---\ntitle: Copy\nslug: hello-world\ndate: 2026-01-01\n---\n"
    )
    with pytest.raises(ContentErrors) as info:
        sync(app)
    [error] = info.value.errors
    assert "duplicate slug 'hello-world'" in error.message
    assert {error.path, error.message.split("used by ")[1]} == {
        "content/posts/hello-world.md",
        "content/posts/copy.md",
    }


def test_non_utf8_and_oversized_files(app, content_dir):
    (content_dir / "posts" / "latin1.md").write_bytes(
        b"---\ntitle: caf\xe9\ndate: 2026-01-01\n---\n"
    )
    app.config["MAX_CONTENT_FILE_BYTES"] = 4096
    (content_dir / "posts" / "huge.md").write_text("---\ntitle: t\n---\n" + "x" * 5000)
    with pytest.raises(ContentErrors) as info:
        sync(app)
    messages = {e.path: str(e) for e in info.value.errors}
    assert "not valid UTF-8" in messages["content/posts/latin1.md"]
    assert "content/posts/latin1.md:2:" in messages["content/posts/latin1.md"]
    assert "limit" in messages["content/posts/huge.md"]


def test_editor_temp_files_are_ignored_and_other_files_warned(app, content_dir):
    (content_dir / "posts" / ".hello-world.md.swp").write_bytes(b"\x00\x01")
    (content_dir / "posts" / "hello-world.md~").write_text("backup")
    (content_dir / "posts" / "photo.png").write_bytes(b"\x89PNG")
    report = sync(app)
    assert any("photo.png" in w for w in report.warnings)
    assert len(report.added) == len(list(content_dir.glob("*/*.md")))


def test_sub_folders_are_warned_once_each_not_passed_over(app, content_dir, tmp_path):
    (content_dir / "posts" / "sub").mkdir()
    for name in ("a.md", "b.md"):
        (content_dir / "posts" / "sub" / name).write_text("---\ntitle: t\ndate: 2026-01-01\n---\n")
    (content_dir / "posts" / ".obsidian").mkdir()  # hidden, as hidden files are
    (tmp_path / "shared").mkdir()
    (content_dir / "notes" / "shared").symlink_to(tmp_path / "shared")  # a link to a folder
    report = sync(app)
    assert sorted(w for w in report.warnings if "sub-folders" in w) == [
        "content/notes/shared/: sub-folders are not read: move its files up into content/notes/",
        "content/posts/sub/: sub-folders are not read: move its files up into content/posts/",
    ]
    # a sync of the files a watcher saw change says it too
    report = sync_content(
        content_dir, app.config["MAX_CONTENT_FILE_BYTES"], only=["posts/sub/a.md", "posts/sub/b.md"]
    )
    assert report.warnings == [
        "content/posts/sub/: sub-folders are not read: move its files up into content/posts/"
    ]


def test_image_is_kept_without_a_warning(app, content_dir):
    (content_dir / "posts" / "y.md").write_text(
        "---\ntitle: t\ndate: 2026-01-01\nimage: media/harbour-dusk.png\nmood: fine\n---\nx\n"
    )
    report = sync(app)
    assert [w for w in report.warnings if "posts/y.md" in w] == [
        "content/posts/y.md: unknown front-matter key 'mood' kept as is"
    ]
    post = db.session.scalar(sa.select(Post).where(Post.slug == "y"))
    assert post.extra == {"mood": "fine", "image": "/media/harbour-dusk.png"}


def test_tags_match_case_insensitively(app, content_dir):
    (content_dir / "posts" / "upper.md").write_text(
        "---\ntitle: Upper\ndate: 2026-01-01\ntags: [Python]\n---\n"
    )
    sync(app)
    tag = db.session.scalar(sa.select(Tag).where(Tag.slug == "python"))
    assert {p.slug for p in tag.posts} == {"python-code", "upper"}


def test_export_rewrites_only_what_differs(app, content_dir):
    sync(app)
    assert export_content(content_dir) == 0
    post = db.session.scalar(sa.select(Post).where(Post.slug == "hello-world"))
    post.title = "Changed in the DB"
    db.session.commit()
    assert export_content(content_dir) == 1
    assert "title: Changed in the DB" in (content_dir / "posts" / "hello-world.md").read_text()
    assert not sync(app).changed  # the stored hash matches the written file


def sync_only(app, *rels):
    return sync_content(
        app.config["CONTENT_DIR"], app.config["MAX_CONTENT_FILE_BYTES"], only=set(rels)
    )


def test_a_sync_of_named_files_leaves_what_a_full_sync_would(app, content_dir):
    """What a watcher passes: the files it saw change; every other file is left alone."""
    sync(app)
    posts = content_dir / "posts"
    edited = posts / "hello-world.md"
    edited.write_text(edited.read_text().replace("Hello, world", "Hello again"))
    (posts / "new-one.md").write_text("---\ntitle: New one\ndate: 2026-02-01\n---\n\nNew.\n")
    (posts / "shell-snippets.md").rename(posts / "shell-tricks.md")
    total = len(list(content_dir.glob("*/*.md")))
    report = sync_only(
        app,
        "posts/hello-world.md",
        "posts/new-one.md",
        "posts/shell-snippets.md",
        "posts/shell-tricks.md",
        "media/picture.png",  # not a document: ignored
    )
    assert report.updated == ["posts/hello-world.md"]
    assert sorted(report.added) == ["posts/new-one.md", "posts/shell-tricks.md"]
    assert report.removed == ["posts/shell-snippets.md"]
    assert report.unchanged == total - 3
    assert report.read == 3  # the other files are not even looked at
    after = sync(app)
    assert not after.changed
    assert after.unchanged == total


def test_a_sync_of_named_files_still_finds_a_slug_taken_by_another_file(app, content_dir):
    sync(app)
    (content_dir / "posts" / "copy.md").write_text(
        "---\ntitle: Copy\nslug: hello-world\ndate: 2026-01-01\n---\n"
    )
    with pytest.raises(ContentErrors) as info:
        sync_only(app, "posts/copy.md")
    [error] = info.value.errors
    assert error.path == "content/posts/copy.md"
    assert "duplicate slug 'hello-world', already used by content/posts/hello-world.md" in (
        error.message
    )
