"""Mapped files let go of their pages as they are read (``app.mapped``): the last build's
``search.json`` is walked twice by an edit, and at 100 000 posts it is 300 MB."""

from __future__ import annotations

import mmap
import os
import random
import sys
from pathlib import Path

import orjson
import pytest

from app import mapped
from app.build.incremental import write_chunks_if_changed
from app.mapped import FileSpan, file_identity
from app.public.search import LastIndex

MB = 1 << 20

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/status")


def _mapped_resident() -> int:
    """Bytes of files mapped into this process that are in its memory now."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssFile:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no RssFile in /proc/self/status")


def test_released_pages_leave_the_process_and_still_read_the_same(tmp_path: Path) -> None:
    data = bytes(range(256)) * (32 * MB // 256)
    (tmp_path / "big").write_bytes(data)
    with (tmp_path / "big").open("rb") as file:
        whole = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    before = _mapped_resident()
    assert whole[:] == data  # every page touched
    assert _mapped_resident() - before > 24 * MB
    mapped.release(whole, 0, 16 * MB)
    assert _mapped_resident() - before < 20 * MB
    mapped.release(whole)
    assert _mapped_resident() - before < 4 * MB
    assert whole[:] == data
    whole.close()
    mapped.release(b"bytes are not mapped")  # nothing to do


def test_comparing_and_rewriting_a_large_file_holds_little_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mapped, "_SLICE", 4 * MB)  # where the kernel cannot copy
    old = b"x" * (64 * MB)
    assert write_chunks_if_changed(tmp_path, "search.json", [old])
    new = old[: 48 * MB] + b"y" + old[48 * MB + 1 :]  # the first change at 48 MB
    base = _mapped_resident()
    grew = []

    def chunks():
        for start in range(0, len(new), MB):
            yield new[start : start + MB]
            grew.append(_mapped_resident() - base)

    assert write_chunks_if_changed(tmp_path, "search.json", chunks())
    assert (tmp_path / "search.json").read_bytes() == new
    assert max(grew) < 16 * MB, f"held up to {max(grew) // MB} MB of the old file"


def test_copies_are_spans_of_the_file_checked_when_taken(tmp_path: Path) -> None:
    index = b'{"items":[{"a":1},{"b":2},{"c":3}]}'
    path = tmp_path / "search.json"
    path.write_bytes(index)
    note = orjson.dumps([["a", "b", "c"], [7, 7, 7]]).decode()
    copies = LastIndex(path, note, frozenset({"c"})).documents()
    assert copies.positions(["b", "a", "c", "d"]) == [1, 0, -1, -1]  # c changed, d new
    span = copies.run(0, 1)
    assert span is not None
    assert span.read() == b'{"a":1},{"b":2}'
    assert span.file == file_identity(path.stat())
    assert span.start == index.index(b'{"a"')
    last = copies.run(2, 2)
    assert last is not None
    assert last.read() == b'{"c":3}'
    copies.close()
    stale = LastIndex(path, orjson.dumps([["a", "b"], [7, 6]]).decode(), frozenset())
    longer = LastIndex(path, orjson.dumps([["a", "b"], [7, 70]]).decode(), frozenset())
    for last, first, end in ((stale, 1, 1), (longer, 0, 1)):
        copies = last.documents()
        assert copies.run(first, end) is None  # not a document there, or past the end
        copies.close()


def _spans_of(path: Path, data: bytes, *pieces: bytes) -> list[bytes | FileSpan]:
    """``pieces`` as spans of ``path`` (holding ``data``) where it holds them, else as bytes."""
    file = file_identity(path.stat())
    found: list[bytes | FileSpan] = []
    for piece in pieces:
        at = data.find(piece)
        found.append(FileSpan(path, file, at, len(piece)) if at >= 0 else piece)
    return found


def test_spans_of_the_old_file_in_place_leave_it_as_it_is(tmp_path: Path) -> None:
    old = b"0123456789" * 1000
    assert write_chunks_if_changed(tmp_path, "search.json", [old])
    path = tmp_path / "search.json"
    inode = path.stat().st_ino
    chunks = _spans_of(path, old, old[:4000], old[4000:4010], old[4010:])
    assert isinstance(chunks[0], FileSpan)
    assert isinstance(chunks[2], FileSpan)
    assert not write_chunks_if_changed(tmp_path, "search.json", chunks)
    assert path.stat().st_ino == inode


@pytest.mark.parametrize("kernel_copy", [True, False], ids=["copy_file_range", "read-write"])
def test_spans_after_a_change_are_copied_where_they_now_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel_copy: bool
) -> None:
    if not kernel_copy:  # a system or file system without it
        monkeypatch.delattr("os.copy_file_range", raising=False)
    old = bytes(range(256)) * 400
    assert write_chunks_if_changed(tmp_path, "search.json", [old])
    path = tmp_path / "search.json"
    linked = tmp_path / "previous.json"
    os.link(path, linked)  # the last build's file keeps its bytes
    head, changed, tail = old[:30000], b"a longer document than before", old[30010:]
    chunks = _spans_of(path, old, head, changed, tail)
    assert [type(c) for c in chunks] == [FileSpan, bytes, FileSpan]
    assert write_chunks_if_changed(tmp_path, "search.json", chunks)
    assert path.read_bytes() == head + changed + tail
    assert linked.read_bytes() == old


def test_a_span_of_a_file_replaced_since_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "last.json"
    source.write_bytes(b"0123456789")
    span = _spans_of(source, b"0123456789", b"3456")[0]
    assert isinstance(span, FileSpan)
    assert span.read() == b"3456"
    other = tmp_path / "other.json"
    other.write_bytes(b"0123456789")
    os.link(source, tmp_path / "kept.json")  # its inode is not free for another file
    other.replace(source)  # the same bytes, another file
    assert write_chunks_if_changed(tmp_path, "search.json", [b"old"])
    with pytest.raises(OSError, match="replaced while a build copied from it"):
        write_chunks_if_changed(tmp_path, "search.json", [b"new", span])
    assert (tmp_path / "search.json").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.json", "last.json", "search.json"]


@pytest.mark.parametrize(
    "note",
    [
        "not json",
        '{"a": 1}',
        '[["a", "b"], [7]]',  # a length short
        '[["a"], [0]]',  # no document is empty
        '[["a"], ["7"]]',
        '[["a", "b", "c"], [7, 7, 7], "more"]',
    ],
)
def test_a_note_it_cannot_read_copies_nothing(tmp_path: Path, note: str) -> None:
    path = tmp_path / "search.json"
    path.write_bytes(b'{"items":[{"a":1},{"b":2},{"c":3}]}')
    copies = LastIndex(path, note, frozenset()).documents()
    assert copies.positions(["a", "b", "c"]) == [-1, -1, -1]


def test_a_file_gone_copies_nothing(tmp_path: Path) -> None:
    note = orjson.dumps([["a"], [7]]).decode()
    copies = LastIndex(tmp_path / "gone.json", note, frozenset()).documents()
    assert copies.positions(["a"]) == [-1]


def test_a_span_of_the_old_file_from_elsewhere_is_compared_and_copied(tmp_path: Path) -> None:
    old = random.Random(7).randbytes(50_000)
    assert write_chunks_if_changed(tmp_path, "search.json", [old])
    path = tmp_path / "search.json"
    moved, rest = old[20_000:30_000], old[10_000:]  # a document that moved to the front
    chunks = _spans_of(path, old, moved, rest)
    assert all(isinstance(chunk, FileSpan) for chunk in chunks)
    assert write_chunks_if_changed(tmp_path, "search.json", chunks)
    assert path.read_bytes() == moved + rest
