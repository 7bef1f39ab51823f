"""Tokens: none, unknown, revoked or read-only for a write get 401/403, and nothing changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.accounts import TOKEN_PREFIX, create_token, revoke_token, verify_token
from app.extensions import db
from app.models import ApiToken
from tests.api_helpers import assert_problem, post_count, stored
from tests.conftest import ApiClient

NEW = {"title": "Should not exist"}


def assert_unchanged(content_dir, files_before, count_before):
    assert sorted(p.name for p in (content_dir / "posts").iterdir()) == files_before
    assert post_count() == count_before
    assert stored("should-not-exist") is None
    assert stored("hello-world")["title"] == "Hello, world"


def every_write(client: ApiClient) -> list:
    return [
        client.post("/posts", json=NEW),
        client.put("/posts/hello-world", json={"title": "Hacked"}),
        client.patch("/posts/hello-world", json={"title": "Hacked"}),
        client.delete("/posts/hello-world"),
        client.post("/media", files={"file": ("x.png", b"\x89PNG")}),
        client.post("/builds"),
    ]


def test_no_or_bad_token_is_401_with_a_challenge(api, content_dir, tmp_path):
    files, count = sorted(p.name for p in (content_dir / "posts").iterdir()), post_count()
    revoked = create_token(db.session.get(ApiToken, 1).user, "old")
    revoke_token(revoked[0])
    clients = [
        ApiClient(api.base_url),
        ApiClient(api.base_url, TOKEN_PREFIX + "x" * 43),
        ApiClient(api.base_url, revoked[1]),
        ApiClient(api.base_url, api.token[:-1]),
    ]
    for client in clients:
        for response in [client.get("/posts"), client.get("/me"), *every_write(client)]:
            body = assert_problem(response, 401)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert "token" in body["detail"]
    basic = api.get("/me", headers={"Authorization": "Basic YWRhOnB3"})
    assert_problem(basic, 401)
    assert_unchanged(content_dir, files, count)
    assert not (tmp_path / "build").exists()


def test_read_only_token_reads_but_cannot_write(api, make_token, content_dir, tmp_path):
    files, count = sorted(p.name for p in (content_dir / "posts").iterdir()), post_count()
    media = sorted((content_dir / "media").iterdir())
    reader = ApiClient(api.base_url, make_token(read_only=True, name="reader"))
    assert reader.get("/posts").status_code == 200
    me = reader.get("/me").json()
    assert me["token"]["read_only"] is True
    for response in every_write(reader):
        body = assert_problem(response, 403)
        assert "read-only" in body["detail"]
    assert_unchanged(content_dir, files, count)
    assert sorted((content_dir / "media").iterdir()) == media
    assert not (tmp_path / "build").exists()


def test_me_names_the_owner_and_the_token(api):
    me = api.get("/me").json()
    assert me["username"] == "ada"
    assert me["token"]["name"] == "tests"
    assert me["token"]["read_only"] is False
    assert api.token.startswith(me["token"]["prefix"])


def test_me_gives_the_tokens_rights(api, author):
    me = api.get("/me").json()["token"]
    assert (me["scopes"], me["expires_at"]) == (["create", "update", "delete", "media"], None)
    _, raw = create_token(author, "app", scopes=("media",), lifetime=timedelta(hours=1))
    app_token = ApiClient(api.base_url, raw).get("/me").json()["token"]
    assert (app_token["scopes"], app_token["read_only"]) == (["media"], False)
    expires = datetime.fromisoformat(app_token["expires_at"])
    assert timedelta(minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=1)
    reader = ApiClient(api.base_url, create_token(author, "reader", read_only=True)[1])
    assert reader.get("/me").json()["token"]["scopes"] == []


def test_tokens_are_stored_hashed(app, author):
    token, raw = create_token(author, "laptop")
    assert raw.startswith(TOKEN_PREFIX)
    assert len(raw) > 40
    assert raw not in (token.token_hash, token.prefix)
    assert token.prefix == raw[: len(token.prefix)]
    assert verify_token(raw) is token
    assert verify_token(raw + "x") is None
    assert verify_token("Bearer " + raw) is None
    revoke_token(token)
    assert verify_token(raw) is None


def test_openapi_document_and_docs_page_need_no_token(api):
    client = ApiClient(api.base_url)
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs").status_code == 200
