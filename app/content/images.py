"""Uploaded images made safe to publish: bounded pixels, no metadata, orientation applied.

Pillow reads only the header to learn the size, so a decompression bomb (a 12 KB PNG of
100 megapixels) is refused before anything is decoded. Re-encoding drops EXIF (GPS position,
camera serial), XMP, comments and text chunks; the EXIF orientation is applied first, so the
picture still stands the right way up. The ICC colour profile is kept.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError


class ImageError(Exception):
    """An image we do not publish; ``status`` is the HTTP status an edge answers with."""

    def __init__(self, message: str, hint: str = "", status: int = 422) -> None:
        super().__init__(message)
        self.message, self.hint, self.status = message, hint, status


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    format: str
    width: int
    height: int


NOT_AN_IMAGE = ("not a valid PNG, JPEG, GIF or WebP image", "upload an image file")


def check_image(
    data: bytes, *, formats: Collection[str], max_pixels: int, strip: bool = True
) -> CheckedImage:
    """The image in ``data``, checked and (``strip``) re-encoded without its metadata."""
    with warnings.catch_warnings():
        # Pillow's own bomb check warns (or raises) on its global limit; ours is per app.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data)) as image:
                image.verify()  # structure check; size and pixels come from a fresh open
            with Image.open(BytesIO(data)) as image:
                kind, (width, height) = image.format or "", image.size
                if kind not in formats:
                    raise ImageError(
                        f"{kind or 'these'} images are not accepted", "use PNG, JPEG, GIF or WebP"
                    )
                frames = getattr(image, "n_frames", 1) if kind == "GIF" else 1
                if width * height * max(frames, 1) > max_pixels:
                    raise ImageError(
                        f"the image has {width} x {height} pixels"
                        + (f" in {frames} frames" if frames > 1 else "")
                        + f", more than the {max_pixels:,} allowed",
                        "scale it down (MAX_IMAGE_PIXELS)",
                        413,
                    )
                if not strip:
                    return CheckedImage(data, kind, width, height)
                cleaned = _without_metadata(image, kind)
        except Image.DecompressionBombError as exc:
            raise ImageError(
                "the image has too many pixels", "scale it down (MAX_IMAGE_PIXELS)", 413
            ) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ImageError(*NOT_AN_IMAGE) from exc
    return CheckedImage(cleaned, kind, *_size(cleaned))


def _without_metadata(image: Image.Image, kind: str) -> bytes:
    """Re-encode ``image`` in its own format with only what shows: pixels and colours."""
    options: dict[str, Any] = {"format": kind}
    if icc := image.info.get("icc_profile"):
        options["icc_profile"] = icc
    if kind in ("GIF", "WEBP"):
        keys = ("duration", "loop", "background", "transparency", "disposal")
        options.update({k: image.info[k] for k in keys if k in image.info})
    if kind == "WEBP":
        options.update(lossless=bool(image.info.get("lossless")), quality=90)
    target = image
    if getattr(image, "is_animated", False):
        options["save_all"] = True  # every frame as it is: orientation is a camera's tag
    elif _orientation(image) > 1:
        target = ImageOps.exif_transpose(image)  # a new, upright image
    if kind == "JPEG":
        # Not rotated: the original quantization tables, so re-encoding loses no quality.
        if target is image:
            options.update(quality="keep", subsampling="keep")
        else:
            options["quality"] = 92
    out = BytesIO()
    target.save(out, **options)
    return out.getvalue()


def _orientation(image: Image.Image) -> int:
    value = image.getexif().get(ExifTags.Base.Orientation, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _size(data: bytes) -> tuple[int, int]:
    with Image.open(BytesIO(data)) as image:
        width, height = image.size
    return width, height
