"""Public pages. Every URL ends in '/' or has an extension, so each freezes to a file."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    current_app,
    render_template,
    send_from_directory,
    stream_with_context,
    url_for,
)
from flask.blueprints import BlueprintSetupState

from app.content.media import media_dir
from app.extensions import db
from app.models import Tag
from app.public import bp, jsonfeed, queries
from app.public.feeds import Channel, atom_feed
from app.public.highlight import highlight_stylesheet
from app.public.search import search_index
from app.public.sitemap import sitemap_xml
from app.public.urls import build_url_for, site_relative

FEED_SIZE = 20


@bp.app_context_processor
def site_context() -> dict[str, Any]:
    """What every page shows of the site: the same for a whole build."""
    return queries.build_cache(queries.SITE_CONTEXT, _site_context)


def _site_context() -> dict[str, Any]:
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


@bp.record_once
def _fast_url_for(state: BlueprintSetupState) -> None:
    state.app.jinja_env.globals["url_for"] = build_url_for


@bp.app_template_filter("site_links")
def site_links(html: str) -> str:
    """Content links like '/media/a.png' point into the site, also under a sub-path."""
    return site_relative(html, url_for("public.index"))


@bp.app_template_filter("month_name")
def month_name(month: int) -> str:
    return calendar.month_name[month]


@bp.route("/", defaults={"page": 1})
@bp.route("/page/<int:page>/")
def index(page: int) -> str:
    pagination = queries.paginate(queries.published_posts, page, cached=queries.listing)
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
    item = _tag_or_404(slug)
    pagination = queries.paginate(
        lambda: queries.tag_posts(item), page, cached=lambda: queries.tag_listing(item)
    )
    return render_template("tag.html", tag=item, pagination=pagination, posts=pagination.items)


def _tag_or_404(slug: str) -> Tag:
    return queries.get_tag(slug) or abort(404)


def _feed_posts(
    query: Callable[[], sa.Select[tuple[queries.Post]]],
    cached: Callable[[], Sequence[queries.Listed]],
) -> Sequence[queries.Post | queries.Listed]:
    """The newest FEED_SIZE posts of ``query()``; a build takes them from ``cached()`` (the
    same posts, in the same order) and loads only their bodies."""
    if queries.building():
        return queries.with_bodies(cached()[:FEED_SIZE])
    return list(db.session.scalars(query().limit(FEED_SIZE)))


def _tag_feed_posts(tag: Tag) -> Sequence[queries.Post | queries.Listed]:
    return _feed_posts(lambda: queries.tag_posts(tag), lambda: queries.tag_listing(tag))


def _site_channel() -> Channel:
    return Channel(
        title=current_app.config["SITE_TITLE"],
        home_url=url_for(".index", _external=True),
        atom_url=url_for(".feed", _external=True),
        json_url=url_for(".json_feed", _external=True),
    )


def _tag_channel(tag: Tag) -> Channel:
    return Channel(
        title=f"{current_app.config['SITE_TITLE']} · #{tag.name}",
        home_url=url_for(".tag", slug=tag.slug, _external=True),
        atom_url=url_for(".tag_feed", slug=tag.slug, _external=True),
        json_url=url_for(".tag_json_feed", slug=tag.slug, _external=True),
    )


@bp.route("/feed.xml")
def feed() -> Response:
    body = atom_feed(_feed_posts(queries.published_posts, queries.listing), _site_channel())
    return Response(body, mimetype="application/atom+xml")


@bp.route("/feed.json")
def json_feed() -> Response:
    body = jsonfeed.json_feed(
        _feed_posts(queries.published_posts, queries.listing), _site_channel()
    )
    return Response(body, mimetype=jsonfeed.MIMETYPE)


@bp.route("/tags/<slug>/feed.xml")
def tag_feed(slug: str) -> Response:
    item = _tag_or_404(slug)
    body = atom_feed(_tag_feed_posts(item), _tag_channel(item))
    return Response(body, mimetype="application/atom+xml")


@bp.route("/tags/<slug>/feed.json")
def tag_json_feed(slug: str) -> Response:
    item = _tag_or_404(slug)
    body = jsonfeed.json_feed(_tag_feed_posts(item), _tag_channel(item))
    return Response(body, mimetype=jsonfeed.MIMETYPE)


@bp.route("/archive/")
def archive() -> str:
    """Every published post, grouped by year and month."""
    if queries.building():
        posts = queries.listing()
    else:
        posts = db.session.scalars(queries.published_posts()).all()
    return render_template("archive.html", posts=posts, year=None, month=None)


def _period_or_404(year: int, month: int | None = None) -> list[queries.Post]:
    if not 1 <= year < 9999 or (month is not None and not 1 <= month <= 12):
        abort(404)
    if queries.building():
        return queries.period_listing(year, month) or abort(404)
    return db.session.scalars(queries.period_posts(year, month)).all() or abort(404)


@bp.route("/archive/<int(fixed_digits=4):year>/")
def archive_year(year: int) -> str:
    posts = _period_or_404(year)
    return render_template("archive.html", posts=posts, year=year, month=None)


@bp.route("/archive/<int(fixed_digits=4):year>/<int(fixed_digits=2):month>/")
def archive_month(year: int, month: int) -> str:
    posts = _period_or_404(year, month)
    return render_template("archive.html", posts=posts, year=year, month=month)


@bp.route("/sitemap.xml")
def sitemap() -> Response:
    return Response(sitemap_xml(), mimetype="application/xml")


@bp.route("/robots.txt")
def robots() -> Response:
    """Crawlers may read everything but a preview; the sitemap says what there is."""
    rule = "Disallow: /" if queries.include_drafts() else "Allow: /"
    body = f"User-agent: *\n{rule}\n\nSitemap: {url_for('.sitemap', _external=True)}\n"
    return Response(body, mimetype="text/plain")


@bp.route("/search/")
def search() -> str:
    return render_template("search.html")


@bp.route("/search.json")
def search_json() -> Response:
    return Response(stream_with_context(search_index()), mimetype="application/json")


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
