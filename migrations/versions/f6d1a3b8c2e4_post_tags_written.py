"""post.tags_written: a post's tags as its file writes them

A tag was named once, by the first file that created it, and kept that name while any post
used it: the site then showed a spelling no current file might write, and a fresh database
showed another (``content.tagnames``). Each row now keeps its file's spellings, in the
file's order (a save keeps that order too), and every sync names the tags it touches from
them by one rule.

Filled here from the rows' tags (sorted, as they were shown) so that a save before the next
sync keeps every tag; the rows with tags get an empty ``renderer`` so that the next sync
reads their files again for the spellings and order they write.

Revision ID: f6d1a3b8c2e4
Revises: e1c4b9a7d305
Create Date: 2026-12-05 19:10:00.000000

"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f6d1a3b8c2e4"
down_revision = "e1c4b9a7d305"
branch_labels = None
depends_on = None


def upgrade():
    # Not in a batch: SQLite adds a column in place, and its revision triggers stay.
    op.add_column(
        "post",
        sa.Column("tags_written", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
    )
    bind = op.get_bind()
    post_tags = sa.table("post_tags", sa.column("post_id"), sa.column("tag_id"))
    tag = sa.table("tag", sa.column("id"), sa.column("name"))
    rows = bind.execute(
        sa.select(post_tags.c.post_id, tag.c.name)
        .join(tag, tag.c.id == post_tags.c.tag_id)
        .order_by(post_tags.c.post_id, tag.c.name)
    )
    names = defaultdict(list)
    for post_id, name in rows:
        names[post_id].append(name)
    post = sa.table("post", sa.column("id"), sa.column("tags_written"), sa.column("renderer"))
    if names:
        bind.execute(
            post.update()
            .where(post.c.id == sa.bindparam("row_id"))
            .values(tags_written=sa.bindparam("written", type_=sa.JSON), renderer=""),
            [{"row_id": post_id, "written": written} for post_id, written in names.items()],
        )


def downgrade():
    op.drop_column("post", "tags_written")  # in place too (SQLite 3.35+)
