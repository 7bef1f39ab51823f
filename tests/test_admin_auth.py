"""Admin access: every page needs a login; login, throttle, first-run setup, headers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import create_app
from app.admin.auth import safe_next
from app.admin.security import OPEN_ENDPOINTS
from app.admin.throttle import LoginThrottle
from app.extensions import db
from app.models import User
from config import TestingConfig
from tests.admin_helpers import admin_rules, example_url
from tests.conftest import AUTHOR_PASSWORD


def test_every_admin_endpoint_redirects_anonymous_users_to_login(app, client, author):
    """Walks the URL map, so a route added later is covered without touching this test."""
    checked = 0
    for rule in admin_rules(app):
        if rule.endpoint in OPEN_ENDPOINTS:
            continue
        url = example_url(app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 302, (method, url, response.status_code)
            location = response.headers["Location"]
            assert location.startswith("/admin/login?next="), (method, url, location)
            checked += 1
    assert checked >= 15  # the walk really covered the admin


def test_open_endpoints_are_only_login_setup_and_assets(app):
    assert {"admin.login", "admin.setup", "admin.static"} == OPEN_ENDPOINTS
    rules = {r.rule for r in admin_rules(app)}
    assert all(r.startswith("/admin") for r in rules)


def test_public_only_app_has_no_admin_routes():
    app = create_app(TestingConfig, authoring=False)
    assert not [r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/admin")]
    assert "admin" not in app.blueprints


def test_login_and_logout(client, author):
    page = client.get("/admin/login")
    assert page.status_code == 200
    assert b"Remember me" in page.data
    response = client.post(
        "/admin/login",
        data={"username": "ada", "password": AUTHOR_PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert client.get_cookie("remember_token") is not None
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert b"Welcome back, ada." in dashboard.data
    response = client.post("/admin/logout", follow_redirects=True)
    assert b"You are logged out." in response.data
    assert client.get("/admin/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, author):
    response = client.post("/admin/login", data={"username": "ada", "password": "nope"})
    assert response.status_code == 401
    assert b"Wrong username or password." in response.data
    assert client.get("/admin/").status_code == 302


def test_next_goes_back_to_the_page_asked_for(client, author):
    asked = client.get("/admin/publish")
    response = client.post(
        asked.headers["Location"], data={"username": "ada", "password": AUTHOR_PASSWORD}
    )
    assert response.headers["Location"] == "/admin/publish"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_next_never_leaves_the_site(client, author, target):
    response = client.post(
        "/admin/login",
        query_string={"next": target},
        data={"username": "ada", "password": AUTHOR_PASSWORD},
    )
    assert response.headers["Location"] == "/admin/"


def test_safe_next_accepts_local_paths_only():
    assert safe_next("/admin/posts/3/edit?x=1") == "/admin/posts/3/edit?x=1"
    assert safe_next("/posts/hello/") == "/posts/hello/"
    for bad in ("http://x.example/", "//x.example", "/\\x.example", "x/y", None, "/a\r\nb"):
        assert safe_next(bad) is None


def test_repeated_failures_are_throttled_per_user_and_address(client, author):
    for _ in range(5):
        response = client.post("/admin/login", data={"username": "ada", "password": "guess"})
        assert response.status_code == 401
    blocked = client.post("/admin/login", data={"username": "ada", "password": AUTHOR_PASSWORD})
    assert blocked.status_code == 429
    assert b"Too many failed logins" in blocked.data
    assert b"Try again in" in blocked.data
    assert client.get("/admin/").status_code == 302  # still not logged in
    other_address = client.post(
        "/admin/login",
        data={"username": "ada", "password": AUTHOR_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.7"},
    )
    assert other_address.status_code == 302


def test_throttle_forgets_failures_after_the_window():
    now = [1000.0]
    throttle = LoginThrottle(limit=2, window=60, clock=lambda: now[0])
    key = ("ada", "127.0.0.1")
    throttle.failed(key)
    assert throttle.retry_after(key) == 0
    throttle.failed(key)
    assert throttle.retry_after(key) == 60
    now[0] += 45
    assert throttle.retry_after(key) == 15
    now[0] += 15
    assert throttle.retry_after(key) == 0
    throttle.failed(key)
    throttle.succeeded(key)
    assert throttle.retry_after(key) == 0


def test_first_run_creates_the_first_author_once(client):
    assert client.get("/admin/login").headers["Location"] == "/admin/setup"
    bad = client.post(
        "/admin/setup", data={"username": "ada", "password": "short", "confirm": "short"}
    )
    assert bad.status_code == 200
    assert b"at least 8 characters" in bad.data
    response = client.post(
        "/admin/setup",
        data={"username": "ada", "password": "long enough", "confirm": "long enough"},
    )
    assert response.headers["Location"] == "/admin/"
    user = db.session.scalar(sa.select(User))
    assert user.username == "ada"
    assert user.email == "ada@localhost"
    assert user.password_hash != "long enough"
    assert user.check_password("long enough")
    assert client.get("/admin/").status_code == 200  # logged in straight away
    assert client.get("/admin/setup").status_code == 404
    assert client.post("/admin/setup", data={"username": "eve"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_admin_responses_carry_security_headers(author_client):
    for url in ("/admin/", "/admin/login", "/admin/static/admin.css"):
        with author_client.get(url) as response:
            headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'self'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "SAMEORIGIN"


def test_admin_pages_have_no_inline_scripts(synced, author_client):
    for url in ("/admin/", "/admin/posts/new", "/admin/posts/1/edit", "/admin/publish"):
        html = author_client.get(url).get_data(as_text=True)
        assert "<script>" not in html
        assert "<script src=" in html
        assert 'href="/admin/static/admin.css"' in html
