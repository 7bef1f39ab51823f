"""The build's checks of aliases (``aliases:``): an old URL is one file's, and never the
URL of a page the site has."""

from __future__ import annotations

from collections.abc import Iterable

from app.build.errors import BuildError
from app.build.freezer import REDIRECT_ENDPOINT, PlannedPage
from app.public import queries

#: The views of pages that come from a content file, and the kind of that file.
_CONTENT_VIEWS = {"public.post": "post", "public.page": "page"}


def _page_source(page: PlannedPage) -> str:
    """Who makes ``page``: its content file, or the site (its view, its file in the build)."""
    kind = _CONTENT_VIEWS.get(page.endpoint)
    if kind is not None:
        item = queries.get_visible(kind, str(page.values.get("slug")))
        if item is not None:
            return f"the page of content/{item.source_path}"
    return f"the site's own page {page.rel}"


def check_redirects(pages: Iterable[PlannedPage]) -> None:
    """Raise ``BuildError`` naming both sides of every alias that another file also claims,
    or that is the URL of a page of the site."""
    planned = {page.url: page for page in pages if page.endpoint != REDIRECT_ENDPOINT}
    owners: dict[str, str] = {}
    problems: list[str] = []
    for url, _kind, _slug, source in queries.redirects():
        if url in owners:
            problems.append(
                f"content/{source}: the alias {url} is also an alias of content/{owners[url]} "
                "(keep it in one file's 'aliases:')"
            )
            continue
        owners[url] = source
        if url in planned:
            problems.append(
                f"content/{source}: the alias {url} is the URL of {_page_source(planned[url])} "
                "(remove the alias, or move that page)"
            )
    if problems:
        raise BuildError(f"{len(problems)} alias(es) cannot redirect", problems)
