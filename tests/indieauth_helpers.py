"""A scripted IndieAuth client for tests: PKCE, the author's browser signed in through the
login form, the consent page answered, a code redeemed at the token endpoint."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from tests.admin_helpers import csrf_token
from tests.conftest import AUTHOR_PASSWORD

CLIENT_ID = "http://127.0.0.1:9/app/"
REDIRECT_URI = "http://127.0.0.1:9/app/callback"
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def signed_in_browser(live_server: str) -> requests.Session:
    """The author's browser, logged in through the login form (CSRF and all)."""
    browser = requests.Session()
    token = csrf_token(browser.get(f"{live_server}/admin/login").text)
    response = browser.post(
        f"{live_server}/admin/login",
        data={"username": "ada", "password": AUTHOR_PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text
    return browser


def authorization(endpoint: str, challenge: str, scope: str, **extra: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "state": "xyz-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "scope": scope,
        **extra,
    }


def approve(browser: requests.Session, endpoint: str, params: dict[str, str], **answer) -> str:
    """Open the consent page and answer it; the Location the client is sent back to."""
    page = browser.get(endpoint, params=params)
    assert page.status_code == 200, page.text
    assert "Let 127.0.0.1 post as you?" in page.text
    fields = {name: unescape(value) for name, value in _HIDDEN.findall(page.text)}
    assert fields["csrf_token"]
    response = browser.post(
        f"{endpoint.rsplit('/indieauth', 1)[0]}/indieauth/consent",
        data={**fields, **answer},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def sign_in(live_server: str, scopes: list[str]) -> dict[str, Any]:
    """The whole flow for ``scopes``: the token endpoint's JSON answer."""
    verifier, challenge = pkce()
    endpoint = f"{live_server}/indieauth/auth"
    back = approve(
        signed_in_browser(live_server),
        endpoint,
        authorization(endpoint, challenge, " ".join(scopes)),
        decision="approve",
        scopes=scopes,
    )
    granted = requests.post(
        f"{live_server}/indieauth/token", data=redemption(code_of(back), verifier)
    )
    assert granted.status_code == 200, granted.text
    answer: dict[str, Any] = granted.json()
    return answer


def code_of(back: str) -> str:
    """The authorization code in the redirect back to the client."""
    return parse_qs(urlsplit(back).query)["code"][0]


def redemption(code: str, verifier: str) -> dict[str, str]:
    """The token request that redeems ``code`` for the test client (PKCE ``verifier``)."""
    return {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }
