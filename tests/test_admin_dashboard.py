"""The dashboard lists every post and page with status, date and tags; filters and pages."""

from __future__ import annotations

import html
import re
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Post
from app.status import STATUSES
from tests.admin_helpers import post_form


def titles(response):
    return re.findall(r'<td><a href="/admin/posts/\d+/edit">([^<]+)</a>', response.text)


def test_lists_every_post_and_page_with_counts(synced, author_client):
    response = author_client.get("/admin/")
    assert response.status_code == 200
    listed = titles(response)
    assert "Hello, world" in listed
    assert "About" in listed
    total = db.session.scalar(sa.select(sa.func.count(Post.id)))
    assert len(listed) == total  # fewer than a page of sample content
    assert f"<strong>{total}</strong> in all" in response.text
    assert "<strong>1</strong> page</a>" in response.text
    assert "<strong>1</strong> draft</a>" in response.text
    assert "<strong>1</strong> scheduled" in response.text
    assert "View</a>" in response.text
    assert 'href="/posts/hello-world/"' in response.text


def test_counts_say_one_draft_and_two_drafts(synced, author_client):
    author_client.post("/admin/posts/new", data=post_form(title="Another", status="draft"))
    page = author_client.get("/admin/").text
    assert "<strong>2</strong> drafts</a>" in page
    assert "<strong>1</strong> page</a>" in page


def test_filter_by_status(synced, author_client):
    drafts = titles(author_client.get("/admin/?status=draft"))
    scheduled = titles(author_client.get("/admin/?status=scheduled"))
    published = titles(author_client.get("/admin/?status=published"))
    assert len(drafts) == 1
    assert len(scheduled) == 1
    assert len(drafts) + len(scheduled) + len(published) == len(
        titles(author_client.get("/admin/"))
    )
    assert not set(drafts) & set(published)
    assert not set(scheduled) & set(published)


def test_filter_by_tag_and_kind(synced, author_client):
    python = titles(author_client.get("/admin/?tag=python"))
    assert "Highlighted Python" in python
    assert "About" not in python
    assert titles(author_client.get("/admin/?kind=page")) == ["About"]


def test_search_title_and_body(synced, author_client):
    author_client.post(
        "/admin/posts/new", data=post_form(title="Zebra notes", body="A 100% unique_word here.")
    )
    assert titles(author_client.get("/admin/?q=zebra")) == ["Zebra notes"]
    assert titles(author_client.get("/admin/?q=unique_word")) == ["Zebra notes"]
    assert titles(author_client.get("/admin/?q=100%25")) == ["Zebra notes"]
    assert titles(author_client.get("/admin/?q=_")) == ["Zebra notes"]  # '_' is no wildcard
    empty = author_client.get("/admin/?q=nothing-like-this")
    assert "Nothing matches these filters" in empty.text


def test_paginates_and_keeps_filters(synced, author_client):
    for n in range(25):
        author_client.post("/admin/posts/new", data=post_form(title=f"Bulk {n:02d}", tags="bulk"))
    first = author_client.get("/admin/?tag=bulk")
    assert len(titles(first)) == 20
    assert "Page 1 of 2 (25 items)" in first.text
    assert 'href="/admin/?page=2&amp;tag=bulk"' in first.text
    second = author_client.get("/admin/?tag=bulk&page=2")
    assert len(titles(second)) == 5
    assert not set(titles(first)) & set(titles(second))
    assert titles(author_client.get("/admin/?tag=bulk&page=9")) == []


def test_a_future_dated_page_is_published_not_scheduled(synced, author_client):
    """Only posts are scheduled: a page with a date to come is on the site already."""
    db.session.execute(
        sa.update(Post).where(Post.kind == "page").values(published_at=datetime(2999, 1, 1))
    )
    db.session.commit()
    assert "<strong>1</strong> scheduled" in author_client.get("/admin/").text
    assert "About" in titles(author_client.get("/admin/?status=published"))
    assert "About" not in titles(author_client.get("/admin/?status=scheduled"))
    assert db.session.scalar(sa.select(Post).where(Post.kind == "page")).status == "published"


def test_the_admin_and_the_api_give_posts_the_same_status(author_client, api):
    for status in STATUSES:
        admin = titles(author_client.get(f"/admin/?status={status}&kind=post"))
        listed = api.get("/posts", params={"status": status, "per_page": 100}).json()["items"]
        assert sorted(map(html.unescape, admin)) == sorted(p["title"] for p in listed), status
        assert {p["status"] for p in listed} <= {status}


def test_the_dashboard_says_when_the_next_scheduled_post_goes_live(synced, author_client):
    page = author_client.get("/admin/").text
    assert "Next scheduled:" in page
    assert "A letter to the future" in page.split("Next scheduled:")[1].split("</p>")[0]
    assert '<time datetime="2099-01-01T00:00:00+00:00">2099-01-01 00:00 UTC</time>' in page
    db.session.execute(
        sa.update(Post).where(Post.slug == "letter-to-the-future").values(draft=True)
    )
    db.session.commit()
    assert "Next scheduled:" not in author_client.get("/admin/").text
