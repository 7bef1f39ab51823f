"""What the last build produced, kept between builds: each file's input digest, identity, links.

It lives in the instance folder, one file per output folder, and is written only after a
build was swapped into place. A page is reused only if its inputs' digest is the same and
the file in ``build/`` is still the very file that build wrote (inode, size, mtime), so
editing or replacing ``build/`` by hand makes the next build render those pages again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any

from app.build.links import PageLinks
from app.content.files import atomic_write

FORMAT = 1


@dataclass
class FileRecord:
    """One built file: the digest of its inputs, which file it is, and its references."""

    key: str | None
    identity: tuple[int, int, int]
    links: PageLinks | None = None


class _Table:
    """Numbers for repeated values: most pages share most of their references."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.index: dict[Any, int] = {}

    def number(self, item: Any) -> int:
        found = self.index.get(item)
        if found is None:
            found = self.index[item] = len(self.items)
            self.items.append(item)
        return found


def _encode(records: dict[str, FileRecord]) -> dict[str, Any]:
    refs, ids = _Table(), _Table()
    files = {}
    for rel, record in sorted(records.items()):
        entry: list[Any] = [record.key, list(record.identity)]
        if record.links is not None:
            entry.append([refs.number(ref) for ref in record.links.refs])
            entry.append([ids.number(i) for i in sorted(record.links.ids)])
        files[rel] = entry
    return {"refs": [list(ref) for ref in refs.items], "ids": ids.items, "files": files}


def _decode(data: dict[str, Any]) -> dict[str, FileRecord]:
    refs = [(raw, target, fragment) for raw, target, fragment in data["refs"]]
    ids = data["ids"]
    records = {}
    for rel, entry in data["files"].items():
        key, (ino, size, mtime), *links = entry
        record = FileRecord(key, (ino, size, mtime))
        if links:
            page_refs, page_ids = links
            record.links = PageLinks(
                refs=[refs[i] for i in page_refs], ids={ids[i] for i in page_ids}
            )
        records[rel] = record
    return records


def identity(path: Path) -> tuple[int, int, int] | None:
    """(inode, size, mtime) of a regular file, or None."""
    try:
        stat = os.lstat(path)
    except OSError:
        return None
    if not S_ISREG(stat.st_mode):
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def manifest_path(instance_dir: Path, build_dir: Path) -> Path:
    name = hashlib.blake2b(str(build_dir.resolve()).encode(), digest_size=8).hexdigest()
    return instance_dir / "build-cache" / f"{name}.json"


def load(path: Path, build_dir: Path) -> dict[str, FileRecord]:
    """The records of the build now in ``build_dir``; empty when unknown or unreadable."""
    try:
        data = json.loads(path.read_bytes())
        if data.get("format") != FORMAT or data.get("build_dir") != str(build_dir.resolve()):
            return {}
        return _decode(data)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError):
        return {}  # no cache, or one we cannot trust: render everything


def save(path: Path, build_dir: Path, records: dict[str, FileRecord]) -> None:
    data = {"format": FORMAT, "build_dir": str(build_dir.resolve()), **_encode(records)}
    atomic_write(path, json.dumps(data, separators=(",", ":")).encode())
