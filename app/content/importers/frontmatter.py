"""Front matter as static site generators write it: YAML '---', TOML '+++' or a JSON object."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from app.content.importers.report import Report
from app.content.safeyaml import load_yaml as _load_yaml

_YAML_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_TOML_FENCE = re.compile(r"^\+\+\+[ \t]*$", re.MULTILINE)


class FrontMatterError(ValueError):
    """Front matter that does not parse; ``line`` is the file line."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def split(text: str) -> tuple[dict[str, Any], str, int, str]:
    """(metadata with lower-case keys, body, the body's first file line, format name).

    A file without front matter gives ({}, text, 1, 'none').
    """
    text = text.removeprefix("\ufeff")
    if text.startswith("---"):
        meta, body, line = _fenced(text, _YAML_FENCE, "YAML", _yaml)
        fmt = "YAML"
    elif text.startswith("+++"):
        meta, body, line = _fenced(text, _TOML_FENCE, "TOML", tomllib.loads)
        fmt = "TOML"
    elif text.lstrip().startswith("{"):
        meta, body, line = _json(text)
        fmt = "JSON"
    else:
        return {}, text, 1, "none"
    if not isinstance(meta, dict):
        raise FrontMatterError(f"{fmt} front matter must be a mapping of keys to values", 1)
    return {str(k).lower(): v for k, v in meta.items()}, body, line, fmt


def load_config(text: str) -> dict[str, Any]:
    """A YAML settings file (Jekyll's ``_config.yml``), which may begin with ``---``; the
    error's line is the file's."""
    try:
        meta = _load_yaml(text.removeprefix("\ufeff"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise FrontMatterError(f"malformed YAML: {_first(exc)}", line) from exc
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise FrontMatterError("YAML settings must be a mapping of keys to values", 1)
    return {str(k).lower(): v for k, v in meta.items()}


def _yaml(front: str) -> Any:
    return _load_yaml(front)


def _fenced(text: str, fence: re.Pattern[str], name: str, load: Any) -> tuple[Any, str, int]:
    first_end = text.index("\n") + 1 if "\n" in text else len(text)
    closing = fence.search(text, first_end)
    if closing is None:
        raise FrontMatterError(f"{name} front matter is not closed", 1)
    front = text[first_end : closing.start()]
    after = text.find("\n", closing.end())
    body = text[after + 1 :] if after != -1 else ""
    body_line = text.count("\n", 0, after + 1) + 1 if after != -1 else 1
    try:
        meta = load(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise FrontMatterError(f"malformed YAML front matter: {_first(exc)}", line) from exc
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match[1]) + 1 if match else 1
        raise FrontMatterError(f"malformed TOML front matter: {_first(exc)}", line) from exc
    return meta or {}, body, body_line


def _json(text: str) -> tuple[Any, str, int]:
    start = len(text) - len(text.lstrip())
    try:
        meta, end = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise FrontMatterError(f"malformed JSON front matter: {exc.msg}", exc.lineno) from exc
    rest = text[end:]
    skipped = rest[: len(rest) - len(rest.lstrip("\n \t"))]
    return meta, rest.lstrip("\n \t"), text.count("\n", 0, end) + skipped.count("\n") + 1


def _first(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def read_file(path: Path, display: str, report: Report) -> tuple[dict[str, Any], str, int] | None:
    """(metadata, body, body line) of a source file; None, with an error in the report, for
    a file that cannot be read or whose front matter does not parse."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        report.fail(display, None, f"not valid UTF-8 (byte {exc.start})", "save it as UTF-8")
        return None
    except OSError as exc:
        report.fail(display, None, f"cannot read it: {exc.strerror}")
        return None
    try:
        meta, body, line, _ = split(text)
    except FrontMatterError as exc:
        report.fail(display, exc.line, str(exc), "fix it in the source, then import again")
        return None
    return meta, body, line


def note_fields(meta: dict[str, Any], mapping: dict[str, str], report: Report) -> None:
    """Count the source's keys as mapped (``mapping``: key -> our field) or dropped."""
    for key in meta:
        if key in mapping:
            report.map(key, mapping[key])
        else:
            report.drop(key)


def check_date(
    meta: dict[str, Any], keys: tuple[str, ...], path: Path, display: str, report: Report
) -> None:
    """Warn, with its line, of a date field that is there but is not a date."""
    from app.content.importers.model import parse_date

    for key in keys:
        value = meta.get(key)
        if value not in (None, "") and parse_date(value) is None:
            report.warn(
                display,
                key_line(path, key),
                f"{key} {value!r} is not a date: it is not used",
                "write it as YYYY-MM-DD or YYYY-MM-DD HH:MM",
            )


def key_line(path: Path, key: str) -> int | None:
    """The line of a front-matter key or metadata header in a source file (any case)."""
    pattern = re.compile(rf"^\s*:?{re.escape(key)}\s*[:=]", re.IGNORECASE)
    try:
        lines = path.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return next((n for n, line in enumerate(lines, 1) if pattern.match(line)), None)
