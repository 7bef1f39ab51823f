"""What is published, computed the same way for the preview app and the freezer."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar, cast

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, abort, current_app, has_request_context
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from app import recording
from app.extensions import db
from app.models import Post, Tag, post_tags
from app.recording import recorded
from app.status import now

T = TypeVar("T")


def build_time() -> datetime:
    """'Now' for publishing decisions: fixed for a whole build, so every page agrees."""
    return now()


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


def published_posts() -> sa.Select[Post]:
    """Published posts, newest first, with a stable tie-break (tags loaded in one query)."""
    return (
        sa.select(Post)
        .where(visible())
        .order_by(Post.published_at.desc(), Post.slug)
        .options(so.selectinload(Post.tags))
    )


def paginate(
    query: Callable[[], sa.Select[Post]],
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

    def __identity__(self) -> list[Any]:
        return ["list", recording.identity(self.items), self.page, self.per_page, self.total]

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
    query: Callable[[], sa.Select[Post]],
    cached: Callable[[], Sequence[Post | Listed]] | None = None,
) -> int:
    """How many list pages ``query()`` fills (at least one, so an empty site has an index)."""
    if cached is not None and building():
        total = len(cached())
    else:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query().subquery())) or 0
    return pages_for(total)


@recorded
def get_visible(kind: str, slug: str) -> Post | Listed | None:
    """The post or page at ``slug`` if it is on the site (a build looks it up in its listing)."""
    if building():
        return _by_slug(kind).get(slug)
    return db.session.scalar(sa.select(Post).where(visible(kind), Post.slug == slug))


def _by_slug(kind: str) -> dict[str, Listed]:
    items: list[Listed] = listing() if kind == "post" else visible_pages()  # type: ignore[assignment]  # a build's pages are
    return build_cache(f"by_slug_{kind}", lambda: {item.slug: item for item in items})


#: selectinload: a join to the tag tables would make SQLite materialize all of post_tags.
_WITH_TAGS = [so.selectinload(Post.tags)]


@recorded
def get_tag(slug: str) -> AnyTag | None:
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
    return cast(T, cache[key])  # what ``compute`` gave for ``key``


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
    cache: dict[str, Any] | None = app.extensions.get("microblog.build_cache")
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


def listing_order() -> list[str]:
    """Slugs of the published posts in index order, newest first."""
    return list(db.session.scalars(published_posts().with_only_columns(Post.slug)))


#: Columns a build's listing leaves out: read when a page asks for them (``_heavy``).
HEAVY = {"body", "body_html", "body_text", "toc_html"}


class Listed:
    """A post or page of a build: every column but the bodies, and its tags.

    Plain objects, loaded in two queries for the whole site: a build reads them on every list
    page, neighbour link and archive without SQL (ORM rows would cost ten times as much).
    The bodies are read when a page asks for them, a window of posts at a time (see
    ``_heavy``). Each field a page reads is noted for the build (see ``app.recording``).
    """

    if TYPE_CHECKING:  # Post's own properties, read off these attributes

        @property
        def reading_minutes(self) -> int: ...
        @property
        def status(self) -> str: ...

    else:
        reading_minutes = Post.reading_minutes
        status = Post.status

    def __init__(self, values: dict[str, Any], tags: list[ListedTag]) -> None:
        self.__dict__.update(values)
        self.tags = tags

    def __getattribute__(self, name: str) -> Any:
        if name[0] == "_":
            return object.__getattribute__(self, name)
        values = object.__getattribute__(self, "__dict__")
        recording.field(values["id"], name)
        if name in values:
            return values[name]
        with recording.unrecorded():  # a property: its value is what the page read
            return object.__getattribute__(self, name)

    def __getattr__(self, name: str) -> Any:
        if name in HEAVY:
            return _heavy(self, name)
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"<Listed {self.__dict__.get('slug')}>"


def _post_id(post: Listed) -> int:
    """A post in a recorded answer: its id (the fields a page reads are noted one by one)."""
    return object.__getattribute__(post, "__dict__")["id"]  # type: ignore[no-any-return]


recording.IDENTITIES[Listed] = _post_id


@dataclass(frozen=True)
class ListedTag:
    id: int
    name: str
    slug: str

    def __identity__(self) -> list[Any]:
        return ["tag", self.id, self.name, self.slug]


#: A tag as the preview (a row) or a build (its listing) gives it.
AnyTag = Tag | ListedTag


@recorded
def listing() -> list[Listed]:
    """Published posts in index order with their tags, without bodies: once per build."""
    return build_cache("listing", lambda: _in_index_order(_listed(visible())))


def _in_index_order(posts: list[Listed]) -> list[Listed]:
    """Newest first, then by slug: the database's order, put again in Python so that the
    fields it reads are noted as the read model's (``recording.field``); a sort of a sorted
    list is one pass."""
    posts.sort(key=attrgetter("slug"))
    posts.sort(key=attrgetter("published_at"), reverse=True)  # stable: slugs stay in order
    return posts


def listed_columns(condition: sa.ColumnElement[bool]) -> sa.Select[*tuple[Any, ...]]:
    """The listed columns of the posts meeting ``condition``, in index order (on SQLite, read
    from one covering index: see the migration that makes ``ix_post_listed``)."""
    columns = [c for c in Post.__table__.columns if c.key not in HEAVY]
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
    keys = cast("list[str]", [column.key for column in query.selected_columns])  # table columns
    at = keys.index("id")
    return [Listed(dict(zip(keys, row, strict=True)), tags.get(row[at], [])) for row in rows]


def _plain_rows(query: sa.Select[*tuple[Any, ...]]) -> list[list[Any]]:
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
#: Fragments of ``partials.cached_partial``, by template and key.
PARTIALS = "partials"


def _heavy(post: Listed, name: str) -> Any:
    """A body column of a build's post, read with those of the posts that follow it.

    A build renders post pages in index order, so reading the bodies of the next posts in one
    query spares a query per page (and ORM rows); only one window is held at a time. The
    page notes the field it read (the query is the read model's, not the page's).
    """
    window: dict[int, dict[str, Any]] = build_cache(_BODIES, dict)
    values = post.__dict__
    found = window.get(values["id"])
    if found is None:
        with recording.unrecorded():
            posts: list[Listed] = listing() if values["kind"] == "post" else []
            position = _positions(posts).get(values["slug"]) if posts else None
            if position is None or posts[position] is not post:  # not in the listing: alone
                posts, position = [post], 0
            window.clear()
            window.update(_bodies(posts[position : position + BODY_WINDOW]))
        found = window[values["id"]]
    return found[name]


def _bodies(posts: Sequence[Listed]) -> dict[int, dict[str, Any]]:
    """The columns listings leave out, of ``posts``, by id: one query."""
    columns = [Post.id, *(getattr(Post, name) for name in sorted(HEAVY))]
    ids = [p.__dict__["id"] for p in posts]
    rows = db.session.execute(sa.select(*columns).where(Post.id.in_(ids)))
    return {row.id: row._asdict() for row in rows}


def _positions(posts: list[Listed]) -> dict[str, int]:
    return build_cache("positions", lambda: {p.slug: i for i, p in enumerate(posts)})


def _group(key: Callable[[Listed], list[Any]]) -> dict[Any, list[Listed]]:
    groups: dict[Any, list[Listed]] = {}
    for post in listing():
        for value in key(post):
            groups.setdefault(value, []).append(post)
    return groups


def tag_listing(tag: AnyTag) -> list[Listed]:
    """The build's listing of one tag's posts, in index order."""
    by_tag = build_cache("by_tag", lambda: _group(lambda post: [t.id for t in post.tags]))
    return by_tag.get(tag.id, [])


@recorded
def period_listing(year: int, month: int | None = None) -> list[Listed]:
    """The build's listing of one year's or one month's posts, in index order."""

    def periods(post: Listed) -> list[Any]:
        return [post.published_at.year, _year_month(post.published_at)]

    key = year if month is None else (year, month)
    return build_cache("by_period", lambda: _group(periods)).get(key, [])


@recorded
def neighbours(slug: str) -> tuple[Post | Listed | None, Post | Listed | None]:
    """(newer, older) published posts around the post at ``slug``, in index order."""
    if building():
        posts: list[Any] = listing()
        positions = _positions(posts)
    else:
        posts = listing_order()
        positions = {slug: i for i, slug in enumerate(posts)}
    position = positions.get(slug)
    if position is None:  # a draft seen in preview: it has no place in the listing
        return None, None
    newer = posts[position - 1] if position > 0 else None
    older = posts[position + 1] if position + 1 < len(posts) else None
    return _row(newer), _row(older)


def _row(item: Listed | str | None) -> Post | Listed | None:
    if isinstance(item, str):
        return db.session.scalar(sa.select(Post).where(Post.slug == item))
    return item


@recorded
def tags_with_counts() -> list[tuple[Tag, int]] | list[tuple[ListedTag, int]]:
    """Tags that have at least one published post, with how many, by name (a build counts
    them in its listing)."""
    if building():
        return build_cache("tags_with_counts", _listed_tag_counts)
    return _tags_with_counts()


def _listed_tag_counts() -> list[tuple[ListedTag, int]]:
    counts: dict[ListedTag, int] = {}
    for post in listing():
        for tag in post.tags:
            counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts.items(), key=lambda pair: (pair[0].name, pair[0].id))


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


def tag_posts(tag: AnyTag) -> sa.Select[Post]:
    return published_posts().where(Post.tags.any(Tag.id == tag.id))


@recorded
def visible_pages() -> list[Post] | list[Listed]:
    """Pages, by title: every page's navigation shows them."""
    if building():
        return build_cache(
            "visible_pages", lambda: sorted(_listed(visible("page")), key=_title_then_slug)
        )
    query = sa.select(Post).where(visible("page")).order_by(Post.title, Post.slug)
    return list(db.session.scalars(query))


def _title_then_slug(page: Listed) -> tuple[str, str]:
    return page.title, page.slug


def _year_month(value: datetime) -> tuple[int, int]:
    return value.year, value.month


@recorded
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


def period_posts(year: int, month: int | None = None) -> sa.Select[Post]:
    """Published posts of one year, or of one month of it, newest first."""
    if month is None:
        start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    else:
        start = datetime(year, month, 1)
        end = datetime(year + (month == 12), month % 12 + 1, 1)
    return published_posts().where(Post.published_at >= start, Post.published_at < end)


# -- what the public views ask: one function per question, plain arguments -----------------


@recorded
def index_page(page: int) -> Pagination | ListPage:
    """Page ``page`` of the home page's list (404 past the end)."""
    return paginate(published_posts, page, cached=listing)


@recorded
def tag_page(slug: str, page: int) -> tuple[AnyTag, Pagination | ListPage]:
    """The tag at ``slug`` and page ``page`` of its posts (404 if either is not there)."""
    tag = get_tag(slug) or abort(404)
    return tag, paginate(lambda: tag_posts(tag), page, cached=lambda: tag_listing(tag))


#: Posts in a feed.
FEED_SIZE = 20


@recorded
def feed_posts(tag_slug: str | None = None) -> tuple[AnyTag | None, list[Post] | list[Listed]]:
    """The newest ``FEED_SIZE`` posts of the site, or of the tag at ``tag_slug`` (404 if
    there is no such tag), with that tag."""
    tag = None if tag_slug is None else get_tag(tag_slug) or abort(404)
    if building():
        return tag, (listing() if tag is None else tag_listing(tag))[:FEED_SIZE]
    query = published_posts() if tag is None else tag_posts(tag)
    return tag, list(db.session.scalars(query.limit(FEED_SIZE)))


@recorded
def archive_posts(year: int | None = None, month: int | None = None) -> list[Post] | list[Listed]:
    """Every published post, or those of one year or month (404 for a period without)."""
    if year is None:
        return listing() if building() else list(db.session.scalars(published_posts()))
    if not 1 <= year < 9999 or (month is not None and not 1 <= month <= 12):
        abort(404)
    if building():
        return period_listing(year, month) or abort(404)
    return list(db.session.scalars(period_posts(year, month))) or abort(404)
