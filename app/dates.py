"""Dates as pages and the admin show them: the site's time zone and language (Babel).

The Jinja filters the theme uses (``local_date``, ``local_iso``, ``month_name``...) are
registered here, in one place, for every app. A page that formats a date reads the settings
``timezone`` and ``language`` (noted for builds), so changing either renders it again.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import cache, lru_cache
from typing import Any, Literal

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from flask import Flask, current_app, has_app_context

from app import recording
from app.localtime import site_zone, to_local, zone_named


class LanguageError(ValueError):
    """A ``SITE_LANGUAGE`` that names no language Babel knows."""


@cache
def locale_named(tag: str) -> Locale:
    """The Babel locale of a BCP 47 tag ('en', 'de', 'fr-CA'); a clear error if unknown."""
    try:
        return Locale.parse(tag.replace("_", "-"), sep="-")
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise LanguageError(
            f"SITE_LANGUAGE={tag!r} is not a language we can format dates in: use a BCP 47 "
            "tag such as 'en', 'de' or 'fr-CA'"
        ) from exc


def site_locale() -> Locale:
    """The site's language (English outside an app); noted as the page's setting ``language``."""
    tag = str(current_app.config.get("SITE_LANGUAGE") or "en") if has_app_context() else "en"
    recording.setting("language", tag)
    return locale_named(tag)


def check_settings(app: Flask) -> None:
    """Refuse to start with a time zone or language that does not exist."""
    zone_named(str(app.config.get("SITE_TIMEZONE") or "UTC"))
    locale_named(str(app.config.get("SITE_LANGUAGE") or "en"))


def local(value: datetime) -> datetime:
    """A naive-UTC datetime in the site's time zone (aware)."""
    return to_local(value, site_zone())


def local_date(value: datetime | None, format: str = "long") -> str:
    """The local date in the site's language: 'December 3, 2026', '3. Dezember 2026'.
    ``format``: 'short', 'medium', 'long', 'full' or a Babel skeleton such as 'MMMd'."""
    if value is None:
        return ""
    return _formatted_date(value, format, site_zone(), site_locale())


@lru_cache(maxsize=1 << 16)
def _formatted_date(value: datetime, format: str, zone: tzinfo, locale: Locale) -> str:
    """``local_date``'s text, made once per date, format, zone and language: a build shows
    each post's date on several pages, and Babel takes some 40 µs to format one."""
    day = to_local(value, zone).date()
    if format in ("short", "medium", "long", "full"):
        return babel_dates.format_date(day, format=format, locale=locale)
    return babel_dates.format_skeleton(format, day, locale=locale)


def local_datetime(value: datetime | None, format: str | None = None) -> str:
    """The local date and time in the site's language: by default the date as a reader
    writes it and the time to the minute ('Nov 12, 2026, 9:30 PM'; a note's seconds are
    its address, not news); or in a Babel ``format`` ('yyyy-MM-dd HH:mm')."""
    if value is None:
        return ""
    moment, locale = local(value), site_locale()
    if format is not None:
        return babel_dates.format_datetime(
            moment, format=format, tzinfo=moment.tzinfo, locale=locale
        )
    date = babel_dates.format_date(moment, "medium", locale=locale)
    time = babel_dates.format_time(moment, "short", tzinfo=moment.tzinfo, locale=locale)
    return str(babel_dates.get_datetime_format("medium", locale=locale)).format(time, date)


def local_iso(value: datetime | None, date_only: bool = False) -> str:
    """Machine-readable local time with its offset ('2026-12-03T23:30:00-08:00'), or the
    local date alone: for ``<time datetime>`` and ``article:published_time``."""
    if value is None:
        return ""
    moment = local(value)
    return moment.date().isoformat() if date_only else moment.isoformat(timespec="seconds")


def month_name(month: int, width: Literal["abbreviated", "narrow", "wide"] = "wide") -> str:
    """A month's name as it stands alone (a heading) in the site's language: 'Dezember'."""
    names: Any = babel_dates.get_month_names(width, context="stand-alone", locale=site_locale())
    return str(names[month])


def local_month(value: datetime) -> tuple[int, int]:
    """(year, month) of the local date: the archive page a post is listed on."""
    moment = local(value)
    return moment.year, moment.month


def by_local_month(posts: Any) -> list[tuple[int, list[tuple[int, list[Any]]]]]:
    """Posts (newest first) grouped by local year, then month, newest first: the archive."""
    years: dict[int, dict[int, list[Any]]] = {}
    for post in posts:
        year, month = local_month(post.published_at)
        years.setdefault(year, {}).setdefault(month, []).append(post)
    return [
        (year, sorted(months.items(), reverse=True))
        for year, months in sorted(years.items(), reverse=True)
    ]


def init_app(app: Flask) -> None:
    """Check the settings and register the date filters for every template."""
    check_settings(app)
    for name, function in (
        ("local_date", local_date),
        ("local_datetime", local_datetime),
        ("local_iso", local_iso),
        ("month_name", month_name),
        ("by_local_month", by_local_month),
    ):
        app.jinja_env.filters[name] = function
