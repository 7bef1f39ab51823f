"""Listings stay fast with thousands of posts: a fixed number of SQL queries per page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.content.document import Document
from app.content.service import save_post
from app.extensions import db
from app.models import Post
from app.public import queries, snapshot, visibility
from app.status import frozen
from tests.snapshot_helpers import as_a_build
from tests.test_admin_dashboard import titles


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs inside the block (any thread)."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    db.session.expire_all()  # every count starts from the same (empty) identity map
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def add_tagged_posts(count: int) -> None:
    for n in range(count):
        save_post(
            Document(
                title=f"Bulk {n:02d}",
                slug=f"bulk-{n:02d}",
                body=f"Post {n}.\n",
                date=datetime(2021, 1, 1, 0, n),
                tags=[f"t{n}", "bulk"],
            )
        )


def test_dashboard_queries_do_not_grow_with_posts(synced, author_client):
    with counting_queries() as before:
        assert author_client.get("/admin/").status_code == 200
    add_tagged_posts(25)
    with counting_queries() as after:
        response = author_client.get("/admin/")
    assert len(titles(response)) == 20
    assert len(after) == len(before), after


def test_api_list_queries_do_not_grow_with_posts(api):
    with counting_queries() as before:
        assert api.get("/posts").status_code == 200
    add_tagged_posts(25)
    with counting_queries() as after:
        page = api.get("/posts").json()
    assert len(page["items"]) == 20
    assert all(item["tags"] for item in page["items"])
    assert len(after) == len(before), after


def test_an_undated_post_counts_and_filters_as_published(synced, author_client):
    db.session.execute(sa.update(Post).where(Post.slug == "hello-world").values(published_at=None))
    db.session.commit()
    page = author_client.get("/admin/").text
    published = int(re.search(r"<strong>(\d+)</strong> published", page).group(1))
    listed = titles(author_client.get("/admin/?status=published"))
    assert "Hello, world" in listed
    assert published == len(listed)


def test_a_build_listing_has_the_rows_values_as_their_types(app, synced):
    """The listing skips SQLAlchemy's row objects, not its type conversions."""
    with app.test_request_context(), as_a_build(datetime(2100, 1, 1)):
        listed = snapshot._listed(visibility.visible())
        rows = {post.slug: post for post in db.session.scalars(sa.select(Post))}
    assert listed
    for post in listed:
        row = rows[post.slug]
        assert isinstance(post.published_at, datetime)
        assert (post.published_at, post.updated_at) == (row.published_at, row.updated_at)
        assert post.draft is row.draft is False
        assert post.explicit_summary is row.explicit_summary
        assert post.extra == row.extra
        assert isinstance(post.extra, dict)
        assert [t.name for t in post.tags] == [t.name for t in row.tags]


def test_on_sqlite_the_listing_reads_one_covering_index(app, synced):
    """Every listed column is in ``ix_post_listed``: the rows' bodies are never read."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the covering index is SQLite's (PostgreSQL reads the columns directly)")
    with app.test_request_context(), as_a_build(datetime(2100, 1, 1)):
        query = snapshot.listed_columns(visibility.visible())
        sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
        plan = " ".join(row[-1] for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "COVERING INDEX ix_post_listed" in plan, plan


def test_a_build_counts_tags_as_the_database_does(app, synced):
    """The snapshot's tag counts (by tag id, in Python) are the live query's (SQL GROUP BY)."""
    add_tagged_posts(12)

    def counted(pairs: object) -> list[tuple[int, str, str, int]]:
        return [(tag.id, tag.name, tag.slug, n) for tag, n in pairs]  # type: ignore[attr-defined]

    at = datetime(2100, 1, 1)  # the scheduled post is out by then
    with app.test_request_context():
        with frozen(at):
            live = counted(queries.tags_with_counts())
        with as_a_build(at):
            built = counted(queries.tags_with_counts())
    assert live == built
    assert {name: n for _, name, _, n in built}["bulk"] == 12


def test_a_build_lists_posts_newest_first_then_by_slug_as_the_database_does(app, synced):
    """The snapshot sorts its listing again in Python (noting what it read): posts of the
    same moment come by slug, as the live query's ORDER BY puts them."""
    same = datetime(2021, 6, 1, 12, 0)
    for slug in ("tie-b", "tie-c", "tie-a"):
        save_post(Document(title=slug, slug=slug, body="Same moment.\n", date=same))
    save_post(Document(title="Later", slug="tie-later", body="Later.\n", date=datetime(2021, 7, 1)))
    at = datetime(2100, 1, 1)
    with app.test_request_context():
        with frozen(at):
            live = [post.slug for post in queries.listing()]
        with as_a_build(at):
            built = [post.slug for post in queries.listing()]
    assert built == live
    ties = [slug for slug in built if slug.startswith("tie-")]
    assert ties == ["tie-later", "tie-a", "tie-b", "tie-c"]
