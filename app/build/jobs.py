"""Background builds for the admin's Publish button and the API: one at a time, in a thread."""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from flask import Flask

from app.build.errors import explain
from app.extensions import db

#: How many finished jobs are remembered.
HISTORY = 20


@dataclass
class BuildJob:
    """One build: its state and, once finished, its result or errors."""

    id: str
    state: str = "queued"  # queued | running | succeeded | failed
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    pages: int | None = None
    seconds: float | None = None
    summary: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.state in ("succeeded", "failed")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class BuildRunner:
    """Runs ``build_site`` for an authoring app in a worker thread; never two at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, BuildJob] = {}
        self._thread: threading.Thread | None = None

    def get(self, job_id: str) -> BuildJob | None:
        return self._jobs.get(job_id)

    def latest(self) -> BuildJob | None:
        return next(reversed(self._jobs.values()), None)

    def start(self, app: Flask) -> BuildJob:
        """Start a build, or return the one already running."""
        with self._lock:
            current = self.latest()
            if current is not None and not current.done:
                return current
            job = BuildJob(id=uuid.uuid4().hex)
            self._jobs[job.id] = job
            while len(self._jobs) > HISTORY:
                self._jobs.pop(next(iter(self._jobs)))
            self._thread = threading.Thread(
                target=self._run, args=(app, job), name=f"build-{job.id[:8]}", daemon=True
            )
            self._thread.start()
            return job

    def wait(self, timeout: float | None = None) -> None:
        """Block until the current build ends (for tests and the CLI)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self, app: Flask, job: BuildJob) -> None:
        from app import create_app
        from app.build.pipeline import build_site

        job.state, job.started_at = "running", time.time()
        public: Flask | None = None
        try:
            settings = {k: v for k, v in app.config.items() if k.isupper()}
            public = create_app(overrides=settings, authoring=False)
            result = build_site(public)
        except Exception as exc:  # said as the CLI says it (a bug too: never lose the job)
            job.errors = explain(exc, app.config["SQLALCHEMY_DATABASE_URI"]).errors
            job.state = "failed"
        else:
            job.pages, job.seconds = result.pages, round(result.seconds, 3)
            job.summary = result.summary()
            job.state = "succeeded"
            if app.config.get("WEBMENTIONS"):  # opt-in; reported, never fatal
                job.summary += "; " + mention_summary(public)
            if app.config.get("GIT_PUSH_AFTER_PUBLISH"):  # opt-in; reported, never fatal
                job.summary += "; " + push_summary(app)
        finally:
            if public is not None:  # close its pooled connections now, not at interpreter exit
                with public.app_context():
                    db.engine.dispose()
            job.finished_at = time.time()


def mention_summary(public: Flask) -> str:
    """Send the Webmentions of a successful build; what happened, in a few words."""
    from app.webmention.send import send_webmentions

    try:
        report = send_webmentions(public)
    except Exception as exc:  # a bug in sending must not turn a good build into a failure
        return f"Webmentions not sent: {exc}"
    failures = "".join(f"\n  {failure}" for failure in report.failures[:10])
    return report.summary() + failures


def push_summary(app: Flask) -> str:
    """Push content's git history after a successful build; what happened, in a few words."""
    from app.content import history

    config = app.config
    remote, branch = config.get("GIT_PUSH_REMOTE") or "origin", config.get("GIT_PUSH_BRANCH", "")
    repo = history.repo_for(config["CONTENT_DIR"])
    if repo is None:
        return "not pushed: content/ is not in a git repository"
    try:
        history.push(repo, remote, branch)
    except (history.HistoryError, OSError, subprocess.SubprocessError) as exc:
        return f"not pushed to {remote}: {exc}"
    return f"pushed to {remote}" + (f" ({branch})" if branch else "")


def runner_for(app: Flask) -> BuildRunner:
    """The app's build runner, created on first use."""
    runner: BuildRunner = app.extensions.setdefault("microblog.builds", BuildRunner())
    return runner
