"""Migrations: upgrade from empty, no drift against the models, downgrade and back."""

import contextlib
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.build.triggers import TRIGGERS
from app.extensions import db
from app.schema import upgrade_schema

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


def test_the_aliases_migration_has_files_with_aliases_read_again(app):
    """Rows whose file had ``aliases:`` (an unknown key, kept in ``extra``) lose their
    renderer, so the next sync fills the new column; the others are left alone."""
    downgrade(revision="c3a9e1f07d52")
    with db.engine.begin() as connection:
        for slug, extra in (("moved", '{"aliases": ["/old/"]}'), ("stays", '{"x": 1}')):
            connection.execute(
                sa.text(
                    "INSERT INTO post (kind, slug, title, body, body_html, toc_html, summary,"
                    " explicit_summary, word_count, draft, extra, source_path, source_hash,"
                    " body_text, renderer) VALUES ('post', :slug, 'T', 'x', '', '', '', false,"
                    " 1, false, :extra, :path, 'h', '', 'r1')"
                ),
                {"slug": slug, "extra": extra, "path": f"posts/{slug}.md"},
            )
    upgrade()
    with db.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT slug, renderer, aliases FROM post ORDER BY slug"))
        found = [
            (slug, renderer, aliases if isinstance(aliases, list) else json.loads(aliases))
            for slug, renderer, aliases in rows  # PostgreSQL reads JSON, SQLite text
        ]
    assert found == [("moved", "", []), ("stays", "r1", [])]


def test_the_tags_written_migration_keeps_every_tag_and_has_tagged_files_read_again(app):
    """Rows with tags get their tags' names (a save before the next sync keeps them) and
    lose their renderer (the next sync reads the spellings their files write); the revision
    triggers stay (the column is added in place)."""
    downgrade(revision="e1c4b9a7d305")
    with db.engine.begin() as connection:
        for slug in ("tagged", "bare"):
            connection.execute(
                sa.text(
                    "INSERT INTO post (kind, slug, title, body, body_html, toc_html, summary,"
                    " explicit_summary, word_count, draft, extra, source_path, source_hash,"
                    " body_text, renderer) VALUES ('post', :slug, 'T', 'x', '', '', '', false,"
                    " 1, false, '{}', :path, 'h', '', 'r1')"
                ),
                {"slug": slug, "path": f"posts/{slug}.md"},
            )
        for name in ("zeta", "Alpha"):
            connection.execute(
                sa.text("INSERT INTO tag (name, slug) VALUES (:name, :slug)"),
                {"name": name, "slug": name.lower()},
            )
        connection.execute(
            sa.text(
                "INSERT INTO post_tags (post_id, tag_id) SELECT post.id, tag.id FROM post, tag"
                " WHERE post.slug = 'tagged'"
            )
        )
    upgrade()
    with db.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT slug, renderer, tags_written FROM post"))
        found = {
            slug: (renderer, written if isinstance(written, list) else json.loads(written))
            for slug, renderer, written in rows  # PostgreSQL reads JSON, SQLite text
        }
    assert found == {"tagged": ("", ["Alpha", "zeta"]), "bare": ("r1", [])}
    dialect = db.engine.dialect.name
    query = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
        "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal",
    }[dialect]
    with db.engine.connect() as connection:
        assert set(TRIGGERS[dialect]) <= set(connection.scalars(sa.text(query)))


def test_a_database_behind_the_scripts_is_migrated_by_a_build(app):
    """A build asks Alembic only when the database's revision is not the scripts' head."""
    upgrade_schema()
    seen = json.loads((Path(app.instance_path) / "migration-heads.json").read_text())
    assert seen["heads"] == [db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))]
    db.session.remove()
    downgrade(revision="4815c7b8c775")
    assert "body_text" not in {c["name"] for c in sa.inspect(db.engine).get_columns("post")}
    upgrade_schema()
    assert "body_text" in {c["name"] for c in sa.inspect(db.engine).get_columns("post")}


def test_a_build_on_an_up_to_date_database_does_not_load_alembic(freeze):
    """Alembic costs more to import than an edited post costs to render."""
    first = freeze("--quiet", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert first.returncode == 0, first.stderr
    assert re.search(r"\| +alembic$", first.stderr, re.MULTILINE)
    second = freeze("--quiet", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert second.returncode == 0, second.stderr
    assert not re.search(r"\| +(alembic|flask_migrate)$", second.stderr, re.MULTILINE)


class MigrationKilledError(Exception):
    """Stands for a build killed in the middle of a migration."""


def _upgrade_stopped_after(ddl_statements: int) -> None:
    """``upgrade()``, stopped (as by a kill) before its DDL statement number n + 1."""
    done = 0

    def interrupt(conn, cursor, statement, parameters, context, executemany):
        nonlocal done
        if statement.lstrip().upper().startswith(("CREATE", "ALTER", "DROP")):
            done += 1
            if done > ddl_statements:
                raise MigrationKilledError(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", interrupt)
    try:
        with contextlib.suppress(MigrationKilledError):
            upgrade()
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", interrupt)


def test_a_migration_interrupted_anywhere_leaves_a_database_the_next_build_migrates(app):
    """SQLite runs DDL in transactions, but Python's sqlite3 commits each ALTER/CREATE on its
    own unless told otherwise: a build killed mid-upgrade left a column added and the revision
    not, and every later build failed ("duplicate column name"). Stop the upgrade after each
    of its first DDL statements in turn; the next upgrade must always succeed."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's DDL is transactional through psycopg already")
    for stop_after in range(1, 12):
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        _upgrade_stopped_after(stop_after)
        upgrade()  # the next build
        assert tables() >= TABLES, stop_after
        with db.engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("user")}
        assert "session_token" in columns
