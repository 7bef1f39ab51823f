"""The dashboard: every post and page with its status, filters, search and pagination."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
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
    """The same three states as ``status_of``, as SQL."""
    future = sa.and_(Post.kind == "post", Post.published_at > now)
    return {
        "draft": Post.draft.is_(True),
        "schedule": sa.and_(Post.draft.is_(False), future),
        "publish": sa.and_(Post.draft.is_(False), sa.not_(future)),
    }.get(status)


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
    query = query.order_by(
        Post.kind.desc(),  # posts before pages
        sa.case((Post.published_at.is_(None), 1), else_=0),
        Post.published_at.desc(),
        Post.title,
    )
    pagination = db.paginate(
        query, page=args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False
    )
    counts = {"all": db.session.scalar(sa.select(sa.func.count(Post.id)))}
    for name in STATUS_LABELS:
        condition = _status_condition(name, now)
        counts[name] = db.session.scalar(sa.select(sa.func.count(Post.id)).where(condition))
    counts["page"] = db.session.scalar(sa.select(sa.func.count(Post.id)).where(Post.kind == "page"))
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
