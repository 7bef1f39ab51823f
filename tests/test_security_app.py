"""Security of the authoring app's web layer: headers, media, body limits, logins, sessions, config.

Each test reproduces a finding of issue #26 and failed before its fix.
"""

from __future__ import annotations

import time
from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app import create_app
from app.admin.throttle import LoginThrottle
from app.extensions import db
from config import DevelopmentConfig, ProductionConfig, TestingConfig
from tests.admin_helpers import csrf_token
from tests.conftest import AUTHOR_PASSWORD

SECURITY_HEADERS = ("X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")


def login(client, remember: bool = False, username: str = "ada", password: str = AUTHOR_PASSWORD):
    data = {"username": username, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/admin/login", data=data)


# --- headers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/posts/hello-world/", "/feed.xml", "/api/v1/openapi.json", "/api/docs", "/nope/"]
)
def test_every_route_of_the_authoring_app_sends_security_headers(synced, client, url):
    response = client.get(url)
    for header in SECURITY_HEADERS:
        assert header in response.headers, (url, header)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp
    assert "script-src" not in csp or "'unsafe-inline'" not in csp.split("script-src")[1]
    assert "Strict-Transport-Security" not in response.headers  # not over plain local HTTP


def test_the_admin_keeps_its_stricter_policy(client, author):
    csp = client.get("/admin/login").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "form-action 'self'" in csp


def test_the_freezers_app_sends_no_headers_of_the_authoring_app(tmp_path, content_dir):
    public = create_app(
        TestingConfig,
        {"CONTENT_DIR": content_dir, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"},
        authoring=False,
    )
    response = public.test_client().get("/css/highlight.css")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response.headers


def test_production_sends_hsts(monkeypatch, tmp_path):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "k" * 64)
    app = create_app(
        ProductionConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}"}
    )
    response = app.test_client().get("/admin/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


# --- media ---------------------------------------------------------------------------------

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/admin/tokens")</script></svg>'
HTML = b"<!doctype html><script>fetch('/admin/tokens')</script>"


@pytest.mark.parametrize(("name", "data"), [("evil.svg", SVG), ("page.html", HTML)])
def test_active_media_is_an_inert_download(app, client, content_dir, name, data):
    (content_dir / "media").mkdir(exist_ok=True)
    (content_dir / "media" / name).write_bytes(data)
    response = client.get(f"/media/{name}")
    response.close()
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "sandbox" in csp
    assert "default-src 'none'" in csp


def test_raster_images_are_shown_inline_but_sandboxed(app, client, content_dir):
    from tests.api_helpers import image_bytes

    (content_dir / "media").mkdir(exist_ok=True)
    (content_dir / "media" / "red.png").write_bytes(image_bytes("PNG"))
    response = client.get("/media/red.png")
    response.close()
    assert response.status_code == 200
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert "sandbox" in response.headers["Content-Security-Policy"]


# --- request size --------------------------------------------------------------------------


def test_a_large_anonymous_post_is_refused_before_it_is_read(client, author):
    boundary, body = encode_multipart(
        {"username": "ada", "password": "guess", "file": FileStorage(BytesIO(b"x" * 2**21), "b")}
    )
    response = client.post(
        "/admin/login", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 413


class Unreadable(BytesIO):
    def read(self, *args: object) -> bytes:
        raise AssertionError("the body was read")


def test_a_huge_body_is_refused_on_its_declared_length(client, author):
    response = client.post(
        "/admin/login",
        input_stream=Unreadable(),
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"CONTENT_LENGTH": str(300 * 1024 * 1024)},
    )
    assert response.status_code == 413


def test_uploads_have_their_own_larger_limit(author_client, app):
    """Past the global 1 MiB, an upload still reaches the image check (422, not 413)."""
    noise = FileStorage(BytesIO(b"\0" * (3 * 1024 * 1024)), "noise.png")
    boundary, body = encode_multipart({"alt": "noise", "file": noise})
    response = author_client.post(
        "/admin/media", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 422, response.get_json()
    assert app.config["MAX_CONTENT_LENGTH"] < 3 * 1024 * 1024


def test_strangers_get_no_upload_limit(app, client, author):
    app.config["WTF_CSRF_ENABLED"] = True  # CSRF protection reads the form before the guard
    noise = FileStorage(BytesIO(b"\0" * (3 * 1024 * 1024)), "noise.png")
    boundary, body = encode_multipart({"alt": "noise", "file": noise})
    response = client.post(
        "/admin/media", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 413


def test_a_signed_in_author_can_save_a_post_larger_than_the_global_limit(author_client, app):
    from tests.admin_helpers import post_form

    body = "é" * (400 * 1024) + "\n"  # 800 KiB of UTF-8, 2.4 MiB form-encoded
    response = author_client.post("/admin/posts/new", data=post_form(title="Long", body=body))
    assert response.status_code == 302, response.status_code


# --- login throttle ------------------------------------------------------------------------


def test_the_throttle_tracks_a_bounded_number_of_keys():
    now = [1000.0]
    throttle = LoginThrottle(limit=5, window=60, clock=lambda: now[0], max_keys=100)
    for i in range(1000):
        throttle.failed((f"user{i}", "10.0.0.1"))
    assert len(throttle) == 100
    assert throttle.retry_after(("user999", "10.0.0.1")) == 0  # recent keys are kept
    now[0] += 61
    throttle.failed(("late", "10.0.0.1"))
    assert len(throttle) == 1  # expired keys are pruned


def test_one_key_keeps_at_most_limit_failures():
    throttle = LoginThrottle(limit=3, window=60)
    for _ in range(1000):
        throttle.failed(("ada", "10.0.0.1"))
    assert len(throttle._failures[("ada", "10.0.0.1")]) == 3


def test_password_spraying_from_one_address_is_throttled(app, client, author):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 10
    for i in range(10):
        response = login(client, username=f"someone{i}", password="Summer2026!")
        assert response.status_code == 401
    blocked = login(client)
    assert blocked.status_code == 429
    assert b"Too many failed logins from your address" in blocked.data
    elsewhere = login(app.test_client(), remember=False)
    assert elsewhere.status_code == 429  # same address (127.0.0.1): still throttled
    other = app.test_client().post(
        "/admin/login",
        data={"username": "ada", "password": AUTHOR_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other.status_code == 302


def test_a_huge_username_is_refused_by_the_form(app, client, author):
    response = login(client, username="a" * 1000, password="guess")
    assert response.status_code == 200
    assert b"Field cannot be longer than 64 characters" in response.data
    assert all(
        len(t) == 0 for k, t in app.extensions.items() if k.startswith("microblog.login_throttle")
    )


# --- sessions ------------------------------------------------------------------------------


def stolen(app, source, *names: str):
    """A new browser holding copies of ``source``'s cookies ``names``."""
    thief = app.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def logged_in(app, browser) -> bool:
    """Does this browser's cookie open the admin? Asked in a fresh app context, as a server
    would (the fixture's context, shared by the test client, caches the user in ``g``)."""
    with app.app_context():
        status = browser.get("/admin/").status_code
    assert status in (200, 302), status
    return status == 200


def test_logout_everywhere_ends_old_session_and_remember_cookies(app, client, author):
    assert login(client, remember=True).status_code == 302
    session_copy = stolen(app, client, "session")
    remember_copy = stolen(app, client, "remember_token")
    assert logged_in(app, session_copy)
    assert logged_in(app, remember_copy)

    page = client.get("/admin/")
    response = client.post("/admin/logout-everywhere", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    assert not logged_in(app, stolen(app, session_copy, "session"))
    assert not logged_in(app, stolen(app, remember_copy, "remember_token"))
    assert not logged_in(app, client)


def test_a_password_change_ends_every_session(app, client, author, runner):
    assert login(client, remember=True).status_code == 302
    session_copy = stolen(app, client, "session")
    remember_copy = stolen(app, client, "remember_token")
    result = runner.invoke(args=["user", "password", "ada"], input="a new long password\n" * 2)
    assert result.exit_code == 0, result.output
    assert not logged_in(app, session_copy)
    assert not logged_in(app, remember_copy)
    with app.app_context():
        assert login(app.test_client(), password="a new long password").status_code == 302


def test_logout_everywhere_needs_a_csrf_token(app, client, author):
    app.config["WTF_CSRF_ENABLED"] = True
    login_page = client.get("/admin/login")
    client.post(
        "/admin/login",
        data={
            "username": "ada",
            "password": AUTHOR_PASSWORD,
            "csrf_token": csrf_token(login_page.text),
        },
    )
    assert client.post("/admin/logout-everywhere").status_code == 400
    assert client.get("/admin/").status_code == 200


# --- username timing -----------------------------------------------------------------------


def test_an_unknown_username_costs_one_password_check_like_a_known_one(client, author, monkeypatch):
    import app.accounts
    import app.models

    checks: list[str] = []
    for module in (app.accounts, app.models):
        real = module.check_password_hash
        monkeypatch.setattr(
            module,
            "check_password_hash",
            lambda pwhash, password, real=real: checks.append(pwhash) or real(pwhash, password),
        )
    assert login(client, username="ada", password="guess").status_code == 401
    assert login(client, username="nobody", password="guess").status_code == 401
    assert len(checks) == 2
    assert checks[1].split("$")[0] == checks[0].split("$")[0]  # the same method and cost


def test_unknown_usernames_take_about_as_long(client, author):
    def seconds(username: str) -> float:
        start = time.perf_counter()
        login(client, username=username, password="guess")
        return time.perf_counter() - start

    seconds("nobody")  # the dummy hash is made once
    known = min(seconds("ada") for _ in range(2))
    unknown = min(seconds(f"nobody{i}") for i in range(2))
    assert unknown > known / 3, (known, unknown)


# --- config --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["x", "short-but-not-empty", "change-me", ""])
def test_production_refuses_a_weak_secret_key(monkeypatch, key):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY") as raised:
        create_app(ProductionConfig)
    assert "token_hex" in str(raised.value)


def test_the_default_config_never_debugs(monkeypatch, tmp_path):
    from config import config_from_env

    monkeypatch.delenv("MICROBLOG_CONFIG", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    assert config_from_env() is DevelopmentConfig
    monkeypatch.setattr("app.factory.INSTANCE_DIR", tmp_path)
    app = create_app(None, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'd.db'}"})
    assert app.debug is False
    assert not app.config.get("DEBUG")


def test_the_sqlite_file_is_private(tmp_path):
    database = tmp_path / "instance" / "microblog.db"
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    with app.app_context():
        db.create_all()
        db.session.execute(db.text("SELECT 1"))
        db.engine.dispose()
    assert database.stat().st_mode & 0o077 == 0


def test_the_session_token_migration_gives_existing_authors_their_own_token(app):
    from flask_migrate import downgrade, upgrade

    downgrade(revision="9d4e6b1c2a80")
    for name in ("ada", "grace"):
        db.session.execute(
            db.text('INSERT INTO "user" (username, email) VALUES (:n, :e)'),
            {"n": name, "e": f"{name}@example.org"},
        )
    db.session.commit()
    upgrade()
    tokens = db.session.scalars(db.text('SELECT session_token FROM "user"')).all()
    assert len(tokens) == 2
    assert all(t and len(t) >= 40 for t in tokens)
    assert len(set(tokens)) == 2
