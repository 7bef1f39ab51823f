"""IndieAuth's tokens over real HTTP: they expire (``expires_in``), come with a refresh token
that rotates, can't be replayed and never widens the scopes; expired tokens are refused with
``invalid_token`` and what to do; introspection, revocation, and the admin's list."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
import sqlalchemy as sa

from app import create_app
from app.accounts import create_token, hash_token
from app.extensions import db
from app.indieauth.tokens import lifetimes
from app.models import ApiToken
from config import TestingConfig
from tests.admin_helpers import csrf_token
from tests.api_helpers import image_bytes
from tests.indieauth_helpers import CLIENT_ID, sign_in, signed_in_browser


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def row(raw: str) -> ApiToken:
    """The database's row of an access token, as the server left it."""
    db.session.expire_all()
    found = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    assert found is not None
    return found


def micropub_config(live_server: str, token: str) -> requests.Response:
    return requests.get(
        f"{live_server}/micropub",
        params={"q": "config"},
        headers={"Authorization": f"Bearer {token}"},
    )


def refresh(live_server: str, refresh_token: str, **extra: str) -> requests.Response:
    return requests.post(
        f"{live_server}/indieauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": CLIENT_ID,
            **extra,
        },
    )


def expire(raw: str) -> None:
    token = row(raw)
    token.expires_at = now() - timedelta(seconds=1)
    db.session.commit()


def test_the_token_response_says_when_it_expires_and_hashes_the_refresh_token(live_server, author):
    issued = sign_in(live_server, ["create", "media"])
    assert issued["expires_in"] == 14 * 24 * 3600
    refresh_token = issued["refresh_token"]
    assert refresh_token.startswith("mb_")
    assert refresh_token != issued["access_token"]
    token = row(issued["access_token"])
    assert token.expires_at is not None
    assert abs(token.expires_at - (now() + timedelta(days=14))) < timedelta(minutes=1)
    assert token.refresh_expires_at is not None
    assert abs(token.refresh_expires_at - (now() + timedelta(days=90))) < timedelta(minutes=1)
    # Only hashes are stored: neither token is anywhere in clear.
    assert token.refresh_hash == hash_token(refresh_token)
    stored = db.session.execute(sa.text("SELECT * FROM api_token")).all()
    assert not any(refresh_token in str(value) for line in stored for value in line)
    assert not any(issued["access_token"] in str(value) for line in stored for value in line)
    assert micropub_config(live_server, issued["access_token"]).status_code == 200


def test_the_lifetime_is_a_setting(app, live_server, author):
    app.config["INDIEAUTH_TOKEN_DAYS"] = "0.5,2"
    issued = sign_in(live_server, ["create"])
    assert issued["expires_in"] == 12 * 3600
    token = row(issued["access_token"])
    assert abs(token.refresh_expires_at - (now() + timedelta(days=2))) < timedelta(minutes=1)
    app.config["INDIEAUTH_TOKEN_DAYS"] = "7"
    assert lifetimes() == (timedelta(days=7), timedelta(days=90))


@pytest.mark.parametrize("bad", ["soon", "14,0", "1,2,3", "-1"])
def test_a_wrong_lifetime_setting_is_named(app, bad):
    app.config["INDIEAUTH_TOKEN_DAYS"] = bad
    with pytest.raises(ValueError, match=r"INDIEAUTH_TOKEN_DAYS=.*e\.g\. '14,90'"):
        lifetimes()


def test_a_wrong_lifetime_setting_stops_the_authoring_app_at_start():
    with pytest.raises(ValueError, match=r"INDIEAUTH_TOKEN_DAYS='two weeks'.*e\.g\. '14,90'"):
        create_app(TestingConfig, {"INDIEAUTH_TOKEN_DAYS": "two weeks"})
    create_app(TestingConfig, {"INDIEAUTH_TOKEN_DAYS": "two weeks"}, authoring=False)  # builds


def test_an_expired_token_is_refused_with_what_to_do(live_server, author):
    issued = sign_in(live_server, ["create"])
    expire(issued["access_token"])
    refused = micropub_config(live_server, issued["access_token"])
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_token"
    description = refused.json()["error_description"]
    assert "expired" in description
    assert "grant_type=refresh_token" in description
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    # The JSON API goes through the same check.
    api = requests.get(
        f"{live_server}/api/v1/posts",
        headers={"Authorization": f"Bearer {issued['access_token']}"},
    )
    assert api.status_code == 401
    assert "expired" in api.json()["detail"]
    assert 'error="invalid_token"' in api.headers["WWW-Authenticate"]
    # Its refresh token still gets a new pair, which works.
    renewed = refresh(live_server, issued["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    assert micropub_config(live_server, renewed.json()["access_token"]).status_code == 200


def test_a_refresh_rotates_and_a_used_refresh_token_cannot_be_replayed(live_server, author):
    issued = sign_in(live_server, ["create", "media"])
    renewed = refresh(live_server, issued["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    pair = renewed.json()
    assert renewed.headers["Cache-Control"] == "no-store"
    assert pair["scope"] == "create media"
    assert pair["me"]
    assert pair["expires_in"] == 14 * 24 * 3600
    assert pair["refresh_token"] not in (issued["refresh_token"], issued["access_token"])
    # The old access token gave way to the new one.
    assert micropub_config(live_server, issued["access_token"]).status_code == 401
    assert micropub_config(live_server, pair["access_token"]).status_code == 200
    assert row(issued["access_token"]).replaced_by_id == row(pair["access_token"]).id
    # The used refresh token again: refused, and what was issued from it is revoked.
    replay = refresh(live_server, issued["refresh_token"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert "already used" in replay.json()["error_description"]
    assert micropub_config(live_server, pair["access_token"]).status_code == 401
    assert refresh(live_server, pair["refresh_token"]).status_code == 400


def test_a_refresh_narrows_the_scopes_but_never_widens_them(live_server, author):
    issued = sign_in(live_server, ["create", "media"])
    narrowed = refresh(live_server, issued["refresh_token"], scope="create")
    assert narrowed.status_code == 200, narrowed.text
    assert narrowed.json()["scope"] == "create"
    token = narrowed.json()["access_token"]
    upload = requests.post(
        f"{live_server}/micropub/media",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": ("a.png", image_bytes(), "image/png")},
    )
    assert upload.status_code == 401
    assert upload.json()["error"] == "insufficient_scope"
    wider = refresh(live_server, narrowed.json()["refresh_token"], scope="create media")
    assert wider.status_code == 400
    assert wider.json()["error"] == "invalid_scope"
    assert "media" in wider.json()["error_description"]
    # A refused widening does not use the refresh token up.
    again = refresh(live_server, narrowed.json()["refresh_token"])
    assert again.status_code == 200, again.text
    assert again.json()["scope"] == "create"


def test_a_refresh_token_of_another_client_or_expired_is_refused(live_server, author):
    issued = sign_in(live_server, ["create"])
    other = requests.post(
        f"{live_server}/indieauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": issued["refresh_token"],
            "client_id": "https://other.example/",
        },
    )
    assert other.status_code == 400
    assert "another client_id" in other.json()["error_description"]
    token = row(issued["access_token"])
    token.refresh_expires_at = now() - timedelta(seconds=1)
    db.session.commit()
    expired = refresh(live_server, issued["refresh_token"])
    assert expired.status_code == 400
    assert "expired" in expired.json()["error_description"]
    missing = requests.post(f"{live_server}/indieauth/token", data={"grant_type": "refresh_token"})
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"


def test_revoking_the_app_in_the_admin_ends_its_refresh_token(live_server, author):
    first = sign_in(live_server, ["create"])
    issued = refresh(live_server, first["refresh_token"]).json()
    browser = signed_in_browser(live_server)
    page = browser.get(f"{live_server}/admin/tokens").text
    # One row for the app, its latest token: when it expires, until when the app may renew it.
    assert page.count(CLIENT_ID) == 1
    token = row(issued["access_token"])
    assert f"expires {token.expires_at:%Y-%m-%d %H:%M}" in page
    assert f"renew it until {token.refresh_expires_at:%Y-%m-%d}" in page
    token_id = re.search(r'action="/admin/tokens/(\d+)/revoke"', page)[1]
    assert int(token_id) == token.id
    revoked = browser.post(
        f"{live_server}/admin/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(page)}
    )
    assert revoked.status_code == 200
    refused = refresh(live_server, issued["refresh_token"])
    assert refused.status_code == 400
    assert "revoked" in refused.json()["error_description"]


def test_introspection_and_revocation(live_server, author):
    caller = sign_in(live_server, ["create"])["access_token"]
    issued = sign_in(live_server, ["create", "media"])

    def introspect(token: str) -> dict:
        response = requests.post(
            f"{live_server}/indieauth/introspect",
            data={"token": token},
            headers={"Authorization": f"Bearer {caller}"},
        )
        assert response.status_code == 200, response.text
        return response.json()

    answer = introspect(issued["access_token"])
    assert answer["active"] is True
    assert answer["client_id"] == CLIENT_ID
    assert answer["scope"] == "create media"
    expires_at = row(issued["access_token"]).expires_at
    assert answer["exp"] == int(expires_at.replace(tzinfo=UTC).timestamp())
    assert introspect(issued["refresh_token"])["active"] is True
    # Expired: inactive. Revoking it by its refresh token ends both.
    expire(issued["access_token"])
    assert introspect(issued["access_token"]) == {"active": False}
    revoked = requests.post(
        f"{live_server}/indieauth/revoke", data={"token": issued["refresh_token"]}
    )
    assert revoked.status_code == 200
    assert introspect(issued["refresh_token"]) == {"active": False}
    assert refresh(live_server, issued["refresh_token"]).status_code == 400
    # An access token revoked by itself.
    requests.post(f"{live_server}/indieauth/revoke", data={"token": caller})
    assert micropub_config(live_server, caller).status_code == 401
    # Unknown tokens: 200 all the same (RFC 7009).
    assert requests.post(f"{live_server}/indieauth/revoke", data={"token": "x"}).ok


def test_personal_tokens_do_not_expire_unless_made_to(live_server, author):
    _, forever = create_token(author, "laptop")
    assert row(forever).expires_at is None
    assert micropub_config(live_server, forever).status_code == 200
    _, brief = create_token(author, "ci", lifetime=timedelta(seconds=-1))
    refused = micropub_config(live_server, brief)
    assert refused.status_code == 401
    assert "create a new one" in refused.json()["error_description"]


def test_flask_token_create_makes_an_expiring_token_when_asked(runner, author):
    made = runner.invoke(args=["token", "create", "--user", "ada", "--name", "ci", "--days", "2"])
    assert made.exit_code == 0, made.output
    raw = made.stdout.strip().splitlines()[-1]
    token = row(raw)
    assert abs(token.expires_at - (now() + timedelta(days=2))) < timedelta(minutes=1)
    assert f"It expires at {token.expires_at:%Y-%m-%d %H:%M} UTC." in made.output
    listed = runner.invoke(args=["token", "list"])
    assert f"active until {token.expires_at:%Y-%m-%d %H:%M}" in listed.output
    refused = runner.invoke(args=["token", "create", "--user", "ada", "--name", "x", "--days", "0"])
    assert refused.exit_code == 2
    assert "--days" in refused.output


@pytest.mark.parametrize(
    ("method", "path"), [("get", "/indieauth/token"), ("post", "/indieauth/introspect")]
)
@pytest.mark.parametrize("authorization", [None, "Bearer mb_unknown", "Basic x"])
def test_a_401_says_bearer(live_server, author, method, path, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.request(method, f"{live_server}{path}", headers=headers, data={})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    challenge = 'Bearer error="invalid_token"' if authorization else "Bearer"
    assert response.headers["WWW-Authenticate"] == challenge
