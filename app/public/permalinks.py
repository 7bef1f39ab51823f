"""Each kind's permanent URL, in one place: lists, feeds, the sitemap and search ask here.

A post is ``/posts/<slug>/``, a page ``/<slug>/``, a note ``/notes/2026/12/03/181530/``
(from the slug its first save gave it: see ``app.content.notes``). Templates call
``permalink(post)``; a note's ``#hashtags`` link to their tags' pages (``hashtag_links``).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from app.content.notes import link_hashtags, note_url_values
from app.content.slugs import slugify
from app.public import bp
from app.public.urls import build_url_for

#: The view of each kind's own page.
ENDPOINTS = {"post": "public.post", "page": "public.page", "note": "public.note"}


def url_values(kind: str, slug: str) -> tuple[str, dict[str, Any]]:
    """The endpoint and URL values of the page of a post, page or note."""
    if kind == "note":
        return ENDPOINTS["note"], note_url_values(slug)
    return ENDPOINTS.get(kind, "public.post"), {"slug": slug}


@bp.app_template_global("permalink")
def permalink(post: Any, external: bool = False) -> str:
    """The URL of ``post``'s own page (absolute with ``external``)."""
    endpoint, values = url_values(post.kind, post.slug)
    if external:
        values["_external"] = True
    return build_url_for(endpoint, **values)


@bp.app_template_filter("hashtag_links")
def hashtag_links(html: str) -> Markup:
    """A note's body with each ``#hashtag`` a link to its tag's page (``rel=tag``)."""
    return Markup(
        link_hashtags(str(html), lambda name: build_url_for("public.tag", slug=_tag_slug(name)))
    )


def _tag_slug(name: str) -> str:
    return slugify(name, fallback_prefix="tag")
