"""token scopes and IndieAuth codes: api_token.scopes replaces read_only; client_id; auth_code

Revision ID: c3a9e1f07d52
Revises: 7a3f0c9d2b41
Create Date: 2026-12-03 18:30:00.000000

Written by hand: a read-write token gets every write scope ("create update delete media"),
a read-only token none, then read_only goes (``ApiToken.read_only`` is now "no write scope").
The downgrade maps back: any write scope is read-write. Batch ops for SQLite.

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3a9e1f07d52'
down_revision = '7a3f0c9d2b41'
branch_labels = None
depends_on = None

ALL_SCOPES = "create update delete media"


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('scopes', sa.String(length=200), server_default='', nullable=False)
        )
        batch_op.add_column(sa.Column('client_id', sa.String(length=500), nullable=True))
    token = sa.table(
        'api_token', sa.column('read_only', sa.Boolean), sa.column('scopes', sa.String)
    )
    op.execute(token.update().where(token.c.read_only == sa.false()).values(scopes=ALL_SCOPES))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('read_only')

    op.create_table(
        'auth_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.String(length=500), nullable=False),
        sa.Column('redirect_uri', sa.String(length=2000), nullable=False),
        sa.Column('scopes', sa.String(length=200), nullable=False),
        sa.Column('code_challenge', sa.String(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['user.id'], name=op.f('fk_auth_code_user_id_user'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_code')),
    )
    with op.batch_alter_table('auth_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_code_code_hash'), ['code_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_auth_code_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('auth_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_code_user_id'))
        batch_op.drop_index(batch_op.f('ix_auth_code_code_hash'))
    op.drop_table('auth_code')

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('read_only', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    token = sa.table(
        'api_token', sa.column('read_only', sa.Boolean), sa.column('scopes', sa.String)
    )
    op.execute(token.update().where(token.c.scopes == '').values(read_only=True))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('client_id')
        batch_op.drop_column('scopes')
