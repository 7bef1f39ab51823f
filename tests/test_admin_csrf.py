"""With CSRF protection on (as in real use), every state-changing admin request needs a token."""

from __future__ import annotations

import pytest

from tests.admin_helpers import admin_rules, csrf_token, example_url, post_form
from tests.conftest import AUTHOR_PASSWORD


@pytest.fixture
def csrf_app(synced):
    synced.config["WTF_CSRF_ENABLED"] = True
    return synced


@pytest.fixture
def logged_in(csrf_app, author):
    """A client logged in through the real form, token and all."""
    client = csrf_app.test_client()
    token = csrf_token(client.get("/admin/login").get_data(as_text=True))
    response = client.post(
        "/admin/login",
        data={"username": "ada", "password": AUTHOR_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    return client


def state_changing(app):
    return [
        (rule, method)
        for rule in admin_rules(app)
        for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"})
    ]


def test_every_state_changing_admin_request_needs_a_csrf_token(csrf_app, logged_in):
    """Walks the URL map: a new POST route is checked without touching this test."""
    routes = state_changing(csrf_app)
    assert {r.endpoint for r, _ in routes} >= {
        "admin.login",
        "admin.logout",
        "admin.new",
        "admin.edit",
        "admin.delete",
        "admin.preview",
        "admin.upload",
        "admin.publish",
    }
    for rule, method in routes:
        url = example_url(csrf_app, rule)
        for extra in ({}, {"csrf_token": "forged"}):
            response = logged_in.open(url, method=method, data={**post_form(), **extra})
            assert response.status_code == 400, (method, url, extra, response.status_code)
            assert b"CSRF" in response.data
    assert logged_in.get("/admin/").status_code == 200  # logout was refused too


def test_token_in_header_is_accepted_for_script_requests(logged_in):
    page = logged_in.get("/admin/posts/new").get_data(as_text=True)
    token = csrf_token(page)
    response = logged_in.post(
        "/admin/preview", json={"body": "*hi*"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert response.json["html"] == "<p><em>hi</em></p>"
    assert logged_in.post("/admin/preview", json={"body": "*hi*"}).status_code == 400


def test_a_form_with_its_token_saves(logged_in, content_dir):
    token = csrf_token(logged_in.get("/admin/posts/new").get_data(as_text=True))
    response = logged_in.post("/admin/posts/new", data={**post_form(), "csrf_token": token})
    assert response.status_code == 302
    assert (content_dir / "posts" / "a-fresh-post.md").exists()


def test_nothing_is_written_without_a_token(logged_in, content_dir):
    before = sorted(p.name for p in (content_dir / "posts").iterdir())
    response = logged_in.post("/admin/posts/new", data=post_form(title="Sneaky"))
    assert response.status_code == 400
    assert sorted(p.name for p in (content_dir / "posts").iterdir()) == before
