"""Files read through a memory map, their pages let go as they are read.

A mapped file's pages count in the process's resident memory as soon as they are touched,
and stay counted until the map is closed: an edit at 100 000 posts walks the last build's
300 MB ``search.json`` twice (copying its documents, comparing the new file with it), which
was +700 MB of peak memory for a few kilobytes changed. ``release`` drops the pages from
the process, not from the page cache: touched again, they are read from the cache.
"""

from __future__ import annotations

import mmap


def release(data: mmap.mmap | bytes, start: int = 0, end: int | None = None) -> None:
    """Let the process drop the mapped pages of ``data[start:end]`` (all of it by default;
    the pages whole below ``end``); nothing for bytes, or where the system cannot."""
    if not isinstance(data, mmap.mmap) or not hasattr(mmap, "MADV_DONTNEED"):
        return
    start -= start % mmap.PAGESIZE
    end = len(data) if end is None else min(end - end % mmap.PAGESIZE, len(data))
    if end > start:
        data.madvise(mmap.MADV_DONTNEED, start, end - start)
