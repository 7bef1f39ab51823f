"""Time ``freeze.py --watch``: from an editor's save to the rebuilt page in the output folder."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from procs import stop

#: A rebuild that takes longer than this is a failure, not a slow number.
TIMEOUT_SECONDS = 900.0


@dataclass
class WatchTiming:
    """Milliseconds per edit: until the page shows the edit, and until the build reported done."""

    page_ms: list[float]
    done_ms: list[float]


class _Lines(threading.Thread):
    """Reads the watcher's stdout (one JSON summary per build) with the time each line came."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.stream = stream
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()

    def run(self) -> None:
        for line in self.stream:
            self.lines.put((time.perf_counter(), line))

    def next_build(self, deadline: float) -> tuple[float, dict]:
        """The next build summary; fails loudly on a failed build or a timeout."""
        while True:
            left = deadline - time.perf_counter()
            try:
                at, line = self.lines.get(timeout=max(left, 0.01))
            except queue.Empty:
                raise SystemExit("watch benchmark: no build summary before the timeout") from None
            if not line.startswith("{"):
                continue
            summary = json.loads(line)
            if not summary.get("ok"):
                raise SystemExit(f"watch benchmark: a build failed: {summary.get('errors')}")
            return at, summary


def save_like_an_editor(path: Path, text: str) -> None:
    """Write a temp file beside ``path`` and rename it over ``path`` (what most editors do)."""
    temp = path.with_name(f".{path.name}.bench-swap")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def wait_for_text(page: Path, needle: str, deadline: float) -> float:
    """Poll ``page`` in a tight loop until it contains ``needle``; the time it did."""
    encoded = needle.encode()
    while time.perf_counter() < deadline:
        try:
            if encoded in page.read_bytes():
                return time.perf_counter()
        except OSError:
            pass  # between the swap's two renames, or not written yet
        time.sleep(0.001)
    raise SystemExit(f"watch benchmark: {page} never showed the edit")


def bench_watch(
    env: dict[str, str], root: Path, posts: Path, build_dir: Path, edits: int = 5
) -> WatchTiming:
    """Start the watcher on a built site, save ``edits`` posts one by one, time each rebuild."""
    cmd = [sys.executable, str(root / "freeze.py"), "--watch", "--json"]
    proc = subprocess.Popen(
        cmd, env=env, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines = _Lines(proc.stdout)
    lines.start()
    stderr: list[str] = []
    threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True).start()  # type: ignore[arg-type]
    timing = WatchTiming([], [])
    try:
        lines.next_build(time.perf_counter() + TIMEOUT_SECONDS)  # the first (warm) build
        files = sorted(posts.glob("*.md"))
        for i in range(edits):
            target = files[(i + 1) * len(files) // (edits + 1)]
            sentence = f"Watch benchmark edit {i} at {time.time_ns()}."
            page = build_dir / "posts" / target.stem / "index.html"
            text = target.read_text(encoding="utf-8") + f"\n{sentence}\n"
            saved = time.perf_counter()
            save_like_an_editor(target, text)
            deadline = saved + TIMEOUT_SECONDS
            seen = wait_for_text(page, sentence, deadline)
            done, _ = lines.next_build(deadline)
            timing.page_ms.append((seen - saved) * 1000)
            timing.done_ms.append((max(done, seen) - saved) * 1000)
    except SystemExit as exc:
        raise SystemExit(f"{exc}\n{''.join(stderr)[-3000:]}") from None
    finally:
        stop(proc, signal.SIGTERM, timeout=30)  # freeze.py stops cleanly, like Ctrl+C
    return timing
