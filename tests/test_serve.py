"""``freeze.py --serve``: the preview server over real HTTP, and live reload after a rebuild."""

from __future__ import annotations

import http.client
import json
import socket
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urljoin, urlsplit

import pytest

from app.build.serve import (
    RELOAD_PATH,
    VERSION_PATH,
    PreviewServer,
    inject_script,
    safe_location,
)
from tests.polling import serve_under_blog

PAGE = b"<!doctype html><html><body><a href='/blog/sub/'>sub</a></body></html>"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PreviewServer]:
    root = tmp_path / "build"
    (root / "sub").mkdir(parents=True)
    (root / "index.html").write_bytes(PAGE)
    (root / "sub" / "index.html").write_bytes(PAGE)
    (root / "404.html").write_bytes(b"<html><body>lost</body></html>")
    (root / "style.css").write_bytes(b"body{}")
    (tmp_path / "secret.txt").write_text("outside the build")
    server = PreviewServer(root, "/blog/", port=0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def raw_get(server: PreviewServer, path: str) -> tuple[int, str | None, bytes]:
    """GET without redirects or path normalisation: (status, Location, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.getheader("Location"), response.read()
    finally:
        conn.close()


@contextmanager
def event_stream(port: int) -> Iterator[http.client.HTTPResponse]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", RELOAD_PATH)
        yield conn.getresponse()
    finally:
        conn.close()


def next_event(response: http.client.HTTPResponse) -> str:
    """The data of the next Server-Sent Event (skipping retry and ping lines)."""
    while line := response.readline():
        if line.startswith(b"data: "):
            return line[6:].strip().decode()
    raise AssertionError("the event stream ended")


def test_html_gets_the_reload_script_only_on_the_way_out(server):
    status, kind, body = get(server.url)
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert b"data-livereload" in body
    assert body.index(b"data-livereload") < body.index(b"</body>")
    assert (server.root / "index.html").read_bytes() == PAGE
    status, kind, body = get(server.url + "style.css")
    assert (status, kind, body) == (200, "text/css", b"body{}")


def test_serves_under_the_sub_path_like_a_static_host(server):
    assert raw_get(server, "/")[:2] == (302, "/blog/")
    assert raw_get(server, "/blog/sub")[:2] == (302, "/blog/sub/")
    assert get(server.url + "sub/")[0] == 200
    status, _, body = get(server.url + "nowhere/")
    assert status == 404
    assert b"lost" in body
    assert get(f"http://127.0.0.1:{server.server_address[1]}/elsewhere/")[0] == 404
    status, _, body = raw_get(server, "/blog/../secret.txt")
    assert status == 404
    assert b"outside the build" not in body


def raw_response(server: PreviewServer, path: str) -> bytes:
    """The response's status line and headers, as sent (a client parses them away)."""
    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as conn:
        conn.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        while b"\r\n\r\n" not in data and (chunk := conn.recv(4096)):
            data += chunk
    return data.split(b"\r\n\r\n")[0]


@pytest.mark.parametrize(
    "path",
    [
        "/blog/x%0d%0aSet-Cookie:%20session=evil/../sub",
        "/blog/x%0aSet-Cookie:%20session=evil/../sub",
        "/blog/x%0dSet-Cookie:%20session=evil/../sub",
    ],
)
def test_redirects_never_inject_headers(server, path):
    head = raw_response(server, path)
    lines = head.split(b"\r\n")
    assert lines[0].startswith(b"HTTP/1.1 302")
    assert not any(line.lower().startswith(b"set-cookie") for line in lines)
    assert b"\r" not in head.replace(b"\r\n", b"")
    assert b"\n" not in head.replace(b"\r\n", b"")
    assert b"Location: /blog/sub/" in lines


@pytest.mark.parametrize(
    ("path", "base"),
    [
        ("/%5cevil.example%2F..", "/"),
        ("/%5Cevil.example/..", "/"),
        ("/blog/%5c%5cevil.example%2F..", "/blog/"),
        ("/blog/..%2f%5cevil.example%2f..%2fblog", "/blog/"),
    ],
)
def test_redirects_stay_on_the_site(tmp_path, path, base):
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_bytes(PAGE)
    preview = PreviewServer(root, base, port=0)
    preview.start()
    try:
        status, location, _ = raw_get(preview, path)
    finally:
        preview.stop()
    if status in (301, 302, 303, 307, 308):
        assert location is not None
        target = urljoin(f"http://127.0.0.1:{preview.server_address[1]}{path}", location)
        assert urlsplit(target).netloc == f"127.0.0.1:{preview.server_address[1]}", location
        assert location.startswith("/")
        assert not location.startswith(("//", "/\\"))
    else:
        assert status == 404


def test_redirect_location_is_percent_encoded():
    assert safe_location("/a b/\\x/%/\r\n") == "/a%20b/%5Cx/%25/%0D%0A"
    assert safe_location("//evil.example/") == "/evil.example/"
    assert safe_location("/\\evil.example/") == "/%5Cevil.example/"


def test_reload_events_follow_the_build_version(server):
    version = json.loads(get(f"http://127.0.0.1:{server.server_address[1]}{VERSION_PATH}")[2])
    assert version == {"version": server.live.version}
    with event_stream(server.server_address[1]) as events:
        assert events.getheader("Content-Type") == "text/event-stream"
        first = next_event(events)
        assert first == server.live.version
        new = server.live.bump()
        assert next_event(events) == new != first


def test_inject_script_without_a_body_tag_appends():
    assert inject_script(b"plain", "1").startswith(b"plain<script data-livereload>")


@pytest.mark.slow
def test_serve_builds_serves_and_reloads_after_a_change(freeze, tmp_path):
    process, url = serve_under_blog(freeze.env, tmp_path)
    try:
        status, _, body = get(url + "posts/hello-world/")
        assert status == 200
        assert b"data-livereload" in body
        assert b'href="/blog/static/css/site.css"' in body
        for page in freeze.build_dir.rglob("*.html"):
            assert "livereload" not in page.read_text(), page

        with event_stream(urlsplit(url).port or 80) as events:
            first = next_event(events)
            post = freeze.content_dir / "posts" / "hello-world.md"
            post.write_text(post.read_text().replace("Welcome to", "A warm welcome to"))
            assert next_event(events) != first
        assert b"A warm welcome to" in get(url + "posts/hello-world/")[2]

        assert process.interrupt() == 0
    finally:
        process.kill()
    assert "Traceback" not in process.stderr
