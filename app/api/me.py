"""/me: who the token belongs to, and what it may do."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from app.api.auth import current_token
from app.api.openapi import ApiBlueprint, errors
from app.api.schemas import MeSchema

blp: ApiBlueprint = Blueprint("me", __name__, description="The token's owner.")


@blp.route("/me", endpoint="me")
class Me(MethodView):
    @errors(blp, 403)
    @blp.response(200, MeSchema)
    def get(self) -> Any:
        """Who am I

        The author the token belongs to, and the token's name, prefix and rights: its
        `scopes` (none: `read_only`) and `expires_at` (null: until revoked).
        """
        token = current_token()
        user = token.user
        return {"username": user.username, "email": user.email, "role": user.role, "token": token}
