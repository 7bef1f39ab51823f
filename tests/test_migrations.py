"""Migrations: upgrade from empty, no drift against the models, downgrade and back."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db

TABLES = {"post", "tag", "user", "post_tags", "api_token"}


def tables():
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_check_downgrade_upgrade(app, runner):
    assert tables() >= TABLES
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output
    downgrade(revision="base")
    assert tables() <= {"alembic_version"}
    upgrade()
    assert tables() >= TABLES


def test_api_token_migration_steps_down_to_the_initial_schema(app):
    downgrade(revision="2fb60cf7832a")
    assert "api_token" not in tables()
    assert {"post", "tag", "user", "post_tags"} <= tables()
    upgrade()
    assert "api_token" in tables()
    index = {i["name"]: i for i in sa.inspect(db.engine).get_indexes("api_token")}
    assert index["ix_api_token_token_hash"]["unique"]


def test_body_text_migration_fills_existing_posts_from_their_html(app):
    downgrade(revision="4815c7b8c775")
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO post (kind, slug, title, body, body_html, toc_html, summary,"
                " explicit_summary, word_count, draft, extra, source_path, source_hash)"
                " VALUES ('post', 'old', 'Old', 'x', '<p>Old <em>words</em> &amp; more</p>', '',"
                " '', false, 3, false, '{}', 'posts/old.md', 'h')"
            )
        )
    upgrade()
    with db.engine.connect() as connection:
        text = connection.execute(sa.text("SELECT body_text FROM post WHERE slug = 'old'"))
        assert text.scalar_one() == "Old words & more"
