"""API tokens in the admin: create one (shown once), see them, revoke one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts import create_token, revoke_token, tokens_for
from app.admin import bp
from app.admin.forms import ConfirmForm, TokenForm
from app.extensions import db
from app.models import ApiToken


@bp.route("/tokens", methods=["GET", "POST"])
def tokens() -> str:
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        read_only = form.read_only.data or not form.scopes.data  # nothing ticked: reads only
        token, raw = create_token(
            current_user._get_current_object(),
            form.name.data,
            read_only=read_only,
            scopes=None if read_only else tuple(form.scopes.data),
            lifetime=form.lifetime,
        )
        created = raw  # rendered once, in this response only; never stored in clear
        flash(f"Created token '{token.name}'. Copy it now: it is not shown again.", "success")
        form = TokenForm(formdata=None)
    return render_template(
        "admin/tokens.html",
        form=form,
        revoke_form=ConfirmForm(),
        created=created,
        tokens=tokens_for(current_user._get_current_object()),
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int) -> Response:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    revoke_token(token)
    flash(f"Revoked token '{token.name}' ({token.prefix}…).", "success")
    return redirect(url_for("admin.tokens"))
