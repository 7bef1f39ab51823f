"""user session token: a revocable id for sessions and remember-me cookies

Revision ID: 7a3f0c9d2b41
Revises: 9d4e6b1c2a80
Create Date: 2026-12-03 15:30:00.000000

Written by hand: the column is added nullable, every existing user gets a random token, then
it becomes NOT NULL with a unique index (batch ops for SQLite). Cookies made before the
upgrade named the user by id: they no longer log anyone in (authors log in once more).

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a3f0c9d2b41'
down_revision = '9d4e6b1c2a80'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))

    user = sa.table('user', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    conn = op.get_bind()
    for (user_id,) in conn.execute(sa.select(user.c.id)).all():
        conn.execute(
            user.update()
            .where(user.c.id == user_id)
            .values(session_token=secrets.token_urlsafe(32))
        )

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f('ix_user_session_token'), ['session_token'], unique=True)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_token'))
        batch_op.drop_column('session_token')
