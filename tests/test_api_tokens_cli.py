"""``flask token create|list|revoke``: the token is printed once, then only its prefix."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts import verify_token
from app.extensions import db
from app.models import ApiToken


def test_create_list_revoke(runner, author):
    created = runner.invoke(args=["token", "create", "--user", "ada", "--name", "laptop"])
    assert created.exit_code == 0, created.output
    raw = created.stdout.strip().splitlines()[-1]
    assert raw.startswith("mb_")
    token = verify_token(raw)
    assert token is not None
    assert token.name == "laptop"
    assert not token.read_only
    assert db.session.scalar(sa.select(ApiToken.token_hash)) != raw

    reader = runner.invoke(args=["token", "create", "--user", "ada", "--name", "ci", "--read-only"])
    assert verify_token(reader.stdout.strip().splitlines()[-1]).read_only

    listed = runner.invoke(args=["token", "list"])
    assert listed.exit_code == 0
    header, *rows = listed.output.splitlines()
    assert header.split("\t") == ["id", "prefix", "owner", "name", "rights", "state"]
    assert all(len(row.split("\t")) == 6 for row in rows)
    assert len(rows) == 2
    assert raw not in listed.output
    assert f"{token.prefix}…" in listed.output
    assert "read-only" in listed.output

    revoked = runner.invoke(args=["token", "revoke", token.prefix])
    assert revoked.exit_code == 0, revoked.output
    assert verify_token(raw) is None
    assert "revoked" in runner.invoke(args=["token", "list", "--user", "ada"]).output


def test_errors_are_clear(runner, author):
    unknown = runner.invoke(args=["token", "create", "--user", "bob", "--name", "x"])
    assert unknown.exit_code != 0
    assert "no author named 'bob'" in unknown.output
    blank = runner.invoke(args=["token", "create", "--user", "ada", "--name", "  "])
    assert blank.exit_code != 0
    assert "needs a name" in blank.output
    missing = runner.invoke(args=["token", "revoke", "mb_nothing"])
    assert missing.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0
