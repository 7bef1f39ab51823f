"""The speed tricks of builds, each with an off switch: one list, one place to ask.

A trick makes the same bytes faster; off, its plain path runs (the straightforward code a
reader would write first). ``tests/test_tricks.py`` builds a site with each one off and
compares every file with a build with all of them on; ``bench/tricks.py`` measures what each
one gains (docs/performance.md). Turn tricks off with ``SPEED_TRICKS_OFF`` (a setting or the
environment: names separated by commas, or ``all``), to rule one out when a build looks wrong.

Where a trick leans on a private API of another library, that use lives in the trick's own
module, and ``tests/test_tricks.py`` fails loudly on a library version where it breaks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

#: Every trick, by name: what it does, where it lives.
TRICKS: dict[str, str] = {
    "snapshot": "builds answer from one listing of the posts loaded once (public/snapshot.py),"
    " not a query per question (public/live.py)",
    "body-windows": "post bodies read 64 posts at a time in index order (Snapshot.body)",
    "page-list": "the list of pages kept while what it read holds (build/pagelist.py)",
    "fragments": "cached_partial renders a fragment once per build (public/partials.py)",
    "url-memo": "url_for answered once per endpoint and values in a build (public/urls.py)",
    "search-copy": "search.json copies the documents of unchanged posts (public/search.py)",
    "joined-lexers": "Pygments rules of a state joined into one regex (content/lexing.py;"
    " re's private parser)",
    "fast-requests": "one WSGI environ per site and werkzeug's base_url filled in per page"
    " (build/requests.py; werkzeug's cached_property)",
    "plain-rows": "listing rows, and the kept posts' stamps, read off the DB-API cursor,"
    " not as Row objects (public/snapshot.py)",
    "gc-between-builds": "--watch collects garbage once quiet after a build and freezes what"
    " is left, so a build's collections do not walk the memory of the last (build/watch.py)",
    "files-checked-early": "--watch checks that the last build's files are still in place"
    " when a burst of changes begins, not once it settled (build/memory.py)",
    "highlight-memo": "code blocks highlighted in a sync remembered by their code, fence"
    " and renderer, for the next sync (content/highlightmemo.py)",
    "stamps": "a command-line build whose inputs all keep the stamps (lstat) the last one saved"
    " reports it again without loading the app (build/stamps.py)",
    "kept-posts": "the last build's listing and rows kept (by --watch in memory, by the command"
    " line beside the build cache) and only the posts whose stamp the database's triggers"
    " changed read again (build/keptposts.py, build/keptfile.py)",
    "template-cache": "templates compiled by one build loaded by the next from the build"
    " cache's folder (build/compiled.py; Jinja's bytecode cache)",
}


def disabled(config: Mapping[str, Any] | None = None) -> frozenset[str]:
    """The tricks turned off: ``SPEED_TRICKS_OFF`` of ``config`` (default: the current
    app's), else of the environment."""
    if config is None:
        from flask import current_app, has_app_context  # not for freeze.py's stamps

        config = current_app.config if has_app_context() else None
    value = config.get("SPEED_TRICKS_OFF") if config is not None else None
    if value is None:
        value = os.environ.get("SPEED_TRICKS_OFF", "")
    return _names(str(value))


@lru_cache(maxsize=16)
def _names(value: str) -> frozenset[str]:
    names = {name.strip() for name in check(value).split(",") if name.strip()}
    return frozenset(TRICKS) if "all" in names else frozenset(names)


def enabled(name: str, config: Mapping[str, Any] | None = None) -> bool:
    """Whether the trick ``name`` is on (it is unless turned off; see ``disabled``)."""
    assert name in TRICKS, name
    return name not in disabled(config)


def check(value: str) -> str:
    """``value`` (a setting) if it names only known tricks; else a clear error."""
    names = {name.strip() for name in value.split(",") if name.strip()} - {"all"}
    unknown = sorted(names - TRICKS.keys())
    if unknown:
        raise ValueError(
            f"SPEED_TRICKS_OFF names unknown tricks {', '.join(unknown)}: "
            f"known are {', '.join(TRICKS)} (or all)"
        )
    return value
