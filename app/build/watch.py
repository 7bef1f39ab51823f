"""``--watch``: rebuild when content, theme or settings change (watchdog events, filtered and
debounced), each build planned from the last."""

from __future__ import annotations

import gc
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from flask import Flask
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from app import tricks
from app.build.memory import BuildMemory
from app.build.sources import Changes

#: How long the tree must stay quiet before a burst of events becomes one rebuild. An
#: editor's save (a temp file renamed over the post, or a write in place) reaches us within
#: 1-3 ms; a longer burst (a checkout) is two builds at worst, the second one syncing the rest.
DEBOUNCE_SECONDS = 0.02

#: How long the tree must stay quiet after a build before the watch tidies up after it
#: (``Rebuilder.collect_garbage``): a save that comes sooner is built first.
IDLE_SECONDS = 0.25

#: Events that mean a file's content or existence changed (not opened/closed/read).
_CHANGE_EVENTS = {"created", "modified", "deleted", "moved"}

#: Editor droppings: backups, swap and lock files, vim's write test, download temp files.
_IGNORED_NAME = re.compile(
    r"""(.*~ | \#.*\# | 4913 | .*\.(swp|swo|swx|tmp|temp|part|crdownload|bak|orig))\Z""",
    re.VERBOSE,
)


class ChangeFilter:
    """Which paths matter: files under the watched folders and the named settings files."""

    def __init__(
        self, folders: Iterable[Path], files: Iterable[Path], ignored: Iterable[Path]
    ) -> None:
        self.folders = [Path(f).resolve() for f in folders]
        self.files = {Path(f).resolve() for f in files}
        self.ignored = [Path(p).resolve() for p in ignored]

    def relevant(self, raw: str | bytes) -> bool:
        given = Path(raw if isinstance(raw, str) else raw.decode(errors="replace"))
        path = _where(given)
        if path in self.files or given.resolve() in self.files:
            return True
        if any(path == p or p in path.parents for p in self.ignored):
            return False
        for folder in self.folders:
            if folder in path.parents:
                parts = path.relative_to(folder).parts
                return not any(p.startswith(".") or _IGNORED_NAME.match(p) for p in parts)
        return False


def _where(path: Path) -> Path:
    """``path`` with its folder resolved but not itself: a link added to content/ is a change
    there (the sync refuses it if it leads out), wherever it points."""
    return path.parent.resolve() / path.name


class _Collector(FileSystemEventHandler):
    """Gathers relevant changed paths from watchdog's thread for the main loop."""

    def __init__(self, change_filter: ChangeFilter) -> None:
        self.filter = change_filter
        self.changed: set[str] = set()
        self.last_event = 0.0
        self.lock = threading.Lock()
        self.pending = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _CHANGE_EVENTS:
            return
        if event.is_directory and event.event_type == "modified":
            return  # a file inside changed; that file's own event says which
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        hits = [str(p) for p in paths if p and self.filter.relevant(p)]
        if hits:
            with self.lock:
                self.changed.update(hits)
                self.last_event = time.monotonic()
            self.pending.set()

    def take(self) -> set[str]:
        with self.lock:
            changed, self.changed = self.changed, set()
            self.pending.clear()
            return changed


class Watcher:
    """Watches folders (recursively) and single files; calls ``on_change`` once per burst."""

    def __init__(
        self,
        folders: Iterable[Path],
        files: Iterable[Path],
        ignored: Iterable[Path],
        debounce: float = DEBOUNCE_SECONDS,
        idle: float = IDLE_SECONDS,
    ) -> None:
        self.folders = [Path(f) for f in folders]
        self.files = [Path(f) for f in files]
        self.collector = _Collector(ChangeFilter(self.folders, self.files, ignored))
        self.debounce, self.idle = debounce, idle
        self.stopped = threading.Event()
        self.observer = Observer()

    def start(self) -> None:
        for folder in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
            self.observer.schedule(self.collector, str(folder), recursive=True)
        for parent in sorted({f.resolve().parent for f in self.files}):
            if parent.is_dir():
                self.observer.schedule(self.collector, str(parent), recursive=False)
        self.observer.start()

    def next_changes(
        self,
        on_idle: Callable[[], object] | None = None,
        on_burst: Callable[[], object] | None = None,
    ) -> set[str] | None:
        """Block until a burst of changes has settled; None once stopped. ``on_idle`` is
        called once if the tree stays quiet for ``idle`` seconds first; ``on_burst`` when
        the burst's first change is seen, before it settles."""
        collector = self.collector
        while not self.stopped.is_set():
            if not collector.pending.wait(self.idle if on_idle else 0.5):
                if on_idle is not None:
                    on_idle()
                    on_idle = None
                continue
            if on_burst is not None:
                on_burst()
            while not self.stopped.is_set():
                with collector.lock:
                    quiet_for = time.monotonic() - collector.last_event
                if quiet_for >= self.debounce:
                    return collector.take()
                self.stopped.wait(self.debounce - quiet_for)
        return None

    def run(
        self,
        on_change: Callable[[set[str]], None],
        on_idle: Callable[[], object] | None = None,
        on_burst: Callable[[], object] | None = None,
    ) -> None:
        """Call ``on_change`` after every settled burst until :meth:`stop`, ``on_idle``
        once the tree stayed quiet for ``idle`` seconds after one (and before the first),
        and ``on_burst`` as each burst begins."""
        while (changes := self.next_changes(on_idle, on_burst)) is not None:
            on_change(changes)

    def stop(self) -> None:
        self.stopped.set()
        self.observer.stop()
        if self.observer.is_alive():
            self.observer.join(timeout=5)


class Rebuilder:
    """The builds of a watch: the first, then one per settled burst of changes, each planned
    from what the last one left (``BuildMemory``). An edit of a settings file makes a new
    app; once the database is migrated, builds skip Alembic (it costs more than rendering
    one edited post). ``build`` reports its own errors and says whether it succeeded.
    """

    def __init__(
        self,
        make_app: Callable[[], Flask],
        build: Callable[[Flask, bool, Changes, bool], bool],
        settings_files: Iterable[Path],
        reload_settings: Callable[[], None],
        on_built: Callable[[], object] | None = None,
    ) -> None:
        self.make_app, self.build, self.reload_settings = make_app, build, reload_settings
        self.settings = {str(Path(p).resolve()) for p in settings_files}
        self.on_built = on_built
        self.app = make_app()  # one app for every build: each reads the theme anew
        self.memory = BuildMemory()
        self.migrated = False

    def first(self, *, clean: bool = False) -> bool:
        self.migrated = self.build(self.app, True, Changes(self.memory, set()), clean)
        return self.migrated

    def rebuild(self, changed: set[str]) -> bool:
        if {str(Path(p).resolve()) for p in changed} & self.settings:
            self.reload_settings()
            self.app = self.make_app()
            self.memory.forget()
            self.migrated = False  # DATABASE_URL may point elsewhere now
        ok = self.build(self.app, not self.migrated, Changes(self.memory, changed), False)
        self.migrated = self.migrated or ok
        if ok and self.on_built is not None:
            self.on_built()
        return ok

    def burst_began(self) -> None:
        """A change was seen and more may follow: check the last build's files while they
        settle (``BuildMemory.check_files``; the ``files-checked-early`` trick)."""
        if tricks.enabled("files-checked-early", self.app.config):
            self.memory.check_files()

    def collect_garbage(self) -> None:
        """Collect cycles now, between builds, and set what is left aside: the next build's
        full collections (which otherwise came every few builds and walked the memory's
        millions of objects: +50-100 ms on an edit at 10 000 posts) see only what it makes.
        Everything is unfrozen and collected again the next time: nothing leaks. The watch
        calls it once the tree is quiet after a build (``Watcher.run``'s ``on_idle``): a
        collection takes ~70 ms at 10 000 posts, which a save right after a build waited."""
        if not tricks.enabled("gc-between-builds", self.app.config):
            return
        gc.unfreeze()
        gc.collect()
        gc.freeze()
