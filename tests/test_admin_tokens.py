"""API tokens from the admin: shown once, stored hashed, usable, revocable."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.accounts import hash_token, verify_token
from app.extensions import db
from app.models import ApiToken
from tests.admin_helpers import csrf_token
from tests.conftest import AUTHOR_PASSWORD


def new_token(author_client, name="laptop", read_only=False) -> str:
    data = {"name": name, **({"read_only": "y"} if read_only else {})}
    page = author_client.post("/admin/tokens", data=data).get_data(as_text=True)
    match = re.search(r'<code id="new-token">(mb_[^<]+)</code>', page)
    assert match, page
    return match.group(1)


def test_create_shows_the_token_once_and_stores_only_a_hash(author_client):
    raw = new_token(author_client, read_only=True)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "laptop"))
    assert token.read_only is True
    assert token.token_hash == hash_token(raw)
    assert raw not in token.token_hash
    listing = author_client.get("/admin/tokens").get_data(as_text=True)
    assert raw not in listing  # never shown again
    assert f"{token.prefix}…" in listing
    assert "read-only" in listing


def test_created_token_works_against_the_api_until_revoked(author_client, client):
    raw = new_token(author_client, name="ci")
    auth = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=auth).status_code == 200
    token = verify_token(raw)
    response = author_client.post(f"/admin/tokens/{token.id}/revoke")
    assert response.status_code == 302
    listing = html.unescape(author_client.get("/admin/tokens").get_data(as_text=True))
    assert "Revoked token 'ci'" in listing
    assert "<td>revoked " in listing
    assert client.get("/api/v1/me", headers=auth).status_code == 401


def test_a_name_is_required(author_client):
    page = author_client.post("/admin/tokens", data={"name": ""}).get_data(as_text=True)
    assert 'id="new-token"' not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_someone_elses_token_cannot_be_revoked(author_client):
    from app.accounts import create_token
    from app.models import User

    other = User(username="bob", email="bob@example.org")
    db.session.add(other)
    db.session.commit()
    token, _raw = create_token(other, "bobs")
    assert author_client.post(f"/admin/tokens/{token.id}/revoke").status_code == 404
    db.session.refresh(token)
    assert token.active


@pytest.fixture
def csrf_client(synced, author):
    """Logged in through the real form with CSRF protection on, as in real use."""
    synced.config["WTF_CSRF_ENABLED"] = True
    client = synced.test_client()
    token = csrf_token(client.get("/admin/login").get_data(as_text=True))
    data = {"username": author.username, "password": AUTHOR_PASSWORD, "csrf_token": token}
    assert client.post("/admin/login", data=data).status_code == 302
    return client


def create_through_the_form(client, **fields):
    token = csrf_token(client.get("/admin/tokens").get_data(as_text=True))
    return client.post("/admin/tokens", data={"csrf_token": token, **fields})


def test_a_token_can_expire_after_some_days(csrf_client):
    before = datetime.now(UTC).replace(tzinfo=None)
    page = create_through_the_form(csrf_client, name="phone", days="30")
    assert 'id="new-token"' in page.get_data(as_text=True)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "phone"))
    assert token.expires_at is not None
    assert timedelta(days=30) <= token.expires_at - before < timedelta(days=30, minutes=1)
    listing = csrf_client.get("/admin/tokens").get_data(as_text=True)
    assert f"expires {token.expires_at.strftime('%Y-%m-%d %H:%M')}" in listing


def test_a_blank_expiry_means_never(csrf_client):
    create_through_the_form(csrf_client, name="ci", days="")
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "ci"))
    assert token.expires_at is None


@pytest.mark.parametrize("days", ["0", "-3", "soon", "1.5", "3651"])
def test_a_wrong_expiry_is_shown_in_the_form_and_creates_nothing(csrf_client, days):
    response = create_through_the_form(csrf_client, name="phone", days=days)
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert 'id="new-token"' not in page
    assert re.search(r'<span class="field-error">[^<]*(whole number|between)[^<]*</span>', page)
    assert 'value="phone"' in page  # what was typed stays
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_the_expiry_form_still_needs_its_csrf_token(csrf_client):
    response = csrf_client.post("/admin/tokens", data={"name": "phone", "days": "30"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
