"""The ``kept-posts`` trick: a kept listing, brought up to date by the random stamps the
database's own triggers write, always lists what a plain read lists, whoever wrote what.

Writes here go straight to the database (ORM and SQL), as another process would: the sync,
the admin's own bookkeeping and the build are not told anything.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.build.deps import row_context
from app.build.keptposts import KeptPosts, current_token
from app.build.postrows import KeptRows, PostRows, row_digest, rows_of
from app.content.document import Document
from app.content.service import save_post
from app.extensions import db
from app.models import DataRevision, Post, PostRevision, Tag, post_tags
from app.public import snapshot
from app.public.visibility import visible
from app.status import frozen
from tests.watch_helpers import fixture_watch

NOW = datetime.now(UTC).replace(tzinfo=None)


def revision(slug: str) -> int:
    found = (
        sa.select(PostRevision.revision)
        .join(Post, Post.id == PostRevision.post_id)
        .where(Post.slug == slug)
    )
    stamp = db.session.scalar(found)
    assert stamp is not None, slug
    return stamp


def described(posts: list[Any]) -> list[tuple[Any, ...]]:
    """What a listing says: every value of every post, its tags, in order."""
    return [
        (
            sorted((k, repr(v)) for k, v in p.__dict__.items() if k != "tags"),
            [(t.id, t.name, t.slug) for t in p.__dict__["tags"]],
        )
        for p in posts
    ]


class Listings:
    """The timeline and the pages, kept and plain, at one moment."""

    def __init__(self) -> None:
        self.kept = KeptPosts()

    def compare(self, at: datetime = NOW) -> dict[str, Any]:
        """List both ways (a new session each time, as each build has); assert they agree."""
        db.session.remove()
        with frozen(at):
            for name, condition in (("timeline", visible()), ("pages", visible("page"))):
                kept = self.kept.listed(name, condition, snapshot.LISTED_COLUMNS, snapshot._listed)
                plain = snapshot._listed(condition)
                assert described(kept) == described(plain), name
        db.session.remove()
        return dict(self.kept.last)


@pytest.fixture
def listings(synced: Flask) -> Iterator[Listings]:
    with synced.test_request_context():
        yield Listings()


def test_triggers_stamp_every_write_to_a_post_its_tags_and_their_names(synced: Flask):
    assert current_token() is not None  # a migrated database vouches for its stamps
    first = revision("hello-world")
    db.session.execute(sa.update(Post).where(Post.slug == "hello-world").values(title="Hi"))
    db.session.commit()
    second = revision("hello-world")
    assert second != first
    tag_id = db.session.scalar(sa.select(Tag.id).order_by(Tag.id))
    tagged = db.session.scalar(sa.select(post_tags.c.post_id).where(post_tags.c.tag_id == tag_id))
    slug = db.session.scalar(sa.select(Post.slug).where(Post.id == tagged))
    before = revision(slug)
    db.session.execute(sa.update(Tag).where(Tag.id == tag_id).values(name="Renamed"))
    db.session.commit()
    after_rename = revision(slug)
    assert after_rename != before
    db.session.execute(
        sa.delete(post_tags).where(post_tags.c.post_id == tagged, post_tags.c.tag_id == tag_id)
    )
    db.session.commit()
    assert revision(slug) not in {before, after_rename}
    stamps = set()  # random: a hundred writes, a hundred stamps
    for n in range(100):
        db.session.execute(sa.update(Post).where(Post.slug == slug).values(word_count=n))
        db.session.commit()
        stamps.add(revision(slug))
    assert len(stamps) == 100


def test_a_tag_moved_in_place_or_deleted_stamps_its_posts(listings: Listings):
    """Writes a script would make: a tag row of a post updated in place, a tag deleted (on
    SQLite with foreign keys off, as ``sqlite3`` has them, its posts' rows are left)."""
    listings.compare()
    row = db.session.execute(
        sa.select(post_tags.c.post_id, post_tags.c.tag_id).order_by(post_tags.c.post_id)
    ).first()
    assert row is not None
    post_id, tag_id = row
    other = db.session.scalar(
        sa.select(Tag.id)
        .where(Tag.id.not_in(sa.select(post_tags.c.tag_id).where(post_tags.c.post_id == post_id)))
        .order_by(Tag.id)
    )
    assert other is not None
    slug = db.session.scalar(sa.select(Post.slug).where(Post.id == post_id))
    before = revision(slug)
    db.session.execute(
        sa.text("UPDATE post_tags SET tag_id = :new WHERE post_id = :post AND tag_id = :old"),
        {"new": other, "post": post_id, "old": tag_id},
    )
    db.session.commit()
    assert revision(slug) != before
    assert listings.compare()["timeline"] != "whole"

    tagged = set(
        db.session.scalars(sa.select(post_tags.c.post_id).where(post_tags.c.tag_id == other))
    )
    stamps = {pid: db.session.get(PostRevision, pid).revision for pid in tagged}
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.text("PRAGMA foreign_keys = OFF"))
    db.session.execute(sa.text("DELETE FROM tag WHERE id = :id"), {"id": other})
    db.session.commit()
    db.session.expire_all()
    assert all(db.session.get(PostRevision, pid).revision != stamps[pid] for pid in tagged)
    assert listings.compare()["timeline"] != "whole"


def test_a_kept_listing_lists_what_a_plain_read_lists_after_any_write(listings: Listings):
    assert listings.compare() == {"timeline": "whole", "pages": "whole"}
    assert listings.compare() == {"timeline": 0, "pages": 0}  # nothing was read again

    db.session.execute(sa.update(Post).where(Post.slug == "hello-world").values(summary="New"))
    db.session.commit()
    assert listings.compare()["timeline"] == 1

    tag = db.session.scalars(sa.select(Tag).order_by(Tag.id)).first()
    assert tag is not None
    tag.name = "Another name"
    db.session.commit()
    listings.compare()

    save_post(Document(title="Fresh", slug="fresh", body="New.\n", date=NOW - timedelta(1)))
    assert listings.compare()["timeline"] == 1

    db.session.execute(sa.delete(Post).where(Post.slug == "fresh"))
    db.session.commit()
    assert listings.compare()["timeline"] == 0

    db.session.execute(sa.update(Post).where(Post.slug == "on-static-sites").values(draft=True))
    db.session.execute(sa.update(Post).where(Post.kind == "page").values(title="About us"))
    db.session.commit()
    assert listings.compare()["pages"] == 1


def test_a_scheduled_post_joins_the_kept_listing_when_it_falls_due(listings: Listings):
    due = NOW + timedelta(hours=3)
    save_post(Document(title="Later", slug="later", body="Soon.\n", date=due))
    listings.compare()
    listings.compare()  # kept, without it
    assert listings.compare(at=due + timedelta(minutes=1))["timeline"] == 1  # unstamped, due


def test_the_whole_listing_is_read_when_the_database_cannot_vouch(listings: Listings):
    listings.compare()
    db.session.execute(sa.update(DataRevision).values(token="another-database"))
    db.session.commit()
    assert listings.compare() == {"timeline": "whole", "pages": "whole"}
    assert listings.compare() == {"timeline": 0, "pages": 0}

    dialect = db.engine.dialect.name
    drop = (
        "DROP TRIGGER post_revision_update"
        if dialect == "sqlite"
        else "DROP TRIGGER post_revision ON post"
    )
    db.session.execute(sa.text(drop))  # as a migration that remade the table would
    db.session.commit()
    assert current_token() is None
    db.session.execute(sa.update(Post).where(Post.slug == "hello-world").values(title="Unseen"))
    db.session.commit()
    assert listings.compare() == {"timeline": "whole", "pages": "whole"}


def test_a_copy_restored_and_written_as_often_again_is_read_again(listings: Listings):
    """Restored from a copy, then the same post written as many times as the original was
    since the copy: a counter would stamp the same values; random stamps differ."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("copies the SQLite file")
    path = Path(str(db.engine.url.database))
    listings.compare()
    db.engine.dispose()
    copy = path.with_name("copy.db")
    shutil.copyfile(path, copy)
    db.session.execute(sa.update(Post).where(Post.slug == "hello-world").values(summary="Gone"))
    db.session.commit()
    assert listings.compare()["timeline"] == 1
    db.engine.dispose()
    shutil.copyfile(copy, path)  # the same token, the same history up to the copy
    db.session.execute(sa.update(Post).where(Post.slug == "hello-world").values(summary="Back"))
    db.session.commit()
    assert listings.compare()["timeline"] == 1


def test_the_trick_can_be_turned_off_for_a_watch(synced: Flask):
    from app.build.memory import BuildMemory
    from app.build.pipeline import Build
    from app.build.sources import Changes

    synced.config["SPEED_TRICKS_OFF"] = "kept-posts"
    assert Build(synced, changes=Changes(BuildMemory(), set())).snapshot.source is None
    synced.config["SPEED_TRICKS_OFF"] = ""
    memory = BuildMemory()
    assert Build(synced, changes=Changes(memory, set())).snapshot.source is memory.posts


def _all_posts() -> dict[int, Any]:
    return {p.__dict__["id"]: p for p in snapshot._listed(sa.true())}


def _texts(rows: PostRows) -> dict[int, str | None]:
    """Every row's text, made from its post and properties, checked against its digest."""
    texts = {pid: rows.get(pid) for pid in rows.digests}
    for pid, text in texts.items():
        assert text is not None
        assert row_digest(text.encode()) == rows.digests[pid]
    return texts


def test_kept_rows_are_the_rows_made_anew_as_time_and_settings_change(synced: Flask):
    """A watch's kept rows: used again only while the properties give the same values."""
    with synced.test_request_context():
        save_post(Document(title="Later", slug="later", body="Soon.\n", date=NOW + timedelta(1)))
        posts, kept = _all_posts(), KeptRows()
        context = row_context(synced, "common")
        with frozen(NOW):
            first = rows_of(posts, kept, context)
            assert "status" in kept.clocked  # noted as it ran: the status asks the clock
            assert _texts(rows_of(posts, kept, context)) == _texts(first)
            assert all(row.post is posts[pid] for pid, row in kept.rows.items())
        with frozen(NOW + timedelta(days=2)):  # 'later' is published now
            again = rows_of(posts, kept, context)
            assert _texts(again) == _texts(rows_of(posts))
            assert _texts(again) != _texts(first)
        synced.config["SITE_TIMEZONE"] = "Pacific/Kiritimati"  # dates move a day on
        with frozen(NOW + timedelta(days=2)):
            moved = rows_of(posts, kept, row_context(synced, "common"))
            assert _texts(moved) == _texts(rows_of(posts))
            assert _texts(moved) != _texts(again)
        posts = _all_posts()  # new objects: their rows are made anew
        with frozen(NOW):
            assert _texts(rows_of(posts, kept, context)) == _texts(rows_of(posts))


def test_a_watch_reads_again_only_the_edited_post_from_its_first_edit(tmp_path: Path):
    """The watch's first build forgets a memory it cannot use (there is no last build to
    describe), but not the posts that build keeps: the first edit reads one post again."""
    with fixture_watch(tmp_path) as (rebuilder, _, content_dir):
        assert rebuilder.first()
        assert rebuilder.memory.posts.last == {"timeline": "whole", "pages": "whole"}
        post = content_dir / "posts" / "hello-world.md"
        post.write_text(post.read_text() + "\nOne more sentence.\n")
        assert rebuilder.rebuild({str(post)})
        assert rebuilder.memory.posts.last == {"timeline": 1, "pages": 0}
