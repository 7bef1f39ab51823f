"""Smaller copies of a media image for ``srcset``: WebP and the image's own format.

Variants are made from the upright image (EXIF orientation applied) and carry no metadata
(no EXIF, GPS, XMP or comments). They are cached by the source's content hash in
``IMAGE_CACHE_DIR``, so a rebuild, another output folder or a renamed file reuses them;
never wider than the source (no upscaling). GIFs are left as they are (their frames).
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app

from app.content.files import atomic_write
from app.content.media import parse_widths

if TYPE_CHECKING:
    from PIL import Image

#: Formats that get variants, and the extension of each.
RASTER = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
#: Orientations (EXIF) that turn the picture a quarter: width and height swap.
_QUARTER_TURNS = {5, 6, 7, 8}


@dataclass(frozen=True)
class ImageInfo:
    """What a page needs of an image: its upright size and its format."""

    width: int
    height: int
    format: str


def configured_widths() -> tuple[int, ...]:
    """``IMAGE_WIDTHS``: the widths of the variants, smallest first."""
    return parse_widths(str(current_app.config["IMAGE_WIDTHS"]))


def widths_for(info: ImageInfo) -> list[int]:
    """The configured widths narrower than the image (never an upscale)."""
    return [width for width in configured_widths() if width < info.width]


def image_info(path: Path) -> ImageInfo | None:
    """The upright size and format of the raster image at ``path``; None for anything else
    (a GIF, an SVG, a file Pillow cannot read). Cached by the file's size and mtime."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _info(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4096)
def _info(path: str, _size: int, _mtime: int) -> ImageInfo | None:
    from PIL import ExifTags, Image  # loaded by the first page that shows an image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:  # reads the header only
                kind, (width, height) = image.format or "", image.size
                orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            return None
    if kind not in RASTER:
        return None
    if orientation in _QUARTER_TURNS:
        width, height = height, width
    return ImageInfo(width, height, kind)


def cache_dir() -> Path:
    return Path(current_app.config["IMAGE_CACHE_DIR"])


def variant(path: Path, width: int, kind: str) -> bytes:
    """The ``kind`` ('WEBP' or the source's format) variant of ``width`` pixels of the image
    at ``path``, from the cache or made (with every other variant of that width) now."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    target = cache_dir() / digest[:2] / f"{digest}-{width}.{RASTER[kind]}"
    try:
        return target.read_bytes()
    except FileNotFoundError:
        pass
    made = _make(data, width)
    for made_kind, made_data in made.items():
        name = cache_dir() / digest[:2] / f"{digest}-{width}.{RASTER[made_kind]}"
        name.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(name, made_data)
    return made[kind]


def _make(data: bytes, width: int) -> dict[str, bytes]:
    """A ``width``-pixel copy of the image in ``data``, in WebP and its own format."""
    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(BytesIO(data)) as source:
            kind = source.format or ""
            icc = source.info.get("icc_profile")
            upright = ImageOps.exif_transpose(source)
    height = max(1, round(upright.height * width / upright.width))
    small = upright.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    made = {"WEBP": _encode(small, "WEBP", icc)}
    if kind != "WEBP":
        made[kind] = _encode(small, kind, icc)
    return made


def _encode(image: Image.Image, kind: str, icc: bytes | None) -> bytes:
    """Pixels and colour profile only: no EXIF, XMP or comments."""
    options: dict[str, Any] = {}
    if icc:
        options["icc_profile"] = icc
    if kind == "JPEG":
        image = image.convert("RGB") if image.mode not in ("RGB", "L") else image
        options.update(quality=82, optimize=True, progressive=True)
    elif kind == "WEBP":
        options.update(quality=80, method=4)
    elif kind == "PNG":
        options["optimize"] = True
    out = BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def make_variants(path: Path) -> int:
    """Make (or find cached) every variant of the image at ``path``: uploads call this so
    that the next build has them. How many widths it has."""
    info = image_info(path)
    if info is None:
        return 0
    widths = widths_for(info)
    for width in widths:
        variant(path, width, "WEBP")
    return len(widths)
