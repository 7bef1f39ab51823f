"""search.json: what the in-browser search looks through (no server, no third party)."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import Post
from app.public import queries
from app.public.queries import Listed
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
    if queries.building():  # each post's document made once, while its inputs are the same
        items = _post_documents(queries.listing())
    else:
        posts = db.session.scalars(queries.published_posts()).all()
        items = [orjson.dumps(_document(post, "public.post")) for post in posts]
    items += [orjson.dumps(_document(page, "public.page")) for page in queries.visible_pages()]
    return b'{"items":[' + b",".join(items) + b"]}\n"


#: Texts read from the database at a time: a build never holds every post's text at once.
TEXT_BATCH = 500


def _post_documents(posts: list[Listed]) -> list[bytes]:
    """Each post's document as JSON, kept by the app between builds while its inputs last.

    A post's document depends on its file (its text), its listed columns and its URL (the
    app's settings, fixed for the app's life): a rebuild after one edit makes one document.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    kept: dict[int, tuple[tuple[Any, ...], bytes]] = app.extensions.setdefault(
        "microblog.search_documents", {}
    )
    keys = {post.id: _inputs(post) for post in posts}
    stale = [post for post in posts if kept.get(post.id, ((),))[0] != keys[post.id]]
    shown = sa.func.substr(Post.body_text, 1, TEXT_LIMIT + 1)  # enough to know it was cut
    for start in range(0, len(stale), TEXT_BATCH):
        batch = stale[start : start + TEXT_BATCH]
        query = sa.select(Post.id, shown).where(Post.id.in_([post.id for post in batch]))
        texts = dict(db.session.execute(query).all())
        for post in batch:
            document = _document(post, "public.post", texts[post.id])
            kept[post.id] = keys[post.id], orjson.dumps(document)
    for gone in kept.keys() - keys.keys():  # posts that left the site
        del kept[gone]
    return [kept[post.id][1] for post in posts]


def _inputs(post: Listed) -> tuple[Any, ...]:
    tags = tuple(tag.name for tag in post.tags)
    return post.source_hash, post.slug, post.title, post.published_at, tags, post.summary
