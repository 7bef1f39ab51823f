"""Image uploads into ``content/media/``: verified by Pillow, size-limited, safely named."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePath
from typing import BinaryIO
from urllib.parse import quote, urlsplit, urlunsplit

from flask import current_app

from app.content import history
from app.content.confine import media_files
from app.content.errors import ContentError, ContentErrors
from app.content.files import atomic_write
from app.content.slugs import slugify
from app.models import User

#: Pillow format → the one extension we store it under.
FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
MEDIA_FOLDER = "media"


class MediaError(ContentError):
    """An upload we refuse; ``status`` is the HTTP status an edge should answer with."""

    def __init__(self, filename: str, message: str, hint: str = "", status: int = 422) -> None:
        super().__init__(filename, message, hint=hint)
        self.status = status


@dataclass(frozen=True)
class MediaFile:
    """A stored upload; ``name`` is its file name in ``content/media/``."""

    name: str
    width: int
    height: int
    size: int

    @property
    def markdown_path(self) -> str:
        """The site-absolute path to use in Markdown (``/media/<name>``)."""
        return f"/{MEDIA_FOLDER}/{self.name}"


@cache
def parse_widths(text: str) -> tuple[int, ...]:
    """'480,960,1600' as widths; a clear error for anything else."""
    try:
        widths = {int(part) for part in text.split(",") if part.strip()}
    except ValueError:
        widths = {0}
    if any(width < 16 or width > 8192 for width in widths):
        raise ValueError(
            f"IMAGE_WIDTHS={text!r} is not a list of widths: use pixel widths from 16 to "
            "8192 separated by commas, e.g. 480,960,1600"
        )
    return tuple(sorted(widths))


def media_dir() -> Path:
    return Path(current_app.config["CONTENT_DIR"]) / MEDIA_FOLDER


def save_upload(stream: BinaryIO, filename: str, actor: User | None = None) -> MediaFile:
    """Check an uploaded image and store it under a safe, content-addressed name (in a git
    work tree, a commit by ``actor``: ``history``)."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    data = stream.read(limit + 1)
    display = PurePath(filename or "upload").name
    if len(data) > limit:
        raise MediaError(
            display, f"the file is larger than {limit // 1024} KiB", "upload a smaller image", 413
        )
    if not data:
        raise MediaError(display, "the file is empty")
    from app.content.images import ImageError, check_image
    from app.content.variants import make_variants

    config = current_app.config
    try:
        image = check_image(
            data,
            formats=FORMATS,
            max_pixels=config["MAX_IMAGE_PIXELS"],
            strip=config["STRIP_IMAGE_METADATA"],
        )
    except ImageError as exc:
        raise MediaError(display, exc.message, exc.hint, exc.status) from exc
    # The real type decides the extension, whatever the uploaded name claimed.
    stem = slugify(PurePath(display).stem, fallback_prefix="image")[:60].rstrip("-")
    digest = hashlib.sha256(image.data).hexdigest()[:10]
    name = f"{stem}-{digest}.{FORMATS[image.format]}"
    target = media_dir() / name
    if not target.exists():
        with history.recorded([target], f"Upload media '{name}'", actor):
            atomic_write(target, image.data)
    make_variants(target)  # the srcset copies, cached for the next build
    return MediaFile(name=name, width=image.width, height=image.height, size=len(image.data))


def list_media() -> list[str]:
    """File names in ``content/media/`` that the site publishes (no hidden files); content
    errors for links out of the content folder and names that break URLs (``confine``)."""
    names, errors = media_files(Path(current_app.config["CONTENT_DIR"]))
    if errors:
        raise ContentErrors(errors)
    return names


#: What a URL's path keeps as it is: werkzeug's ``url_for`` keeps these too.
_PATH_SAFE = "/!$&'()*+,:;=@"
_ESCAPE = re.compile(r"(%[0-9A-Fa-f]{2})")


def quoted_url(url: str) -> str:
    """``url`` with its path percent-encoded (``/media/big photo é.jpg`` as
    ``/media/big%20photo%20%C3%A9.jpg``), escapes already there kept: a photo's ``src`` is
    the file's own name, and pages and feeds need a valid URL."""
    parts = urlsplit(url)
    path = "".join(
        piece if _ESCAPE.fullmatch(piece) else quote(piece, safe=_PATH_SAFE)
        for piece in _ESCAPE.split(parts.path)
    )
    return url if path == parts.path else urlunsplit(parts._replace(path=path))
