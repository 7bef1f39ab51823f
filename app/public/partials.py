"""``cached_partial``: a template fragment rendered once per build, like Hugo's partialCached.

A post's summary is the same on the index page and on each of its tags' pages; a build of
10 000 posts rendered it some 35 000 times. ``{{ cached_partial("partials/post_summary.html",
post.id, post=post) }}`` renders the partial with only the variables it is given (and what
every page gets: ``site``, ``url_for``...), so it cannot depend on the page it is on, and
keeps the result for the rest of the build under the template's name and the key, with what
it read (see ``app.recording``): every page that uses the fragment depends on that too.
Outside a build (the preview) it renders every time.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from flask import current_app
from markupsafe import Markup

from app import recording
from app.public import bp, snapshot


def _render(name: str, context: dict[str, Any]) -> Markup:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    app.update_template_context(context)  # site, g, request...: what every page gets
    return Markup(app.jinja_env.get_template(name).render(context))


@bp.app_template_global()
def cached_partial(name: str, *key: Hashable, **context: Any) -> Markup:
    """Template ``name`` rendered with ``context``; once per build for each ``key``.

    The key must tell apart everything the fragment shows (``post.id`` for a post's
    summary): two calls with the same name and key get the first one's HTML.
    """
    build = snapshot.current()
    if build is None or build.fragments is None:
        return _render(name, context)
    cache = build.fragments
    slot = (name, *key)
    found: tuple[Markup, recording.Frozen] | None = cache.get(slot)
    if found is None:
        with recording.recording() as reads:
            html = _render(name, context)  # ``context`` is this call's own dict
        found = cache[slot] = html, reads.freeze(build.frozen_parts)
    page = recording.active()
    if page is not None:
        page.merge(found[1])
    return found[0]
