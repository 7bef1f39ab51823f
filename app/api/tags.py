"""/tags: every tag with how many posts use it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from app.api.openapi import ApiBlueprint, errors
from app.api.schemas import TagSchema
from app.extensions import db
from app.models import Tag, post_tags

blp: ApiBlueprint = Blueprint("tags", __name__, description="Tags, as posts name them.")


@blp.route("/tags", endpoint="tags")
class Tags(MethodView):
    @errors(blp, 403)
    @blp.response(200, TagSchema(many=True))
    def get(self) -> Any:
        """List tags by name

        Counts include drafts and scheduled posts.
        """
        count = sa.func.count(post_tags.c.post_id)
        rows = db.session.execute(
            sa.select(Tag, count).outerjoin(post_tags).group_by(Tag.id).order_by(Tag.name)
        )
        return [{"name": tag.name, "slug": tag.slug, "posts": n} for tag, n in rows]
