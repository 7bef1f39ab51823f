"""Login, logout and the one-time 'create the first author' form."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from app.accounts import create_first_author, sign_out_everywhere, verify_login
from app.admin import bp
from app.admin.forms import ConfirmForm, LoginForm, SetupForm
from app.admin.throttle import LoginThrottle
from app.extensions import db
from app.models import User


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site; absolute, ``//host`` and ``\\`` URLs are refused."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(c in target for c in "\r\n\t\\"):
        return None
    return target


def _throttle(name: str, limit_setting: str, default_limit: int) -> LoginThrottle:
    ext, config = current_app.extensions, current_app.config
    key = f"microblog.login_throttle.{name}"
    if key not in ext:
        ext[key] = LoginThrottle(
            limit=config.get(limit_setting, default_limit),
            window=config.get("LOGIN_FAILURE_WINDOW", 60),
            max_keys=config.get("LOGIN_THROTTLE_MAX_KEYS", 10_000),
        )
    found: LoginThrottle = ext[key]
    return found


def throttle() -> LoginThrottle:
    """Failures per (username, address), limited by LOGIN_MAX_FAILURES."""
    return _throttle("user", "LOGIN_MAX_FAILURES", 5)


def address_throttle() -> LoginThrottle:
    """Failures per address whatever the username (spraying): LOGIN_MAX_FAILURES_PER_ADDRESS."""
    return _throttle("address", "LOGIN_MAX_FAILURES_PER_ADDRESS", 20)


def _wait(pair: tuple[str, str], address: tuple[str]) -> str | None:
    """Why this attempt must wait, or None."""
    if wait := address_throttle().retry_after(address):
        return f"Too many failed logins from your address. Try again in {wait} seconds."
    if wait := throttle().retry_after(pair):
        return (
            f"Too many failed logins for this user from your address. Try again in {wait} seconds."
        )
    return None


def has_users() -> bool:
    return (db.session.scalar(sa.select(sa.func.count(User.id))) or 0) > 0


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("admin.dashboard"))
    if not has_users():
        return redirect(url_for("admin.setup"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        address = (request.remote_addr or "?",)
        pair = (username.lower(), address[0])
        if reason := _wait(pair, address):
            form.password.errors.append(reason)
            return render_template("admin/login.html", form=form), 429
        user = verify_login(username, form.password.data)
        if user is None:
            throttle().failed(pair)
            address_throttle().failed(address)
            form.password.errors.append("Wrong username or password.")
            return render_template("admin/login.html", form=form), 401
        throttle().succeeded(pair)  # the address's count stays: one good account must not
        login_user(user, remember=form.remember.data)  # reset a spraying attacker's tally
        flash(f"Welcome back, {user.username}.", "success")
        return redirect(safe_next(request.args.get("next")) or url_for("admin.dashboard"))
    return render_template("admin/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        flash("You are logged out.", "success")
    return redirect(url_for("admin.login"))


@bp.route("/logout-everywhere", methods=["POST"])
def logout_everywhere() -> Response:
    """End every session of this author, remember-me cookies included, in every browser."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    sign_out_everywhere(current_user._get_current_object())
    logout_user()
    flash("You are logged out on every device.", "success")
    return redirect(url_for("admin.login"))


@bp.route("/setup", methods=["GET", "POST"])
def setup() -> Response | str:
    """Only while no author exists: afterwards authors are added with ``flask user create``."""
    if has_users():
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        email = form.email.data or f"{username}@localhost"
        user = create_first_author(username, email, form.password.data)
        if user is None:  # another request made the first author a moment ago
            flash("An author was created meanwhile: log in, or ask them to add you.", "error")
            return redirect(url_for("admin.login"))
        login_user(user)
        flash(f"Author {username!r} created. Welcome!", "success")
        return redirect(url_for("admin.dashboard"))
    return render_template("admin/setup.html", form=form)
