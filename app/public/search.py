"""search.json: what the in-browser search looks through (no server, no third party)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, islice
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


def search_index() -> Iterator[bytes]:
    """Published posts (newest first) then pages; URLs are site paths, right under a sub-path.

    Made in chunks of ``TEXT_BATCH`` documents: at 10 000 posts the index is about 30 MB,
    which a build writes out as it goes instead of holding it (and its parts) at once.
    """
    if queries.building():
        posts = _post_documents(queries.listing())
    else:
        rows = db.session.scalars(queries.published_posts())
        posts = (orjson.dumps(_document(post, "public.post")) for post in rows)
    pages = (orjson.dumps(_document(page, "public.page")) for page in queries.visible_pages())
    documents = chain(posts, pages)
    separator = b""
    yield b'{"items":['
    while batch := list(islice(documents, TEXT_BATCH)):
        yield separator + b",".join(batch)
        separator = b","
    yield b"]}\n"


#: Documents made (and texts read from the database) at a time.
TEXT_BATCH = 500

#: Set in ``app.extensions`` by long-lived processes (``--watch``): keep each post's document
#: while its inputs are unchanged, so a rebuild after one edit makes one document.
KEEP_DOCUMENTS = "microblog.keep_search_documents"
_KEPT = "microblog.search_documents"


def _post_documents(posts: list[Listed]) -> Iterator[bytes]:
    """Each post's document as JSON, in order; kept between builds where the app says so.

    A post's document depends on its file (its text), its listed columns and its URL (the
    app's settings, fixed for the app's life).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    kept: dict[int, tuple[tuple[Any, ...], bytes]] | None = None
    if app.extensions.get(KEEP_DOCUMENTS):
        kept = app.extensions.setdefault(_KEPT, {})
    for start in range(0, len(posts), TEXT_BATCH):
        batch = posts[start : start + TEXT_BATCH]
        made = {} if kept is None else _still_good(batch, kept)
        texts = _texts([post.id for post in batch if post.id not in made])
        for post in batch:
            document = made.get(post.id)
            if document is None:
                document = orjson.dumps(_document(post, "public.post", texts[post.id]))
                if kept is not None:
                    kept[post.id] = _inputs(post), document
            yield document
    if kept is not None:
        for gone in kept.keys() - {post.id for post in posts}:  # posts that left the site
            del kept[gone]


def _still_good(
    posts: list[Listed], kept: dict[int, tuple[tuple[Any, ...], bytes]]
) -> dict[int, bytes]:
    """The kept documents of ``posts`` whose inputs are unchanged."""
    found = ((post, kept.get(post.id)) for post in posts)
    return {post.id: old[1] for post, old in found if old and old[0] == _inputs(post)}


def _texts(ids: list[int]) -> dict[int, str]:
    """Each post's body text, cut after what a document keeps of it."""
    if not ids:
        return {}
    shown = sa.func.substr(Post.body_text, 1, TEXT_LIMIT + 1)  # enough to know it was cut
    return dict(db.session.execute(sa.select(Post.id, shown).where(Post.id.in_(ids))).all())


def _inputs(post: Listed) -> tuple[Any, ...]:
    tags = tuple(tag.name for tag in post.tags)
    return post.source_hash, post.slug, post.title, post.published_at, tags, post.summary


def keep_documents_now() -> None:
    """Make every post's document now, for a long-lived app that has none yet (a watch that
    started on an up-to-date build): the first edit then makes one. In a build's request."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.extensions.get(KEEP_DOCUMENTS) and not app.extensions.get(_KEPT):
        for _chunk in search_index():
            pass
