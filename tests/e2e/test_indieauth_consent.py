"""The IndieAuth consent page in a real browser: the author logs in, sees which app asks for
what, unticks a scope and allows; the browser goes on to the app's redirect_uri with a code
(the page's form-action policy lets that redirect through) and the token has the scopes
left ticked. Accessible (axe)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import AUTHOR_PASSWORD
from tests.static_http import serve


@pytest.fixture
def client_app(tmp_path: Path):
    """A posting app's pages on another origin: its callback is a page of its own."""
    root = tmp_path / "client"
    root.mkdir()
    (root / "callback.html").write_text(
        '<!doctype html><title>Signed in</title><link rel="icon" href="data:,"><p>Done</p>'
    )
    with serve(root) as origin:
        yield origin


def test_approve_an_app_in_the_browser(
    page, synced, author, live_server, client_app, axe, artifacts
):
    synced.config["WTF_CSRF_ENABLED"] = True
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    params = {
        "response_type": "code",
        "client_id": f"{client_app}/",
        "redirect_uri": f"{client_app}/callback.html",
        "state": "s-42",
        "code_challenge": challenge.decode(),
        "code_challenge_method": "S256",
        "scope": "create update media",
    }
    authorize = (
        requests.Request("GET", f"{live_server}/indieauth/auth", params=params).prepare().url
    )
    page.goto(authorize)  # not signed in: the login form first, then back here
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Let 127.0.0.1 post as you?")
    expect(page.get_by_label("create posts and notes (create)")).to_be_checked()
    expect(page.get_by_label("delete and undelete posts (delete)")).not_to_be_checked()
    assert axe(page) == []
    page.screenshot(path=str(artifacts / "indieauth-consent.png"), full_page=True)
    page.get_by_label("change posts (update)").uncheck()
    page.get_by_role("button", name="Allow").click()

    page.wait_for_url(f"{client_app}/callback.html?*")
    expect(page).to_have_title("Signed in")
    query = parse_qs(urlsplit(page.url).query)
    assert query["state"] == ["s-42"]
    token = requests.post(
        f"{live_server}/indieauth/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "client_id": f"{client_app}/",
            "redirect_uri": f"{client_app}/callback.html",
            "code_verifier": verifier,
        },
    ).json()
    assert token["scope"] == "create media"
    assert page.problems == []  # type: ignore[attr-defined]
