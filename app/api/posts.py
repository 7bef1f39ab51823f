"""/posts: list with filters and paging, read, create, replace, patch and delete."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app.api.auth import current_user
from app.api.errors import ApiError
from app.api.openapi import ApiBlueprint, accepts, errors
from app.api.schemas import (
    PostCreateSchema,
    PostPageSchema,
    PostPatchSchema,
    PostQuerySchema,
    PostReplaceSchema,
    PostSchema,
)
from app.content import ContentError, Document
from app.content.history import DirtyFileError
from app.content.queries import matching_posts
from app.content.render import body_warnings
from app.content.service import ConflictError, SlugTakenError, delete_post, save_post
from app.content.slugs import slugify
from app.content.store import document_from_post
from app.extensions import db
from app.models import Post

blp: ApiBlueprint = Blueprint(
    "posts", __name__, description="Blog posts: the Markdown files in content/posts/."
)

STRING = {"type": "string"}
ETAG_HEADER = {"description": "The post's version; send it as If-Match.", "schema": STRING}
LOCATION_HEADER = {"description": "The new post's URL.", "schema": STRING}
LINK_HEADER = {"description": "RFC 8288 links: first, prev, next, last.", "schema": STRING}


def etag(post: Post) -> str:
    return f'"{post.source_hash}"'


def represent(post: Post) -> dict[str, Any]:
    """A post as the API shows it."""
    return {
        "slug": post.slug,
        "title": post.title,
        "body": post.body,
        "body_html": post.body_html,
        "summary": post.summary,
        "tags": [t.name for t in post.tags],
        "date": post.published_at,
        "updated": post.updated_at,
        "draft": post.draft,
        "status": post.status,
        "author": post.author_name,
        "url": url_for("public.post", slug=post.slug),
        "etag": etag(post),
        "word_count": post.word_count,
        "reading_minutes": post.reading_minutes,
        "aliases": list(post.aliases or []),
    }


def represent_saved(post: Post) -> dict[str, Any]:
    """A post just written, and ``warnings`` if sanitizing its body removed text."""
    warnings = body_warnings(post.body)
    return {**represent(post), "warnings": warnings} if warnings else represent(post)


def get_post(slug: str) -> Post:
    post = db.session.scalar(sa.select(Post).where(Post.kind == "post", Post.slug == slug))
    if post is None:
        raise ApiError(404, f"there is no post with the slug {slug!r}")
    return post


def checked_version(post: Post) -> str | None:
    """The hash the client edited (from If-Match), or None; 412 when it is not current."""
    if "If-Match" not in request.headers:
        return None
    if not request.if_match.contains(post.source_hash):
        raise ApiError(
            412,
            "the post changed since you loaded it: GET it again and redo your edit",
            headers={"ETag": etag(post)},
        )
    return post.source_hash


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def write(doc: Document, post: Post | None = None, expected: str | None = None) -> Post:
    """Save through the content service; its errors become problem responses."""
    try:
        return save_post(doc, post, expected_hash=expected, author=current_user())
    except SlugTakenError as exc:
        raise ApiError(409, exc.message, errors=[_field("slug", exc.message)]) from exc
    except ConflictError as exc:
        detail = f"{exc.message}: {exc.hint}" if exc.hint else exc.message
        raise ApiError(412 if expected else 409, detail) from exc
    except DirtyFileError as exc:  # uncommitted changes in git: never overwritten
        raise ApiError(409, f"{exc}") from exc
    except ContentError as exc:
        field = exc.field or "body"
        raise ApiError(422, f"{field}: {exc.message}", errors=[_field(field, exc.message)]) from exc


def _field(name: str, detail: str) -> dict[str, str]:
    return {"location": "json", "field": name, "detail": detail}


def _page_url(args: dict[str, Any], page: int) -> str:
    query = dict(request.args.items())
    query.update(page=str(page), per_page=str(args["per_page"]))
    return f"{request.path}?{urlencode(query)}"


@blp.route("/posts", endpoint="posts")
class Posts(MethodView):
    @errors(blp, 403)
    @blp.arguments(PostQuerySchema, location="query")
    @blp.response(200, PostPageSchema, headers={"Link": LINK_HEADER})
    def get(self, args: dict[str, Any]) -> Any:
        """List posts, newest first

        Drafts and scheduled posts included; filter with `status`, `tag`, `from`/`to`, `q`.
        """
        query = matching_posts(
            status=args.get("status"),
            tag=args.get("tag"),
            q=args.get("q"),
            date_from=args.get("date_from"),
            date_to=args.get("date_to"),
        ).options(so.selectinload(Post.tags))  # one query for every listed post's tags
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

    @accepts("application/json")
    @errors(blp, 403, 409, 413, 415)
    @blp.arguments(PostCreateSchema)
    @blp.response(201, PostSchema, headers={"Location": LOCATION_HEADER, "ETag": ETAG_HEADER})
    def post(self, data: dict[str, Any]) -> Any:
        """Create a post

        Writes `content/posts/<slug>.md` and indexes it. The slug is made from the title
        when not given; a slug in use is a 409.
        """
        doc = Document(
            title=data["title"],
            slug=data.get("slug") or slugify(data["title"]),
            body=data.get("body", ""),
            date=data.get("date") or now(),
            updated=data.get("updated"),
            tags=data.get("tags", []),
            draft=data.get("draft", False),
            summary=data.get("summary", ""),
            aliases=data.get("aliases", []),
        )
        post = write(doc)  # the byline: the token's owner (the content service sets it)
        location = url_for("posts.post", slug=post.slug)
        return represent_saved(post), {"Location": location, "ETag": etag(post)}


@blp.route("/posts/<slug>", endpoint="post")
class PostItem(MethodView):
    @errors(blp, 403, 404)
    @blp.response(200, PostSchema, headers={"ETag": ETAG_HEADER})
    def get(self, slug: str) -> Any:
        """Read a post"""
        post = get_post(slug)
        return represent(post), {"ETag": etag(post)}

    @accepts("application/json")
    @errors(blp, 403, 404, 409, 412, 413, 415)
    @blp.arguments(PostReplaceSchema)
    @blp.response(200, PostSchema, headers={"ETag": ETAG_HEADER})
    def put(self, data: dict[str, Any], slug: str) -> Any:
        """Replace a post

        Fields left out take their defaults (no tags, not a draft, empty body…), except
        `date` and `aliases`, which stay. The slug does not change here (PATCH renames).
        Send the post's ETag as `If-Match`: if the post changed since, the answer is 412
        and nothing is written.
        """
        post = get_post(slug)
        expected = checked_version(post)
        doc = Document(
            title=data["title"],
            slug=post.slug,
            body=data.get("body", ""),
            date=data.get("date") or post.published_at or now(),
            updated=data.get("updated"),
            tags=data.get("tags", []),
            draft=data.get("draft", False),
            summary=data.get("summary", ""),
            author=post.author_name,  # never the client's: the byline stays
            extra=dict(post.extra or {}),
            aliases=data.get("aliases", list(post.aliases or [])),  # old URLs stay
        )
        post = write(doc, post, expected)
        return represent_saved(post), {"ETag": etag(post)}

    @accepts("application/json")
    @errors(blp, 403, 404, 409, 412, 413, 415)
    @blp.arguments(PostPatchSchema)
    @blp.response(200, PostSchema, headers={"ETag": ETAG_HEADER})
    def patch(self, data: dict[str, Any], slug: str) -> Any:
        """Change some fields of a post

        Only the fields sent change; e.g. `{"draft": false}` publishes a draft, and
        `{"slug": "new-name"}` renames the post (a published one keeps its old URL in
        `aliases`: it redirects to the new one). Send the
        post's ETag as `If-Match` to be sure nobody changed it since you read it (412 if so).
        """
        post = get_post(slug)
        expected = checked_version(post)
        doc = replace(document_from_post(post), **data)
        if doc.date is None:
            doc = replace(doc, date=now())
        post = write(doc, post, expected)
        return represent_saved(post), {"ETag": etag(post)}

    @errors(blp, 403, 404, 409, 412)
    @blp.response(204)
    def delete(self, slug: str) -> Any:
        """Delete a post

        Removes its file and its row. Send the post's ETag as `If-Match` to be sure you delete
        the version you saw (412 if it changed).
        """
        post = get_post(slug)
        expected = checked_version(post)
        try:
            delete_post(post, expected_hash=expected, actor=current_user())
        except ConflictError as exc:
            raise ApiError(412 if expected else 409, f"{exc.message}: {exc.hint}") from exc
        except DirtyFileError as exc:  # uncommitted changes in git: never lost
            raise ApiError(409, f"{exc}") from exc
        return Response(status=204)
