"""Errors of the content layer, turned into messages at each edge (CLI, admin, API)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any


class ContentError(Exception):
    """A problem with one content file: where it is, what is wrong, what to do."""

    def __init__(
        self,
        path: str | Path | None,
        message: str,
        line: int | None = None,
        hint: str = "",
        *,
        field: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        #: The front-matter key at fault, if any (forms and the API attach the error to it).
        self.field = field
        self.line = line
        self.message = message
        self.hint = hint
        #: The file's other errors, when this is the first of several (``ContentErrors``
        #: lists them all).
        self.others: list[ContentError] = []
        super().__init__(str(self))

    @property
    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} ({self.hint})" if self.hint else text

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by attributes: worker processes send errors back to the importing one."""
        return _rebuild, (type(self), self.__dict__)


def _rebuild(cls: type[ContentError], state: dict[str, Any]) -> ContentError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, str(error))
    return error


class ContentErrors(Exception):  # noqa: N818 (a collection of ContentError)
    """Several content errors at once, so an author can fix them all in one go."""

    def __init__(self, errors: Iterable[ContentError]) -> None:
        self.errors = [each for error in errors for each in (error, *error.others)]
        super().__init__("\n".join(str(e) for e in self.errors))
