"""IndieAuth: a scripted client discovers the endpoints from the built site (with
indieweb-utils, an IndieWeb library, not our code), signs in with PKCE (the author logs in and
approves on the consent page, CSRF on), gets a token and posts a note with a photo through
Micropub; the note is on the built timeline. Then what must be refused is."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import mf2py
import pytest
import requests

from tests.admin_helpers import csrf_token
from tests.api_helpers import image_bytes
from tests.conftest import FreezeRunner
from tests.indieauth_helpers import (
    CLIENT_ID,
    REDIRECT_URI,
    approve,
    authorization,
    code_of,
    pkce,
    redemption,
    signed_in_browser,
)
from tests.static_http import mount, serve

with warnings.catch_warnings():  # granary's web utilities import deprecated websockets names
    warnings.simplefilter("ignore", DeprecationWarning)
    from indieweb_utils import discover_endpoints, discover_indieauth_endpoints


@pytest.fixture
def site(app, synced, live_server, freeze: FreezeRunner, tmp_path: Path):
    """The site built with AUTHORING_URL = the live authoring app, served on 127.0.0.1."""
    app.config["WTF_CSRF_ENABLED"] = True
    www = tmp_path / "www"
    mount(www, "blog", freeze.build_dir)
    with serve(www) as origin:
        me = f"{origin}/blog/"
        app.config["SITE_URL"] = me
        app.config["AUTHORING_URL"] = live_server

        def build() -> None:
            result = freeze("--base-url", me, env={"AUTHORING_URL": live_server, "SITE_URL": me})
            assert result.returncode == 0, result.stderr

        build()
        yield me, build


def test_a_client_signs_in_and_posts_a_note_with_a_photo(site, live_server, author, content_dir):
    me, build = site
    # Discovery, as a posting app does it, by indieweb-utils: the site's rels, then metadata.
    found = discover_indieauth_endpoints(me)
    assert found.metadata_endpoint_found
    assert found.issuer == f"{live_server}/"
    assert found.code_challenge_methods_supported == ["S256"]
    assert found.grant_types_supported == ["authorization_code", "refresh_token"]
    assert found.introspection_endpoint == f"{live_server}/indieauth/introspect"
    assert found.revocation_endpoint == f"{live_server}/indieauth/revoke"
    rels = discover_endpoints(me, ["micropub", "authorization_endpoint", "token_endpoint"])
    assert rels["micropub"] == f"{live_server}/micropub"
    assert rels["authorization_endpoint"] == found.authorization_endpoint
    assert rels["token_endpoint"] == found.token_endpoint
    metadata = found.raw_metadata_endpoint_response
    assert metadata["authorization_endpoint"] == f"{live_server}/indieauth/auth"
    assert metadata["token_endpoint"] == f"{live_server}/indieauth/token"

    verifier, challenge = pkce()
    browser = signed_in_browser(live_server)
    params = authorization(metadata["authorization_endpoint"], challenge, "create media", me=me)
    back = approve(
        browser,
        metadata["authorization_endpoint"],
        params,
        decision="approve",
        scopes=["create", "media"],
    )
    assert back.startswith(REDIRECT_URI + "?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
    assert query["state"] == "xyz-123"
    assert query["iss"] == metadata["issuer"]

    redeem = redemption(query["code"], verifier)
    granted = requests.post(metadata["token_endpoint"], data=redeem)
    assert granted.status_code == 200, granted.text
    token = granted.json()
    assert token["me"] == me
    assert token["scope"] == "create media"
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 14 * 24 * 3600
    assert token["refresh_token"].startswith("mb_")
    again = requests.post(metadata["token_endpoint"], data=redeem)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"

    # The token at work: a photo to the media endpoint, then a note that shows it.
    app = requests.Session()
    app.headers["Authorization"] = f"Bearer {token['access_token']}"
    config = app.get(rels["micropub"], params={"q": "config"}).json()
    uploaded = app.post(
        config["media-endpoint"], files={"file": ("harbour.png", image_bytes(), "image/png")}
    )
    assert uploaded.status_code == 201, uploaded.text
    photo = uploaded.headers["Location"]
    assert photo.startswith(f"{me}media/harbour-")
    note = {
        "type": ["h-entry"],
        "properties": {
            "content": ["Boats in the harbour at dawn"],
            "photo": [{"value": photo, "alt": "Three boats at dawn"}],
        },
    }
    created = app.post(rels["micropub"], json=note)
    assert created.status_code == 201, created.text
    url = created.headers["Location"]
    assert url.startswith(f"{me}notes/")
    update = app.post(rels["micropub"], json={"action": "update", "url": url, "delete": ["photo"]})
    assert update.status_code == 401
    assert update.json()["error"] == "insufficient_scope"

    build()
    home = requests.get(me).text
    assert "Boats in the harbour at dawn" in home
    assert urlsplit(photo).path in home
    assert 'alt="Three boats at dawn"' in home
    entries = mf2py.parse(url=url)["items"]
    assert any("Boats in the harbour" in str(item["properties"].get("content")) for item in entries)


def test_the_token_is_listed_in_the_admin_and_revoked_there(site, live_server, author):
    verifier, challenge = pkce()
    browser = signed_in_browser(live_server)
    endpoint = f"{live_server}/indieauth/auth"
    back = approve(
        browser,
        endpoint,
        authorization(endpoint, challenge, "create"),
        decision="approve",
        scopes=["create"],
    )
    token = requests.post(
        f"{live_server}/indieauth/token", data=redemption(code_of(back), verifier)
    ).json()["access_token"]
    check = requests.get(
        f"{live_server}/indieauth/token", headers={"Authorization": f"Bearer {token}"}
    )
    assert check.json() == {"me": site[0], "client_id": CLIENT_ID, "scope": "create"}
    page = browser.get(f"{live_server}/admin/tokens").text
    assert CLIENT_ID in page
    token_id = re.search(r'action="/admin/tokens/(\d+)/revoke"', page)[1]
    revoked = browser.post(
        f"{live_server}/admin/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(page)}
    )
    assert revoked.status_code == 200
    after = requests.get(
        f"{live_server}/micropub",
        params={"q": "config"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert after.status_code == 401


def test_refusals(site, live_server, author):
    _, challenge = pkce()
    browser = signed_in_browser(live_server)
    endpoint = f"{live_server}/indieauth/auth"
    params = authorization(endpoint, challenge, "create")
    # The author says no: the client hears access_denied, with its state.
    denied = approve(browser, endpoint, params, decision="deny")
    assert parse_qs(urlsplit(denied).query)["error"] == ["access_denied"]
    assert parse_qs(urlsplit(denied).query)["state"] == ["xyz-123"]
    # The consent form without its CSRF token does nothing.
    forged = browser.post(
        f"{live_server}/indieauth/consent",
        data={**params, "decision": "approve"},
        allow_redirects=False,
    )
    assert forged.status_code == 400
    # A redirect_uri on another host that the client does not publish: a page, no redirect.
    elsewhere = browser.get(endpoint, params={**params, "redirect_uri": "https://evil.example/"})
    assert elsewhere.status_code == 400
    assert "redirect_uri" in elsewhere.text
    # PKCE: plain is not S256; a wrong verifier gets no token.
    plain = browser.get(
        endpoint, params={**params, "code_challenge_method": "plain"}, allow_redirects=False
    )
    assert plain.status_code == 302
    assert "invalid_request" in plain.headers["Location"]
    back = approve(browser, endpoint, params, decision="approve", scopes=["create"])
    wrong = requests.post(
        f"{live_server}/indieauth/token", data=redemption(code_of(back), pkce()[0])
    )
    assert wrong.status_code == 400
    assert "code_verifier" in wrong.json()["error_description"]
    # Not signed in: the consent page sends the visitor to the login form first.
    anonymous = requests.get(endpoint, params=params, allow_redirects=False)
    assert anonymous.status_code == 302
    assert "/admin/login" in anonymous.headers["Location"]


def test_a_redirect_uri_the_client_publishes_is_accepted(site, live_server, author, tmp_path):
    client_root = tmp_path / "client"
    client_root.mkdir()
    with serve(client_root) as client_origin:
        (client_root / "index.html").write_text(
            '<link rel="redirect_uri" href="https://app.example/callback">'
        )
        _, challenge = pkce()
        browser = signed_in_browser(live_server)
        endpoint = f"{live_server}/indieauth/auth"
        params = authorization(
            endpoint,
            challenge,
            "create",
            client_id=f"{client_origin}/",
            redirect_uri="https://app.example/callback",
        )
        page = browser.get(endpoint, params=params)
        assert page.status_code == 200, page.text


def test_without_authoring_url_the_site_advertises_nothing(built_site):
    home = (built_site / "index.html").read_text()
    for rel in ("micropub", "indieauth-metadata", "authorization_endpoint", "token_endpoint"):
        assert f'rel="{rel}"' not in home


def test_a_code_without_scopes_signs_in_only(site, live_server, author):
    verifier, challenge = pkce()
    browser = signed_in_browser(live_server)
    endpoint = f"{live_server}/indieauth/auth"
    back = approve(browser, endpoint, authorization(endpoint, challenge, ""), decision="approve")
    redeem = redemption(code_of(back), verifier)
    refused = requests.post(f"{live_server}/indieauth/token", data=redeem)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    assert "signing in only" in refused.json()["error_description"]
    # Refused at the token endpoint, the code is not spent: the client's fallback to the
    # authorization endpoint signs in with it, once.
    profile = requests.post(endpoint, data=redeem)
    assert profile.status_code == 200, profile.text
    assert profile.json() == {"me": site[0]}
    again = requests.post(endpoint, data=redeem)
    assert again.status_code == 400
    assert "already used" in again.json()["error_description"]


def test_a_client_id_without_a_path_is_taken_as_its_root(site, live_server, author):
    # Indigenous for Android, omnibear, indiebookclub: "https://app.example", at both endpoints.
    client_id, redirect_uri = "http://127.0.0.1:9", "http://127.0.0.1:9/callback"
    verifier, challenge = pkce()
    endpoint = f"{live_server}/indieauth/auth"
    params = authorization(
        endpoint, challenge, "create", client_id=client_id, redirect_uri=redirect_uri
    )
    back = approve(
        signed_in_browser(live_server), endpoint, params, decision="approve", scopes=["create"]
    )
    assert back.startswith(redirect_uri + "?")
    redeem = {**redemption(code_of(back), verifier), "client_id": client_id}
    redeem["redirect_uri"] = redirect_uri
    other = {**redeem, "client_id": "http://127.0.0.1:9/other"}  # still compared
    refused = requests.post(f"{live_server}/indieauth/token", data=other)
    assert "client_id" in refused.json()["error_description"]
    granted = requests.post(f"{live_server}/indieauth/token", data=redeem)
    assert granted.status_code == 200, granted.text
    check = requests.get(
        f"{live_server}/indieauth/token",
        headers={"Authorization": f"Bearer {granted.json()['access_token']}"},
    )
    assert check.json()["client_id"] == client_id + "/"
    renewed = requests.post(
        f"{live_server}/indieauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": granted.json()["refresh_token"],
            "client_id": client_id,
        },
    )
    assert renewed.status_code == 200, renewed.text


def test_an_apps_own_scheme_is_accepted_when_the_client_publishes_it(
    site, live_server, author, tmp_path
):
    client_root = tmp_path / "client"
    client_root.mkdir()
    (client_root / "index.html").write_text(
        '<link rel="redirect_uri" href="myapp://callback">'
        '<link rel="redirect_uri" href="javascript:alert(1)">'
        '<link rel="redirect_uri" href="data:text/html,hi">'
    )
    with serve(client_root) as client_origin:
        verifier, challenge = pkce()
        browser = signed_in_browser(live_server)
        endpoint = f"{live_server}/indieauth/auth"
        native = {"client_id": f"{client_origin}/", "redirect_uri": "myapp://callback"}
        params = authorization(endpoint, challenge, "create", **native)
        page = browser.get(endpoint, params=params)
        assert "form-action 'self' myapp:" in page.headers["Content-Security-Policy"]
        back = approve(browser, endpoint, params, decision="approve", scopes=["create"])
        assert back.startswith("myapp://callback?")
        granted = requests.post(
            f"{live_server}/indieauth/token", data={**redemption(code_of(back), verifier), **native}
        )
        assert granted.status_code == 200, granted.text
        # Published or not, scripts and data are refused; an unpublished app scheme too.
        for refused in ("javascript:alert(1)", "data:text/html,hi", "otherapp://callback"):
            page = browser.get(endpoint, params={**params, "redirect_uri": refused})
            assert page.status_code == 400, refused
            assert "Location" not in page.headers
