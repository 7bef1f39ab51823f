"""user role: owner, editor, author or contributor

Revision ID: e4b7d2a91c06
Revises: a1f5c3e8b920
Create Date: 2026-12-03 18:40:00.000000

Written by hand: the column is added nullable, every existing user becomes an owner, then it
becomes NOT NULL (batch ops for SQLite). Owner, because before roles every author could do
everything (publish, delete any post, and there was nobody else to manage roles): an upgrade
takes no right away from anyone, and the owners then lower the others' roles in the admin or
with ``flask user role NAME ROLE``.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b7d2a91c06'
down_revision = 'a1f5c3e8b920'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=16), nullable=True))

    user = sa.table('user', sa.column('role', sa.String))
    op.get_bind().execute(user.update().values(role='owner'))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('role', existing_type=sa.String(length=16), nullable=False)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('role')
