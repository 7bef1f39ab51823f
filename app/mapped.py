"""Files read through a memory map, their pages let go as they are read.

A mapped file's pages count in the process's resident memory as soon as they are touched,
and stay counted until the map is closed: an edit at 100 000 posts walks the last build's
300 MB ``search.json`` twice (copying its documents, comparing the new file with it), which
was +700 MB of peak memory for a few kilobytes changed. ``release`` drops the pages from
the process, not from the page cache: touched again, they are read from the cache.

A ``FileSpan`` goes further: the bytes of a file that a new file copies as they are, copied
by the kernel without passing through the process at all.
"""

from __future__ import annotations

import errno
import mmap
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def release(data: mmap.mmap | bytes, start: int = 0, end: int | None = None) -> None:
    """Let the process drop the mapped pages of ``data[start:end]`` (all of it by default;
    the pages whole below ``end``); nothing for bytes, or where the system cannot."""
    if not isinstance(data, mmap.mmap) or not hasattr(mmap, "MADV_DONTNEED"):
        return
    start -= start % mmap.PAGESIZE
    end = len(data) if end is None else min(end - end % mmap.PAGESIZE, len(data))
    if end > start:
        data.madvise(mmap.MADV_DONTNEED, start, end - start)


@dataclass(frozen=True)
class FileSpan:
    """``length`` bytes of the file at ``path`` from ``start``: a piece of a streamed file
    that a build copies from the last build's file (``search.json``'s unchanged documents)
    instead of holding it. ``file`` is which file that is (``file_identity``): a writer
    comparing with that very file at the same place knows the bytes equal without reading
    them, and copies them from the file it has open (``incremental.write_chunks_if_changed``)."""

    path: Path
    file: tuple[int, int, int, int]
    start: int
    length: int

    def read(self) -> bytes:
        with self._opened() as source:
            return read_range(source, self.start, self.length)

    def copy_to(self, out: int) -> None:
        """Append the span to the file open as ``out``."""
        with self._opened() as source:
            copy_range(source, out, self.start, self.length)

    @contextmanager
    def _opened(self) -> Iterator[int]:
        source = os.open(self.path, os.O_RDONLY)
        try:
            if file_identity(os.fstat(source)) != self.file:
                raise OSError(f"{self.path} was replaced while a build copied from it")
            yield source
        finally:
            os.close(source)


def file_identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    """Which file ``stat`` describes, as it is: its device, inode, size and modification
    time (an inode freed may be another file's next)."""
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


def copy_range(source: int, out: int, start: int, length: int) -> None:
    """Append ``length`` bytes of the open file ``source`` from ``start`` to the file open
    as ``out``: copied by the kernel where it can, else read and written a slice at a time."""
    done = 0
    while done < length and hasattr(os, "copy_file_range"):
        try:
            copied = os.copy_file_range(source, out, length - done, start + done)
        except OSError as exc:
            if exc.errno not in _NO_KERNEL_COPY or done:
                raise
            break  # not between these two files: read and written below
        if copied == 0:
            raise OSError(f"a copied span ends past its file ({done} of {length} bytes)")
        done += copied
    for at in range(start + done, start + length, _SLICE):
        _write_all(out, read_range(source, at, min(_SLICE, start + length - at)))


#: Bytes read at a time where the kernel cannot copy.
_SLICE = 1 << 23


def read_range(source: int, start: int, length: int) -> bytes:
    """``length`` bytes of the open file ``source`` from ``start``, all of them."""
    data = os.pread(source, length, start)
    if len(data) != length:
        raise OSError(f"a copied span ends past its file ({len(data)} of {length} bytes)")
    return data


#: Why ``copy_file_range`` may refuse two files that a read and a write can copy.
_NO_KERNEL_COPY = frozenset({errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP})


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
