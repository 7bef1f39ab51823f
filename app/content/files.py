"""Safe file I/O for content: bounded reads and atomic writes (temp file + ``os.replace``)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from app.content.errors import ContentError


def content_hash(data: bytes) -> str:
    """The hash we keep in ``Post.source_hash`` to notice changed files."""
    return hashlib.sha256(data).hexdigest()


def check_size(size: int, display: str, max_bytes: int) -> None:
    """Refuse a file over the limit before reading it (a clear error, not a hang)."""
    if size > max_bytes:
        raise ContentError(
            display,
            f"file is {size / 1024 / 1024:.1f} MiB, more than the {max_bytes // 1024} KiB limit",
            hint="split it, or raise MAX_CONTENT_FILE_BYTES",
        )


def decode_text(data: bytes, display: str) -> str:
    """A content file's bytes as text; a clear error, with the line, if they are not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(
            display,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            line,
            hint="save the file as UTF-8",
        ) from exc
    return text.removeprefix("\ufeff")


def read_text(path: Path, display: str, max_bytes: int) -> tuple[str, str]:
    """A content file's text and hash; a clear error for huge, binary or non-UTF-8 files."""
    check_size(path.stat().st_size, display, max_bytes)
    data = path.read_bytes()
    return decode_text(data, display), content_hash(data)


def atomic_write(path: Path, content: str | bytes) -> str:
    """Write so that readers see the old file or the new one, never a torn one; returns the hash."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return content_hash(data)


def tree_digest(folders: Iterable[Path], pattern: str) -> str:
    """The content of every file matching ``pattern`` below ``folders``, with its name."""
    h = hashlib.blake2b(digest_size=16)
    for folder in folders:
        for path in sorted(folder.rglob(pattern)):
            if path.is_file():
                h.update(path.relative_to(folder).as_posix().encode() + b"\0")
                h.update(path.read_bytes())
    return h.hexdigest()
