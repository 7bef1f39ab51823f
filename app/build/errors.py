"""Build failures, each naming the page, template or file at fault, and how each face says them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.content import ContentErrors


class BuildError(Exception):
    """The build stopped; ``build/`` was left as it was."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.message = message
        self.problems = problems or []
        super().__init__("\n".join([message, *self.problems]))


@dataclass
class Failure:
    """Why a build failed, said once for every face: the CLI prints ``lines``, ``--json``,
    the admin's Publish and the API's builds report ``errors``."""

    errors: list[str]
    lines: list[str]
    #: Not bad content or a broken link but a bug: the CLI shows the traceback too.
    bug: bool = False


def explain(exc: BaseException, database_uri: str) -> Failure:
    """The messages for a build that raised ``exc`` (``database_uri``: where it read)."""
    if isinstance(exc, ContentErrors):
        errors = [str(error) for error in exc.errors]
        lines = [f"error: {error}" for error in errors]
        return Failure(errors, [*lines, f"Build failed: {len(errors)} content file(s) need fixing"])
    if isinstance(exc, BuildError):
        lines = [f"error: {exc.message}", *(f"  {problem}" for problem in exc.problems)]
        return Failure([exc.message, *exc.problems], [*lines, "Build failed"])
    if isinstance(exc, OperationalError):  # the database cannot be reached or opened
        url = make_url(database_uri).render_as_string(hide_password=True)
        error = f"cannot use the database {url}: {exc.orig}"
        return Failure([error], [f"error: {error} (check DATABASE_URL)", "Build failed"])
    if isinstance(exc, OSError):  # disk full, permissions, a file where a folder should be
        error = f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
        return Failure([error], [f"error: {error}", "Build failed"])
    error = f"{type(exc).__name__}: {exc}"
    return Failure([error], [f"error: unexpected {error} (a bug; see above)", "Build failed"], True)
