"""Publish: run the freeze pipeline in the background, report progress, browse the result."""

from __future__ import annotations

from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from werkzeug.local import LocalProxy
from werkzeug.wrappers import Response

from app.admin import bp
from app.admin.forms import ConfirmForm
from app.build.jobs import BuildJob, runner_for
from app.permissions import can, require


def _job_or_404(job_id: str) -> BuildJob:
    job = runner_for(current_app).get(job_id)
    if job is None:
        abort(404)
    return job


@bp.route("/publish", methods=["GET", "POST"])
def publish() -> Response | str:
    form = ConfirmForm()
    if form.validate_on_submit():
        require(current_user._get_current_object(), "build")
        runner = runner_for(current_app)
        running = runner.latest()
        job = runner.start(cast("LocalProxy[Flask]", current_app)._get_current_object())
        if running is job:  # said in the past tense: still true once that build ends
            flash(
                "A build was already running, so no new one started: this is its progress.", "info"
            )
        return redirect(url_for("admin.publish_status", job_id=job.id))
    return render_template(
        "admin/publish.html", form=form, job=runner_for(current_app).latest(), **_site_info()
    )


@bp.route("/publish/<job_id>")
def publish_status(job_id: str) -> str:
    job = _job_or_404(job_id)
    return render_template("admin/publish.html", form=ConfirmForm(), job=job, **_site_info())


@bp.route("/publish/<job_id>.json")
def publish_status_json(job_id: str) -> Response:
    job = _job_or_404(job_id)
    return jsonify({**job.to_dict(), "done": job.done})


def _site_info() -> dict[str, object]:
    build_dir: Path = current_app.config["BUILD_DIR"]
    return {
        "may_build": can(current_user._get_current_object(), "build"),
        "build_dir": build_dir,
        "built": (build_dir / "index.html").is_file(),
        # Where `freeze.py --serve` shows it: on port 8000, under the path of the site's URL.
        "serve_url": "http://localhost:8000"
        + (urlsplit(current_app.config["SITE_URL"]).path or "/"),
    }


@bp.route("/site/", defaults={"filename": "index.html"})
@bp.route("/site/<path:filename>")
def built_site(filename: str) -> Response:
    """Files of the last build, for a quick look (its links point at the site's own URLs)."""
    build_dir: Path = current_app.config["BUILD_DIR"]
    if filename.endswith("/") or (build_dir / filename).is_dir():
        filename = filename.rstrip("/") + "/index.html"
    return send_from_directory(build_dir, filename, max_age=0)
