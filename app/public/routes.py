"""Public pages. Every URL ends in '/' or has an extension, so each freezes to a file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from flask import (
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_from_directory,
    stream_with_context,
    url_for,
)
from flask.blueprints import BlueprintSetupState

from app import recording
from app.content.confine import media_path
from app.content.media import media_dir
from app.content.notes import note_url_values
from app.public import bp, jsonfeed, queries, rss
from app.public.discovery import urls
from app.public.feeds import Channel, atom_feed
from app.public.highlight import highlight_stylesheet
from app.public.redirects import redirect_page
from app.public.search import search_index
from app.public.sitemap import sitemap_xml
from app.public.urls import build_url_for, site_relative
from app.recording import RecordedMapping
from app.status import now


@bp.app_context_processor
def site_context() -> dict[str, Any]:
    """What every page shows of the site (each setting a page reads is noted for builds)."""
    return {"site": RecordedMapping(site_settings()), "nav_pages": queries.visible_pages()}


def site_settings() -> dict[str, Any]:
    """The ``site`` of every page: what a theme may show of the settings."""
    config = current_app.config
    return {
        "title": config["SITE_TITLE"],
        "description": config["SITE_DESCRIPTION"],
        "author": config["SITE_AUTHOR"],
        "author_avatar": config["SITE_AUTHOR_AVATAR"],  # the h-card's u-photo (home page)
        "author_note": config["SITE_AUTHOR_NOTE"],  # the h-card's p-note
        "language": config["SITE_LANGUAGE"],
        "timezone": config["SITE_TIMEZONE"],  # read by the date filters (app/dates.py)
        "authoring_url": config["AUTHORING_URL"],  # Micropub/IndieAuth discovery links
        "webmention_endpoint": config.get("WEBMENTION_ENDPOINT") or "",  # receiving them
        "rel_me": urls(config.get("SITE_REL_ME") or ""),  # the author's other profiles
        "drafts": queries.include_drafts(),  # a preview build, or an author logged in
        "now": now(),  # the build's time in a build: every page agrees
    }


@bp.record_once
def _fast_url_for(state: BlueprintSetupState) -> None:
    state.app.jinja_env.globals["url_for"] = build_url_for


@bp.app_template_filter("site_links")
def site_links(html: str) -> str:
    """Content links like '/media/a.png' point into the site, also under a sub-path."""
    return site_relative(html, url_for("public.index"))


@bp.route("/", defaults={"page": 1})
@bp.route("/page/<int:page>/")
def index(page: int) -> str:
    pagination = queries.index_page(page)
    return render_template("index.html", pagination=pagination, posts=pagination.items)


@bp.route("/posts/<slug>/")
def post(slug: str) -> str:
    item = queries.get_visible("post", slug) or abort(404)
    newer, older = queries.neighbours(slug)
    return render_template("post.html", post=item, newer=newer, older=older)


#: A note's URL: its first local date and time (``app.content.notes``).
_NOTE_RULE = (
    "/notes/<int(fixed_digits=4):year>/<int(fixed_digits=2):month>/<int(fixed_digits=2):day>"
    "/<stamp>/"
)


@bp.route(_NOTE_RULE)
@bp.route("/notes/<slug>/")
def note(
    slug: str | None = None,
    year: int | None = None,
    month: int | None = None,
    day: int | None = None,
    stamp: str | None = None,
) -> str:
    """A note's own page: at its date and time, or (a file named otherwise) at its name."""
    if slug is None:
        slug = f"{year:04d}-{month:02d}-{day:02d}-{stamp}"
    if note_url_values(slug).get("stamp", slug) != (stamp or slug):  # one URL a note
        abort(404)
    item = queries.get_visible("note", slug) or abort(404)
    newer, older = queries.neighbours(slug)
    return render_template("note.html", post=item, newer=newer, older=older)


@bp.route("/tags/")
def tags() -> str:
    return render_template("tags.html", tags=queries.tags_with_counts())


@bp.route("/tags/<slug>/", defaults={"page": 1})
@bp.route("/tags/<slug>/page/<int:page>/")
def tag(slug: str, page: int) -> str:
    item, pagination = queries.tag_page(slug, page)
    return render_template("tag.html", tag=item, pagination=pagination, posts=pagination.items)


def _channel(tag: queries.AnyTag | None) -> Channel:
    """The feed of the site, or of one tag."""
    if tag is None:
        return Channel(
            title=current_app.config["SITE_TITLE"],
            home_url=url_for(".index", _external=True),
            atom_url=url_for(".feed", _external=True),
            json_url=url_for(".json_feed", _external=True),
            rss_url=url_for(".rss_feed", _external=True),
        )
    return Channel(
        title=f"{current_app.config['SITE_TITLE']} · #{tag.name}",
        home_url=url_for(".tag", slug=tag.slug, _external=True),
        atom_url=url_for(".tag_feed", slug=tag.slug, _external=True),
        json_url=url_for(".tag_json_feed", slug=tag.slug, _external=True),
        rss_url=url_for(".tag_rss_feed", slug=tag.slug, _external=True),
    )


def _atom(tag_slug: str | None) -> Response:
    tag, posts = queries.feed_posts(tag_slug)
    return Response(atom_feed(posts, _channel(tag)), mimetype="application/atom+xml")


def _json_feed(tag_slug: str | None) -> Response:
    tag, posts = queries.feed_posts(tag_slug)
    return Response(jsonfeed.json_feed(posts, _channel(tag)), mimetype=jsonfeed.MIMETYPE)


def _rss(tag_slug: str | None) -> Response:
    tag, posts = queries.feed_posts(tag_slug)
    return Response(rss.rss_feed(posts, _channel(tag)), mimetype=rss.MIMETYPE)


@bp.route("/feed.xml")
def feed() -> Response:
    return _atom(None)


@bp.route("/feed.json")
def json_feed() -> Response:
    return _json_feed(None)


@bp.route("/tags/<slug>/feed.xml")
def tag_feed(slug: str) -> Response:
    return _atom(slug)


@bp.route("/tags/<slug>/feed.json")
def tag_json_feed(slug: str) -> Response:
    return _json_feed(slug)


@bp.route("/rss.xml")
def rss_feed() -> Response:
    return _rss(None)


@bp.route("/tags/<slug>/rss.xml")
def tag_rss_feed(slug: str) -> Response:
    return _rss(slug)


@bp.route("/archive/")
def archive() -> str:
    """Every published post, grouped by year and month."""
    posts = queries.archive_posts()
    return render_template("archive.html", posts=posts, year=None, month=None)


@bp.route("/archive/<int(fixed_digits=4):year>/")
def archive_year(year: int) -> str:
    posts = queries.archive_posts(year)
    return render_template("archive.html", posts=posts, year=year, month=None)


@bp.route("/archive/<int(fixed_digits=4):year>/<int(fixed_digits=2):month>/")
def archive_month(year: int, month: int) -> str:
    posts = queries.archive_posts(year, month)
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
    # Bytes, but for spans of the last build's file (``FileSpan``), which only a build's
    # snapshot gives and only its writer reads (``incremental.write_chunks_if_changed``).
    chunks = cast("Iterator[bytes]", search_index())
    return Response(stream_with_context(chunks), mimetype="application/json")


@bp.route("/media/<path:filename>")
def media(filename: str) -> Response:
    """Uploaded images from content/media/: never a hidden file, a link out of the content
    folder or a name the build refuses (``confine.media_path``)."""
    if media_path(Path(current_app.config["CONTENT_DIR"]), filename) is None:
        abort(404)
    folder = media_dir()
    recording.file(str(folder / filename))
    return send_from_directory(folder, filename, max_age=3600)


@bp.route("/404.html")
def not_found_page() -> str:
    """The static host's 'not found' page; served with 200 so the freezer writes it."""
    return render_template("404.html")


@bp.app_errorhandler(404)
def not_found(error: Exception) -> tuple[str, int]:
    """The 'not found' page; at an old URL of a post or page (``aliases:``), its redirect
    page instead (``redirects``: an old URL may look like any view's)."""
    moved = redirect_page(request.path)
    if moved is not None:
        return moved, 200
    return render_template("404.html"), 404


@bp.route("/<slug>/")
def page(slug: str) -> str:
    item = queries.get_visible("page", slug) or abort(404)
    return render_template("page.html", page=item)


@bp.route("/css/highlight.css")
def highlight_css() -> Response:
    """Pygments styles for code blocks, light and dark, generated rather than copied."""
    return Response(highlight_stylesheet(), mimetype="text/css")
