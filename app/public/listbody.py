"""A note's body on a list page, among others: ``{{ body | in_list(post) }}``.

On its own page a body's ids are the page's (markdown-it's footnotes ``fn:1``, ``fnref:1``,
a heading's ``details``); a list page shows several bodies, so each one's ids get a prefix of
its own (``note-2026-11-19-083000-fn:1``) and its links to them follow; a relative link
(``../../18/090000/``) is resolved against the note's permalink, as feeds resolve it. A
note's list entry is a cached partial: this runs once per note and build.
"""

from __future__ import annotations

import re
from html import escape, unescape
from typing import Any
from urllib.parse import unquote

from markupsafe import Markup

from app.public import bp
from app.public.permalinks import permalink
from app.public.urls import START_TAG, rebase, rewrite_urls

#: The attributes that name ids of the document: ``headers`` (of a table cell) lists them.
_ID_ATTR = re.compile(r'(?<=\s)(id|headers)="([^"]*)"')


@bp.app_template_filter("in_list")
def in_list(html: str, post: Any) -> Markup:
    """``post``'s body HTML with ids unique to it on a list page, its fragment links to match,
    and its relative links resolved against its permalink (the page they were written on)."""
    prefix = f"{post.kind}-{post.slug}-"
    html, ids = _prefixed_ids(str(html), prefix)
    page_url = permalink(post)

    def change(url: str) -> str:
        if url.startswith("#") and unquote(url[1:]) in ids:
            return f"#{prefix}{url[1:]}"
        return rebase(url, page_url)

    return Markup(rewrite_urls(html, change))


def _prefixed_ids(html: str, prefix: str) -> tuple[str, set[str]]:
    """``html`` with ``prefix`` before every id (and reference to one), and its ids."""
    if 'id="' not in html:  # most notes
        return html, set()
    ids = {
        unescape(attribute[2])
        for tag in START_TAG.finditer(html)
        for attribute in _ID_ATTR.finditer(tag[0])
        if attribute[1] == "id"
    }

    mark = escape(prefix)

    def rename(attribute: re.Match[str]) -> str:
        name, value = attribute[1], attribute[2]
        if name == "id":
            return f'id="{mark}{value}"'
        cells = (mark + cell if unescape(cell) in ids else cell for cell in value.split())
        return f'headers="{" ".join(cells)}"'

    return START_TAG.sub(lambda tag: _ID_ATTR.sub(rename, tag[0]), html), ids
