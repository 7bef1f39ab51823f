"""post revisions: a random stamp per write, compared post by post

A kept listing (``app.build.keptposts``) used to read again the posts stamped above the
counter it was read at. That trusts the counter to name one history: a database restored
from a copy and written as many times since counts to the same values with other posts, and
its changes went unseen. Now every write stamps its post with a random 63-bit value, and a
kept post is used again only while its stamp is the one read with it: whatever the history,
a stamp that is the same means no write since (two writes draw the same value once in
2^63). The counter, its index and PostgreSQL's row lock on it (which made every writer
wait for the last) go.

A kept listing may now also outlive its process: the command line keeps one in its build
cache (``app.build.keptfile``).

Revision ID: d5c8a3f1e927
Revises: b7e2d4f6a813
Create Date: 2026-12-04 15:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd5c8a3f1e927'
down_revision = 'b7e2d4f6a813'
branch_labels = None
depends_on = None


def _stamp(post_id):
    return f"INSERT OR REPLACE INTO post_revision VALUES ({post_id}, random());"


SQLITE_TRIGGERS = {
    'post_revision_insert': f"AFTER INSERT ON post BEGIN {_stamp('NEW.id')} END",
    'post_revision_update': f"AFTER UPDATE ON post BEGIN {_stamp('NEW.id')} END",
    'post_revision_delete': (
        "AFTER DELETE ON post BEGIN DELETE FROM post_revision WHERE post_id = OLD.id; END"
    ),
    'post_tags_revision_insert': f"AFTER INSERT ON post_tags BEGIN {_stamp('NEW.post_id')} END",
    'post_tags_revision_delete': f"AFTER DELETE ON post_tags BEGIN {_stamp('OLD.post_id')} END",
    'tag_revision_update': (
        "AFTER UPDATE ON tag BEGIN INSERT OR REPLACE INTO post_revision "
        "SELECT post_id, random() FROM post_tags WHERE tag_id = NEW.id; END"
    ),
}

# random() is a double in [0, 1): 53 random bits, scaled into a bigint.
POSTGRES_FUNCTION = """CREATE OR REPLACE FUNCTION stamp_post_revision() RETURNS trigger AS $$
    BEGIN
        IF TG_TABLE_NAME = 'post' AND TG_OP = 'DELETE' THEN
            DELETE FROM post_revision WHERE post_id = OLD.id;
        ELSIF TG_TABLE_NAME = 'tag' THEN
            INSERT INTO post_revision
            SELECT post_id, (random() * 9.2e18)::bigint FROM post_tags WHERE tag_id = NEW.id
            ON CONFLICT (post_id) DO UPDATE SET revision = EXCLUDED.revision;
        ELSIF TG_TABLE_NAME = 'post_tags' AND TG_OP = 'DELETE' THEN
            INSERT INTO post_revision VALUES (OLD.post_id, (random() * 9.2e18)::bigint)
            ON CONFLICT (post_id) DO UPDATE SET revision = EXCLUDED.revision;
        ELSIF TG_TABLE_NAME = 'post_tags' THEN
            INSERT INTO post_revision VALUES (NEW.post_id, (random() * 9.2e18)::bigint)
            ON CONFLICT (post_id) DO UPDATE SET revision = EXCLUDED.revision;
        ELSE
            INSERT INTO post_revision VALUES (NEW.id, (random() * 9.2e18)::bigint)
            ON CONFLICT (post_id) DO UPDATE SET revision = EXCLUDED.revision;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql"""


def _previous():
    """The migration before this one (its triggers, for the downgrade)."""
    from importlib import util
    from pathlib import Path

    path = Path(__file__).with_name('b7e2d4f6a813_post_revisions_kept_by_triggers.py')
    spec = util.spec_from_file_location('_b7e2d4f6a813', path)
    module = util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sqlite_triggers(triggers):
    for name, body in triggers.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} {body}")


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRES_FUNCTION)
    else:
        _sqlite_triggers(SQLITE_TRIGGERS)
    op.drop_index(op.f('ix_post_revision_revision'), table_name='post_revision')
    with op.batch_alter_table('data_revision') as batch:
        batch.drop_column('value')
    # Every post stamped anew: no stamp of the counter's is taken for a random one.
    random = "(random() * 9.2e18)::bigint" if op.get_bind().dialect.name == 'postgresql' else (
        "random()"
    )
    op.execute(f"UPDATE post_revision SET revision = {random}")


def downgrade():
    previous = _previous()
    with op.batch_alter_table('data_revision') as batch:
        batch.add_column(sa.Column('value', sa.BigInteger(), nullable=False, server_default='1'))
    op.create_index(op.f('ix_post_revision_revision'), 'post_revision', ['revision'])
    op.execute("UPDATE post_revision SET revision = 1")  # at or below the counter, as before
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(previous.POSTGRES[0])
    else:
        _sqlite_triggers(previous.SQLITE_TRIGGERS)
