"""The editor: write-through saves via ``save_post``, conflicts, inline errors, delete."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from app.admin import bp
from app.admin.forms import ConfirmForm, PostForm
from app.content import ContentError, Document
from app.content.files import content_hash
from app.content.history import DirtyFileError
from app.content.render import body_warnings
from app.content.service import (
    ConflictError,
    SlugTakenError,
    delete_post,
    document_on_disk,
    save_post,
)
from app.content.slugs import slugify
from app.content.store import document_from_post
from app.extensions import db
from app.localtime import site_zone_name, to_local, to_utc
from app.models import Post, Tag, User
from app.permissions import PermissionDenied, can, require
from app.status import now, status_of


def _initial(post: Post | None, kind: str) -> dict[str, Any]:
    """What the editor shows before any edit."""
    if post is None:
        return {"kind": kind, "status": "draft"}
    return {
        "kind": post.kind,
        "title": post.title,
        "slug": post.slug,
        "status": post.status,
        "date": _wall_clock(post.published_at),
        "tags": ", ".join(document_from_post(post).tags),  # as its file writes them
        "summary": post.summary if post.explicit_summary else "",
        "body": post.body,
        "source_hash": post.source_hash,
    }


def _initial_from_disk(post: Post, disk_hash: str) -> tuple[dict[str, Any], str]:
    """The editor's fields from the file when it changed outside the admin, and a notice."""
    display = f"content/{post.source_path}"
    try:
        found = document_on_disk(post)
    except ContentError as exc:
        found, problem = None, str(exc)
    else:
        problem = "it is gone" if found is None else ""
    if found is None:
        return _initial(post, post.kind), (
            f"{display} changed outside the admin and cannot be read ({problem}); the editor "
            "shows the last imported version and saving will report a conflict."
        )
    doc = found[0]
    initial = {
        "kind": post.kind,
        "title": doc.title,
        "slug": doc.slug,
        "status": status_of(doc.draft, doc.date, kind=post.kind),
        "date": _wall_clock(doc.date),
        "tags": ", ".join(doc.tags),
        "summary": doc.summary,
        "body": doc.body,
        "source_hash": disk_hash,
    }
    return initial, f"{display} changed outside the admin: the editor shows the file as it is now."


def _wall_clock(value: datetime | None) -> datetime | None:
    """A naive-UTC date as the editor's field shows it: the site's local time."""
    return None if value is None else to_local(value).replace(tzinfo=None)


def _from_wall_clock(value: datetime | None, before: datetime | None) -> datetime | None:
    """The field's local time as naive UTC; the date it had (``before``) when the field still
    shows that, so that an edit keeps the very moment (the second hour of a DST change)."""
    if value is None:
        return None
    if before is not None and _wall_clock(before) == value:
        return before
    return to_utc(value)


def normalize_text(value: str | None) -> str:
    """Browsers send textarea lines with CRLF; files use LF."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


def _base_document(post: Post | None, kind: str, expected_hash: str | None) -> Document:
    """What the form's fields are laid over: the file the editor loaded, so no key is lost."""
    if post is None:
        return Document("", "", "", kind=kind)
    if expected_hash and expected_hash != post.source_hash:
        try:
            found = document_on_disk(post)
            if found is not None and found[1] == expected_hash:
                return found[0]
        except (OSError, ContentError):
            pass  # the save itself reports the conflict
    return document_from_post(post)


def _document(form: PostForm, post: Post | None, expected_hash: str | None) -> Document | None:
    """The document the form describes, or None with errors set on the form's fields."""
    kind = post.kind if post is not None else form.kind.data
    minute = now().replace(second=0, microsecond=0)
    base = _base_document(post, kind, expected_hash)
    status, when = form.status.data, _from_wall_clock(form.date.data, base.date)
    if status == "scheduled":
        if kind == "page":
            form.status.errors.append("Pages have no date: choose Draft or Published.")
        elif when is None or when <= minute:
            form.date.errors.append("A scheduled post needs a date in the future.")
    # 'Published' with a future date is saved and scheduled (the save's message says so), as
    # `draft: false` is in a file or the API: one rule, app/status.py's.
    if form.status.errors or form.date.errors:
        return None
    if when is None and kind in ("post", "note"):
        when = minute
    title = " ".join((form.title.data or "").split())
    return replace(
        base,
        title=title,
        slug=base.slug if kind == "note" else (form.slug.data or "").strip() or slugify(title),
        body=normalize_text(form.body.data),
        date=when,
        tags=[t.strip() for t in (form.tags.data or "").split(",") if t.strip()],
        draft=status == "draft",
        summary=" ".join(normalize_text(form.summary.data).split()),
    )


def _field_for(error: ContentError, form: PostForm) -> Any:
    """The form field a content-layer error is about (the form itself when none fits)."""
    message = error.message
    for name in ("slug", "title", "date", "tags", "summary"):
        if f"'{name}'" in message or message.startswith(f"invalid {name}") or name in message:
            return getattr(form, name)
    return None


def _disk_hash(post: Post) -> str:
    path = Path(current_app.config["CONTENT_DIR"]) / post.source_path
    try:
        return content_hash(path.read_bytes())
    except FileNotFoundError:
        return ""


def _editor(post: Post | None) -> Response | tuple[str, int] | str:
    user = current_user._get_current_object()
    if post is None:
        require(user, "create")
    else:
        require(user, "edit", post)
    kind = request.args.get("kind", "post") if post is None else post.kind
    if kind not in Post.KINDS:
        abort(404)
    initial, notice = _initial(post, kind), ""
    if post is not None and not request.form:
        disk_hash = _disk_hash(post)
        if disk_hash and disk_hash != post.source_hash:
            initial, notice = _initial_from_disk(post, disk_hash)
    form = PostForm(data=initial)
    form.date.label.text = f"Date ({site_zone_name()})"
    if post is None and form.kind.data in Post.KINDS:
        kind = form.kind.data
    form_errors: list[str] = []
    conflict: str | None = None
    status = 200
    if form.is_submitted():
        expected = form.source_hash.data or None
        if form.overwrite.data and form.disk_hash.data:
            expected = form.disk_hash.data
        doc = _document(form, post, expected) if form.validate() else None
        saved, status, conflict = None, 422, None
        if doc is not None:
            saved, status, conflict = _save(doc, post, expected, user, form, form_errors)
        if saved is not None:
            _flash_saved(saved)
            for warning in body_warnings(saved.body):
                flash(f"Saved, but readers will not see everything: {warning}.", "warning")
            return redirect(url_for("admin.edit", post_id=saved.id))
    tag_names = db.session.scalars(sa.select(Tag.name).order_by(Tag.name)).all()
    page = render_template(
        "admin/editor.html",
        form=form,
        post=post,
        kind=kind,
        form_errors=form_errors,
        conflict=conflict,
        notice=notice,
        tag_names=tag_names,
        may_publish=can(user, "publish", post),
    )
    return (page, status) if status != 200 else page


def _save(
    doc: Document,
    post: Post | None,
    expected: str | None,
    user: User,
    form: PostForm,
    form_errors: list[str],
) -> tuple[Post | None, int, str | None]:
    """Save a submitted post: the post saved, or None with the errors put on ``form`` (or
    ``form_errors``), the status to answer with and, on a conflict, the text on disk."""
    try:
        saved = save_post(doc, post, expected_hash=expected, author=user)
    except PermissionDenied as exc:
        form.status.errors.append(f"Not saved: {exc.message}.")
        return None, 403, None
    except SlugTakenError as exc:
        form.slug.errors.append(f"{exc.message} ({exc.hint}).")
    except ConflictError as exc:
        if post is None:
            form.slug.errors.append(f"{exc.message} ({exc.path}): choose another slug.")
        else:
            form.disk_hash.data = _disk_hash(post)
            return None, 409, exc.disk_text or ""
    except ContentError as exc:
        field = _field_for(exc, form)
        message = f"{exc.message} ({exc.hint})." if exc.hint else f"{exc.message}."
        (field.errors if field is not None else form_errors).append(message)
    except (OSError, SQLAlchemyError) as exc:
        form_errors.append(
            f"Could not save ({type(exc).__name__}: {exc}). Nothing was changed; "
            "your text is kept below."
        )
    else:
        return saved, 200, None
    return None, 422, None


def _flash_saved(post: Post) -> None:
    state = post.status
    if state == "scheduled":
        when = post.published_at.strftime("%Y-%m-%d %H:%M") if post.published_at else ""
        note = f"scheduled for {when} UTC: the first build after that publishes it"
    elif state == "draft":
        note = "saved as a draft: only you can see it"
    else:
        note = "published on the next build (use Publish)"
    flash(f"Saved {post.display_name!r} to content/{post.source_path}: {note}.", "success")


@bp.route("/posts/new", methods=["GET", "POST"])
def new() -> Response | tuple[str, int] | str:
    return _editor(None)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit(post_id: int) -> Response | tuple[str, int] | str:
    return _editor(db.get_or_404(Post, post_id))


@bp.route("/posts/<int:post_id>/delete", methods=["GET", "POST"])
def delete(post_id: int) -> Response | str:
    post = db.get_or_404(Post, post_id)
    user = current_user._get_current_object()
    require(user, "delete", post)
    form = ConfirmForm(data={"source_hash": post.source_hash})
    if form.validate_on_submit():
        title, path = post.title, post.source_path
        try:
            delete_post(post, expected_hash=form.source_hash.data or None, actor=user)
        except ConflictError as exc:
            flash(f"Not deleted: {exc.message} ({exc.hint}).", "error")
            return redirect(url_for("admin.edit", post_id=post_id))
        except DirtyFileError as exc:  # uncommitted changes in git: never lost
            flash(f"Not deleted: {exc.path}: {exc.message} ({exc.hint}).", "error")
            return redirect(url_for("admin.edit", post_id=post_id))
        except (OSError, SQLAlchemyError) as exc:
            flash(f"Not deleted ({type(exc).__name__}: {exc}); nothing was changed.", "error")
            return redirect(url_for("admin.edit", post_id=post_id))
        flash(f"Deleted {title!r} and content/{path}.", "success")
        return redirect(url_for("admin.dashboard"))
    return render_template("admin/delete.html", form=form, post=post)
