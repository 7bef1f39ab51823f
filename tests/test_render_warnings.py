"""Text lost to the sanitizer is said at build (file:line), in the admin and by the API."""

from pathlib import Path

from app.content import sync_content
from app.content.removed import body_first_line
from app.content.render import body_warnings
from tests.admin_helpers import post_form

POST = """---
title: Notes on HTML
date: 2026-01-05
---

Use the <style> element for CSS, and the rest of this post stays.

<!-- TODO: finish the draft

Everything after the unclosed comment is hidden.
"""
#: Line 8 of ``POST`` opens the comment that hides the rest.
COMMENT_LINE = 8


def _write_post(content_dir: Path) -> Path:
    path = content_dir / "posts" / "html-notes.md"
    path.write_text(POST, encoding="utf-8")
    return path


def test_the_body_s_first_line_is_found_in_its_file():
    assert body_first_line(POST, "Use the <style> element") == 6
    assert body_first_line(POST.replace("\n", "\r\n"), "Use the <style> element\n") == 6
    assert body_first_line(POST, "not in the file") == 1
    assert body_first_line(POST, "") == 1


def test_a_sync_warns_with_file_line_what_was_removed_and_what_to_do(app, content_dir):
    _write_post(content_dir)
    with app.app_context():
        report = sync_content(content_dir, app.config["MAX_CONTENT_FILE_BYTES"])
    (warning,) = [w for w in report.warnings if "sanitizer" in w]
    assert warning.startswith(f"content/posts/html-notes.md:{COMMENT_LINE}: ")
    assert "“TODO finish the draft Everything after the unclosed …”" in warning
    assert f"`<!--` on line {COMMENT_LINE}" in warning
    assert "backticks" in warning


def test_the_build_prints_the_warning_and_keeps_the_prose_after_style(freeze):
    _write_post(freeze.content_dir)
    result = freeze()
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "html-notes.md" in line]
    assert len(lines) == 1
    assert lines[0].startswith(f"warning: content/posts/html-notes.md:{COMMENT_LINE}: the HTML")
    page = (freeze.build_dir / "posts" / "html-notes" / "index.html").read_text()
    assert "Use the &lt;style&gt; element for CSS, and the rest of this post stays." in page


BODY = "Intro with <style> in it.\n\n<!-- TODO\n\nHidden rest.\n"


def test_the_admin_warns_after_a_save_and_in_the_preview(synced, author_client):
    response = author_client.post(
        "/admin/posts/new",
        data=post_form(title="Hidden rest", body=BODY.replace("\n", "\r\n")),
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'class="flash flash-success"' in page
    warning = page.split('class="flash flash-warning">')[1].split("</li>")[0]
    assert warning.startswith("Saved, but readers will not see everything: line 3: the HTML")
    assert "TODO Hidden rest" in warning
    preview = author_client.post("/admin/preview", json={"body": BODY}).json
    assert preview["warnings"] == body_warnings(BODY)
    assert preview["warnings"][0].startswith("line 3: ")
    clean = author_client.post("/admin/preview", json={"body": "Fine <b>bold</b>.\n"}).json
    assert clean["warnings"] == []


def test_the_api_returns_warnings_after_a_write(api):
    created = api.post("/posts", json={"title": "Hidden via API", "body": BODY})
    assert created.status_code == 201, created.text
    (warning,) = created.json()["warnings"]
    assert warning.startswith("line 3: the HTML sanitizer removed text readers would not see")
    assert "<style>" in created.json()["body_html"].replace("&lt;", "<").replace("&gt;", ">")
    etag = created.headers["ETag"]
    fixed = api.patch(
        "/posts/hidden-via-api", json={"body": "Fixed -->\n"}, headers={"If-Match": etag}
    )
    assert fixed.status_code == 200, fixed.text
    assert "warnings" not in fixed.json()
    assert "warnings" not in api.get("/posts/hidden-via-api").json()


def test_a_footnote_after_a_word_is_no_lost_text():
    """A body with raw HTML is compared word by word before and after sanitizing: a footnote
    mark right after a word ('once[^a]') is the words 'once' and '1' both times (the text
    of the sanitized HTML alone, 'once1', is not), and nothing is said."""
    body = "Some <b>raw</b> HTML, then languages at once[^a].\n\n[^a]: A note.\n"
    assert body_warnings(body) == []
    hidden = body + "\n<!-- never closed\n\nHidden words.\n"
    assert any("Hidden words" in warning for warning in body_warnings(hidden))
