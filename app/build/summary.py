"""What ``freeze.py`` says after a build, from the summary ``--json`` prints.

Standard library only: a build found up to date by its stamps (``stamps``) is reported from
here without loading the app.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any


def build_line(summary: Mapping[str, Any]) -> str:
    """``Built 12 pages (3 written, 9 unchanged, 0 removed) in 0.41s, rendering 3``."""
    workers = summary["workers"]
    return (
        f"Built {_count(summary['pages'], 'page')} ({summary['written']} written, "
        f"{summary['unchanged']} unchanged, "
        f"{summary['removed']} removed) in {summary['seconds']:.2f}s, "
        f"rendering {summary['rendered']}" + (f" on {workers} processes" if workers > 1 else "")
    )


def upcoming_line(title: str, at: datetime) -> str:
    """What the author is told of the next scheduled post (``at``: naive UTC)."""
    return (
        f"Next scheduled post: {title!r} goes live at {at:%Y-%m-%d %H:%M} UTC; the site "
        "must be built again then (the Pages workflow does so hourly)."
    )


def lines(summary: Mapping[str, Any]) -> list[str]:
    """The lines printed on stdout for a successful build's ``summary``."""
    content = summary["content"]
    said = [
        f"{build_line(summary)} (content: {content['added']} added, {content['updated']} "
        f"updated, {content['removed']} removed, {content['unchanged']} unchanged)."
    ]
    at = scheduled_at(summary)
    if at is not None:
        said.append(upcoming_line(summary["next_scheduled"]["title"], at))
    return said


def scheduled_at(summary: Mapping[str, Any]) -> datetime | None:
    """When the next scheduled post of ``summary`` goes live (naive UTC), if there is one."""
    upcoming = summary.get("next_scheduled")
    return None if upcoming is None else datetime.fromisoformat(upcoming["at"].rstrip("Z"))


def unchanged(summary: Mapping[str, Any]) -> dict[str, Any]:
    """``summary`` as a build that finds nothing changed since would give it."""
    content = summary["content"]
    files = content["added"] + content["updated"] + content["unchanged"]
    return {
        **summary,
        "written": 0,
        "unchanged": summary["pages"],
        "removed": 0,
        "rendered": 0,
        "workers": 1,
        "content": {"added": 0, "updated": 0, "removed": 0, "unchanged": files},
    }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
