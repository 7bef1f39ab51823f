"""post revisions kept by triggers: post_revision, data_revision

Every write to a post, to which tags it has, or to a tag's name or slug stamps the post with
a new revision in ``post_revision``: the next value of ``data_revision``'s counter, written
by the database's own triggers, whoever writes (the admin, the API, a sync, psql). A
``--watch`` keeps the posts its last build listed and reads again only those stamped since
(``app.build.keptposts``): no writer has to remember to say what it changed.

The stamps live in a narrow table of their own: stamping the post's row would write its
bodies again (on SQLite a 10 000-post import took a second longer). ``data_revision`` holds
one row: the counter, and a random token naming this database (a database made anew starts
its counter again; the token tells the two apart). On PostgreSQL the counter's row lock
orders the writers, so a revision never commits after a greater one was seen (a sequence
would allow it: ``nextval`` is outside transactions). The function is created with ``OR
REPLACE``: dropping the tables (``db.drop_all``) leaves it behind.

On SQLite, a later migration that remakes ``post``, ``post_tags`` or ``tag`` in batch mode
drops their triggers with the old table: it must create them again (``SQLITE_TRIGGERS``).
Until it does, ``keptposts.current_mark`` finds one missing and watches read whole listings,
and ``tests/test_kept_posts.py`` fails.

Revision ID: b7e2d4f6a813
Revises: f2a7c4e9b1d3
Create Date: 2026-12-04 12:10:00.000000

"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e2d4f6a813'
down_revision = 'f2a7c4e9b1d3'
branch_labels = None
depends_on = None

_BUMP = "UPDATE data_revision SET value = value + 1 WHERE id = 1;"
_NOW = "(SELECT value FROM data_revision WHERE id = 1)"


def _stamp(post_id):
    return f"{_BUMP} INSERT OR REPLACE INTO post_revision VALUES ({post_id}, {_NOW});"


SQLITE_TRIGGERS = {
    'post_revision_insert': f"AFTER INSERT ON post BEGIN {_stamp('NEW.id')} END",
    'post_revision_update': f"AFTER UPDATE ON post BEGIN {_stamp('NEW.id')} END",
    'post_revision_delete': (
        "AFTER DELETE ON post BEGIN DELETE FROM post_revision WHERE post_id = OLD.id; END"
    ),
    'post_tags_revision_insert': f"AFTER INSERT ON post_tags BEGIN {_stamp('NEW.post_id')} END",
    'post_tags_revision_delete': f"AFTER DELETE ON post_tags BEGIN {_stamp('OLD.post_id')} END",
    'tag_revision_update': (
        f"AFTER UPDATE ON tag BEGIN {_BUMP} INSERT OR REPLACE INTO post_revision "
        f"SELECT post_id, {_NOW} FROM post_tags WHERE tag_id = NEW.id; END"
    ),
}

POSTGRES = [
    """CREATE OR REPLACE FUNCTION stamp_post_revision() RETURNS trigger AS $$
    DECLARE
        stamp bigint;
    BEGIN
        IF TG_TABLE_NAME = 'post' AND TG_OP = 'DELETE' THEN
            DELETE FROM post_revision WHERE post_id = OLD.id;
            RETURN NULL;
        END IF;
        UPDATE data_revision SET value = value + 1 WHERE id = 1 RETURNING value INTO stamp;
        IF TG_TABLE_NAME = 'tag' THEN
            INSERT INTO post_revision SELECT post_id, stamp FROM post_tags WHERE tag_id = NEW.id
            ON CONFLICT (post_id) DO UPDATE SET revision = EXCLUDED.revision;
        ELSIF TG_TABLE_NAME = 'post_tags' AND TG_OP = 'DELETE' THEN
            INSERT INTO post_revision VALUES (OLD.post_id, stamp)
            ON CONFLICT (post_id) DO UPDATE SET revision = EXCLUDED.revision;
        ELSIF TG_TABLE_NAME = 'post_tags' THEN
            INSERT INTO post_revision VALUES (NEW.post_id, stamp)
            ON CONFLICT (post_id) DO UPDATE SET revision = EXCLUDED.revision;
        ELSE
            INSERT INTO post_revision VALUES (NEW.id, stamp)
            ON CONFLICT (post_id) DO UPDATE SET revision = EXCLUDED.revision;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER post_revision AFTER INSERT OR UPDATE OR DELETE ON post
    FOR EACH ROW EXECUTE FUNCTION stamp_post_revision()""",
    """CREATE TRIGGER post_tags_revision AFTER INSERT OR DELETE ON post_tags
    FOR EACH ROW EXECUTE FUNCTION stamp_post_revision()""",
    """CREATE TRIGGER tag_revision AFTER UPDATE ON tag
    FOR EACH ROW EXECUTE FUNCTION stamp_post_revision()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS tag_revision ON tag",
    "DROP TRIGGER IF EXISTS post_tags_revision ON post_tags",
    "DROP TRIGGER IF EXISTS post_revision ON post",
    "DROP FUNCTION IF EXISTS stamp_post_revision()",
]


def upgrade():
    counter = op.create_table(
        'data_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_revision')),
    )
    op.bulk_insert(counter, [{'id': 1, 'value': 0, 'token': uuid.uuid4().hex}])
    op.create_table(
        'post_revision',
        sa.Column('post_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('revision', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('post_id', name=op.f('pk_post_revision')),
    )
    op.create_index(op.f('ix_post_revision_revision'), 'post_revision', ['revision'])
    if op.get_bind().dialect.name == 'postgresql':
        for statement in POSTGRES:
            op.execute(statement)
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    # The posts there already: stamped once, as if just written.
    op.execute(f"{_BUMP}")
    op.execute(f"INSERT INTO post_revision SELECT id, {_NOW} FROM post")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for statement in POSTGRES_DROP:
            op.execute(statement)
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index(op.f('ix_post_revision_revision'), table_name='post_revision')
    op.drop_table('post_revision')
    op.drop_table('data_revision')
