"""``/micropub``: create, update, delete and undelete (POST), and the queries (GET)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, BinaryIO, cast

import sqlalchemy as sa
from flask import Response, current_app, jsonify, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import Forbidden

from app.content.document import Document
from app.content.errors import ContentError
from app.content.media import MediaError, save_upload
from app.content.service import ConflictError, SlugTakenError, save_post
from app.content.store import document_from_post
from app.content.sync import source_path_for
from app.content.trash import is_trashed, restore, trash_post
from app.extensions import db
from app.micropub import bp
from app.micropub.auth import authenticate, current_token, require_scope
from app.micropub.entries import (
    apply_update,
    document_for,
    photos_into_body,
    photos_of,
    properties_of,
    updated_document,
)
from app.micropub.errors import MicropubError, invalid
from app.micropub.request import MicropubRequest, read_request
from app.micropub.urls import (
    find_post,
    kind_and_slug,
    photo_src,
    photo_url,
    post_url,
)
from app.models import Post, Tag
from app.status import now

bp.before_request(authenticate)

#: The kinds of post this endpoint makes (``q=config``'s ``post-types``).
POST_TYPES = [
    {"type": "note", "name": "Note"},
    {"type": "article", "name": "Article"},
    {"type": "photo", "name": "Photo"},
    {"type": "reply", "name": "Reply"},
    {"type": "bookmark", "name": "Bookmark"},
    {"type": "like", "name": "Like"},
    {"type": "repost", "name": "Repost"},
]
QUERIES = ("config", "source", "syndicate-to", "category")


def endpoint_url(endpoint: str) -> str:
    """An endpoint of this app as clients reach it: under ``AUTHORING_URL`` when set."""
    base = current_app.config.get("AUTHORING_URL")
    if base:
        return str(base).rstrip("/") + url_for(endpoint)
    return url_for(endpoint, _external=True)


@bp.get("", strict_slashes=False)
def query() -> Response:
    """``q=config``, ``q=source`` (with ``url`` and ``properties[]``), ``q=syndicate-to``,
    ``q=category``."""
    asked = request.args.get("q", "")
    if asked == "config":
        return jsonify(
            {
                "media-endpoint": endpoint_url("micropub.media"),
                "syndicate-to": [],
                "post-types": POST_TYPES,
                "q": list(QUERIES),
            }
        )
    if asked == "syndicate-to":
        return jsonify({"syndicate-to": []})
    if asked == "category":
        names = db.session.scalars(sa.select(Tag.name).order_by(Tag.name))
        return jsonify({"categories": list(names)})
    if asked == "source":
        return _source()
    raise invalid(f"unknown query q={asked!r}: ask one of {', '.join(QUERIES)}")


def _post_at(url: str) -> Post:
    if not url:
        raise invalid("'url' is missing: give the post's URL")
    post = find_post(url)
    if post is None:
        raise invalid(f"there is no post at {url}")
    return post


def _source() -> Response:
    post = _post_at(request.args.get("url", ""))
    props = properties_of(document_from_post(post), photo_url)
    wanted = request.args.getlist("properties[]") or request.args.getlist("properties")
    if wanted:
        return jsonify({"properties": {k: v for k, v in props.items() if k in wanted}})
    return jsonify({"type": ["h-entry"], "properties": props})


@bp.post("", strict_slashes=False)
def act() -> Response:
    """Create, update, delete or undelete, as the request's ``action`` says."""
    asked = read_request()
    if asked.action == "create":
        return _create(asked)
    if asked.action == "update":
        return _update(asked)
    if asked.action == "delete":
        return _delete(asked)
    return _undelete(asked)


def _uploaded(files: dict[str, list[FileStorage]], alts: list[Any]) -> list[dict[str, str]]:
    """Photos uploaded with the post (multipart), stored like the media endpoint's."""
    others = sorted(set(files) - {"photo"})
    if others:
        raise invalid(f"'{others[0]}' files are not supported: only photos")
    photos = []
    for number, upload in enumerate(files.get("photo", [])):
        try:
            stored = save_upload(
                cast(BinaryIO, upload.stream), upload.filename or "photo", current_token().user
            )
        except MediaError as exc:
            hint = f" ({exc.hint})" if exc.hint else ""
            raise invalid(f"photo {upload.filename or number + 1}: {exc.message}{hint}") from exc
        photo = {"src": f"/media/{stored.name}"}
        alt = alts[number] if number < len(alts) else ""
        if isinstance(alt, str) and alt.strip():
            photo["alt"] = " ".join(alt.split())
        photos.append(photo)
    return photos


def _photos(values: list[Any]) -> list[dict[str, str]]:
    return [{**p, "src": photo_src(p["src"])} for p in photos_of(values)]


def _free_slug(doc: Document) -> Document:
    """An article's slug, with ``-2``, ``-3``... when a post or a file already has it."""
    if doc.kind == "note" and not doc.slug:
        return doc
    base, n = doc.slug, 1
    while _slug_taken(doc.kind, doc.slug):
        n += 1
        doc = replace(doc, slug=f"{base[:90]}-{n}")
    return doc


def _slug_taken(kind: str, slug: str) -> bool:
    if db.session.scalar(sa.select(Post.id).where(Post.slug == slug)) is not None:
        return True
    return is_trashed(kind, slug) or bool(
        (current_app.config["CONTENT_DIR"] / source_path_for(kind, slug)).exists()
    )


def _save(doc: Document, post: Post | None = None) -> Post:
    """Save through the content service; its refusals in Micropub's words."""
    try:
        return save_post(doc, post, author=current_token().user)
    except Forbidden as exc:
        raise MicropubError("forbidden", exc.description or "your role may not do this") from exc
    except (SlugTakenError, ConflictError) as exc:
        raise invalid(f"{exc.message}: {exc.hint}" if exc.hint else exc.message) from exc
    except ContentError as exc:
        field = f"{exc.field}: " if exc.field else ""
        hint = f" ({exc.hint})" if exc.hint else ""
        raise invalid(f"{field}{exc.message}{hint}") from exc


def note_document(doc: Document) -> Document:
    """A note (no ``name``): the content service gives it its date-shaped slug and URL."""
    return replace(doc, kind="note", title="")


def _check_not_empty(doc: Document, what_to_do: str) -> None:
    """A note is its text, its photos or its link to another post: refuse one with none."""
    if doc.kind == "note" and not doc.body.strip() and not doc.photos and not doc.refs:
        raise invalid(f"the note is empty: {what_to_do}")


def _create(asked: MicropubRequest) -> Response:
    require_scope("create")
    if not asked.properties and not asked.files:
        raise invalid("the post has no properties: send at least 'content' or a 'photo'")
    photos = _photos(asked.properties.get("photo", []))
    photos += _uploaded(asked.files, asked.commands.get("mp-photo-alt", []))
    doc = document_for(asked.properties, asked.commands, photos, now().replace(microsecond=0))
    if doc.kind == "note":
        doc = note_document(doc)
        if not doc.body and doc.summary:  # a note is its text: a summary alone is it
            doc = replace(doc, body=doc.summary + "\n", summary="")
    _check_not_empty(doc, "send 'content', a 'photo' or a link to reply to")
    body: dict[str, Any] = {}
    missing = [n for n, p in enumerate(doc.photos, start=1) if not p.get("alt")]
    if missing and not doc.draft:
        doc = replace(doc, draft=True)
        body["warning"] = (
            f"saved as a draft: photo {missing[0]} has no alt text; describe it in the admin "
            'and publish, or send {"value": url, "alt": "..."} (JSON) or mp-photo-alt (form)'
        )
    post = _save(_free_slug(photos_into_body(doc)))
    location = post_url(post)
    body.update({"url": location, "status": post.status})
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = location
    return response


def _update(asked: MicropubRequest) -> Response:
    require_scope("update")
    post = _post_at(asked.url)
    doc = document_from_post(post)
    props = apply_update(properties_of(doc, photo_url), asked.replace, asked.add, asked.delete)
    changed = updated_document(
        doc, props, _photos(props.get("photo", [])), now().replace(microsecond=0)
    )
    _check_not_empty(changed, "keep its 'content', a 'photo' or a link, or delete the note")
    _save(photos_into_body(changed), post)
    return Response(status=204)


def _delete(asked: MicropubRequest) -> Response:
    require_scope("delete")
    post = _post_at(asked.url)
    try:
        trash_post(post, actor=current_token().user)  # the role decides (app.permissions)
    except ContentError as exc:
        raise invalid(f"{exc.message}: {exc.hint}" if exc.hint else exc.message) from exc
    return Response(status=204)


def _undelete(asked: MicropubRequest) -> Response:
    require_scope("delete")
    found = kind_and_slug(asked.url) if asked.url else None
    if found is None or not is_trashed(*found):
        raise invalid(f"there is no deleted post at {asked.url or '(no url)'}")
    try:
        restore(*found, actor=current_token().user)
    except ContentError as exc:
        raise invalid(f"{exc.message}: {exc.hint}" if exc.hint else exc.message) from exc
    return Response(status=204)
