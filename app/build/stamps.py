"""Whether ``build/`` is already what a build would make: asked before the app loads.

Before a command-line build, ``observe`` stamps (``lstat``) every input a build reads: each
file and folder of the content, the theme, our code and migrations and the settings' files,
with a digest of the environment, the arguments and the interpreter. The database, which a
build writes, is not stamped but marked by what it holds (``database_mark``: its schema, its
small tables whole, and each post's revision, which the database's triggers draw anew on
every write to the post, its tags or their names), as the build saw it after its sync.
After the build succeeds, ``save`` keeps those stamps beside the build cache, with the
stamps of the build's own memory (its cache, the spare), the identity of every file it left
in ``build/``, its summary, and the time the next scheduled post goes live. The next
``python freeze.py`` stamps the same paths and marks the database (no Flask, no
SQLAlchemy: a tenth of a second at 10 000 posts, where starting the app alone takes four)
and:

- when every stamp and the mark hold, reports what the last build reported, as a build
  that finds nothing to do (``Observed.unchanged``);
- else, when the mark holds, tells the build which content files changed since the last one
  read them (``Observed.changed``), so that its sync reads those alone, as a watch's does.

Stamps taken before a build reads can only be older than what it read: a file changed while
it ran differs from them next time. A stamp within the file system's last clock tick could
keep its size and times through a change (git's "racily clean" files): such an input is
never vouched for. The mark is taken after the build's sync wrote and before any page read
the database: a write in between, or later, changes it. The mark reads every table, so a
new table is covered without a word here. Only a SQLite database can be marked.
``tests/test_stamps.py`` runs a build under an audit hook and fails on any file it opens or
folder it lists outside the paths stamped here.

This module uses the standard library only: ``freeze.py`` imports it before anything else.

Why one module: ``observe`` and ``save`` are two halves of one comparison, what one saves
the other reads field by field, and the stamping both use must stay the same; the
database's mark, which stands apart, is ``dbmark``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import marshal
import os
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import Any

from app.build.dbmark import database_mark, sqlite_file
from app.content.kinds import KIND_DIRS, MARKDOWN_SUFFIXES

FORMAT = 3
#: Folders never read by a build: git's own store and Python's byte-code caches.
SKIPPED = frozenset({".git", "__pycache__"})


@dataclass(frozen=True)
class Inputs:
    """What a command-line build of one ``build/`` reads, as paths to stat."""

    #: A digest of what is not a file: the environment, arguments, interpreter, folder.
    key: str
    #: Folders stamped whole: every file and folder under them (the content folder first).
    trees: tuple[Path, ...]
    #: Single paths stamped whether they exist or not: read by a build...
    files: tuple[Path, ...]
    #: ... or its own memory, which it writes (the spare; and the build cache's files,
    #: listed anew each time: ``memory_stamps``).
    memory: tuple[Path, ...]
    #: The output folder and where its stamps are kept.
    build_dir: Path
    path: Path
    #: The database: not stamped (a build writes it), but marked (``database_mark``) by
    #: what it holds.
    database: Path

    @property
    def content(self) -> Path:
        """The content folder (the first of ``trees``)."""
        return self.trees[0]

    @classmethod
    def of(
        cls,
        *,
        settings: Mapping[str, Any],
        instance_dir: Path,
        project: Path,
        key: Iterable[object],
    ) -> Inputs | None:
        """The inputs of a build with ``settings`` (its app's config); None when they
        cannot all be stamped (the database is not a SQLite file)."""
        database = sqlite_file(str(settings["SQLALCHEMY_DATABASE_URI"]))
        if database is None:
            return None
        build_dir = Path(settings["BUILD_DIR"]).resolve()
        cache = build_dir_cache(instance_dir, build_dir)
        path = stamps_path(cache)
        digest = hashlib.blake2b(repr((FORMAT, *key)).encode()).hexdigest()
        files = [
            *(project / name for name in ("config.py", "freeze.py", ".env")),
            instance_dir / "secret_key",  # a setting when SECRET_KEY is not set
            *_library_folders(project),
        ]
        memory = [instance_dir / "migration-heads.json", spare_of(build_dir)]
        trees = [
            Path(settings["CONTENT_DIR"]).resolve(),
            Path(settings["SITE_DIR"]).resolve(),
            project / "app",
            project / "migrations",
            *sorted(project.glob("*.egg-info")),  # how the project itself is installed
        ]
        return cls(digest, tuple(trees), tuple(files), tuple(memory), build_dir, path, database)


def build_dir_cache(instance_dir: Path, build_dir: Path) -> Path:
    """The build cache of ``build_dir`` (``manifest.manifest_path``)."""
    name = hashlib.blake2b(str(build_dir.resolve()).encode(), digest_size=8).hexdigest()
    return instance_dir / "build-cache" / f"{name}.sqlite"


def stamps_path(cache: Path) -> Path:
    return cache.with_name(f"{cache.stem}.stamps")


def spare_of(build_dir: Path) -> Path:
    """The spare build beside ``build_dir`` (``output.spare_dir``: what it is for)."""
    return build_dir.parent / f".{build_dir.name}-spare"


def _library_folders(project: Path) -> list[Path]:
    """The folders of ``sys.path`` outside the project: installing, removing or upgrading
    a library adds or renames an entry there."""
    import sys

    folders = (Path(p).resolve() for p in sys.path if p)
    return [folder for folder in folders if folder != project]


_MISSING = (0, 0, 0, 0, 0)


def _stamp_into(values: array[int], path: str) -> None:
    """Append ``(mode, inode, size, mtime_ns, ctime_ns)`` of ``path`` (zeros: missing)."""
    try:
        s = os.lstat(path)
    except OSError:
        values.extend(_MISSING)
        return
    values.extend((s.st_mode, s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns))


def _singles(paths: Iterable[Path]) -> bytes:
    """The stamps of ``paths``."""
    values = array("q")
    for path in paths:
        _stamp_into(values, str(path))
    return values.tobytes()


def _memory_stamps(inputs: Inputs) -> tuple[str, bytes]:
    """The stamps of the build's own memory: its fixed files and the build cache's files as
    they are now (a build may add one: its names are part of the stamps)."""
    cache = inputs.path.with_suffix("")
    found = sorted(p for p in cache.parent.glob(f"{cache.name}.*") if p != inputs.path)
    paths = [*inputs.memory, *found]
    return "\0".join(map(str, paths)), _singles(paths)


def _walk(root: Path) -> tuple[str, bytes]:
    """Every file and folder under ``root``: their paths in the order the folders list
    them, and their stamps. A symbolic link is stamped, then what it points to (a folder
    walked in turn, once)."""
    names: list[str] = []
    values = array("q")
    seen: set[tuple[int, int]] = set()
    folders = [str(root)]
    _stamp_into(values, folders[0])
    names.append(folders[0])
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
            status = os.stat(folder)
        except OSError:
            continue
        if (status.st_dev, status.st_ino) in seen:
            continue
        seen.add((status.st_dev, status.st_ino))
        for entry in entries:
            if entry.name in SKIPPED:
                continue
            s = entry.stat(follow_symlinks=False)
            names.append(entry.path)
            values.extend((s.st_mode, s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns))
            if entry.is_symlink():
                names.append(f"{entry.path}\x01")  # what it points to
                try:
                    s = os.stat(entry.path)
                except OSError:
                    values.extend(_MISSING)
                    continue
                values.extend((s.st_mode, s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns))
            if entry.is_dir():  # a folder, or a link to one
                folders.append(entry.path)
    return "\0".join(names), values.tobytes()


def _outputs(build_dir: Path, names: Iterable[str]) -> bytes:
    """The identity (inode, size, mtime) of each file of ``build_dir`` named, as the build
    cache records it (``manifest.identity``: zeros when not a regular file)."""
    values = array("q")
    root = str(build_dir)
    for name in names:
        try:
            s = os.lstat(f"{root}/{name}")
        except OSError:
            values.extend(_MISSING[:3])
            continue
        if S_ISREG(s.st_mode):
            values.extend((s.st_ino, s.st_size, s.st_mtime_ns))
        else:
            values.extend(_MISSING[:3])
    return values.tobytes()


def staging_prefix(build_dir: Path) -> str:
    """The name of a staging folder of ``build_dir`` starts so (``output.new_staging_dir``)."""
    return f".{build_dir.name}-staging-"


def _staging(build_dir: Path) -> str:
    """Staging folders a killed build left (a build clears them: ``clear_stale_staging``)."""
    prefix = staging_prefix(build_dir)
    try:
        found = sorted(e.name for e in os.scandir(build_dir.parent) if e.name.startswith(prefix))
    except OSError:
        return ""
    return "\0".join(found)


def _newest(packed: bytes) -> int:
    """The latest change (``mtime`` or ``ctime``) among stamps packed by ``_stamp_into``."""
    values = array("q", packed)
    return max(max(values[3::5], default=0), max(values[4::5], default=0))


def _names(joined: str) -> list[str]:
    return joined.split("\0") if joined else []


def _by_path(tree: tuple[str, bytes]) -> dict[str, tuple[int, ...]]:
    names = _names(tree[0])
    return _stamps_at(tree[1], names, range(len(names)))


@dataclass
class Observed:
    """The inputs' stamps before a build, and what they say against the last one's."""

    #: The file system's clock just before they were taken (the time of a file made then).
    since: int
    #: ``[the single files' stamps, each tree's (paths, stamps)]``.
    stamps: list[Any]
    #: The last build's summary when nothing changed since it (see ``still_built``).
    unchanged: dict[str, Any] | None = None
    #: The content files (``posts/a.md``) that changed since the last build read them; None
    #: when not known (then the build looks at every file).
    changed: list[str] | None = None


def observe(inputs: Inputs, now: datetime | None = None) -> Observed | None:
    """Stamp the inputs before a build and compare them with the last build's; None when
    they cannot be kept (the folder of the build cache cannot be written)."""
    temporary = _temporary(inputs)
    try:
        temporary.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as file:
            since = os.fstat(file.fileno()).st_mtime_ns  # the file system's clock, not ours
    except OSError:
        return None
    seen = Observed(since, [_singles(inputs.files), *map(_walk, inputs.trees)])
    last = _load(inputs)
    if last is None or last["mark"] is None:
        return seen
    mark = cache(partial(database_mark, inputs.database))  # taken once, when first asked
    if last["vouched"] and _holds(inputs, last, seen, now, mark):
        seen.unchanged, seen.changed = last["summary"], []
    elif last["hint"] and mark() == last["mark"]:
        seen.changed = _changed_documents(inputs, _content(last["stamps"]), _content(seen.stamps))
    return seen


def _load(inputs: Inputs) -> dict[str, Any] | None:
    """The last build's saved stamps, if this code saved them for the same key."""
    try:
        with open(inputs.path, "rb") as file:
            saved = marshal.load(file)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        return None
    return saved if saved.get("key") == inputs.key else None


def _holds(
    inputs: Inputs,
    last: dict[str, Any],
    seen: Observed,
    now: datetime | None,
    mark: Callable[[], bytes | None],
) -> bool:
    """Whether everything is as the last build left it (and no build is under way); ``mark``
    gives the database's mark now."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    until = last["until"]
    if until is not None and now >= datetime.fromisoformat(until):
        return False  # a scheduled post has gone live since
    if seen.stamps != last["stamps"]:
        return False
    with _lock_if_free(inputs.build_dir) as free:
        return (
            free
            and mark() == last["mark"]
            and _memory_stamps(inputs) == last["memory"]
            and _staging(inputs.build_dir) == last["staging"]
            and _outputs(inputs.build_dir, _names(last["outputs"])) == last["built"]
        )


_DOCUMENT_FOLDERS = frozenset(KIND_DIRS.values())
#: More changed documents than this: the sync looks at every file (as cheap by then).
MOST_NAMED = 200


def _changed_documents(
    inputs: Inputs, before: tuple[str, bytes], now: tuple[str, bytes]
) -> list[str] | None:
    """The documents (``posts/a.md``: a Markdown file right in a folder of documents) whose
    stamps differ between ``before`` and ``now``; None if anything else in content changed
    (a link's target, media, a folder moved) or too many did."""
    old, new = _differences(before, now)
    root = str(inputs.content)
    found = []
    for path in old.keys() | new.keys():
        if old.get(path) == new.get(path):
            continue
        if path == root or path.endswith("\x01"):
            return None
        rel = path.removeprefix(root + "/")
        parts = rel.split("/")
        stamp = new.get(path) or old[path]
        if len(parts) == 1 and S_ISDIR(stamp[0]) and parts[0] in _DOCUMENT_FOLDERS:
            continue  # a folder of documents, whose list changed: its files say how
        if (
            len(parts) != 2
            or parts[0] not in _DOCUMENT_FOLDERS
            or not parts[1].endswith(MARKDOWN_SUFFIXES)
            or S_ISDIR(stamp[0])
        ):
            return None
        found.append(rel)
    return sorted(found) if len(found) <= MOST_NAMED else None


def _differences(
    before: tuple[str, bytes], now: tuple[str, bytes]
) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """The stamps, by path, of the paths whose stamps differ between two walks of a tree
    (or that only one has): before and now."""
    if before[0] == now[0] and len(before[1]) == len(now[1]):  # the same paths
        names = _names(now[0])
        found = list(_differing(before[1], now[1]))
        return _stamps_at(before[1], names, found), _stamps_at(now[1], names, found)
    old, new = _by_path(before), _by_path(now)
    return (
        {path: stamp for path, stamp in old.items() if new.get(path) != stamp},
        {path: stamp for path, stamp in new.items() if old.get(path) != stamp},
    )


#: Bytes of a stamp packed by ``_stamp_into``: five 64-bit numbers.
_STAMP = 5 * 8


def _differing(before: bytes, now: bytes) -> Iterator[int]:
    """The indexes, in order, of the stamps that differ between two packings of the same
    paths: halves compared whole (in C) down to the stamps that differ, an edit's few of
    10 000 in some thirty comparisons."""
    ranges = [(0, len(now) // _STAMP)]
    while ranges:
        first, end = ranges.pop()
        if before[first * _STAMP : end * _STAMP] == now[first * _STAMP : end * _STAMP]:
            continue
        if end - first == 1:
            yield first
            continue
        middle = (first + end) // 2
        ranges += [(middle, end), (first, middle)]


def _stamps_at(packed: bytes, names: list[str], found: Iterable[int]) -> dict[str, tuple[int, ...]]:
    """The stamps at the indexes ``found`` of a packing, by the paths ``names``."""
    values = array("q", packed)
    return {names[i]: tuple(values[5 * i : 5 * i + 5]) for i in found}


def _temporary(inputs: Inputs) -> Path:
    return inputs.path.with_name(f".{inputs.path.name}.tmp")


def save(
    inputs: Inputs,
    seen: Observed,
    summary: Mapping[str, Any],
    valid_until: datetime | None,
    outputs: Mapping[str, tuple[int, int, int] | None],
    *,
    mark: bytes | None,
    renders_again: bool,
    warned: bool,
) -> bool:
    """Keep ``seen`` (the stamps before a build that succeeded and reported ``summary``, in
    its no-change form: ``summary.unchanged``) with the identities of the files it left in
    ``build/`` (its records), its own memory and the ``mark`` of the database (taken after
    its sync wrote, before any page read: ``database_mark``; None, it cannot vouch).

    They vouch for a next build with nothing to do only if no input was written while the
    build ran (or within a clock tick before), it ``warned`` of nothing (a build tells its
    warnings every time), and no page it rendered ``renders_again`` with the same inputs
    (one that read the clock, or that the recorder cannot describe: ``Build.renders_again``).
    """
    written = any(_newest(packed) >= seen.since for packed in _inputs_packed(seen.stamps))
    names = "\0".join(outputs)
    built = array("q")
    for identity in outputs.values():
        built.extend(identity or _MISSING[:3])
    saved = {
        "format": FORMAT,
        "key": inputs.key,
        "vouched": mark is not None and not (written or warned or renders_again),
        "hint": mark is not None and not warned and not _racy_documents(seen),
        "until": None if valid_until is None else valid_until.isoformat(),
        "summary": dict(summary),
        "stamps": seen.stamps,
        "mark": mark,
        "memory": _memory_stamps(inputs),
        "staging": _staging(inputs.build_dir),
        "outputs": names,
        "built": built.tobytes(),
    }
    temporary = _temporary(inputs)
    try:
        with open(temporary, "wb") as file:
            marshal.dump(saved, file)
        os.replace(temporary, inputs.path)
    except (OSError, ValueError):
        forget(inputs)
        return False
    return True


#: Where the content folder's stamps are in ``Observed.stamps`` (the single files' first,
#: then each tree's in the order of ``Inputs.trees``, which starts with ``Inputs.content``).
_CONTENT = 1


def _content(stamps: list[Any]) -> tuple[str, bytes]:
    """The content folder's stamps: its paths, and their stamps packed."""
    found: tuple[str, bytes] = stamps[_CONTENT]
    return found


def _inputs_packed(stamps: list[Any]) -> Iterator[bytes]:
    yield stamps[0]
    for _names, packed in stamps[1:]:
        yield packed


def _racy_documents(seen: Observed) -> bool:
    """Whether a content file changed within the clock tick before its stamp: then it may
    have changed again unseen after the build read it."""
    return _newest(_content(seen.stamps)[1]) >= seen.since


def forget(inputs: Inputs) -> None:
    """Drop the stamps: the next build runs whole (after a failure: its sync may have been
    written, its files may be broken still)."""
    for path in (inputs.path, _temporary(inputs)):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


@contextlib.contextmanager
def _lock_if_free(build_dir: Path) -> Iterator[bool]:
    """Hold the build lock (``output.build_lock``) while stamps are compared, if it is free."""
    try:
        fd = os.open(build_dir.parent, os.O_RDONLY)
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True
    finally:
        os.close(fd)
