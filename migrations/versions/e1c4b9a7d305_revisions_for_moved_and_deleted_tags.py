"""post revisions: also when a post's tag row is moved or a tag deleted

The triggers of b7e2d4f6a813 and d5c8a3f1e927 stamp a post when its row changes, when a tag
is added to or taken from it, or when one of its tags is renamed. Two writes that change
what a post lists went unstamped, and a kept listing (``app.build.keptposts``) or the
command line's stamps (``app.build.stamps.database_mark``) kept the old tags:

* ``UPDATE post_tags SET tag_id = ...`` (or ``post_id``): a tag moved in place, as a
  script or ``sqlite3`` would; both posts are stamped now.
* ``DELETE FROM tag``: with SQLite's foreign keys off (its default, and ``sqlite3``'s) the
  post's tag rows stay and point at nothing; the posts that had the tag are stamped now.

A tag whose ``id`` changes stamps the posts of its old id and of its new one.

Revision ID: e1c4b9a7d305
Revises: d5c8a3f1e927
Create Date: 2026-12-05 00:50:00.000000

"""

from importlib import util
from pathlib import Path

from alembic import op

# revision identifiers, used by Alembic.
revision = "e1c4b9a7d305"
down_revision = "d5c8a3f1e927"
branch_labels = None
depends_on = None


def _stamp(post_id):
    return f"INSERT OR REPLACE INTO post_revision VALUES ({post_id}, random());"


def _stamp_tagged(tag_ids):
    return (
        "INSERT OR REPLACE INTO post_revision "
        f"SELECT DISTINCT post_id, random() FROM post_tags WHERE tag_id IN ({tag_ids});"
    )


SQLITE_TRIGGERS = {
    "post_tags_revision_update": (
        f"AFTER UPDATE ON post_tags BEGIN {_stamp('OLD.post_id')} {_stamp('NEW.post_id')} END"
    ),
    "tag_revision_update": f"AFTER UPDATE ON tag BEGIN {_stamp_tagged('OLD.id, NEW.id')} END",
    "tag_revision_delete": f"AFTER DELETE ON tag BEGIN {_stamp_tagged('OLD.id')} END",
}

_RANDOM = "(random() * 9.2e18)::bigint"
_UPSERT = "ON CONFLICT (post_id) DO UPDATE SET revision = EXCLUDED.revision"
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION stamp_post_revision() RETURNS trigger AS $$
    BEGIN
        IF TG_TABLE_NAME = 'post' AND TG_OP = 'DELETE' THEN
            DELETE FROM post_revision WHERE post_id = OLD.id;
        ELSIF TG_TABLE_NAME = 'tag' AND TG_OP = 'UPDATE' THEN
            INSERT INTO post_revision
            SELECT post_id, {_RANDOM} FROM (
                SELECT DISTINCT post_id FROM post_tags WHERE tag_id IN (OLD.id, NEW.id)
            ) AS tagged
            {_UPSERT};
        ELSIF TG_TABLE_NAME = 'tag' THEN
            INSERT INTO post_revision
            SELECT post_id, {_RANDOM} FROM (
                SELECT DISTINCT post_id FROM post_tags WHERE tag_id = OLD.id
            ) AS tagged
            {_UPSERT};
        ELSIF TG_TABLE_NAME = 'post_tags' THEN
            IF TG_OP <> 'INSERT' THEN
                INSERT INTO post_revision VALUES (OLD.post_id, {_RANDOM}) {_UPSERT};
            END IF;
            IF TG_OP <> 'DELETE' THEN
                INSERT INTO post_revision VALUES (NEW.post_id, {_RANDOM}) {_UPSERT};
            END IF;
        ELSE
            INSERT INTO post_revision VALUES (NEW.id, {_RANDOM}) {_UPSERT};
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS post_tags_revision ON post_tags",
    """CREATE TRIGGER post_tags_revision AFTER INSERT OR UPDATE OR DELETE ON post_tags
    FOR EACH ROW EXECUTE FUNCTION stamp_post_revision()""",
    "DROP TRIGGER IF EXISTS tag_revision ON tag",
    """CREATE TRIGGER tag_revision AFTER UPDATE OR DELETE ON tag
    FOR EACH ROW EXECUTE FUNCTION stamp_post_revision()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS post_tags_revision ON post_tags",
    """CREATE TRIGGER post_tags_revision AFTER INSERT OR DELETE ON post_tags
    FOR EACH ROW EXECUTE FUNCTION stamp_post_revision()""",
    "DROP TRIGGER IF EXISTS tag_revision ON tag",
    """CREATE TRIGGER tag_revision AFTER UPDATE ON tag
    FOR EACH ROW EXECUTE FUNCTION stamp_post_revision()""",
]


def _previous():
    """The migration before this one (its triggers, for the downgrade)."""
    path = Path(__file__).with_name("d5c8a3f1e927_random_post_revisions.py")
    spec = util.spec_from_file_location("_d5c8a3f1e927", path)
    module = util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES:
            op.execute(statement)
        return
    for name, body in SQLITE_TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade():
    previous = _previous()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(previous.POSTGRES_FUNCTION)
        for statement in POSTGRES_DOWN:
            op.execute(statement)
        return
    for name in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    body = previous.SQLITE_TRIGGERS["tag_revision_update"]
    op.execute(f"CREATE TRIGGER tag_revision_update {body}")
