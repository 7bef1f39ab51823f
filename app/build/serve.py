"""A local preview server for ``build/`` with live reload (``freeze.py --serve``).

The reload script is added to HTML responses on the way out; files in ``build/`` never hold
it. Open pages listen on ``/__livereload`` (Server-Sent Events) and reload when the build
version changes.
"""

from __future__ import annotations

import json
import mimetypes
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

RELOAD_PATH = "/__livereload"
VERSION_PATH = RELOAD_PATH + "/version"
_PING_SECONDS = 15.0

_SCRIPT = (
    '<script data-livereload>(function(){{var v="{version}";'
    'var s=new EventSource("{path}");'
    "s.onmessage=function(e){{if(e.data!==v){{s.close();location.reload();}}}};}})();</script>"
)


class LiveReload:
    """The current build version; SSE clients wait here for the next one."""

    def __init__(self) -> None:
        self.version = str(time.time_ns())
        self.closed = False
        self._changed = threading.Condition()

    def bump(self) -> str:
        """A build finished: tell every open page."""
        with self._changed:
            self.version = str(time.time_ns())
            self._changed.notify_all()
            return self.version

    def wait(self, seen: str, timeout: float) -> str | None:
        """The version once it differs from ``seen``; None on timeout or shutdown."""
        with self._changed:
            self._changed.wait_for(lambda: self.closed or self.version != seen, timeout)
            return None if self.closed or self.version == seen else self.version

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()


def inject_script(html: bytes, version: str) -> bytes:
    """``html`` with the reload script before ``</body>`` (or at the end)."""
    script = _SCRIPT.format(version=version, path=RELOAD_PATH).encode()
    at = html.lower().rfind(b"</body>")
    return html + script if at < 0 else html[:at] + script + html[at:]


#: What a redirect keeps as it is; anything else (backslashes, ``%``, spaces, CR, LF and other
#: controls) is percent-encoded, so nothing of a request can end the header or start another.
_LOCATION_SAFE = "/-._~!$&'()*+,;=:@"


def safe_location(path: str) -> str:
    """The ``Location`` for a decoded site path: percent-encoded, with exactly one leading
    slash (``//host`` or ``/\\host`` would send the browser to another site)."""
    return "/" + quote(path, safe=_LOCATION_SAFE).lstrip("/")


class PreviewHandler(BaseHTTPRequestHandler):
    """Serves files of ``server.root`` under ``server.base_path``, like a static host."""

    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == RELOAD_PATH:
            self._events()
        elif path == VERSION_PATH:
            self._send(
                HTTPStatus.OK,
                json.dumps({"version": self.server.live.version}).encode(),
                "application/json",
            )
        else:
            self._serve(body=True)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: the build output is what the author watches."""

    def _serve(self, body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        base = self.server.base_path
        if not path.startswith(base):
            if base.startswith(path.rstrip("/") + "/"):  # "/" or a prefix of the sub-path
                self._redirect(base)
            else:
                self._not_found(body)
            return
        root = self.server.root.resolve()
        target = (root / path[len(base) :]).resolve()
        if target != root and root not in target.parents:
            self._not_found(body)  # ../ tricks
            return
        if target.is_dir():
            if not path.endswith("/"):
                # To the folder the path named, spelled plainly: never the request's own
                # text (``..``, backslashes and line breaks stay out of the header).
                self._redirect(base + "".join(f"{p}/" for p in target.relative_to(root).parts))
                return
            target = target / "index.html"
        if not target.is_file():
            self._not_found(body)
            return
        self._send_file(HTTPStatus.OK, target, body)

    def _send_file(self, status: HTTPStatus, target: Path, body: bool) -> None:
        data = target.read_bytes()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html":
            data = inject_script(data, self.server.live.version)
            kind += "; charset=utf-8"
        self._send(status, data, kind, body)

    def _not_found(self, body: bool) -> None:
        page = self.server.root / "404.html"
        if page.is_file():
            self._send_file(HTTPStatus.NOT_FOUND, page, body)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain; charset=utf-8", body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", safe_location(location))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, data: bytes, kind: str, body: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self) -> None:
        """Server-Sent Events: the current version now, then each new one."""
        live = self.server.live
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        version = live.version
        try:
            self.wfile.write(f"retry: 1000\ndata: {version}\n\n".encode())
            self.wfile.flush()
            while not live.closed:
                new = live.wait(version, _PING_SECONDS)
                if live.closed:  # set while ``wait`` ran (mypy keeps the loop test's False)
                    break  # type: ignore[unreachable]
                message = ": ping\n\n" if new is None else f"data: {new}\n\n"
                version = new or version
                self.wfile.write(message.encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page went away


class PreviewServer(ThreadingHTTPServer):
    """A loopback HTTP server over a build folder, with a :class:`LiveReload` version."""

    daemon_threads = True

    def __init__(self, root: Path, base_path: str = "/", port: int = 8000) -> None:
        self.root = Path(root)
        self.base_path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
        self.live = LiveReload()
        self._thread: threading.Thread | None = None
        super().__init__(("127.0.0.1", port), PreviewHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{self.base_path}"

    def start(self) -> None:
        """Serve from a background thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="preview", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, release waiting live-reload clients, close the socket."""
        self.live.close()
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=5)
        self.server_close()
