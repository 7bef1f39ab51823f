"""URL generators for the freezer: one per public endpoint that takes arguments."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app import recording
from app.content.aliases import is_page
from app.content.media import list_media, media_dir
from app.content.variants import image_info, widths_for
from app.public import queries
from app.public.permalinks import url_values

Url = tuple[str, dict[str, Any]]


def index() -> Iterator[Url]:
    for page in range(1, queries.list_pages() + 1):
        yield "public.index", {"page": page}


def post() -> Iterator[Url]:
    for item in queries.listing():
        if item.kind == "post":
            yield "public.post", {"slug": item.slug}


def note() -> Iterator[Url]:
    """Each note's page, at its date and time (``permalinks.url_values``)."""
    for item in queries.listing():
        if item.kind == "note":
            yield url_values(item.kind, item.slug)


def tag() -> Iterator[Url]:
    for item, _count in queries.tags_with_counts():
        for page in range(1, queries.list_pages(item.slug) + 1):
            yield "public.tag", {"slug": item.slug, "page": page}


def tag_feed() -> Iterator[Url]:
    for item, _count in queries.tags_with_counts():
        yield "public.tag_feed", {"slug": item.slug}


def tag_json_feed() -> Iterator[Url]:
    for item, _count in queries.tags_with_counts():
        yield "public.tag_json_feed", {"slug": item.slug}


def tag_rss_feed() -> Iterator[Url]:
    for item, _count in queries.tags_with_counts():
        yield "public.tag_rss_feed", {"slug": item.slug}


def archive_year() -> Iterator[Url]:
    for year in sorted({year for year, _month, _count in queries.archive_months()}):
        yield "public.archive_year", {"year": year}


def archive_month() -> Iterator[Url]:
    for year, month, _count in queries.archive_months():
        yield "public.archive_month", {"year": year, "month": month}


def page() -> Iterator[Url]:
    for item in queries.visible_pages():
        yield "public.page", {"slug": item.slug}


def media() -> Iterator[Url]:
    for name in list_media():
        yield "public.media", {"filename": name}


def media_variant() -> Iterator[Url]:
    """The smaller copies of each media image (``pictures``): as wide as ``IMAGE_WIDTHS``
    asks and narrower than the image, in its format and in WebP."""
    folder = media_dir()
    for name in list_media():
        recording.file(str(folder / name))  # its size decides the widths: the list reads it
        info = image_info(folder / name)
        if info is None:
            continue
        for width in widths_for(info):
            yield "public.media_variant", {"width": width, "filename": name}
            if info.format != "WEBP":
                yield "public.media_variant", {"width": width, "filename": name + ".webp"}


def redirect() -> Iterator[Url]:
    """A redirect page at each alias that can be one (a folder, an .html file); the build
    checks them (``aliases.check_redirects``)."""
    for url in sorted({url for url, _kind, _slug, _source in queries.redirects()}):
        if is_page(url):
            yield "public.redirect", {"url": url}


ALL = (
    index,
    post,
    note,
    tag,
    tag_feed,
    tag_json_feed,
    tag_rss_feed,
    archive_year,
    archive_month,
    page,
    media,
    media_variant,
    redirect,  # last: an alias that is another page's URL is that page (and an error)
)
