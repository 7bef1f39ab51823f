"""What the posts and notes resources share: finding one by its slug, ETags and If-Match,
writes and deletes through the content service (its errors as problems), paged lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, request

from app.api.auth import current_user
from app.api.errors import ApiError
from app.api.openapi import API_PREFIX
from app.content import ContentError, Document
from app.content.files import content_hash
from app.content.history import DirtyFileError
from app.content.render import body_warnings, render_markdown
from app.content.service import (
    ConflictError,
    SlugTakenError,
    UrlTakenError,
    delete_post,
    document_on_disk,
    save_post,
)
from app.content.store import post_values
from app.extensions import db
from app.models import Post

STRING = {"type": "string"}
ETAG_HEADER = {"description": "Its version; send it as If-Match.", "schema": STRING}
LOCATION_HEADER = {"description": "Where the new one is read.", "schema": STRING}
LINK_HEADER = {"description": "RFC 8288 links: first, prev, next, last.", "schema": STRING}

#: The API's resource of each kind of row (a page has none).
RESOURCES = {"post": "posts", "note": "notes"}


def etag(post: Post) -> str:
    return quoted(post.source_hash)


def quoted(version: str) -> str:
    """A version (a file's hash) as an ETag."""
    return f'"{version}"'


def where_is(kind: str, slug: str) -> str:
    """Where the API serves a row of ``kind``, or why it does not."""
    if kind in RESOURCES:
        return f"it is at {API_PREFIX}/{RESOURCES[kind]}/{slug}"
    return f"{kind}s are not in the API"


def saved(post: Post, represent: Callable[[Post], dict[str, Any]]) -> dict[str, Any]:
    """A post or note just written, and ``warnings`` if sanitizing its body removed text."""
    warnings = body_warnings(post.body)
    return {**represent(post), "warnings": warnings} if warnings else represent(post)


def find(kind: str, slug: str) -> Post:
    """The row of ``kind`` with ``slug``; a 404 problem otherwise, which says where a row of
    another kind with that slug is (``/posts/<a note's slug>`` points to ``/notes/...``)."""
    post = db.session.scalar(
        sa.select(Post).where(Post.slug == slug).options(so.selectinload(Post.tags))
    )
    if post is None:
        raise ApiError(404, f"there is no {kind} with the slug {slug!r}")
    if post.kind != kind:
        raise ApiError(
            404,
            f"{slug!r} is a {post.kind}, not a {kind}: {where_is(post.kind, slug)}",
        )
    return post


def file_hash(post: Post) -> str:
    """The version of ``post`` a client matches: its file's hash (the row's if it is gone)."""
    try:
        return content_hash(_source(post).read_bytes())
    except FileNotFoundError:
        return post.source_hash


def current(post: Post) -> Post:
    """What a client reads and edits of ``post``: its file as it is now, as the admin's editor
    shows it. The row itself while the file is the one last imported (or is gone); else a row
    read from the file, never stored (``flask content sync`` imports it). Raises
    ``ContentError`` for a file changed on disk that cannot be read."""
    found = document_on_disk(post)
    if found is None or found[1] == post.source_hash:
        return post
    doc, digest = found
    rendered = render_markdown(doc.body)
    return Post(id=post.id, **post_values(doc, post.source_path, digest, rendered))


def readable(post: Post) -> Post:
    """``current(post)``; the row when the file changed but cannot be read (the admin shows
    the last imported version then, too)."""
    try:
        return current(post)
    except ContentError:
        return post


def editable(post: Post) -> Post:
    """``current(post)``, the base of a PUT or PATCH; a 409 when the file cannot be read."""
    try:
        return current(post)
    except ContentError as exc:
        raise ApiError(
            409,
            f"the file changed on disk and cannot be read: {exc}; fix it, then try again",
            headers={"ETag": quoted(file_hash(post))},
        ) from exc


def checked_version(post: Post) -> str | None:
    """The version the client edited (from If-Match: ``*`` is any), or None; 412 with the
    current ETag when it is not the file's current one."""
    if "If-Match" not in request.headers:
        return None
    version = file_hash(post)
    if not request.if_match.contains(version):  # a ``*`` contains every version
        raise ApiError(
            412,
            f"the {post.kind} changed since you loaded it: GET it again and redo your edit",
            headers={"ETag": quoted(version)},
        )
    return version


def _source(post: Post) -> Path:
    return Path(current_app.config["CONTENT_DIR"]) / post.source_path


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def field_error(name: str, detail: str) -> dict[str, str]:
    """One entry of a problem's ``errors``: a field of the JSON body."""
    return {"location": "json", "field": name, "detail": detail}


def write(doc: Document, post: Post | None = None, expected: str | None = None) -> Post:
    """Save through the content service; its errors become problem responses."""
    try:
        return save_post(doc, post, expected_hash=expected, author=current_user())
    except UrlTakenError as exc:  # an old URL (alias) of another post, or a page's URL
        field = exc.field or "aliases"
        detail = f"{exc.message} ({exc.hint})"
        raise ApiError(409, f"{field}: {detail}", errors=[field_error(field, detail)]) from exc
    except SlugTakenError as exc:
        detail = _slug_taken(doc.slug) or exc.message
        raise ApiError(409, detail, errors=[field_error("slug", detail)]) from exc
    except ConflictError as exc:
        detail = f"{exc.message}: {exc.hint}" if exc.hint else exc.message
        raise ApiError(412 if expected else 409, detail, headers=_now_at(post)) from exc
    except DirtyFileError as exc:  # uncommitted changes in git: never overwritten
        raise ApiError(409, f"{exc}") from exc
    except ContentError as exc:
        field = exc.field or "body"
        detail = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
        raise ApiError(422, f"{field}: {detail}", errors=[field_error(field, detail)]) from exc


def _now_at(post: Post | None) -> dict[str, str]:
    """The ETag of a refused write's answer: the version of the file now."""
    return {"ETag": quoted(file_hash(post))} if post is not None else {}


def _slug_taken(slug: str) -> str | None:
    """Whose the slug is, when it is another kind's (None: a post's, as the service says)."""
    kind = db.session.scalar(sa.select(Post.kind).where(Post.slug == slug))
    if kind is None or kind == "post":
        return None
    return f"the slug {slug!r} is already used by a {kind} ({where_is(kind, slug)})"


def remove(post: Post, expected: str | None) -> None:
    """Delete through the content service; its refusals become problem responses."""
    try:
        delete_post(post, expected_hash=expected, actor=current_user())
    except ConflictError as exc:
        detail = f"{exc.message}: {exc.hint}"
        raise ApiError(412 if expected else 409, detail, headers=_now_at(post)) from exc
    except DirtyFileError as exc:  # uncommitted changes in git: never lost
        raise ApiError(409, f"{exc}") from exc


def _page_url(args: dict[str, Any], page: int) -> str:
    query = dict(request.args.items())
    query.update(page=str(page), per_page=str(args["per_page"]))
    return f"{request.path}?{urlencode(query)}"


def paged(
    query: sa.Select[Post], args: dict[str, Any], represent: Callable[[Post], Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """One page of ``query`` (``args``: ``page``, ``per_page``): the body, with links to the
    other pages, and the same links as a ``Link`` header."""
    query = query.options(so.selectinload(Post.tags))  # one query for every listed row's tags
    page = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False)
    last = max(page.pages, 1)
    links = {
        "self": _page_url(args, page.page),
        "first": _page_url(args, 1),
        "last": _page_url(args, last),
        "prev": _page_url(args, page.page - 1) if 1 < page.page <= last else None,
        "next": _page_url(args, page.page + 1) if page.page < last else None,
    }
    link_header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
    body = {
        "items": [represent(p) for p in page.items],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
        "links": links,
    }
    return body, {"Link": link_header}
