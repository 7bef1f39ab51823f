"""``freeze.py --serve`` in a real browser: an open page reloads itself after a rebuild."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.polling import FreezeProcess, wait_for


def test_open_page_reloads_after_a_content_change(page, freeze, tmp_path):
    process = FreezeProcess(
        freeze.env, tmp_path, "--serve", "0", "--base-url", "http://127.0.0.1:8000/blog/"
    )
    try:
        match = wait_for(
            lambda: re.search(r"Serving .* at (http://127\.0\.0\.1:\d+/blog/)", process.stdout),
            what="the server to start",
        )
        page.goto(match.group(1) + "posts/hello-world/")
        expect(page.locator("main")).to_contain_text("Welcome to")
        page.wait_for_function("document.querySelector('script[data-livereload]') !== null")

        post = freeze.content_dir / "posts" / "hello-world.md"
        post.write_text(post.read_text().replace("Welcome to", "A warm welcome to"))
        expect(page.locator("main")).to_contain_text("A warm welcome to", timeout=60_000)
        problems = [p for p in page.problems if "__livereload" not in p]
        assert problems == []
        assert process.interrupt() == 0
    finally:
        process.kill()
    assert "Traceback" not in process.stderr
