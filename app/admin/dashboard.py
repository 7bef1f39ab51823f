"""The dashboard: the compose box, every post, note and page with its status, filters,
search and pagination."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, render_template, request, url_for

from app.admin import bp
from app.content.notes import note_url_values
from app.content.queries import count_matching, next_scheduled, post_filters
from app.extensions import db
from app.models import Post, Tag
from app.status import STATUSES

PER_PAGE = 20
STATUS_LABELS = {status: status.capitalize() for status in STATUSES}


def _counts() -> dict[str, int]:
    """How many rows in all, per status and pages; each count is an indexed query.

    The three statuses split every row, so 'published' is what the other two leave: counting
    it directly would read every row of the table (slow with thousands of posts).
    """
    counts = {"all": count_matching()}
    for name in ("draft", "scheduled"):
        counts[name] = count_matching(status=name)
    counts["published"] = counts["all"] - counts["draft"] - counts["scheduled"]
    counts["page"] = count_matching(kind="page")
    counts["note"] = count_matching(kind="note")
    return counts


@bp.app_template_global("public_url")
def public_url(post: Post) -> str:
    """Where a post, note or page is on the site (the authoring app serves a preview)."""
    if post.kind == "note":
        return url_for("public.note", **note_url_values(post.slug))
    return url_for("public.page" if post.kind == "page" else "public.post", slug=post.slug)


@bp.route("/")
def dashboard() -> str:
    return render_dashboard()


def render_dashboard(compose: Any = None) -> str:
    """The dashboard, with the compose box as ``compose`` left it (its errors and text)."""
    if compose is None:
        from app.admin.compose import NoteForm  # which renders this page again on errors

        compose = NoteForm()
    args = request.args
    q, status, tag, kind = (args.get(k, "").strip() for k in ("q", "status", "tag", "kind"))
    conditions = post_filters(
        kind=kind if kind in Post.KINDS else None,
        status=status if status in STATUSES else None,
        tag=tag,
        q=q,
    )
    # Posts and notes (interleaved, as on the timeline) before pages, newest first, undated
    # last.
    # The ids of one page first: sorting whole rows (bodies included) took 0.13 s at 10 000
    # posts, sorting ids and keys a few milliseconds.
    is_page = sa.case((Post.kind == "page", 1), else_=0)
    ids = (
        sa.select(Post.id)
        .where(*conditions)
        .order_by(is_page, Post.published_at.desc().nulls_last(), Post.title, Post.id)
    )
    pagination = db.paginate(
        ids, page=args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False
    )
    found = db.session.scalars(
        sa.select(Post).where(Post.id.in_(pagination.items)).options(so.selectinload(Post.tags))
    )
    by_id = {post.id: post for post in found}
    pagination.items = [by_id[post_id] for post_id in pagination.items if post_id in by_id]
    filters = {k: v for k, v in {"q": q, "status": status, "tag": tag, "kind": kind}.items() if v}
    return render_template(
        "admin/dashboard.html",
        pagination=pagination,
        posts=pagination.items,
        counts=_counts(),
        filters=filters,
        all_tags=db.session.scalars(sa.select(Tag).order_by(Tag.name)).all(),
        status_labels=STATUS_LABELS,
        upcoming=next_scheduled(),
        compose=compose,
        note_length=current_app.config["NOTE_LENGTH"],
    )
