"""The build's checks of aliases (``aliases:``): an old URL is one file's, and never the
URL of a page the site has (the rule is ``app.content.aliases.clashes``, every save's too)."""

from __future__ import annotations

from collections.abc import Iterable

from app.build.errors import BuildError
from app.build.freezer import REDIRECT_ENDPOINT, PlannedPage
from app.content.aliases import clashes, url_file
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


def _folders(rel: str) -> list[str]:
    """The folders a file of the build is in: ``a/b/index.html``: ``a``, ``a/b``."""
    parts = rel.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def check_redirects(pages: Iterable[PlannedPage]) -> None:
    """Raise ``BuildError`` naming both sides of every alias that another file also claims,
    that is the URL of a page of the site, or whose redirect page would stand where the site
    writes a file (``/robots.txt/x/`` makes a folder of ``robots.txt``; ``/_redirects`` is
    the folder ``_redirects/``) or a folder of its files."""
    redirects = queries.redirects()
    if not redirects:
        return
    made = [page for page in pages if page.endpoint != REDIRECT_ENDPOINT]
    planned = {page.url: page for page in made}
    files = {page.rel: page for page in made}

    def page_at(url: str) -> str | None:
        page = planned.get(url) or files.get(url_file(url))
        return _page_source(page) if page is not None else None

    claimed = [(url, source) for url, _kind, _slug, source in redirects]
    found = clashes(claimed, page_at)
    problems = [clash.message() for clash in found]
    problems += _in_the_way(claimed, {clash.url for clash in found}, made, files)
    if problems:
        raise BuildError(f"{len(problems)} alias(es) cannot redirect", problems)


def _in_the_way(
    claimed: list[tuple[str, str]],
    clashed: set[str],
    made: list[PlannedPage],
    files: dict[str, PlannedPage],
) -> list[str]:
    """The aliases whose redirect page would stand in a path the site's files need: in a
    folder that is one of its files, or at a file name that is one of its folders. Each URL
    is said once, and not at all when it is in ``clashed`` (said already)."""
    folders: dict[str, PlannedPage] = {}  # made when an alias is a file name ('/old.html')
    problems: list[str] = []
    said = set(clashed)
    for url, source in claimed:
        if url in said:
            continue
        said.add(url)
        rel = url_file(url)
        page = next((files[f] for f in _folders(rel) if f in files), None)
        if page is None and not rel.endswith("/index.html"):
            folders = folders or {f: page for page in made for f in _folders(page.rel)}
            page = folders.get(rel)
        if page is not None:
            problems.append(
                f"content/{source}: the alias {url} would put its redirect page at {rel}, "
                f"where {_page_source(page)} needs the path (remove or change the alias)"
            )
    return problems
