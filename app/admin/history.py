"""A post's history from git: its commits, what each changed, and restoring one (a commit too)."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.admin import bp
from app.admin.forms import ConfirmForm
from app.content import ContentError
from app.content import history as git
from app.content.document import parse_document
from app.content.service import save_post
from app.extensions import db
from app.localtime import site_zone
from app.models import Post
from app.permissions import PermissionDenied, require


def _post_file(post: Post) -> Path:
    return Path(current_app.config["CONTENT_DIR"]) / post.source_path


def _revision(repo: git.Repo, post: Post, sha: str) -> git.Revision:
    """The commit ``sha`` of this post's history, or 404."""
    if not git.is_sha(sha):
        abort(404)
    found = next((r for r in git.log(repo, _post_file(post)) if r.sha.startswith(sha)), None)
    if found is None:
        abort(404)
    return found


@bp.route("/posts/<int:post_id>/history")
def history(post_id: int) -> str:
    post = db.get_or_404(Post, post_id)
    require(current_user._get_current_object(), "read", post)
    repo = git.content_repo()
    revisions = git.log(repo, _post_file(post)) if repo is not None else []
    return render_template(
        "admin/history.html", post=post, repo=repo, revisions=revisions, form=ConfirmForm()
    )


@bp.route("/posts/<int:post_id>/history/<sha>")
def revision(post_id: int, sha: str) -> str:
    post = db.get_or_404(Post, post_id)
    require(current_user._get_current_object(), "read", post)
    repo = git.content_repo()
    if repo is None:
        abort(404)
    found = _revision(repo, post, sha)
    lines = git.diff(repo, found.sha, found.path).splitlines()
    return render_template(
        "admin/revision.html", post=post, revision=found, lines=lines, form=ConfirmForm()
    )


@bp.route("/posts/<int:post_id>/history/<sha>/restore", methods=["POST"])
def restore(post_id: int, sha: str) -> Response:
    """Write the file as it was in that commit, through the content service: a new commit."""
    post = db.get_or_404(Post, post_id)
    user = current_user._get_current_object()
    require(user, "edit", post)
    repo = git.content_repo()
    if repo is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    found = _revision(repo, post, sha)
    back = url_for("admin.history", post_id=post.id)
    try:
        text = git.file_at(repo, found.sha, found.path).decode("utf-8")
        doc = parse_document(text, found.path, post.kind, site_zone())
        save_post(
            doc,
            post,
            author=user,
            exact_text=text,
            message=f"Restore {post.kind} '{doc.slug}' to {found.short}",
        )
    except PermissionDenied as exc:
        flash(f"Not restored: {exc.message}.", "error")
        return redirect(back)
    except (ContentError, UnicodeDecodeError) as exc:
        flash(f"Not restored: {exc}.", "error")
        return redirect(back)
    flash(f"Restored {post.title!r} as it was in {found.short} ({found.message}).", "success")
    return redirect(url_for("admin.edit", post_id=post.id))
