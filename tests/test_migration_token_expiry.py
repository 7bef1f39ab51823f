"""The token-expiry migration: tokens made before it keep working, never expire, have no
refresh token; down and up again keeps them (SQLite batch ops; PostgreSQL with
TEST_DATABASE_URL)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.accounts import hash_token, verify_token
from app.extensions import db

BEFORE = "c3d9e1f0a7b2"
COLUMNS = {"expires_at", "refresh_hash", "refresh_expires_at", "replaced_by_id"}


def columns() -> set[str]:
    return {c["name"] for c in sa.inspect(db.engine).get_columns("api_token")}


def test_tokens_made_before_it_keep_working_and_never_expire(app, author):
    raw = "mb_" + "a" * 43
    downgrade(revision=BEFORE)
    assert not columns() & COLUMNS
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO api_token (user_id, name, prefix, token_hash, scopes, created_at)"
                " VALUES (:user, 'laptop', :prefix, :hash, 'create', CURRENT_TIMESTAMP)"
            ),
            {"user": author.id, "prefix": raw[:11], "hash": hash_token(raw)},
        )
    upgrade()
    assert columns() >= COLUMNS
    db.session.expire_all()
    token = verify_token(raw)
    assert token is not None
    assert token.expires_at is None
    assert token.refresh_hash is None
    index = {i["name"]: i for i in sa.inspect(db.engine).get_indexes("api_token")}
    assert index["ix_api_token_refresh_hash"]["unique"]
    foreign = {fk["name"]: fk for fk in sa.inspect(db.engine).get_foreign_keys("api_token")}
    assert foreign["fk_api_token_replaced_by_id_api_token"]["referred_table"] == "api_token"
    # Down and up again: the token is still there and still works.
    db.session.remove()
    downgrade(revision=BEFORE)
    upgrade()
    assert verify_token(raw) is not None
