"""Content the build and the authoring app must never follow or publish: links out of the
content folder, media names that break URLs (issue #26), over real builds and real HTTP."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.build.memory import BuildMemory, changed_sources
from app.build.watch import ChangeFilter
from app.content import ContentErrors, sync_content
from app.content.confine import media_name_error, suggested_name

SECRET = "TOPSECRET-5f1c2a"
#: A secret that is also a valid post: today's build would publish it as a page.
SECRET_POST = f"---\ntitle: Leak\ndate: 2026-01-01\n---\n\n{SECRET}\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the content folder (think instance/secret_key or .git/config)."""
    folder = tmp_path / "outside"
    folder.mkdir()
    path = folder / "secret_key"
    path.write_text(SECRET_POST)
    (folder / "leak.md").write_text(SECRET_POST)
    return path


def published(tmp_path: Path) -> list[Path]:
    """Every file the build left in build/ and its spare."""
    return [
        p
        for folder in (tmp_path / "build", tmp_path / ".build-spare")
        if folder.exists()
        for p in folder.rglob("*")
        if p.is_file()
    ]


def assert_nothing_leaked(tmp_path: Path) -> None:
    for path in published(tmp_path):
        assert SECRET.encode() not in path.read_bytes(), path


def assert_refused(result, display: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"error: {display}: is a link to " in result.stderr
    assert "outside the content folder" in result.stderr
    assert "replace the link with a copy" in result.stderr


# --- links out of the content folder: the build -----------------------------------------


def test_a_media_link_out_of_content_fails_the_build_and_publishes_nothing(
    freeze, content_dir, secret, tmp_path
):
    assert freeze().returncode == 0  # a first build: it must stay as it was
    before = {p: p.read_bytes() for p in published(tmp_path)}
    (content_dir / "media" / "key.txt").symlink_to(secret)
    result = freeze()
    assert_refused(result, "content/media/key.txt")
    assert not (tmp_path / "build" / "media" / "key.txt").exists()
    assert_nothing_leaked(tmp_path)
    assert {p: p.read_bytes() for p in published(tmp_path) if p in before} == before


def test_a_linked_post_fails_the_build(freeze, content_dir, secret, tmp_path):
    (content_dir / "posts" / "leak.md").symlink_to(secret)
    result = freeze()
    assert_refused(result, "content/posts/leak.md")
    assert_nothing_leaked(tmp_path)


def test_a_linked_documents_folder_fails_the_build(freeze, content_dir, secret, tmp_path):
    shutil.rmtree(content_dir / "pages")
    (content_dir / "pages").symlink_to(secret.parent)
    result = freeze()
    assert_refused(result, "content/pages")
    assert_nothing_leaked(tmp_path)


def test_a_linked_media_folder_fails_the_build(freeze, content_dir, secret, tmp_path):
    shutil.rmtree(content_dir / "media", ignore_errors=True)
    (content_dir / "media").symlink_to(secret.parent)
    result = freeze()
    assert_refused(result, "content/media")
    assert_nothing_leaked(tmp_path)


def test_links_inside_content_are_followed(freeze, content_dir, tmp_path):
    (content_dir / "media" / "photo.gif").write_bytes(b"GIF89a-real")
    (content_dir / "media" / "latest.gif").symlink_to("photo.gif")
    (content_dir / "shared").mkdir()
    (content_dir / "shared" / "note.md").write_text(SECRET_POST.replace(SECRET, "Shared note."))
    (content_dir / "posts" / "shared.md").symlink_to("../shared/note.md")
    result = freeze()
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "build" / "media" / "latest.gif").read_bytes() == b"GIF89a-real"
    assert "Shared note." in (tmp_path / "build" / "posts" / "shared" / "index.html").read_text()


def test_the_sync_refuses_links_out_and_pipes_with_every_other_error(app, content_dir, secret):
    (content_dir / "posts" / "leak.md").symlink_to(secret)
    os.mkfifo(content_dir / "posts" / "pipe.md")  # reading it would hang the build
    (content_dir / "posts" / "broken.md").write_text("no front matter\n")
    with pytest.raises(ContentErrors) as info:
        sync_content(content_dir, 1 << 20)
    errors = {e.path: e for e in info.value.errors}
    assert set(errors) == {
        "content/posts/broken.md",
        "content/posts/leak.md",
        "content/posts/pipe.md",
    }
    assert str(secret) in errors["content/posts/leak.md"].message
    assert "not a regular file" in errors["content/posts/pipe.md"].message


# --- links out of the content folder: the authoring app's /media/ ------------------------


def test_the_media_view_never_serves_a_link_out_of_content(client, content_dir, secret):
    media = content_dir / "media"
    (media / "key.txt").symlink_to(secret)
    (media / "folder").symlink_to(secret.parent)
    (media / "real.gif").write_bytes(b"GIF89a-real")
    (media / "alias.gif").symlink_to("real.gif")
    (media / ".hidden.gif").write_bytes(b"GIF89a-hidden")
    for url in ("/media/key.txt", "/media/folder/secret_key", "/media/.hidden.gif"):
        with client.get(url) as response:
            assert response.status_code == 404, url
            assert SECRET not in response.get_data(as_text=True)
    for url in ("/media/real.gif", "/media/alias.gif"):
        with client.get(url) as response:
            assert response.data == b"GIF89a-real", url


# --- links added while --watch runs --------------------------------------------------------


def test_watch_sees_a_link_added_to_content_wherever_it_points(tmp_path, content_dir, secret):
    link = content_dir / "posts" / "leak.md"
    link.symlink_to(secret)
    watched = ChangeFilter([content_dir], [], [])
    assert watched.relevant(str(link))
    memory = BuildMemory(build_dir=tmp_path / "build")
    assert changed_sources(content_dir, memory, [str(link)]) == ["posts/leak.md"]


# --- media names that break URLs -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown", "rename"),
    [
        ("a?b.gif", "content/media/a?b.gif", "a-b.gif"),
        ("a#b.gif", "content/media/a#b.gif", "a-b.gif"),
        ("a\nb.gif", "content/media/a\\nb.gif", "a-b.gif"),
        ("tab\there.gif", "content/media/tab\\there.gif", "tab-here.gif"),
    ],
)
def test_a_media_name_that_breaks_urls_fails_the_build_saying_the_rename(
    freeze, content_dir, tmp_path, name, shown, rename
):
    (content_dir / "media" / name).write_bytes(b"GIF89a")
    result = freeze()
    assert result.returncode == 1, result.stderr
    assert f"error: {shown}: the file name has " in result.stderr
    assert f"rename it to {rename!r}" in result.stderr
    assert "Build failed: 1 content file(s) need fixing" in result.stderr
    assert not (tmp_path / "build").exists()


def test_media_names_that_work_in_urls_are_accepted():
    for name in ("photo.png", "a b.gif", "ü.png", "a+b&c.jpg", "2026-01-01.webp"):
        assert media_name_error(name) is None, name
    assert suggested_name("a?#b.png") == "a-b.png"
    assert suggested_name("50%.png") == "50.png"
    assert suggested_name("\n.png") == "file.png"


# --- build folders never reach git ---------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout


@pytest.fixture
def repo(tmp_path: Path, freeze) -> Path:
    """An author's repository holding the content (a real ``git init``)."""
    repo = tmp_path / "blog"
    repo.mkdir()
    git(repo, "init", "-q")
    shutil.copytree(freeze.content_dir, repo / "content")
    freeze.env["CONTENT_DIR"] = str(repo / "content")
    return repo


def staged(repo: Path) -> list[str]:
    git(repo, "add", "-A")
    return git(repo, "diff", "--cached", "--name-only").splitlines()


def test_a_drafts_preview_inside_the_repository_is_never_committed(freeze, repo):
    for _ in range(2):  # the second build leaves a spare beside the output
        result = freeze("--drafts", "--out", str(repo / "previews" / "preview"))
        assert result.returncode == 0, result.stderr
    preview = repo / "previews" / "preview"
    assert (preview / "posts" / "unfinished-thoughts" / "index.html").is_file()
    assert (repo / "previews" / ".preview-spare").is_dir()
    (repo / "previews" / ".preview-staging-k1ll3d").mkdir()  # left by a killed build
    (repo / "previews" / ".preview-staging-k1ll3d" / "index.html").write_text("draft")
    files = staged(repo)
    assert files, "the content itself is committed"
    assert all(name.startswith("content/") for name in files), files
    exclude = (repo / ".git" / "info" / "exclude").read_text()
    assert exclude.count("/previews/preview/") == 1  # once, however many builds


def test_default_drafts_folder_and_a_worktree_stay_out_of_git(freeze, repo, tmp_path):
    git(
        repo,
        "-c",
        "user.name=a",
        "-c",
        "user.email=a@b",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
    )
    worktree = tmp_path / "work"
    git(repo, "worktree", "add", "-q", str(worktree))
    shutil.copytree(repo / "content", worktree / "content")
    freeze.env["CONTENT_DIR"] = str(worktree / "content")
    freeze.env["BUILD_DIR"] = str(worktree / "build")
    result = freeze("--drafts")
    assert result.returncode == 0, result.stderr
    assert (worktree / "build-drafts" / "index.html").is_file()
    assert not (worktree / "build").exists()
    files = staged(worktree)
    assert all(name.startswith("content/") for name in files), files


def test_a_build_outside_any_repository_writes_no_exclude_file(freeze, tmp_path):
    assert freeze().returncode == 0
    assert not list(tmp_path.rglob("exclude"))
