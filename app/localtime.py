"""The site's time zone: the database keeps naive UTC, authors and readers see local time.

A date written without an offset (in a file, or in the admin's date field) is the site's
local time (``SITE_TIMEZONE``); files are written with an explicit offset. Below both faces:
content, admin, API and pages convert here and nowhere else.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

from app import recording


class TimeZoneError(ValueError):
    """A ``SITE_TIMEZONE`` that names no time zone."""


@cache
def zone_named(name: str) -> tzinfo:
    """The IANA time zone ``name`` ('Europe/Berlin', 'UTC'); a clear error if there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimeZoneError(
            f"SITE_TIMEZONE={name!r} is not a time zone: use an IANA name such as "
            "'UTC', 'Europe/Berlin' or 'America/Los_Angeles'"
        ) from exc


def site_zone_name() -> str:
    """The configured zone's name ('UTC' outside an app)."""
    if not has_app_context():
        return "UTC"
    return str(current_app.config.get("SITE_TIMEZONE") or "UTC")


def site_zone() -> tzinfo:
    """The site's time zone (UTC outside an app). A page that asks is noted as reading the
    setting ``timezone``: changing SITE_TIMEZONE renders again the pages that showed a date."""
    name = site_zone_name()
    recording.setting("timezone", name)
    return zone_named(name)


def to_local(value: datetime, zone: tzinfo | None = None) -> datetime:
    """A naive-UTC (or aware) datetime as an aware datetime in ``zone`` (the site's)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(zone or site_zone())


def to_utc(value: datetime, zone: tzinfo | None = None) -> datetime:
    """Naive UTC from an aware datetime, or from a naive one read as local time in ``zone``."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=zone or site_zone())
    return aware.astimezone(UTC).replace(tzinfo=None)


def local_range(
    year: int, month: int | None = None, zone: tzinfo | None = None
) -> tuple[datetime, datetime]:
    """Naive-UTC [start, end) of a local year, or of one local month of it."""
    if month is None:
        start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    else:
        start = datetime(year, month, 1)
        end = datetime(year + (month == 12), month % 12 + 1, 1)
    return _clamped_utc(start, zone), _clamped_utc(end, zone)


def _clamped_utc(value: datetime, zone: tzinfo | None) -> datetime:
    """``to_utc``, at the calendar's ends (year 1 east of Greenwich) its first or last moment."""
    try:
        return to_utc(value, zone)
    except OverflowError:
        return datetime.min if value.year == 1 else datetime.max
