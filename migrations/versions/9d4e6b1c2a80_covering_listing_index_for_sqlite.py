"""covering listing index (SQLite only)

A build lists every published post (all columns but the bodies). In SQLite a row's later
columns sit behind its body and HTML, in overflow pages the listing had to read: with
every listed column in one index, the listing reads the index alone (0.1 s at 10 000
posts, more when the file is not in the OS cache). PostgreSQL reads the columns without
this, and caps index entries at 2.7 kB (a long summary would not fit), so it has no such
index. Not in the models: see ``app.schema.DATABASE_SPECIFIC_INDEXES``.

Revision ID: 9d4e6b1c2a80
Revises: 5c1d2a7e9f30
Create Date: 2026-12-01 14:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9d4e6b1c2a80'
down_revision = '5c1d2a7e9f30'
branch_labels = None
depends_on = None

COLUMNS = [
    'kind', 'published_at', 'slug', 'draft', 'id', 'title', 'summary', 'explicit_summary',
    'word_count', 'updated_at', 'author_name', 'author_id', 'extra', 'source_path',
    'source_hash', 'renderer',
]


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.create_index('ix_post_listed', 'post', COLUMNS, unique=False)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.drop_index('ix_post_listed', table_name='post')
