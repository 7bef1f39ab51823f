"""Public pages. Every URL ends in '/' or has an extension, so each freezes to a file."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, abort, current_app, render_template, send_from_directory, url_for

from app.content.media import media_dir
from app.extensions import db
from app.models import Tag
from app.public import bp, queries
from app.public.feeds import atom_feed
from app.public.highlight import highlight_stylesheet

FEED_SIZE = 20


@bp.app_context_processor
def site_context() -> dict[str, Any]:
    config = current_app.config
    return {
        "site": {
            "title": config["SITE_TITLE"],
            "description": config["SITE_DESCRIPTION"],
            "author": config["SITE_AUTHOR"],
            "language": config["SITE_LANGUAGE"],
            "drafts": queries.include_drafts(),  # a preview build, or an author logged in
            "now": queries.build_time(),
        },
        "nav_pages": queries.visible_pages(),
    }


@bp.route("/", defaults={"page": 1})
@bp.route("/page/<int:page>/")
def index(page: int) -> str:
    pagination = queries.paginate(queries.published_posts(), page)
    return render_template("index.html", pagination=pagination, posts=pagination.items)


@bp.route("/posts/<slug>/")
def post(slug: str) -> str:
    item = queries.get_visible("post", slug) or abort(404)
    newer, older = queries.neighbours(item)
    return render_template("post.html", post=item, newer=newer, older=older)


@bp.route("/tags/")
def tags() -> str:
    return render_template("tags.html", tags=queries.tags_with_counts())


@bp.route("/tags/<slug>/", defaults={"page": 1})
@bp.route("/tags/<slug>/page/<int:page>/")
def tag(slug: str, page: int) -> str:
    item = db.session.scalar(sa.select(Tag).where(Tag.slug == slug)) or abort(404)
    pagination = queries.paginate(queries.tag_posts(item), page)
    return render_template("tag.html", tag=item, pagination=pagination, posts=pagination.items)


@bp.route("/feed.xml")
def feed() -> Response:
    posts = db.session.scalars(queries.published_posts().limit(FEED_SIZE)).all()
    body = atom_feed(posts, url_for(".feed", _external=True), current_app.config["SITE_TITLE"])
    return Response(body, mimetype="application/atom+xml")


@bp.route("/media/<path:filename>")
def media(filename: str) -> Response:
    """Uploaded images from content/media/ (send_from_directory refuses paths outside it)."""
    return send_from_directory(media_dir(), filename, max_age=3600)


@bp.route("/404.html")
def not_found_page() -> str:
    """The static host's 'not found' page; served with 200 so the freezer writes it."""
    return render_template("404.html")


@bp.app_errorhandler(404)
def not_found(error: Exception) -> tuple[str, int]:
    return render_template("404.html"), 404


@bp.route("/<slug>/")
def page(slug: str) -> str:
    item = queries.get_visible("page", slug) or abort(404)
    return render_template("page.html", page=item)


@bp.route("/css/highlight.css")
def highlight_css() -> Response:
    """Pygments styles for code blocks, light and dark, generated rather than copied."""
    return Response(highlight_stylesheet(), mimetype="text/css")
