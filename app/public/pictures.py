"""Responsive images: the variants' URLs, ``srcset`` on content images, ``og:image``.

A post's body is rendered once, when it is saved; its ``<img>`` of local media get their
``srcset``, ``sizes``, ``width``/``height`` and ``loading="lazy"`` when a page shows it
(``responsive_images``), reading the image file's size then: a page notes the image files
it read, so replacing an image renders again the pages that show it.
"""

from __future__ import annotations

import re
from html import escape, unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin

from flask import Response, abort, current_app
from markupsafe import Markup

from app import recording
from app.content.confine import media_path
from app.content.media import MEDIA_FOLDER, media_dir, quoted_url
from app.content.notes import check_image
from app.content.variants import MIME, ImageInfo, image_info, variant, widths_for
from app.public import bp
from app.public.urls import build_url_for

#: What the theme's content column is wide (``--measure`` less the padding, site.css).
SIZES = "(max-width: 42rem) calc(100vw - 2.5rem), 39.5rem"
_IMG = re.compile(r"<img\b[^>]*>")
_ATTR = re.compile(r'([a-zA-Z][\w:-]*)="([^"]*)"')
_MEDIA_PREFIX = f"/{MEDIA_FOLDER}/"
#: The widest variant a link preview (og:image) uses: large enough for every card.
_SOCIAL_WIDTH = 1600


bp.add_app_template_filter(quoted_url, "quoted_url")


def media_name(src: str) -> str | None:
    """The media file a site-rooted ``src`` shows (``/media/a%20b.jpg``: ``a b.jpg``), or None."""
    return unquote(src.removeprefix(_MEDIA_PREFIX)) if src.startswith(_MEDIA_PREFIX) else None


def _media(name: str) -> tuple[Path, ImageInfo] | None:
    """The file and size of the media image ``name`` (noted as read by the page)."""
    if "/" in name or media_path(Path(current_app.config["CONTENT_DIR"]), name) is None:
        return None
    path = media_dir() / name
    recording.file(str(path))
    info = image_info(path)
    return None if info is None else (path, info)


def _variant_url(name: str, width: int, webp: bool) -> str:
    return build_url_for(
        "public.media_variant", width=width, filename=name + (".webp" if webp else "")
    )


def _srcset(name: str, info: ImageInfo, webp: bool) -> str:
    widths = widths_for(info)
    entries = [f"{_variant_url(name, width, webp)} {width}w" for width in widths]
    if not webp or info.format == "WEBP":
        entries.append(f"{build_url_for('public.media', filename=name)} {info.width}w")
    return ", ".join(entries)


def _picture(tag: str) -> str:
    """One ``<img>`` of the body, responsive if it shows a local media image."""
    attrs = dict(_ATTR.findall(tag))
    name = media_name(unescape(attrs.get("src", "")))
    found = None if name is None else _media(name)
    if name is None or found is None:
        return tag
    info = found[1]
    extra = {"loading": "lazy", "decoding": "async"}
    if "width" not in attrs and "height" not in attrs:
        extra.update(width=str(info.width), height=str(info.height))
    if widths_for(info):
        extra.update(srcset=_srcset(name, info, webp=False), sizes=SIZES)
    added = "".join(f' {key}="{escape(value)}"' for key, value in extra.items() if key not in attrs)
    img = tag[:-1].rstrip("/").rstrip() + added + ">"
    if not widths_for(info) or info.format == "WEBP":
        return img
    webp = escape(_srcset(name, info, webp=True))
    return f'<picture><source type="image/webp" srcset="{webp}" sizes="{SIZES}">{img}</picture>'


@bp.app_template_filter("responsive_images")
def responsive_images(html: str) -> str:
    """Local media images of sanitized body HTML with ``srcset`` (WebP and their own format),
    ``sizes``, ``width``/``height`` (no layout shift) and ``loading="lazy"``."""
    if "<img" not in html:
        return html
    return _IMG.sub(lambda match: _picture(match[0]), html)


# -- the variants' pages -------------------------------------------------------------------


@bp.route(f"/{MEDIA_FOLDER}/_variants/<int:width>/<filename>")
def media_variant(width: int, filename: str) -> Response:
    """A variant of a media image: ``<name>`` in its own format, ``<name>.webp`` in WebP."""
    webp = filename.endswith(".webp")
    name = filename.removesuffix(".webp") if webp else filename
    found = _media(name)
    if found is None and webp:  # a WebP original: its variants are ``<name>`` itself
        name, webp = filename, True
        found = _media(name)
    if found is None or width not in widths_for(found[1]):
        abort(404)
    path, info = found
    kind = "WEBP" if webp else info.format
    return Response(variant(path, width, kind), mimetype=MIME[kind])


# -- link previews (og:image) ----------------------------------------------------------------


def _first_image(html: str) -> str | None:
    match = _IMG.search(html)
    if match is None:
        return None
    src = dict(_ATTR.findall(match[0])).get("src")
    return unescape(src) if src else None


def _declared_image(doc: Any) -> str | None:
    """A post's ``image:``: a media path or an http(s) URL, as the sync checks it (a row
    synced before it did, with ``javascript:`` say, is passed over)."""
    try:
        return check_image((doc.extra or {}).get("image"))
    except ValueError:
        return None


def _own_image(doc: Any) -> object:
    """A post's ``image:``, else the first image of its body, else its first photo (a
    note's): each read off ``doc``, so that a build records what the page read."""
    found = _declared_image(doc) or _first_image(doc.body_html or "")
    if not found and (photos := doc.photos):
        found = photos[0].get("src")
    return found


@bp.app_template_global("social_image_tags")
def social_image_tags(doc: Any = None) -> Markup:
    """``twitter:card``, and ``og:image`` and ``twitter:image`` (absolute URLs from SITE_URL):
    a post's own image (``_own_image``), else ``SITE_IMAGE``; a plain card without."""
    src = None if doc is None else _own_image(doc)
    src = src or current_app.config.get("SITE_IMAGE") or None
    if not src or not isinstance(src, str):
        return Markup('<meta name="twitter:card" content="summary">')
    site_url = current_app.config["SITE_URL"]
    tags = ['<meta name="twitter:card" content="summary_large_image">']
    size: tuple[int, int] | None = None
    name = media_name(src)
    if name is not None and (found := _media(name)):
        info = found[1]
        widths = [width for width in widths_for(info) if width <= _SOCIAL_WIDTH]
        if widths and info.width > _SOCIAL_WIDTH:
            src = _variant_url(name, widths[-1], webp=False)
            src = "/" + src.removeprefix(build_url_for("public.index"))
            size = widths[-1], max(1, round(info.height * widths[-1] / info.width))
        else:
            size = info.width, info.height
    src = quoted_url(src)
    url = urljoin(site_url, src.lstrip("/")) if src.startswith("/") else src
    tags.append(f'<meta property="og:image" content="{escape(url)}">')
    if size is not None:
        tags.append(f'<meta property="og:image:width" content="{size[0]}">')
        tags.append(f'<meta property="og:image:height" content="{size[1]}">')
    tags.append(f'<meta name="twitter:image" content="{escape(url)}">')
    declared = None if doc is None else _declared_image(doc)
    if declared is not None and (own := media_name(declared)) is not None:
        # The build's link check reads no <meta>: this link has it check that the file of
        # ``image:`` is there, and name the line that wrote it (as for the body's images).
        href = build_url_for("public.media", filename=own)
        tags.append(f'<link rel="image_src" href="{escape(href)}">')
    return Markup("\n  ".join(tags))
