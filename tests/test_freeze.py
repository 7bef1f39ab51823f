"""``python freeze.py`` end to end, in a subprocess, as an author or CI runs it."""

import hashlib
import json
import re
import signal
from pathlib import Path

import pytest

from tests.polling import FreezeProcess, wait_for

pytestmark = pytest.mark.slow

PUBLISHED = [
    "hello-world",
    "writing-posts",
    "python-code",
    "footnotes-and-tables",
    "on-static-sites",
    "shell-snippets",
    "publishing",
]


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_builds_the_sample_site(freeze):
    result = freeze()
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"Built \d+ pages \((\d+) written, 0 unchanged, 0 removed\) in [\d.]+s", result.stdout
    )
    build = freeze.build_dir
    assert (build / "index.html").is_file()
    assert (build / "page" / "2" / "index.html").is_file()
    for slug in PUBLISHED:
        assert (build / "posts" / slug / "index.html").is_file(), slug
    assert (build / "tags" / "index.html").is_file()
    assert (build / "tags" / "python" / "index.html").is_file()
    assert (build / "about" / "index.html").is_file()
    assert (build / "404.html").is_file()
    assert (build / "feed.xml").is_file()
    assert (build / "static" / "css" / "site.css").is_file()
    post = (build / "posts" / "python-code" / "index.html").read_text()
    assert "<title>Highlighted Python · microblog</title>" in post
    assert 'href="/tags/python/"' in post
    assert '<link rel="canonical" href="https://example.org/posts/python-code/">' in post
    # neighbours come from the build's cached listing order
    assert '<a rel="prev" href="/posts/footnotes-and-tables/">' in post
    assert '<a rel="next" href="/posts/writing-posts/">' in post
    newest = (build / "posts" / "publishing" / "index.html").read_text()
    assert 'rel="prev"' not in newest.split('class="post-nav"')[1]


#: A link to the authoring app's root paths, with or without the site's origin.
ADMIN_OR_API_LINK = r"""href="(?:https?://[^/"]+)?/(?:admin|api|login)\b"""


def test_the_authoring_app_pattern_spares_tags_named_like_it():
    assert re.search(ADMIN_OR_API_LINK, 'href="/api/v1/posts"')
    assert re.search(ADMIN_OR_API_LINK, 'href="https://example.org/admin/"')
    assert not re.search(ADMIN_OR_API_LINK, 'href="/tags/api/"')
    assert not re.search(ADMIN_OR_API_LINK, 'href="https://example.org/tags/admin/"')


def test_no_drafts_scheduled_posts_admin_or_api(freeze):
    assert freeze().returncode == 0
    build = freeze.build_dir
    assert not (build / "posts" / "unfinished-thoughts").exists()
    assert not (build / "posts" / "letter-to-the-future").exists()
    for path in build.rglob("*"):
        rel = path.relative_to(build).as_posix()
        assert not re.match(r"(admin|api|login|logout)\b", rel), rel
        if path.suffix in (".html", ".xml"):
            text = path.read_text()
            assert "unfinished-thoughts" not in text, rel
            # a link into the authoring app (/admin/, /api/v1/...), not a tag named "api"
            assert not re.search(ADMIN_OR_API_LINK, text), rel


def test_drafts_flag_builds_a_marked_preview_beside_the_deployable_build(freeze):
    result = freeze("--drafts")
    assert result.returncode == 0, result.stderr
    preview = freeze.build_dir.with_name("build-drafts")
    assert f"Drafts included: building into {preview}" in result.stderr
    page = (preview / "posts" / "unfinished-thoughts" / "index.html").read_text()
    assert "Preview build" in page
    assert not freeze.build_dir.exists()  # build/ is what gets deployed: never drafts


def test_edit_and_delete_show_up_on_the_next_build(freeze):
    assert freeze().returncode == 0
    post = freeze.content_dir / "posts" / "hello-world.md"
    post.write_text(post.read_text().replace("Welcome to", "A warm welcome to"))
    (freeze.content_dir / "posts" / "shell-snippets.md").unlink()
    result = freeze()
    assert result.returncode == 0, result.stderr
    assert "A warm welcome to" in (freeze.build_dir / "posts/hello-world/index.html").read_text()
    assert not (freeze.build_dir / "posts" / "shell-snippets").exists()
    assert not (freeze.build_dir / "tags" / "tools").exists()


def test_malformed_front_matter_fails_and_keeps_the_previous_build(freeze):
    assert freeze().returncode == 0
    before = tree_digest(freeze.build_dir)
    (freeze.content_dir / "posts" / "broken.md").write_text(
        "---\ntitle: Broken\ndate: 2026-01-01\ntags: [oops\n---\nBody\n"
    )
    result = freeze()
    assert result.returncode == 1
    assert "content/posts/broken.md:4: malformed front matter" in result.stderr
    assert "left unchanged" in result.stderr
    assert tree_digest(freeze.build_dir) == before
    assert not list(freeze.build_dir.parent.glob(".build-staging-*"))


def test_template_error_names_the_template_and_keeps_the_build(freeze):
    assert freeze().returncode == 0
    before = tree_digest(freeze.build_dir)
    template = freeze.site_dir / "templates" / "post.html"
    template.write_text(template.read_text() + "\n{% if %}\n")
    result = freeze()
    assert result.returncode == 1
    assert "post.html" in result.stderr
    assert tree_digest(freeze.build_dir) == before


def test_a_theme_link_out_of_its_static_folder_is_never_published(freeze, tmp_path):
    """A theme from elsewhere could link any file of the author's machine into site/static;
    a link inside the folder is fine."""
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web\n")
    static = freeze.site_dir / "static"
    (static / "same.svg").symlink_to(static / "favicon.svg")
    assert freeze().returncode == 0
    assert (freeze.build_dir / "static" / "same.svg").read_bytes() == (
        static / "favicon.svg"
    ).read_bytes()
    before = tree_digest(freeze.build_dir)
    (static / "notes.txt").symlink_to(secret)
    result = freeze()
    assert result.returncode == 1
    assert f"site/static/notes.txt is a link to {secret}, outside site/static" in result.stderr
    assert tree_digest(freeze.build_dir) == before
    for output in freeze.build_dir.parent.glob("*build*"):  # build/, its spare, staging
        assert not list(output.rglob("notes.txt"))


def test_broken_link_fails_the_build(freeze):
    (freeze.content_dir / "posts" / "linky.md").write_text(
        "---\ntitle: Linky\ndate: 2026-01-01\n---\n[gone](/posts/nowhere/) [x](#missing)\n"
    )
    result = freeze()
    assert result.returncode == 1
    assert "posts/linky/index.html: broken link /posts/nowhere/ (no such file)" in result.stderr
    assert "no element with id 'missing'" in result.stderr
    assert not freeze.build_dir.exists()


def test_base_url_under_a_sub_path(freeze):
    result = freeze("--base-url", "https://example.org/blog")
    assert result.returncode == 0, result.stderr
    index = (freeze.build_dir / "index.html").read_text()
    assert 'href="/blog/posts/publishing/"' in index
    assert 'href="/blog/static/css/site.css"' in index
    assert 'href="/posts/' not in index


def test_fresh_clone_without_database(freeze, tmp_path):
    freeze.env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert not (tmp_path / "fresh.db").exists()
    result = freeze("--quiet")
    assert result.returncode == 0
    assert (result.stdout, result.stderr) == ("", "")
    assert (tmp_path / "fresh.db").exists()


def test_two_builds_are_identical_and_json_summarises_each(freeze):
    result = freeze("--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["ok"] is True
    assert summary["pages"] == summary["written"] > 10
    assert (summary["unchanged"], summary["removed"], summary["errors"]) == (0, 0, [])
    assert isinstance(summary["seconds"], float)
    assert summary["out_dir"] == str(freeze.build_dir)

    first = tree_digest(freeze.build_dir)
    clean = json.loads(freeze("--json", "--clean").stdout)  # deterministic: same bytes again
    assert clean["written"] == clean["pages"] == summary["pages"]
    assert tree_digest(freeze.build_dir) == first
    again = json.loads(freeze("--json").stdout)  # incremental: nothing to write
    assert (again["written"], again["unchanged"]) == (0, summary["pages"])

    (freeze.content_dir / "posts" / "shell-snippets.md").unlink()
    (freeze.content_dir / "posts" / "linky.md").write_text(
        "---\ntitle: Linky\ndate: 2026-01-01\n---\n[gone](/posts/nowhere/)\n"
    )
    result = freeze("--json")
    assert result.returncode == 1
    failed = json.loads(result.stdout)
    assert failed["ok"] is False
    assert failed["out_dir"] == str(freeze.build_dir)
    assert (
        "posts/linky/index.html: broken link /posts/nowhere/ (no such file); "
        "written at content/posts/linky.md:5: correct the link, or add what it points to"
    ) in failed["errors"]
    assert (freeze.build_dir / "posts" / "shell-snippets" / "index.html").is_file()


def test_output_folder_problems_are_reported_without_a_traceback(freeze, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    result = freeze("--json", "--out", str(tmp_path / "a-file" / "build"))
    assert result.returncode == 1
    assert json.loads(result.stdout)["errors"] == [f"File exists: {tmp_path / 'a-file'}"]
    assert "Traceback" not in result.stderr
    assert "was left unchanged" in result.stderr


def test_killed_build_leaves_the_previous_build_intact(freeze):
    assert freeze().returncode == 0
    before = tree_digest(freeze.build_dir)
    inodes = {p: p.stat().st_ino for p in freeze.build_dir.rglob("*") if p.is_file()}
    template = freeze.site_dir / "templates" / "post.html"
    original = template.read_text()
    template.write_text(original + "{% for i in range(10**9) %}{% endfor %}")  # a very slow page
    process = FreezeProcess(freeze.env, freeze.build_dir.parent)
    try:
        staging = freeze.build_dir.parent.glob
        staged = wait_for(
            lambda: [d for d in staging(".build-staging-*") if (d / "posts").is_dir()],
            what="the build to start rendering",
        )
        process.kill()
    finally:
        process.kill()
    assert process.proc.returncode == -signal.SIGKILL
    assert staged[0].exists()  # the half-done build is still there...
    assert tree_digest(freeze.build_dir) == before  # ...and build/ is exactly as it was
    assert {p: p.stat().st_ino for p in freeze.build_dir.rglob("*") if p.is_file()} == inodes

    template.write_text(original)
    assert freeze().returncode == 0
    assert not list(freeze.build_dir.parent.glob(".build-staging-*"))
    assert tree_digest(freeze.build_dir) == before


def test_unreachable_database_is_a_clear_error(freeze, tmp_path):
    freeze.env["DATABASE_URL"] = "postgresql://nobody:secret@127.0.0.1:1/none"
    result = freeze()
    assert result.returncode == 1
    assert "cannot use the database postgresql+psycopg://nobody:***@127.0.0.1:1/none" in (
        result.stderr
    )
    assert "check DATABASE_URL" in result.stderr
    assert "secret" not in result.stderr
    assert "Traceback" not in result.stderr


def test_theme_css_stays_small_and_self_contained(freeze):
    assert freeze().returncode == 0
    css = list(freeze.build_dir.rglob("*.css"))
    assert sum(p.stat().st_size for p in css) < 20 * 1024
    for page in freeze.build_dir.rglob("*.html"):
        text = page.read_text()
        # no external fonts, CDNs or trackers: every linked resource is the site's own
        hosts = re.findall(
            r'<(?:link|script|img|iframe)[^>]+(?:href|src)="(?:https?:)?//([^/"]+)', text
        )
        assert set(hosts) <= {"example.org"}, page


def test_every_build_says_when_the_next_scheduled_post_goes_live(freeze):
    """A scheduled post goes live only with a build at or after its date: say when."""
    result = freeze()
    assert result.returncode == 0, result.stderr
    assert (
        "Next scheduled post: 'A letter to the future' goes live at 2099-01-01 00:00 UTC"
    ) in result.stdout
    summary = json.loads(freeze("--json").stdout)
    assert summary["next_scheduled"] == {
        "slug": "letter-to-the-future",
        "title": "A letter to the future",
        "at": "2099-01-01T00:00:00Z",
    }
    (freeze.content_dir / "posts" / "letter-to-the-future.md").unlink()
    result = freeze()
    assert result.returncode == 0, result.stderr
    assert "Next scheduled post" not in result.stdout
    assert json.loads(freeze("--json").stdout)["next_scheduled"] is None


def test_a_build_leaves_no_write_ahead_log_behind(freeze, database_url):
    """The build closes its connections itself (its objects are frozen, gc.freeze, and may
    never be collected): SQLite folds the log back into the database, so the next build's
    first commit does not copy a log that grew with every build."""
    if not database_url.startswith("sqlite:///"):
        pytest.skip("SQLite's write-ahead log")
    database = Path(database_url.removeprefix("sqlite:///"))
    for n in range(2):
        post = freeze.content_dir / "posts" / "hello-world.md"
        post.write_text(post.read_text() + f"\nEdit {n}.\n")
        result = freeze("--quiet")
        assert result.returncode == 0, result.stderr
        assert database.exists()
        assert not Path(f"{database}-wal").exists()
