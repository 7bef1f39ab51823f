"""Mapped files let go of their pages as they are read (``app.mapped``): the last build's
``search.json`` is walked twice by an edit, and at 100 000 posts it is 300 MB."""

from __future__ import annotations

import mmap
import sys
from pathlib import Path

import orjson
import pytest

from app import mapped
from app.build import incremental
from app.build.incremental import write_chunks_if_changed
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
    monkeypatch.setattr(incremental, "HEAD_SLICE", 4 * MB)
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


def test_copies_are_views_checked_when_taken(tmp_path: Path) -> None:
    index = b'{"items":[{"a":1},{"b":2},{"c":3}]}'
    path = tmp_path / "search.json"
    path.write_bytes(index)
    note = orjson.dumps([["a", "b", "c"], [7, 7, 7]]).decode()
    copies = LastIndex(path, note, frozenset({"c"})).documents()
    assert copies.positions(["b", "a", "c", "d"]) == [1, 0, -1, -1]  # c changed, d new
    assert copies.run(0, 1) == b'{"a":1},{"b":2}'
    assert copies.run(2, 2) == b'{"c":3}'
    copies.release()
    assert copies.run(0, 0) == b'{"a":1}'
    stale = LastIndex(path, orjson.dumps([["a", "b"], [7, 6]]).decode(), frozenset())
    assert stale.documents().run(1, 1) is None  # not a document there: made again
    longer = LastIndex(path, orjson.dumps([["a", "b"], [7, 70]]).decode(), frozenset())
    assert longer.documents().run(0, 1) is None  # past the end of the file


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
