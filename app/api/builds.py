"""/builds: publish the site (a freeze into build/) in the background and follow it."""

from __future__ import annotations

from typing import Any, cast

from flask import Flask, current_app, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.local import LocalProxy

from app.api.auth import current_user
from app.api.errors import ApiError
from app.api.openapi import ApiBlueprint, errors
from app.api.schemas import BuildSchema
from app.build.jobs import BuildJob, runner_for
from app.permissions import require

blp: ApiBlueprint = Blueprint(
    "builds", __name__, description="Site builds: freeze content into build/."
)

LOCATION_HEADER = {"description": "Where to follow the build.", "schema": {"type": "string"}}


def represent(job: BuildJob) -> dict[str, Any]:
    return {**job.to_dict(), "done": job.done}


@blp.route("/builds", endpoint="builds")
class Builds(MethodView):
    @errors(blp, 403)
    @blp.response(202, BuildSchema, headers={"Location": LOCATION_HEADER})
    def post(self) -> Any:
        """Start a build

        Runs the same pipeline as `python freeze.py`; when one is already running, that one
        is returned. Poll the `Location` until `done` is true.
        """
        require(current_user(), "build")
        app = cast("LocalProxy[Flask]", current_app)._get_current_object()
        job = runner_for(app).start(app)
        return represent(job), {"Location": url_for("builds.build", build_id=job.id)}


@blp.route("/builds/<build_id>", endpoint="build")
class Build(MethodView):
    @errors(blp, 403, 404)
    @blp.response(200, BuildSchema)
    def get(self, build_id: str) -> Any:
        """Follow a build

        `state` is queued, running, succeeded or failed; `errors` says what went wrong.
        """
        job = runner_for(current_app).get(build_id)
        if job is None:
            raise ApiError(404, f"there is no recent build {build_id!r}")
        return represent(job)
