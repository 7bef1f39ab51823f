"""A static file server for built sites, optionally under a sub-path, as a real host serves it."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging each request to stderr."""

    extensions_map = {  # noqa: RUF012  (the base class declares it as a plain dict)
        **SimpleHTTPRequestHandler.extensions_map,
        ".json": "application/json",
        ".js": "text/javascript",
    }

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(Protocol):
    server_port: int

    def serve_forever(self) -> None: ...
    def shutdown(self) -> None: ...
    def server_close(self) -> None: ...


@contextmanager
def running(server: _Server) -> Iterator[str]:
    """Run ``server`` in a thread for the block; yields 'http://127.0.0.1:PORT'."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@contextmanager
def serve(document_root: Path) -> Iterator[str]:
    """Serve ``document_root`` on a free loopback port; yields 'http://127.0.0.1:PORT'."""
    handler = functools.partial(QuietHandler, directory=str(document_root))
    with running(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as origin:
        yield origin


def mount(www: Path, sub_path: str, build_dir: Path) -> None:
    """Make ``www/<sub_path>`` show ``build_dir`` (built or not yet), like a host's alias."""
    link = www / sub_path.strip("/")
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(build_dir, target_is_directory=True)
