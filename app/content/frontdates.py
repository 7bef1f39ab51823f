"""The dates of front matter (``date:``, ``updated:``, a Jekyll file name's): a date, or a
date and time with or without an offset, stored as naive UTC; without an offset, a time is
local to the site's time zone. Written back (``date_value``) with the offset of the site's
time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any

from app.content.errors import ContentError
from app.localtime import to_local, to_utc


def to_datetime(value: Any, zone: tzinfo) -> datetime:
    """A front-matter date (YAML date/datetime or ISO string) as naive UTC; without an
    offset it is local time in ``zone`` (the site's time zone)."""
    return to_utc(_read(value), zone)


def _read(value: Any) -> datetime:
    """A front-matter date as written: aware if it names an offset, else naive."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, str):
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    raise ValueError(f"expected a date, got {type(value).__name__}")


def front_dates(
    meta: dict[str, Any],
    zone: tzinfo,
    dated: tuple[date, str] | None,
    fail: Callable[..., ContentError],
) -> tuple[dict[str, datetime | None], bool]:
    """``date`` (else the file name's) and ``updated``; and whether one was local time."""
    dates: dict[str, datetime | None] = {}
    local_dates = False
    for key in ("date", "updated"):
        value = meta.get(key)
        if value is None or value == "":
            dates[key] = None
            continue
        try:
            written = _read(value)
            dates[key] = to_utc(written, zone)
            local_dates = local_dates or written.tzinfo is None  # a local time of the site
        except (ValueError, TypeError, OverflowError) as exc:
            raise fail(
                key,
                f"invalid '{key}' {value!r}: {exc}",
                "use YYYY-MM-DD, YYYY-MM-DD HH:MM (the site's time zone) or an offset, "
                "e.g. 2026-12-03T23:30:00-08:00",
            ) from exc
    if dates["date"] is None and dated is not None:
        dates["date"], local_dates = to_datetime(dated[0], zone), True
    return dates, local_dates


def date_value(value: datetime, zone: tzinfo) -> str:
    """A naive-UTC date as local time in ``zone`` with its offset ('2026-12-03T23:30:00-08:00'):
    the file says the moment, whatever the site's time zone becomes."""
    try:
        local = to_local(value, zone)
    except OverflowError:  # the calendar's first or last day, past its end in ``zone``
        local = value.replace(tzinfo=UTC)
    # isoformat, not strftime: it pads years before 1000 ('0011-04-22'), which '%Y' does not.
    return local.isoformat(timespec="seconds")
