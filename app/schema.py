"""The database schema: Alembic migrations through Flask-Migrate, imported only when needed.

Alembic costs about 0.15 s to import, more than rendering an edited post. A build migrates
first, and nearly always finds the database at the latest revision: ``upgrade_schema``
then reads the revision from the database and compares it with the heads the migration
scripts had the last time Alembic ran on them (kept in the instance folder, by the scripts'
digest), and only calls Alembic when they differ.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import sqlalchemy as sa
from flask import Flask, current_app

from app.content.files import atomic_write, tree_digest
from app.extensions import db
from config import BASE_DIR

MIGRATIONS_DIR = BASE_DIR / "migrations"
#: Indexes that migrations make on one kind of database only (see their scripts), so they
#: are not in the models: autogenerate and ``flask db check`` leave them alone.
DATABASE_SPECIFIC_INDEXES = frozenset({"ix_post_listed"})


def _compared(obj: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
    return not (type_ == "index" and name in DATABASE_SPECIFIC_INDEXES)


#: Options of every ``flask db`` command (SQLite needs batch mode to alter tables).
OPTIONS = {"render_as_batch": True, "compare_type": True, "include_object": _compared}


def init_migrations(app: Flask) -> None:
    """Flask-Migrate for ``app``: the ``flask db`` commands, and ``upgrade`` in its context."""
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(MIGRATIONS_DIR), **OPTIONS)


def upgrade_schema() -> None:
    """Migrate the app's database to the latest revision (in an app context).

    Alembic runs only when the database's revision is not the scripts' head as last seen.
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    scripts = tree_digest([MIGRATIONS_DIR / "versions"], "*.py")
    seen = _heads_file(app)
    known = _known_heads(seen, scripts)
    if known is not None and known == _revisions():
        return
    if "migrate" not in app.extensions:
        init_migrations(app)
    from flask_migrate import upgrade

    upgrade()
    heads = _revisions()
    if heads:
        try:
            seen.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(seen, orjson.dumps({"scripts": scripts, "heads": sorted(heads)}))
        except OSError:
            pass  # the next build asks Alembic again


def _heads_file(app: Flask) -> Path:
    return Path(app.instance_path) / "migration-heads.json"


def _known_heads(path: Path, scripts: str) -> set[str] | None:
    """The heads Alembic found in scripts with this digest, if it ran on them."""
    try:
        data = orjson.loads(path.read_bytes())
        return set(data["heads"]) if data["scripts"] == scripts else None
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _revisions() -> set[str] | None:
    """The database's revisions (None: not under Alembic yet)."""
    try:
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            return {row[0] for row in rows}
    except sa.exc.DBAPIError:
        return None
