"""Extension instances, bound to an app in ``create_app`` (the init_app pattern)."""

import sqlite3

from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase

#: Stable constraint names, so Alembic can alter and drop them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
login = LoginManager()


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection: object, _record: object) -> None:
    """SQLite in WAL mode: a save commits with one fsync (not four) and reads never wait.

    ``synchronous=NORMAL`` can lose the last commits on a power cut (never on a crash of the
    app), which the next ``content sync`` repairs: the files stay canonical.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # answers 'memory' for in-memory databases
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
