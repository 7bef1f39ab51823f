"""Migrations: upgrade from empty, no drift against the models, downgrade and back."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db


def tables():
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_check_downgrade_upgrade(app, runner):
    assert {"post", "tag", "user", "post_tags"} <= tables()
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output
    downgrade(revision="base")
    assert tables() <= {"alembic_version"}
    upgrade()
    assert {"post", "tag", "user", "post_tags"} <= tables()
