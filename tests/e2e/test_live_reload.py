"""``freeze.py --serve`` in a real browser: an open page reloads itself after a rebuild."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.polling import serve_under_blog


def test_open_page_reloads_after_a_content_change(page, freeze, tmp_path):
    process, url = serve_under_blog(freeze.env, tmp_path)
    try:
        page.goto(url + "posts/hello-world/")
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
