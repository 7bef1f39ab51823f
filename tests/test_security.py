"""Security walks over the whole URL map, session cookies, and XSS through every output."""

from __future__ import annotations

import json

import feedparser
import pytest

from tests.admin_helpers import example_url
from tests.conftest import AUTHOR_PASSWORD
from tests.html_checks import assert_inert

#: API endpoints a stranger may read: the published contract and its docs page.
API_OPEN = {"api-docs.openapi_json", "api_docs_page.docs"}
XSS = (
    "Hi <script>alert(1)</script> <img src=/static/favicon.svg onerror=alert(2)> "
    "[x](javascript:alert(3)) <a href='data:text/html,<script>alert(4)</script>'>d</a> "
    "<svg onload=alert(5)><circle/></svg>\n"
)


def api_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/")]


def test_every_api_endpoint_refuses_anonymous_requests(app, synced, client):
    checked = 0
    for rule in api_rules(app):
        if rule.endpoint in API_OPEN:
            continue
        url = example_url(app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, json={})
            assert response.status_code == 401, (method, url, response.status_code)
            assert response.mimetype == "application/problem+json"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            checked += 1
    assert checked >= 9  # the walk saw the API, whatever it grows into


def test_open_api_endpoints_are_only_the_contract(app):
    open_ones = {r.endpoint for r in api_rules(app)} & API_OPEN
    assert open_ones == API_OPEN


def test_session_cookie_is_httponly_and_samesite(client, author):
    response = client.post(
        "/admin/login",
        data={"username": "ada", "password": AUTHOR_PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    remember = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session, remember):
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


@pytest.mark.slow
def test_xss_is_removed_from_pages_previews_and_feeds(synced, author_client, client, freeze):
    preview = author_client.post("/admin/preview", json={"body": XSS})
    assert preview.status_code == 200
    html = preview.get_json()["html"]
    assert "Hi" in html
    assert_inert(html)

    (freeze.content_dir / "posts" / "xss.md").write_text(
        "---\ntitle: XSS\ndate: 2026-11-20\n---\n" + XSS
    )
    result = freeze()
    assert result.returncode == 0, result.stderr
    page = (freeze.build_dir / "posts" / "xss" / "index.html").read_text().lower()
    assert_inert(page.split('class="entry-body')[1].split("</article>")[0])
    feed = feedparser.parse((freeze.build_dir / "feed.xml").read_bytes())
    assert_inert(next(e for e in feed.entries if e.title == "XSS").content[0].value)
    json_feed = json.loads((freeze.build_dir / "feed.json").read_text())
    assert_inert(next(i for i in json_feed["items"] if i["title"] == "XSS")["content_html"])
