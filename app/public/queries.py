"""What is published, computed the same way for the preview app and the freezer."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, abort, current_app, has_request_context
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from app.content.store import in_chunks
from app.extensions import db
from app.models import Post, Tag, post_tags

T = TypeVar("T")


def build_time() -> datetime:
    """'Now' for publishing decisions: fixed for a whole build, so every page agrees."""
    fixed = current_app.config.get("BUILD_TIME")
    return fixed or datetime.now(UTC).replace(tzinfo=None)


def author_preview() -> bool:
    """A logged-in author browsing the authoring app (never the freezer's app)."""
    return bool(
        current_app.extensions.get("microblog.authoring")
        and has_request_context()
        and current_user.is_authenticated
    )


def include_drafts() -> bool:
    return bool(current_app.config.get("BUILD_DRAFTS")) or author_preview()


def visible(kind: str = "post") -> sa.ColumnElement[bool]:
    """The condition a row must meet to be on the site."""
    conditions = [Post.kind == kind]
    if kind == "post" and not author_preview():  # authors also see scheduled posts
        conditions.append(Post.published_at <= build_time())
    if not include_drafts():
        conditions.append(Post.draft.is_(False))
    return sa.and_(*conditions)


def published_posts() -> sa.Select[tuple[Post]]:
    """Published posts, newest first, with a stable tie-break (tags loaded in one query)."""
    return (
        sa.select(Post)
        .where(visible())
        .order_by(Post.published_at.desc(), Post.slug)
        .options(so.selectinload(Post.tags))
    )


def paginate(
    query: Callable[[], sa.Select[tuple[Post]]],
    page: int,
    cached: Callable[[], Sequence[Post | Listed]] | None = None,
) -> Pagination | ListPage:
    """Page ``page`` of ``query()``; a build slices ``cached()`` (the same posts) instead."""
    if cached is not None and building():
        return list_page(cached(), page) or abort(404)
    per_page = current_app.config["POSTS_PER_PAGE"]
    return db.paginate(query(), page=page, per_page=per_page, error_out=True)


def pages_for(total: int, per_page: int | None = None) -> int:
    """How many list pages ``total`` posts fill (at least one, so an empty site has an index)."""
    return max(1, math.ceil(total / (per_page or current_app.config["POSTS_PER_PAGE"])))


def list_page(posts: Sequence[Post | Listed], page: int) -> ListPage | None:
    """Page ``page`` of an in-memory list of posts; None past either end."""
    per_page = current_app.config["POSTS_PER_PAGE"]
    items = list(posts[(page - 1) * per_page : page * per_page])
    found = ListPage(items=items, page=page, per_page=per_page, total=len(posts))
    return found if 1 <= page <= found.pages else None


@dataclass(frozen=True)
class ListPage:
    """One page of an in-memory list, with the attributes templates use from ``Pagination``."""

    items: list[Post | Listed]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return pages_for(self.total, self.per_page)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def page_count(
    query: Callable[[], sa.Select[tuple[Post]]],
    cached: Callable[[], Sequence[Post | Listed]] | None = None,
) -> int:
    """How many list pages ``query()`` fills (at least one, so an empty site has an index)."""
    if cached is not None and building():
        total = len(cached())
    else:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query().subquery())) or 0
    return pages_for(total)


def get_visible(kind: str, slug: str) -> Post | Listed | None:
    """The post or page at ``slug`` if it is on the site (a build looks it up in its listing)."""
    if building():
        if kind == "post":
            return shown_post(slug)
        listed = visible_pages()
        ids = build_cache(f"ids_{kind}", lambda: {item.slug: item.id for item in listed})
        found = ids.get(slug)
        return None if found is None else db.session.get(Post, found, options=_WITH_TAGS)
    return db.session.scalar(sa.select(Post).where(visible(kind), Post.slug == slug))


#: selectinload: a join to the tag tables would make SQLite materialize all of post_tags.
_WITH_TAGS = [so.selectinload(Post.tags)]


def get_tag(slug: str) -> Tag | None:
    """A tag by slug (a build looks it up among the tags it lists)."""
    if building():
        tags = build_cache("tags_by_slug", lambda: {t.slug: t for t, _ in tags_with_counts()})
        return tags.get(slug)
    return db.session.scalar(sa.select(Tag).where(Tag.slug == slug))


def building() -> bool:
    """Whether this request renders a build (whose data is fixed, so it may be cached)."""
    return current_app.config.get("BUILD_TIME") is not None


def build_cache(key: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per build (builds fix BUILD_TIME); every call in the preview app.

    Called for every URL a page links to, so it reads the app's settings directly.
    """
    cache = _answers()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def build_urls() -> dict[tuple[Any, ...], str] | None:
    """The URLs this build made, by endpoint and values; None outside builds."""
    cache = _answers()
    return None if cache is None else cache.setdefault("urls", {})


def _answers() -> dict[str, Any] | None:
    """The current build's answers (None outside builds)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stamp = _stamp(app)
    if stamp is None:
        return None
    cache = app.extensions.get("microblog.build_cache")
    if cache is None or cache["stamp"] != stamp:  # a new build forgets the previous answers
        cache = app.extensions["microblog.build_cache"] = {"stamp": stamp}
    return cache


def _stamp(app: Flask) -> tuple[datetime, bool] | None:
    """Which build (and which audience) cached answers belong to; None outside builds."""
    fixed = app.config.get("BUILD_TIME")
    if fixed is None:
        return None
    if app.extensions.get("microblog.authoring"):
        return fixed, include_drafts()  # an author's preview sees drafts, a reader not
    return fixed, bool(app.config.get("BUILD_DRAFTS"))


def build_cache_now() -> dict[str, Any] | None:
    """The answers of the app's latest build."""
    return current_app.extensions.get("microblog.build_cache")


def carry_build_cache(last: dict[str, Any] | None) -> bool:
    """Let this build use the ``last`` build's answers: its caller knows they still hold.

    False when the app has built since (another folder, or without drafts).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cache, stamp = app.extensions.get("microblog.build_cache"), _stamp(app)
    if cache is None or cache is not last or stamp is None or cache["stamp"][1] != stamp[1]:
        return False
    cache["stamp"] = stamp
    for key in PER_BUILD:
        cache.pop(key, None)
    return True


def seed_build_cache(answers: dict[str, Any]) -> dict[str, Any]:
    """Start this build's answers with ``answers`` (a listing an earlier build saved, which its
    caller checked against the rows); the others are computed as they are asked for."""
    cache = _answers()
    if cache is None:
        raise RuntimeError("only a build (with BUILD_TIME set) has answers to seed")
    cache.update(answers)
    return cache


def forget_build_cache() -> None:
    """Drop this build's answers (seeded ones that turned out not to hold, say)."""
    current_app.extensions.pop("microblog.build_cache", None)


def came_due(since: datetime) -> bool:
    """Whether a post scheduled after ``since`` is published by now (the build's time)."""
    query = sa.select(Post.id).where(visible(), Post.published_at > since).limit(1)
    return db.session.scalar(query) is not None


def listing_order() -> list[str]:
    """Slugs of the published posts in index order, newest first."""
    return list(db.session.scalars(published_posts().with_only_columns(Post.slug)))


#: Columns list pages never show: left out of a build's listing.
_HEAVY = {"body", "body_html", "body_text", "toc_html"}


class Listed:
    """A published post as list pages show it: every column but the bodies, and its tags.

    Plain objects, loaded in two queries for the whole site: a build reads them on every list
    page, neighbour link and archive without SQL (ORM rows would cost ten times as much).
    """

    reading_minutes = Post.reading_minutes

    def __init__(self, values: dict[str, Any], tags: list[ListedTag]) -> None:
        self.__dict__.update(values)
        self.tags = tags

    def __getattr__(self, name: str) -> Any:
        if name in _HEAVY:  # loud, not an empty string in the page
            raise RuntimeError(f"list pages show posts without '{name}'; post pages have it")
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"<Listed {self.__dict__.get('slug')}>"


@dataclass(frozen=True)
class ListedTag:
    id: int
    name: str
    slug: str


def listing() -> list[Listed]:
    """Published posts in index order with their tags, without bodies: once per build."""
    return build_cache("listing", lambda: _listed(visible()))


def source_versions() -> dict[int, tuple[str, str, str]]:
    """(source path, hash, renderer) of every row, posts and pages, drafts too, by id: what
    the rest of a row is made from (on SQLite, read from the sync's covering index)."""
    query = sa.select(Post.id, Post.source_path, Post.source_hash, Post.renderer)
    return {row[0]: (row[1], row[2], row[3]) for row in _plain_rows(query)}


def listed_rows(source_paths: Sequence[str]) -> dict[str, Listed]:
    """The published posts among ``source_paths`` as ``listing`` shows them, by source path."""
    found: dict[str, Listed] = {}
    for paths in in_chunks(source_paths):  # stay below SQL parameter limits
        chunk = Post.source_path.in_(paths)
        found.update((post.source_path, post) for post in _listed(sa.and_(visible(), chunk), chunk))
    return found


def listed_columns(condition: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """The listed columns of the posts meeting ``condition``, in index order (on SQLite, read
    from one covering index: see the migration that makes ``ix_post_listed``)."""
    columns = [c for c in Post.__table__.columns if c.key not in _HEAVY]
    return sa.select(*columns).where(condition).order_by(Post.published_at.desc(), Post.slug)


def _listed(
    condition: sa.ColumnElement[bool], few: sa.ColumnElement[bool] | None = None
) -> list[Listed]:
    """Posts meeting ``condition`` in index order, with their tags (of the ``few`` only)."""
    query = listed_columns(condition)
    rows = _plain_rows(query)
    pairs = sa.select(post_tags.c.post_id, Tag.id, Tag.name, Tag.slug).join(
        Tag, Tag.id == post_tags.c.tag_id
    )
    if few is not None:
        pairs = pairs.where(post_tags.c.post_id.in_(sa.select(Post.id).where(few)))
    tags: dict[int, list[ListedTag]] = {}
    known: dict[int, ListedTag] = {}  # one object per tag, not per post and tag
    for post_id, tag_id, name, slug in _plain_rows(pairs.order_by(Tag.name)):  # no ORM rows
        tag = known.get(tag_id) or known.setdefault(tag_id, ListedTag(tag_id, name, slug))
        tags.setdefault(post_id, []).append(tag)
    keys = [column.key for column in query.selected_columns]
    at = keys.index("id")
    return [Listed(dict(zip(keys, row, strict=True)), tags.get(row[at], [])) for row in rows]


def _plain_rows(query: sa.Select[Any]) -> list[list[Any]]:
    """The rows of ``query`` as lists of values converted by their columns' types.

    What ``session.execute`` gives without its row objects, which cost more than the
    query itself for the 10 000 rows of a listing.
    """
    connection = db.session.connection()
    result = connection.execute(query)
    dialect = connection.dialect
    try:
        converters = [
            (i, convert)
            for i, column in enumerate(query.selected_columns)
            if (convert := column.type.dialect_impl(dialect).result_processor(dialect, None))
            is not None
        ]
        rows = [list(row) for row in result.cursor.fetchall()]
    finally:
        result.close()
    for row in rows:
        for i, convert in converters:
            row[i] = convert(row[i])
    return rows


#: Post pages render in index order: a build loads this many posts' bodies at a time.
BODY_WINDOW = 64
_BODIES = "bodies"
#: Answers never carried to the next build: the bodies (which a body edit changes) and what
#: every page shows of the site (its 'now').
SITE_CONTEXT = "site_context"
#: Fragments of ``partials.cached_partial``, by template and key.
PARTIALS = "partials"
PER_BUILD = (_BODIES, SITE_CONTEXT, PARTIALS)


def shown_post(slug: str) -> Listed | None:
    """A published post as its page shows it: its listing with the bodies.

    A build renders post pages in index order, so reading the bodies of the posts that
    follow in one query spares a query per page (and ORM rows); only one window of bodies
    is held at a time. Pages asked for out of order load their own post only.
    """
    posts = listing()
    position = _positions(posts).get(slug)
    if position is None:
        return None
    window: dict[str, Any] = build_cache(_BODIES, lambda: {"next": None, "rows": {}})
    post = posts[position]
    heavy = window["rows"].get(post.id)
    if heavy is None:
        size = BODY_WINDOW if position == window["next"] else 1
        window["rows"] = _bodies(posts[position : position + size])
        heavy = window["rows"][post.id]
    window["next"] = position + 1
    return Listed({**vars(post), **heavy}, post.tags)


def _bodies(posts: Sequence[Listed]) -> dict[int, dict[str, Any]]:
    """The columns listings leave out, of ``posts``, by id: one query."""
    columns = [Post.id, *(getattr(Post, name) for name in sorted(_HEAVY))]
    rows = db.session.execute(sa.select(*columns).where(Post.id.in_([p.id for p in posts])))
    return {row.id: row._asdict() for row in rows}


def with_bodies(posts: Sequence[Listed]) -> list[Listed]:
    """Listed posts with their bodies, as post pages show them (for feeds: a build reads a
    feed's posts from its listing instead of sorting a tag's posts in SQL)."""
    bodies = _bodies(posts)
    return [Listed({**vars(post), **bodies[post.id]}, post.tags) for post in posts]


def _positions(posts: list[Listed]) -> dict[str, int]:
    return build_cache("positions", lambda: {p.slug: i for i, p in enumerate(posts)})


def _group(key: Callable[[Listed], list[Any]]) -> dict[Any, list[Listed]]:
    groups: dict[Any, list[Listed]] = {}
    for post in listing():
        for value in key(post):
            groups.setdefault(value, []).append(post)
    return groups


def tag_listing(tag: Tag) -> list[Listed]:
    """The build's listing of one tag's posts, in index order."""
    by_tag = build_cache("by_tag", lambda: _group(lambda post: [t.id for t in post.tags]))
    return by_tag.get(tag.id, [])


def period_listing(year: int, month: int | None = None) -> list[Listed]:
    """The build's listing of one year's or one month's posts, in index order."""

    def periods(post: Listed) -> list[Any]:
        return [post.published_at.year, _year_month(post.published_at)]

    key = year if month is None else (year, month)
    return build_cache("by_period", lambda: _group(periods)).get(key, [])


def neighbours(post: Post) -> tuple[Post | Listed | None, Post | Listed | None]:
    """(newer, older) published posts around ``post``, in index order."""
    if building():
        posts: list[Any] = listing()
        positions = _positions(posts)
    else:
        posts = listing_order()
        positions = {slug: i for i, slug in enumerate(posts)}
    position = positions.get(post.slug)
    if position is None:  # a draft seen in preview: it has no place in the listing
        return None, None
    newer = posts[position - 1] if position > 0 else None
    older = posts[position + 1] if position + 1 < len(posts) else None
    return _row(newer), _row(older)


def _row(item: Listed | str | None) -> Post | Listed | None:
    if isinstance(item, str):
        return db.session.scalar(sa.select(Post).where(Post.slug == item))
    return item


def tags_with_counts() -> list[tuple[Tag, int]]:
    """Tags that have at least one published post, with how many, by name."""
    return build_cache("tags_with_counts", _tags_with_counts)


def _tags_with_counts() -> list[tuple[Tag, int]]:
    count = sa.func.count(Post.id)
    rows = db.session.execute(
        sa.select(Tag, count)
        .join(post_tags, post_tags.c.tag_id == Tag.id)
        .join(Post, Post.id == post_tags.c.post_id)
        .where(visible())
        .group_by(Tag.id)
        .order_by(Tag.name)
    )
    return [(tag, n) for tag, n in rows]


def tag_posts(tag: Tag) -> sa.Select[tuple[Post]]:
    return published_posts().where(Post.tags.contains(tag))


def visible_pages() -> list[Post]:
    """Pages, by title: every page's navigation shows them."""

    def load() -> list[Post]:
        query = sa.select(Post).where(visible("page")).order_by(Post.title)
        return list(db.session.scalars(query))

    return build_cache("visible_pages", load)


def _year_month(value: datetime) -> tuple[int, int]:
    return value.year, value.month


def archive_months() -> list[tuple[int, int, int]]:
    """(year, month, post count) for every month with published posts, newest first."""
    return build_cache("archive_months", _archive_months)


def _archive_months() -> list[tuple[int, int, int]]:
    counts: dict[tuple[int, int], int] = {}
    if building():  # the build's listing has the dates
        dates: Iterable[datetime] = (post.published_at for post in listing())
    else:
        dates = db.session.scalars(published_posts().with_only_columns(Post.published_at))
    for published in dates:
        key = _year_month(published)
        counts[key] = counts.get(key, 0) + 1
    return [(year, month, n) for (year, month), n in sorted(counts.items(), reverse=True)]


def period_posts(year: int, month: int | None = None) -> sa.Select[tuple[Post]]:
    """Published posts of one year, or of one month of it, newest first."""
    if month is None:
        start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    else:
        start = datetime(year, month, 1)
        end = datetime(year + (month == 12), month % 12 + 1, 1)
    return published_posts().where(Post.published_at >= start, Post.published_at < end)


#: What an author sees of a post's state (the site shows only "published").
POST_STATUSES = ("draft", "scheduled", "published")


def post_status(post: Post) -> str:
    """draft, scheduled (dated in the future) or published, as the admin and the API show it."""
    if post.draft:
        return "draft"
    if post.published_at is not None and post.published_at > build_time():
        return "scheduled"
    return "published"


def status_is(status: str) -> sa.ColumnElement[bool]:
    """The SQL condition for ``post_status(post) == status``."""
    now = build_time()
    if status == "draft":
        return Post.draft.is_(True)
    if status == "scheduled":
        return sa.and_(Post.draft.is_(False), Post.published_at > now)
    if status == "published":
        return sa.and_(Post.draft.is_(False), Post.published_at <= now)
    raise ValueError(f"unknown status {status!r}")


def matching_posts(
    *,
    status: str | None = None,
    tag: str | None = None,
    q: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> sa.Select[tuple[Post]]:
    """All posts (drafts and scheduled too) that match the filters, newest first."""
    query = sa.select(Post).where(Post.kind == "post")
    if status:
        query = query.where(status_is(status))
    if tag:
        query = query.where(Post.tags.any(Tag.slug == tag))
    if q:
        words = sa.or_(
            Post.title.icontains(q, autoescape=True), Post.body.icontains(q, autoescape=True)
        )
        query = query.where(words)
    if date_from:
        query = query.where(Post.published_at >= datetime.combine(date_from, time.min))
    if date_to:
        query = query.where(Post.published_at <= datetime.combine(date_to, time.max))
    return query.order_by(Post.published_at.desc(), Post.slug)
