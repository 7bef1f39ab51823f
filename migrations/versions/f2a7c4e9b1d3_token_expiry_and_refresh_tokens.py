"""token expiry and refresh tokens: api_token.expires_at, refresh_hash, refresh_expires_at,
replaced_by_id

IndieAuth's access tokens expire and come with a refresh token (its hash kept beside the
access token's; ``replaced_by_id`` records the rotation, so a used refresh token is known
when it comes back). Existing tokens keep no expiry and no refresh token. Batch ops for SQLite.

Revision ID: f2a7c4e9b1d3
Revises: c3d9e1f0a7b2
Create Date: 2026-12-03 22:05:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f2a7c4e9b1d3'
down_revision = 'c3d9e1f0a7b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('refresh_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('refresh_expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('replaced_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_api_token_refresh_hash'), ['refresh_hash'], unique=True
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_api_token_replaced_by_id_api_token'),
            'api_token',
            ['replaced_by_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_api_token_replaced_by_id_api_token'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_api_token_refresh_hash'))
        batch_op.drop_column('replaced_by_id')
        batch_op.drop_column('refresh_expires_at')
        batch_op.drop_column('refresh_hash')
        batch_op.drop_column('expires_at')
