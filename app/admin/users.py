"""Authors and their roles: the owner's page (who may do what is ``app.permissions``)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts import set_role
from app.admin import bp
from app.admin.forms import RoleForm
from app.extensions import db
from app.models import Post, User
from app.permissions import ROLE_LABELS, Action, PermissionDenied, can, require


@bp.route("/users")
def users() -> str:
    require(current_user._get_current_object(), "manage_users")
    people = db.session.scalars(sa.select(User).order_by(User.username)).all()
    forms = {user.id: RoleForm(data={"role": user.role}, prefix=f"u{user.id}") for user in people}
    return render_template("admin/users.html", users=people, forms=forms, labels=ROLE_LABELS)


@bp.route("/users/<int:user_id>/role", methods=["POST"])
def user_role(user_id: int) -> Response:
    require(current_user._get_current_object(), "manage_users")
    user = db.get_or_404(User, user_id)
    form = RoleForm(prefix=f"u{user.id}")
    if not form.validate_on_submit():
        problems = [message for messages in form.errors.values() for message in messages]
        flash(f"Role not changed: {'; '.join(problems)}.", "error")
        return redirect(url_for("admin.users"))
    try:
        set_role(user, form.role.data)
    except ValueError as exc:
        flash(f"Role not changed: {exc}.", "error")
    else:
        flash(f"{user.username} is now {user.role}.", "success")
    return redirect(url_for("admin.users"))


@bp.app_context_processor
def permissions() -> dict[str, Callable[..., bool]]:
    """``may(action, post)`` in the authoring app's templates (IndieAuth's pages extend the admin's
    base too): offer only what the role allows."""

    def may(action: Action, post: Post | None = None) -> bool:
        return can(current_user._get_current_object(), action, post)

    return {"may": may}


@bp.errorhandler(PermissionDenied)
def permission_denied(error: PermissionDenied) -> tuple[str, int]:
    """Any admin view a role may not use: the reason, never a bare 403."""
    page = render_template("admin/error.html", title="Not allowed", message=error.message)
    return page, 403
