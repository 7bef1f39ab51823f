"""search.json: what the in-browser search looks through (no server, no third party)."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa

from app.extensions import db
from app.models import Post
from app.public import queries
from app.public.urls import build_url_for

#: Characters of body text kept per document: enough to find a post, small enough to download.
TEXT_LIMIT = 3000


def _trimmed(text: str, limit: int = TEXT_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _document(post: Post, endpoint: str, text: str | None = None) -> dict[str, Any]:
    return {
        "title": post.title,
        "url": build_url_for(endpoint, slug=post.slug),
        "date": post.published_at.date().isoformat() if post.published_at else "",
        "tags": [tag.name for tag in post.tags],
        "summary": post.summary,
        "text": _trimmed(post.body_text if text is None else text),
    }


def search_index() -> bytes:
    """Published posts (newest first) then pages; URLs are site paths, right under a sub-path."""
    if queries.building():  # the build's listing, and the texts (as much as is kept) in one query
        posts = queries.listing()
        shown = sa.func.substr(Post.body_text, 1, TEXT_LIMIT + 1)  # enough to know it was cut
        texts = dict(db.session.execute(sa.select(Post.id, shown).where(Post.kind == "post")).all())
        documents = [_document(post, "public.post", texts[post.id]) for post in posts]
    else:
        posts = db.session.scalars(queries.published_posts()).all()
        documents = [_document(post, "public.post") for post in posts]
    documents += [_document(page, "public.page") for page in queries.visible_pages()]
    return orjson.dumps({"items": documents}) + b"\n"
