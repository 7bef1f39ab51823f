"""Webmention sending against a receiver on 127.0.0.1 (never the internet): endpoint
discovery (Link header, <link>, <a>, relative and empty hrefs, redirects), one mention per
new or changed post, nothing twice, failures reported and never fatal."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from app.webmention.send import send_webmentions
from tests.conftest import FreezeRunner
from tests.static_http import running

PAGES = {
    "/header": ({"Link": '</wm/header>; rel="webmention"'}, "<p>header</p>"),
    "/rel-list": (
        {"Link": '<https://other.example/x>; rel="me", </wm/list>; rel="webmention pingback"'},
        "",
    ),
    "/link": ({}, '<html><head><link rel="webmention" href="/wm/link"></head></html>'),
    "/dir/a": ({}, '<p><a href="/x">x</a> <a rel="nofollow webmention" href="wm-a">a</a></p>'),
    "/empty": ({}, '<link rel="webmention" href="">'),
    "/redirect": ({"Location": "/link"}, ""),
    "/none": ({}, "<p>no endpoint here</p>"),
    "/broken": ({"Link": '</wm/broken>; rel="webmention"'}, ""),
}


class Receiver:
    """Pages to mention and their endpoints; what each endpoint received."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, str]] = []  # (endpoint path, source, target)
        self.lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                headers, body = PAGES.get(self.path, ({}, None))
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(302 if "Location" in headers else 200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body.encode())

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                with receiver.lock:
                    receiver.received.append((self.path, form["source"][0], form["target"][0]))
                self.send_response(500 if self.path == "/wm/broken" else 202)
                self.end_headers()

        return Handler


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    found = Receiver()
    with running(ThreadingHTTPServer(("127.0.0.1", 0), found.handler())) as origin:
        yield found, origin


def write_post(content_dir: Path, origin: str, links: list[str]) -> None:
    body = " ".join(f"[{path}]({origin}{path})" for path in links)
    (content_dir / "posts" / "mentions.md").write_text(
        f"---\ntitle: Mentions\ndate: 2026-10-01\n---\n\nSee {body} and [home](/).\n"
    )


def cli(freeze: FreezeRunner, tmp_path: Path):
    result = freeze("--webmentions", env={"WEBMENTIONS_LEDGER": str(tmp_path / "ledger.json")})
    assert result.returncode == 0, result.stderr
    return result


def test_discovery_variants_and_no_double_send(freeze, tmp_path, content_dir, receiver):
    found, origin = receiver
    first = cli(freeze, tmp_path)  # the first run records what is out, sending nothing
    assert "recorded as already out" in first.stderr
    assert found.received == []
    write_post(content_dir, origin, list(PAGES))
    second = cli(freeze, tmp_path)
    source = "https://example.org/posts/mentions/"
    by_target = {target.removeprefix(origin): path for path, _, target in found.received}
    assert by_target == {
        "/header": "/wm/header",
        "/rel-list": "/wm/list",
        "/link": "/wm/link",
        "/dir/a": "/dir/wm-a",
        "/empty": "/empty",
        "/redirect": "/wm/link",  # found on the page the redirect led to
        "/broken": "/wm/broken",
    }
    assert {s for _, s, _ in found.received} == {source}
    assert "Webmentions: 6 sent, 1 failed" in second.stderr
    assert "Webmention not sent:" in second.stderr
    assert "/wm/broken" in second.stderr
    ledger = json.loads((tmp_path / "ledger.json").read_text())
    assert ledger["sources"][source]["retry"] == [f"{origin}/broken"]

    # A rebuild sends nothing again but the failed mention.
    count = len(found.received)
    cli(freeze, tmp_path)
    assert [r[0] for r in found.received[count:]] == ["/wm/broken"]

    # A changed post notifies its links again, one it dropped too.
    count = len(found.received)
    write_post(content_dir, origin, ["/header"])
    (content_dir / "posts" / "mentions.md").write_text(
        (content_dir / "posts" / "mentions.md").read_text() + "\nMore.\n"
    )
    cli(freeze, tmp_path)
    targets = {t.removeprefix(origin) for _, _, t in found.received[count:]}
    assert targets == set(PAGES) - {"/none"}


def test_a_note_mentions_what_it_replies_to(app, synced, tmp_path, content_dir, receiver):
    found, origin = receiver
    app.config["WEBMENTIONS_LEDGER"] = str(tmp_path / "ledger.json")
    assert send_webmentions(app).baseline > 0
    notes = content_dir / "notes"
    notes.mkdir(exist_ok=True)
    (notes / "2026-10-02-101500.md").write_text(
        f"---\ndate: 2026-10-02 10:15\nin-reply-to: {origin}/link\n---\n\nGood point.\n"
    )
    result = app.test_cli_runner().invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    report = send_webmentions(app)
    assert report.sent == [(f"{app.config['SITE_URL']}notes/2026/10/02/101500/", f"{origin}/link")]
    assert found.received[0][0] == "/wm/link"
    assert send_webmentions(app).sent == []


def test_a_note_replying_to_two_pages_mentions_both(app, synced, tmp_path, content_dir, receiver):
    found, origin = receiver
    app.config["WEBMENTIONS_LEDGER"] = str(tmp_path / "ledger.json")
    send_webmentions(app)  # the baseline: the sample posts are out already
    notes = content_dir / "notes"
    notes.mkdir(exist_ok=True)
    (notes / "2026-10-02-101500.md").write_text(
        f"---\ndate: 2026-10-02 10:15\nin-reply-to:\n- {origin}/link\n- {origin}/header\n"
        f"like-of: [{origin}/dir/a]\n---\n\nGood points.\n"
    )
    result = app.test_cli_runner().invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    source = f"{app.config['SITE_URL']}notes/2026/10/02/101500/"
    targets = [f"{origin}/link", f"{origin}/header", f"{origin}/dir/a"]
    assert sorted(send_webmentions(app).sent) == sorted((source, t) for t in targets)
    assert sorted(r[0] for r in found.received) == ["/dir/wm-a", "/wm/header", "/wm/link"]


def test_publish_through_the_api_sends_and_reports(api, app, tmp_path, content_dir, receiver):
    found, origin = receiver
    app.config["WEBMENTIONS_LEDGER"] = str(tmp_path / "ledger.json")
    send_webmentions(app)  # the baseline: the sample posts are out already
    app.config["WEBMENTIONS"] = True
    write_post(content_dir, origin, ["/header", "/none"])
    job = api.post("/builds").json()
    from app.build.jobs import runner_for

    runner_for(app).wait(timeout=60)
    status = api.get(f"/builds/{job['id']}").json()
    assert status["state"] == "succeeded", status
    assert "Webmentions: 1 sent" in status["summary"]
    assert [r[0] for r in found.received] == ["/wm/header"]


def test_an_unreachable_target_is_reported_not_fatal(freeze, tmp_path, content_dir):
    cli(freeze, tmp_path)
    (content_dir / "posts" / "gone.md").write_text(
        "---\ntitle: Gone\ndate: 2026-10-01\n---\n\n[x](http://127.0.0.1:9/nothing)\n"
    )
    result = cli(freeze, tmp_path)
    assert "Webmention not sent" in result.stderr
    assert "127.0.0.1:9" in result.stderr
    assert (freeze.build_dir / "posts" / "gone" / "index.html").is_file()
