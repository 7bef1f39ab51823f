"""/posts: list with filters and paging, read, create, replace, patch and delete."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Response, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app.api.common import (
    ETAG_HEADER,
    LINK_HEADER,
    LOCATION_HEADER,
    checked_version,
    editable,
    etag,
    find,
    now,
    paged,
    readable,
    remove,
    saved,
    write,
)
from app.api.openapi import ApiBlueprint, accepts, errors
from app.api.schemas import (
    PostCreateSchema,
    PostPageSchema,
    PostPatchSchema,
    PostQuerySchema,
    PostReplaceSchema,
    PostSchema,
)
from app.content import Document
from app.content.queries import matching_posts
from app.content.slugs import slugify
from app.content.store import document_from_post, written_tags
from app.models import Post

blp: ApiBlueprint = Blueprint(
    "posts", __name__, description="Blog posts: the Markdown files in content/posts/."
)


def represent(post: Post) -> dict[str, Any]:
    """A post as the API shows it."""
    return {
        "slug": post.slug,
        "title": post.title,
        "body": post.body,
        "body_html": post.body_html,
        "summary": post.summary,
        "tags": written_tags(post),
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


def get_post(slug: str) -> Post:
    return find("post", slug)


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
        )
        return paged(query, args, represent)

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
        return saved(post, represent), {"Location": location, "ETag": etag(post)}


@blp.route("/posts/<slug>", endpoint="post")
class PostItem(MethodView):
    @errors(blp, 403, 404)
    @blp.response(200, PostSchema, headers={"ETag": ETAG_HEADER})
    def get(self, slug: str) -> Any:
        """Read a post

        As its file is now: a file edited on disk since the last sync is shown as it is, with
        its ETag.
        """
        post = readable(get_post(slug))
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
        base = editable(post)
        expected = checked_version(post)
        doc = Document(
            title=data["title"],
            slug=post.slug,
            body=data.get("body", ""),
            date=data.get("date") or base.published_at or now(),
            updated=data.get("updated"),
            tags=data.get("tags", []),
            draft=data.get("draft", False),
            summary=data.get("summary", ""),
            author=base.author_name,  # never the client's: the byline stays
            extra=dict(base.extra or {}),
            aliases=data.get("aliases", list(base.aliases or [])),  # old URLs stay
        )
        post = write(doc, post, expected)
        return saved(post, represent), {"ETag": etag(post)}

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
        base = editable(post)
        expected = checked_version(post)
        doc = replace(document_from_post(base), **data)
        if doc.date is None:
            doc = replace(doc, date=now())
        post = write(doc, post, expected)
        return saved(post, represent), {"ETag": etag(post)}

    @errors(blp, 403, 404, 409, 412)
    @blp.response(204)
    def delete(self, slug: str) -> Any:
        """Delete a post

        Removes its file and its row. Send the post's ETag as `If-Match` to be sure you delete
        the version you saw (412 if it changed).
        """
        post = get_post(slug)
        expected = checked_version(post)
        remove(post, expected)
        return Response(status=204)
