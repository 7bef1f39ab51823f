"""The application factory (``app.create_app``)."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response
from jinja2 import ChoiceLoader, FileSystemLoader, Template
from sqlalchemy.engine import make_url

from app import dates, recording, translations
from app.build.errors import BuildError
from app.content.confine import leads_outside, real_root
from app.content.media import parse_widths
from app.extensions import db, login
from app.schema import init_migrations
from config import DEFAULT_SECRET_KEY, INSTANCE_DIR, Config, config_from_env


def create_app(
    config_class: type[Config] | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    authoring: bool = True,
) -> Flask:
    """Build an app; ``authoring=False`` gives the public-only app the freezer uses."""
    app = Flask("app", instance_path=str(INSTANCE_DIR), static_folder=None)
    app.config.from_object(config_class or config_from_env())
    if overrides:
        app.config.from_mapping(overrides)
    for key in ("CONTENT_DIR", "SITE_DIR", "BUILD_DIR"):
        app.config[key] = Path(app.config[key]).resolve()
    _ensure_secret_key(app)
    _ensure_sqlite_folder(app.config["SQLALCHEMY_DATABASE_URI"])

    site_dir: Path = app.config["SITE_DIR"]
    # Every compiled template is kept in a plain dict (a theme has a few dozen), not Jinja's
    # locked LRU cache, which reorders a queue on each lookup (dozens per page).
    app.jinja_options = {**app.jinja_options, "cache_size": -1}
    # The public theme lives in site/: its templates win, admin templates come after.
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(site_dir / "templates"),
            FileSystemLoader(Path(app.root_path) / "templates"),
        ]
    )
    app.static_folder = site_dir / "static"
    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=_static_view(app))
    _record_templates(app)
    dates.init_app(app)  # SITE_TIMEZONE and SITE_LANGUAGE checked; the date filters
    translations.init_app(app)  # t(): the theme's texts in the site's language
    parse_widths(str(app.config["IMAGE_WIDTHS"]))  # a clear error at start, not mid-build

    db.init_app(app)

    from app.public import bp as public_bp

    app.register_blueprint(public_bp)
    if authoring:  # never in the freezer's app: nothing under /admin or /api can reach build/
        from app.admin import bp as admin_bp
        from app.csrf import csrf
        from app.limits import init_limits

        init_limits(app)  # before CSRF protection, the first to read a form
        csrf.init_app(app)  # the freezer's app has no forms and no users: no hooks per page
        login.init_app(app)
        from app.api import init_api
        from app.headers import init_headers

        app.register_blueprint(admin_bp)
        init_headers(app)  # after the admin's: its stricter policy is the one kept
        login.login_view = "admin.login"
        init_api(app)
        from app.micropub import init_micropub

        init_micropub(app)  # /micropub: bearer tokens with scopes, no CSRF
        from app.indieauth import init_indieauth

        init_indieauth(app)  # IndieAuth: sign-in for posting apps, tokens for Micropub
        init_migrations(app)  # `flask db`; the freezer's app imports Alembic only to migrate
        from app import cli

        cli.register(app)  # `flask user`, `flask content`...: the freezer's app needs none
    else:
        from app.public.sessions import NoSessions

        app.session_interface = NoSessions()
        app.config["TRUSTED_HOSTS"] = None  # the freezer asks for pages at the site's own host

    app.extensions["microblog.authoring"] = authoring
    return app


def _static_view(app: Flask) -> Callable[[str], Response]:
    """Files of the theme's static folder; a build notes which one a page is. A link out
    of the folder is never followed: a theme from elsewhere could publish any file."""

    def static(filename: str) -> Response:
        folder = Path(app.static_folder or "")
        recording.file(str(folder / filename))
        target = leads_outside(real_root(folder), folder / filename)
        if target is not None:
            raise BuildError(
                f"site/static/{filename} is a link to {target}, outside site/static: links "
                "out of the theme are never published; put a copy of the file there instead"
            )
        return app.send_static_file(filename)

    return static


def _record_templates(app: Flask) -> None:
    """Every template a page loads (``extends``, ``include``, ``import`` too) is noted."""
    env = app.jinja_env
    get_template, select_template = env.get_template, env.select_template

    def get(name: str | Template, parent: str | None = None, globals: Any = None) -> Template:
        template = get_template(name, parent, globals)
        recording.template(template.name or "")
        return template

    def select(names: Any, parent: str | None = None, globals: Any = None) -> Template:
        template = select_template(names, parent, globals)
        recording.template(template.name or "")
        return template

    env.get_template = get  # type: ignore[method-assign]
    env.select_template = select  # type: ignore[method-assign]


def _ensure_sqlite_folder(uri: str) -> None:
    """Create the folder and file of a SQLite database, the file readable by its owner only.

    SQLite gives its -wal and -shm files the database file's permissions.
    """
    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    if url.database.startswith("file:") or url.query.get("mode") == "memory":
        return
    path = Path(url.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


#: Shortest SECRET_KEY production accepts (``secrets.token_hex(32)`` gives 64 characters).
MIN_SECRET_KEY_LENGTH = 32
NEW_KEY_HINT = "(python -c 'import secrets; print(secrets.token_hex(32))')"


def _ensure_secret_key(app: Flask) -> None:
    """Refuse a missing or weak key in production; elsewhere keep a generated one in instance/."""
    key = app.config["SECRET_KEY"]
    if app.config.get("REQUIRE_SECRET_KEY"):
        if key in (None, "", DEFAULT_SECRET_KEY):
            raise RuntimeError(
                f"SECRET_KEY is not set: export SECRET_KEY to a long random value {NEW_KEY_HINT}"
            )
        if len(str(key)) < MIN_SECRET_KEY_LENGTH:
            raise RuntimeError(
                f"SECRET_KEY is too weak ({len(str(key))} characters): production needs at "
                f"least {MIN_SECRET_KEY_LENGTH} random characters {NEW_KEY_HINT}"
            )
        return
    if key not in (None, "", DEFAULT_SECRET_KEY):
        return
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    app.config["SECRET_KEY"] = key_file.read_text().strip()
