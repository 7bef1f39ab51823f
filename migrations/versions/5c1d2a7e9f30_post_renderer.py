"""post renderer: which Markdown renderer made each row's HTML

A sync renders again the rows another renderer made (a new Markdown engine, an upgraded
Pygments), though their files did not change. Existing rows get '' and so are rendered
again by the next sync.

Revision ID: 5c1d2a7e9f30
Revises: bbab17d757ee
Create Date: 2026-12-01 13:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1d2a7e9f30'
down_revision = 'bbab17d757ee'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('renderer', sa.String(length=16), server_default='', nullable=False))
        batch_op.drop_index('ix_post_sync')
        batch_op.create_index('ix_post_sync', ['source_path', 'source_hash', 'kind', 'slug', 'renderer'], unique=False)


def downgrade():
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index('ix_post_sync')
        batch_op.create_index('ix_post_sync', ['source_path', 'source_hash', 'kind', 'slug'], unique=False)
        batch_op.drop_column('renderer')
