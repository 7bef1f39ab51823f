"""One rule in the admin, the API and files: not a draft and dated in the future is scheduled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Post
from tests.admin_helpers import post_form


def _status(slug: str) -> str:
    try:
        return db.session.scalars(sa.select(Post).where(Post.slug == slug)).one().status
    finally:
        db.session.rollback()


def test_published_with_a_future_date_is_scheduled_in_the_admin_and_the_api(
    author_client, api, content_dir
):
    future = datetime.now(UTC) + timedelta(days=3)
    saved = author_client.post(
        "/admin/posts/new",
        data=post_form(
            title="From the admin", status="published", date=future.strftime("%Y-%m-%dT%H:%M")
        ),
        follow_redirects=True,
    )
    assert saved.status_code == 200
    assert "scheduled for" in saved.text  # the author is told what happened
    created = api.post(
        "/posts",
        json={"title": "From the API", "draft": False, "date": future.isoformat()},
    )
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "scheduled"
    assert _status("from-the-admin") == _status("from-the-api") == "scheduled"
    for slug in ("from-the-admin", "from-the-api"):
        assert "draft" not in (content_dir / "posts" / f"{slug}.md").read_text()
