"""listing index for the timeline (SQLite only)

The listing's rows now carry ``aliases``, which ``ix_post_listed`` lacked: SQLite read every
row's overflow pages again to get it (the index no longer covered the listing). This index
holds every listed column again. The listing is the timeline now (posts and notes: two
ranges of ``kind``), which SQLite merges in a temporary B-tree: a few milliseconds at 10 000
posts, where an index led by ``published_at`` is passed over for the ``kind`` one. See
9d4e6b1c2a80 for why SQLite alone has it.

Revision ID: c3d9e1f0a7b2
Revises: e4b7d2a91c06
Create Date: 2026-12-03 19:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3d9e1f0a7b2'
down_revision = 'e4b7d2a91c06'
branch_labels = None
depends_on = None

COLUMNS = [
    'kind', 'published_at', 'slug', 'draft', 'id', 'title', 'summary', 'explicit_summary',
    'word_count', 'updated_at', 'author_name', 'author_id', 'extra', 'aliases', 'source_path',
    'source_hash', 'renderer',
]
OLD_COLUMNS = [
    'kind', 'published_at', 'slug', 'draft', 'id', 'title', 'summary', 'explicit_summary',
    'word_count', 'updated_at', 'author_name', 'author_id', 'extra', 'source_path',
    'source_hash', 'renderer',
]


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.drop_index('ix_post_listed', table_name='post')
        op.create_index('ix_post_listed', 'post', COLUMNS, unique=False)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.drop_index('ix_post_listed', table_name='post')
        op.create_index('ix_post_listed', 'post', OLD_COLUMNS, unique=False)
