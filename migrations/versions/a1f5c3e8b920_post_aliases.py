"""post aliases: the old site paths (``aliases:``) that redirect to a post or page

Written by hand. Rows whose file already had an ``aliases:`` key kept it in ``extra`` (an
unknown key until now): they lose their renderer, so the next sync reads their file again
and fills the column.

Revision ID: a1f5c3e8b920
Revises: c3a9e1f07d52
Create Date: 2026-12-03 18:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a1f5c3e8b920"
down_revision = "c3a9e1f07d52"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("aliases", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
    post = sa.table("post", sa.column("extra", sa.JSON), sa.column("renderer", sa.String))
    op.execute(
        post.update().where(sa.cast(post.c.extra, sa.Text).like('%"aliases"%')).values(renderer="")
    )


def downgrade():
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_column("aliases")
