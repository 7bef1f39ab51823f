"""Files the bodies reference that exist in the export, copied into ``content/media/``.

A file gets the name an upload would (its slugified stem and a hash of its bytes), so the
same image imported twice is one file and a name never clashes with another image.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from app.content.importers.model import Export, Item
from app.content.media import MEDIA_FOLDER
from app.content.slugs import slugify

#: What looks like a media file by its extension (what may be reported missing).
MEDIA_SUFFIXES = frozenset(
    [
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".avif",
        ".svg",
        ".bmp",
        ".tif",
        ".tiff",
        ".ico",
        ".pdf",
        ".mp3",
        ".mp4",
        ".m4a",
        ".ogg",
        ".webm",
        ".mov",
        ".zip",
    ]
)
#: The largest file copied (a video is linked to its old URL rather than imported).
MAX_MEDIA_BYTES = 50 * 1024 * 1024


@dataclass
class MediaCopies:
    """The copies planned so far: the new name of each source file, and the bytes."""

    content_dir: Path
    names: dict[Path, str] = field(default_factory=dict)
    staged: dict[str, bytes] = field(default_factory=dict)

    def add(self, path: Path) -> str:
        """Plan a copy of ``path``; its site URL ('/media/name')."""
        path = path.resolve()
        if path not in self.names:
            data = path.read_bytes()
            stem = slugify(path.stem, fallback_prefix="image")[:60].rstrip("-")
            name = f"{stem}-{hashlib.sha256(data).hexdigest()[:10]}{path.suffix.lower()}"
            self.names[path] = name
            self.staged[name] = data
        return f"/{MEDIA_FOLDER}/{self.names[path]}"


def is_media(path: str) -> bool:
    return PurePosixPath(unquote(path)).suffix.lower() in MEDIA_SUFFIXES


def find_file(path: str, item: Item, export: Export, *, relative: bool) -> Path | None:
    """The file in the export a reference points at (``path`` has no host), if there is one.

    Only files inside the export's own folders are returned (``../`` cannot leave them).
    """
    path = unquote(path)
    candidates: list[tuple[Path, Path]] = []
    if relative and item.root is not None:
        candidates.append((item.root / path, export.top or item.root))
    elif not relative:
        for prefix, folder in export.media_roots:
            if path.startswith(prefix):
                candidates.append((folder / path[len(prefix) :], folder))
    for candidate, folder in candidates:
        try:
            resolved = candidate.resolve()
            inside = resolved.is_relative_to(folder.resolve())
            if inside and resolved.is_file() and resolved.stat().st_size <= MAX_MEDIA_BYTES:
                return resolved
        except (OSError, ValueError):
            continue
    return None
