"""What the last build produced, kept between builds: each file's input digest, identity, links.

It lives in the instance folder, one file per output folder, and is written only after a
build was swapped into place. A page is reused only if its inputs' digest is the same and
the file in ``build/`` is still the very file that build wrote (inode, size, mtime), so
editing or replacing ``build/`` by hand makes the next build render those pages again.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

import orjson

from app.build.links import PageLinks
from app.content.files import atomic_write

FORMAT = 3


class FileRecord:
    """One built file: the digest of its inputs, which file it is, and its references.

    The references are kept packed (a JSON text) and read only when a link check needs
    them, each time anew: most builds check a handful of pages, a kept page is saved as it
    was loaded, and a build of 12 000 pages never holds them all unpacked. ``note`` is what
    the page's view noted for the next build about the file (``search.json``: where each
    post's document is in it).
    """

    __slots__ = ("identity", "key", "note", "packed")

    def __init__(
        self,
        key: str | None,
        identity: tuple[int, int, int],
        links: PageLinks | None = None,
        *,
        packed: str | None = None,
        note: str | None = None,
    ) -> None:
        self.key = key
        self.identity = identity
        self.packed = packed if links is None else pack_links(links)
        self.note = note

    @property
    def has_links(self) -> bool:
        return self.packed is not None

    @property
    def links(self) -> PageLinks | None:
        """The references, unpacked (a new object each time)."""
        if self.packed is None:
            return None
        refs, ids, *broken = orjson.loads(self.packed)
        return PageLinks(
            refs=[tuple(ref) for ref in refs],
            ids=set(ids),
            broken=[tuple(found) for found in broken[0]] if broken else [],
        )


def pack_links(links: PageLinks) -> str:
    """References as the build cache keeps them (made where the page is rendered); broken
    ones only until the build's check fails on them."""
    packed = [links.refs, sorted(links.ids)]
    return orjson.dumps([*packed, links.broken] if links.broken else packed).decode()


def identity(path: str | Path) -> tuple[int, int, int] | None:
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


@dataclass(frozen=True)
class Spare:
    """The spare build (see ``output.spare_dir``) as the last build left it.

    It is that build's predecessor: the same files, but for those the build ``written``
    (other inodes; None: not recorded, each file is compared) and ``removed``. A spare left
    by a failed build is another folder (``folder``, its device and inode, differs) and is
    brought up to date by listing it instead.
    """

    folder: tuple[int, int]
    removed: list[str]
    written: list[str] | None = None

    @classmethod
    def of(cls, spare: Path, removed: list[str], written: list[str] | None) -> Spare | None:
        folder = _folder_id(spare)
        return None if folder is None else cls(folder, removed, written)

    def describes(self, folder: Path) -> bool:
        return _folder_id(folder) == self.folder


def _folder_id(path: Path) -> tuple[int, int] | None:
    """(device, inode) of ``path``, or None if it is not there."""
    try:
        stat = os.lstat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


@dataclass
class Manifest:
    """The records of the build in a folder, and what its spare is."""

    records: dict[str, FileRecord] = field(default_factory=dict)
    spare: Spare | None = None


def load(path: Path, build_dir: Path) -> Manifest:
    """The records of the build now in ``build_dir``; empty when unknown or unreadable."""
    try:
        data = orjson.loads(path.read_bytes())
        if data.get("format") != FORMAT or data.get("build_dir") != str(build_dir.resolve()):
            return Manifest()
        records = {
            rel: FileRecord(key, (ino, size, mtime), packed=packed, note=note[0] if note else None)
            for rel, (key, (ino, size, mtime), packed, *note) in data["files"].items()
        }
        spare = data.get("spare")
        dev, ino, removed, *written = spare if spare else (0, 0, None)  # older: no written
        record = Spare((dev, ino), removed, written[0] if written else None)
        return Manifest(records, record if removed is not None else None)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError):
        return Manifest()  # no cache, or one we cannot trust: render everything


def save(
    path: Path, build_dir: Path, records: dict[str, FileRecord], spare: Spare | None = None
) -> None:
    files = {
        rel: [record.key, record.identity, record.packed]
        + ([record.note] if record.note is not None else [])
        for rel, record in records.items()
    }
    data = {"format": FORMAT, "build_dir": str(build_dir.resolve()), "files": files}
    if spare is not None:
        data["spare"] = [*spare.folder, spare.removed, spare.written]
    atomic_write(path, orjson.dumps(data))
