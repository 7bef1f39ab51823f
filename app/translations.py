"""The theme's own words in the site's language: ``{{ t("older") }}``, like Hugo's ``i18n``.

A theme ships ``i18n/<language>.toml`` beside its templates; ``en.toml`` holds every key. A
key is looked up in the site's exact language (``pt-BR``: ``pt_BR.toml``), then its base
language (``pt.toml``), then English; a key English lacks is an error naming the key and the
template. A page notes each file of that chain, there or not, as a file it read, so editing
or adding a translation renders again the pages that show its words.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from babel import Locale
from flask import Flask, current_app
from jinja2 import TemplateError
from markupsafe import Markup, escape

from app import recording
from app.dates import locale_named

#: The language every key must have, and the last one looked in.
FALLBACK = "en"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: A file's identity: size, modification time, inode (None: no such file).
Stamp = tuple[int, int, int] | None


class TranslationError(TemplateError):
    """A key the theme uses that English lacks, a file that cannot be read, or a
    placeholder without a value; ``name`` and ``lineno`` say where the template asked."""

    def __init__(self, message: str, name: str | None = None, lineno: int | None = None):
        super().__init__(message)
        self.name, self.lineno = name, lineno

    def __reduce__(self) -> Any:
        return type(self), (self.message, self.name, self.lineno)

    def __str__(self) -> str:
        where = f"{self.name}:{self.lineno}: " if self.name else ""
        return f"{where}{self.message}"


@dataclass(frozen=True)
class Catalog:
    """The texts of one language: its files' tables, most specific first, English last."""

    locale: Locale
    paths: tuple[str, ...]
    stamps: tuple[Stamp, ...]
    tables: tuple[dict[str, Any], ...]

    def entry(self, key: str) -> Any:
        """The text (or plural forms) of ``key`` in the first file that has it."""
        if key not in self.tables[-1]:
            english = self.paths[-1]
            raise TranslationError(
                f"t({key!r}): no such key in {english} (every text the theme shows needs "
                "an English one there; look for a typo)"
            )
        return next(table[key] for table in self.tables if key in table)


def chain(language: str) -> list[str]:
    """The files' names looked in for a language: 'pt-BR' -> pt_BR, pt, en."""
    locale = locale_named(language)
    names = [str(locale), locale.language, FALLBACK]
    return list(dict.fromkeys(names))


def _stamp(path: str) -> Stamp:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def _load(path: str, stamp: Stamp) -> dict[str, Any]:
    """One file's keys, checked: a text, or a table of plural forms with 'other'."""
    if stamp is None:
        return {}
    try:
        with open(path, "rb") as file:
            table = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TranslationError(f"{path}: {exc}") from exc
    for key, value in table.items():
        plural = isinstance(value, dict) and "other" in value
        if not (isinstance(value, str) or plural) or (
            plural and not all(isinstance(text, str) for text in value.values())
        ):
            raise TranslationError(
                f'{path}: {key} must be a text (key = "...") or plural forms with at least '
                'other (one = "...", other = "...")'
            )
    return table


def load_catalog(site_dir: Path, language: str) -> Catalog:
    """The texts of ``language`` from ``site_dir/i18n``; English is required."""
    folder = site_dir / "i18n"
    paths = tuple(str(folder / f"{name}.toml") for name in chain(language))
    stamps = tuple(_stamp(path) for path in paths)
    if stamps[-1] is None:
        raise TranslationError(
            f"{paths[-1]} is missing: the theme's texts need it (copy site/i18n/ into your theme)"
        )
    tables = tuple(_load(path, stamp) for path, stamp in zip(paths, stamps, strict=True))
    return Catalog(locale_named(language), paths, stamps, tables)


def catalog() -> Catalog:
    """The current app's texts, loaded once (and again when a file changed, in the preview;
    a build drops them at its start: ``forget``); the page notes the files it looks in."""
    app = current_app
    language = str(app.config.get("SITE_LANGUAGE") or FALLBACK)
    recording.setting("language", language)
    catalogs: dict[str, Catalog] = app.extensions.setdefault("microblog.translations", {})
    found = catalogs.get(language)
    if found is None or (
        app.jinja_env.auto_reload and tuple(map(_stamp, found.paths)) != found.stamps
    ):
        found = catalogs[language] = load_catalog(Path(app.config["SITE_DIR"]), language)
    for path in found.paths:
        recording.file(path)
    return found


def forget(app: Flask) -> None:
    """Read the translation files again (a build, at its start: the theme as it is now)."""
    app.extensions.pop("microblog.translations", None)


def translate(key: str, n: int | None = None, **values: Any) -> str:
    """The text of ``key`` in the site's language, its ``{placeholders}`` filled in; with a
    count ``n``, the plural form the language uses for it (French: 0 and 1 are 'one').
    A key ending in ``_html`` is markup: its values are escaped, its text is not."""
    try:
        found = catalog()
        entry = found.entry(key)
        if isinstance(entry, dict):
            if n is None:
                raise TranslationError(f"t({key!r}) has plural forms: give the count, n=...")
            entry = entry.get(found.locale.plural_form(n)) or entry["other"]
        if n is not None:
            values["n"] = n
        return _fill(key, entry, values)
    except TranslationError as exc:
        if exc.name is None:
            exc.name, exc.lineno = _asking_template()
        raise


def _fill(key: str, text: str, values: Mapping[str, Any]) -> str:
    markup = key.endswith("_html")

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise TranslationError(f"t({key!r}) shows {{{name}}}: give it, {name}=...")
        given = values[name]
        return str(escape(given)) if markup else str(given)

    filled = _PLACEHOLDER.sub(value, text)
    return Markup(filled) if markup else filled


def plural_forms(key: str) -> dict[str, str]:
    """A key's plural forms as the site's language has them, for a script that counts in the
    browser (``Intl.PluralRules`` names the same forms)."""
    try:
        entry = catalog().entry(key)
    except TranslationError as exc:
        exc.name, exc.lineno = _asking_template()
        raise
    return dict(entry) if isinstance(entry, dict) else {"other": entry}


def _asking_template() -> tuple[str | None, int | None]:
    """The template (and its line) whose code called us: the innermost template frame."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:
            return template.name, template.get_corresponding_lineno(frame.f_lineno)
        frame = frame.f_back
    return None, None


def init_app(app: Flask) -> None:
    """``t`` and ``plural_forms`` for every template."""
    app.jinja_env.globals["t"] = translate
    app.jinja_env.globals["plural_forms"] = plural_forms
