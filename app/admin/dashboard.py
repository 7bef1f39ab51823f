"""The dashboard: every post and page with its status, filters, search and pagination."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import render_template, request

from app.admin import bp
from app.extensions import db
from app.models import Post, Tag
from app.public.queries import build_time

PER_PAGE = 20
STATUS_LABELS = {"draft": "Draft", "schedule": "Scheduled", "publish": "Published"}


def status_of(post: Post, now: datetime | None = None) -> str:
    """'draft', 'schedule' (a future date) or 'publish'."""
    if post.draft:
        return "draft"
    now = now or build_time()
    if post.kind == "post" and post.published_at is not None and post.published_at > now:
        return "schedule"
    return "publish"


def _status_condition(status: str, now: datetime) -> sa.ColumnElement[bool] | None:
    """The same three states as ``status_of``, as SQL (an undated post is published)."""
    future = sa.and_(Post.kind == "post", Post.published_at > now)
    past = sa.or_(Post.kind != "post", Post.published_at.is_(None), Post.published_at <= now)
    return {
        "draft": Post.draft.is_(True),
        "schedule": sa.and_(Post.draft.is_(False), future),
        "publish": sa.and_(Post.draft.is_(False), past),
    }.get(status)


def _counts(now: datetime) -> dict[str, int]:
    """How many rows in all, per status and pages; each count is an indexed query.

    The three statuses split every row, so 'publish' is what the other two leave: counting it
    directly would read every row of the table (slow with thousands of posts).
    """

    def count(condition: sa.ColumnElement[bool] | None = None) -> int:
        query = sa.select(sa.func.count(Post.id))
        return db.session.scalar(query if condition is None else query.where(condition)) or 0

    counts = {"all": count()}
    for name in ("draft", "schedule"):
        counts[name] = count(_status_condition(name, now))
    counts["publish"] = counts["all"] - counts["draft"] - counts["schedule"]
    counts["page"] = count(Post.kind == "page")
    return counts


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@bp.app_template_filter("admin_status")
def admin_status(post: Post) -> str:
    return status_of(post)


@bp.route("/")
def dashboard() -> str:
    now = build_time()
    args = request.args
    q, status, tag, kind = (args.get(k, "").strip() for k in ("q", "status", "tag", "kind"))
    query = sa.select(Post)
    if q:
        query = query.where(
            sa.or_(Post.title.ilike(_like(q), escape="\\"), Post.body.ilike(_like(q), escape="\\"))
        )
    if (condition := _status_condition(status, now)) is not None:
        query = query.where(condition)
    if tag:
        query = query.where(Post.tags.any(Tag.slug == tag))
    if kind in Post.KINDS:
        query = query.where(Post.kind == kind)
    # Posts before pages, newest first, undated last: the order of the (kind, published_at)
    # index read backwards, so a page of the listing needs no sort of the whole table.
    query = query.order_by(
        Post.kind.desc(), Post.published_at.desc().nulls_last(), Post.title
    ).options(so.selectinload(Post.tags))
    pagination = db.paginate(
        query, page=args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False
    )
    counts = _counts(now)
    filters = {k: v for k, v in {"q": q, "status": status, "tag": tag, "kind": kind}.items() if v}
    return render_template(
        "admin/dashboard.html",
        pagination=pagination,
        posts=pagination.items,
        counts=counts,
        filters=filters,
        all_tags=db.session.scalars(sa.select(Tag).order_by(Tag.name)).all(),
        status_labels=STATUS_LABELS,
        now=now,
    )
