"""search.json: what the in-browser search looks through (no server, no third party)."""

from __future__ import annotations

import json
from typing import Any

from flask import url_for

from app.content.render import plain_text
from app.extensions import db
from app.models import Post
from app.public import queries

#: Characters of body text kept per document: enough to find a post, small enough to download.
TEXT_LIMIT = 3000


def _trimmed(text: str, limit: int = TEXT_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _document(post: Post, endpoint: str) -> dict[str, Any]:
    return {
        "title": post.title,
        "url": url_for(endpoint, slug=post.slug),
        "date": post.published_at.date().isoformat() if post.published_at else "",
        "tags": [tag.name for tag in post.tags],
        "summary": post.summary,
        "text": _trimmed(plain_text(post.body_html)),
    }


def search_index() -> bytes:
    """Published posts (newest first) then pages; URLs are site paths, right under a sub-path."""
    posts = db.session.scalars(queries.published_posts())
    documents = [_document(post, "public.post") for post in posts]
    documents += [_document(page, "public.page") for page in queries.visible_pages()]
    return (json.dumps({"items": documents}, ensure_ascii=False, indent=1) + "\n").encode()
