"""Login, logout and the one-time 'create the first author' form."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

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


def throttle() -> LoginThrottle:
    """The app's login throttle, sized from LOGIN_MAX_FAILURES / LOGIN_FAILURE_WINDOW."""
    ext = current_app.extensions
    if "microblog.login_throttle" not in ext:
        ext["microblog.login_throttle"] = LoginThrottle(
            limit=current_app.config.get("LOGIN_MAX_FAILURES", 5),
            window=current_app.config.get("LOGIN_FAILURE_WINDOW", 60),
        )
    found: LoginThrottle = ext["microblog.login_throttle"]
    return found


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
        key = (form.username.data.strip().lower(), request.remote_addr or "?")
        wait = throttle().retry_after(key)
        if wait:
            form.password.errors.append(
                f"Too many failed logins for this user from your address. "
                f"Try again in {wait} seconds."
            )
            return render_template("admin/login.html", form=form), 429
        user = db.session.scalar(sa.select(User).where(User.username == form.username.data.strip()))
        if user is None or not user.check_password(form.password.data):
            throttle().failed(key)
            form.password.errors.append("Wrong username or password.")
            return render_template("admin/login.html", form=form), 401
        throttle().succeeded(key)
        login_user(user, remember=form.remember.data)
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


@bp.route("/setup", methods=["GET", "POST"])
def setup() -> Response | str:
    """Only while no author exists: afterwards authors are added with ``flask user create``."""
    if has_users():
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        user = User(username=username, email=form.email.data or f"{username}@localhost")
        user.set_password(form.password.data)
        db.session.add(user)
        db.session.commit()
        login_user(user)
        flash(f"Author {username!r} created. Welcome!", "success")
        return redirect(url_for("admin.dashboard"))
    return render_template("admin/setup.html", form=form)
