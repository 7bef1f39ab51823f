"""Token scopes: read-write tokens have every write scope, read-only none; the JSON API asks
for the scope of each write (POST create, PUT/PATCH update, DELETE delete, uploads media);
the migration maps old tokens."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.accounts import SCOPES, create_token, has_scope, parse_scopes, verify_token
from app.extensions import db
from tests.api_helpers import assert_problem, stored
from tests.conftest import ApiClient


def test_read_write_means_every_scope_and_read_only_none(app, author):
    _, writer = create_token(author, "writer")
    _, reader = create_token(author, "reader", read_only=True)
    assert verify_token(writer).scopes == "create update delete media"
    assert not verify_token(writer).read_only
    assert verify_token(reader).scopes == ""
    assert verify_token(reader).read_only
    assert not any(has_scope(verify_token(reader), s) for s in SCOPES)


def test_a_token_with_some_scopes_is_not_read_only(app, author):
    _, raw = create_token(
        author, "quill", scopes=("media", "create"), client_id="https://q.example/"
    )
    token = verify_token(raw)
    assert token.scopes == "create media"
    assert token.client_id == "https://q.example/"
    assert not token.read_only
    assert has_scope(token, "create")
    assert not has_scope(token, "delete")


def test_unknown_scopes_are_refused_or_left_out(app, author):
    with pytest.raises(ValueError, match="unknown scope 'admin'"):
        create_token(author, "x", scopes=("admin",))
    assert parse_scopes("profile create  draft media create") == ("create", "media")


def test_the_api_asks_each_write_for_its_scope(api, author, content_dir):
    creator = ApiClient(api.base_url, create_token(author, "c", scopes=("create",))[1])
    denied = creator.patch("/posts/hello-world", json={"title": "Changed"})
    assert "'update' scope" in assert_problem(denied, 403)["detail"]
    assert stored("hello-world")["title"] == "Hello, world"
    assert_problem(creator.delete("/posts/hello-world"), 403)
    assert_problem(creator.post("/media", files={"file": ("x.png", b"\x89PNG")}), 403)
    assert (content_dir / "posts" / "hello-world.md").exists()
    made = creator.post("/posts", json={"title": "Made with create"})
    assert made.status_code == 201, made.text
    assert stored("made-with-create") is not None
    updater = ApiClient(api.base_url, create_token(author, "u", scopes=("update",))[1])
    assert updater.patch("/posts/hello-world", json={"title": "Changed"}).status_code == 200
    assert stored("hello-world")["title"] == "Changed"


def test_the_migration_gives_old_tokens_their_scopes_and_back(app, author):
    create_token(author, "writer")
    create_token(author, "reader", read_only=True)
    db.session.remove()
    downgrade(revision="7a3f0c9d2b41")
    with db.engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT name, read_only FROM api_token")).all())
    assert rows == {"writer": False, "reader": True}
    upgrade()
    with db.engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT name, scopes FROM api_token")).all())
        assert "auth_code" in sa.inspect(conn).get_table_names()
    assert rows == {"writer": "create update delete media", "reader": ""}


def test_the_cli_makes_a_token_with_some_scopes_and_lists_them(runner, author):
    made = runner.invoke(
        args=[
            "token",
            "create",
            "--user",
            "ada",
            "--name",
            "quill",
            "--scope",
            "media",
            "--scope",
            "create",
        ]
    )
    assert made.exit_code == 0, made.output
    assert verify_token(made.stdout.strip().splitlines()[-1]).scopes == "create media"
    assert "Created create,media token" in made.stderr
    runner.invoke(args=["token", "create", "--user", "ada", "--name", "all"])
    rows = runner.invoke(args=["token", "list"]).output.splitlines()[1:]
    assert sorted(row.split("\t")[4] for row in rows) == ["create,media", "read-write"]
    both = runner.invoke(
        args=["token", "create", "--user", "ada", "--name", "x", "--read-only", "--scope", "create"]
    )
    assert both.exit_code != 0
    assert "--read-only has no scopes" in both.output
    wrong = runner.invoke(
        args=["token", "create", "--user", "ada", "--name", "x", "--scope", "admin"]
    )
    assert wrong.exit_code != 0


def test_the_admin_makes_a_token_with_the_ticked_scopes(author_client):
    form = author_client.get("/admin/tokens").get_data(as_text=True)
    assert (
        len(re.findall(r'<input checked id="scopes-\d" name="scopes" type="checkbox"', form)) == 4
    )
    page = author_client.post(
        "/admin/tokens", data={"name": "uploader", "scopes": ["create", "media"]}
    ).get_data(as_text=True)
    raw = re.search(r'<code id="new-token">(mb_[^<]+)</code>', page)[1]
    assert verify_token(raw).scopes == "create media"
    assert "read and write: create, media" in page
    nothing = author_client.post("/admin/tokens", data={"name": "none ticked"}).get_data(
        as_text=True
    )
    assert verify_token(re.search(r'<code id="new-token">(mb_[^<]+)</code>', nothing)[1]).read_only
