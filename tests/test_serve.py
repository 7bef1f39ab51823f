"""``freeze.py --serve``: the preview server over real HTTP, and live reload after a rebuild."""

from __future__ import annotations

import http.client
import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlsplit

import pytest

from app.build.serve import RELOAD_PATH, VERSION_PATH, PreviewServer, inject_script
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
