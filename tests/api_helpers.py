"""Helpers for the API tests: read the DB without holding a lock the live server needs."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import sqlalchemy as sa
from PIL import Image

from app.extensions import db
from app.models import Post

PROBLEM = "application/problem+json"


def stored(slug: str) -> dict[str, Any] | None:
    """The row for ``slug`` as plain values (the read transaction is closed again)."""
    try:
        post = db.session.scalar(sa.select(Post).where(Post.slug == slug))
        if post is None:
            return None
        return {"title": post.title, "hash": post.source_hash, "draft": post.draft}
    finally:
        db.session.rollback()


def post_count() -> int:
    try:
        return db.session.scalar(sa.select(sa.func.count(Post.id)).where(Post.kind == "post")) or 0
    finally:
        db.session.rollback()


def assert_problem(response, status: int) -> dict[str, Any]:
    """An RFC 9457 problem with this status and a human-readable detail."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    assert body["detail"]
    return body


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (4, 3)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, "red").save(out, fmt)
    return out.getvalue()
