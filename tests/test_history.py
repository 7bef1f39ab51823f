"""History from git: admin saves, deletes, uploads and restores become commits of their files."""

from __future__ import annotations

import subprocess
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Post
from tests.admin_helpers import csrf_token, post_form
from tests.api_helpers import image_bytes
from tests.conftest import AUTHOR_PASSWORD


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path, content_dir: Path) -> Path:
    """content/ inside a fresh git work tree, its files committed."""
    root = tmp_path
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Setup")
    git(root, "config", "user.email", "setup@example.org")
    git(root, "add", "content")
    git(root, "commit", "-q", "-m", "Initial content")
    return root


@pytest.fixture
def csrf_client(synced: Flask, author) -> FlaskClient:
    """Logged in through the real form, with CSRF protection on."""
    synced.config["WTF_CSRF_ENABLED"] = True
    client = synced.test_client()
    token = csrf_token(client.get("/admin/login").get_data(as_text=True))
    response = client.post(
        "/admin/login", data={"username": "ada", "password": AUTHOR_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def submit(client: FlaskClient, url: str, page: str, data: dict) -> object:
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def log(repo: Path, *paths: str) -> list[list[str]]:
    out = git(repo, "log", "--format=%an|%ae|%s", "--", *paths)
    return [line.split("|") for line in out.splitlines()]


def row(slug: str) -> Post:
    db.session.rollback()
    post = db.session.scalar(sa.select(Post).where(Post.slug == slug))
    assert post is not None
    return post


def test_save_edit_restore_delete_leave_their_commits(repo, csrf_client, content_dir):
    client = csrf_client
    new = submit(client, "/admin/posts/new", "/admin/posts/new", post_form(title="Git post"))
    assert new.status_code == 302, new.get_data(as_text=True)
    path = "content/posts/git-post.md"
    first = (content_dir / "posts" / "git-post.md").read_bytes()
    post = row("git-post")
    edit_url = f"/admin/posts/{post.id}/edit"
    edited = submit(
        client,
        edit_url,
        edit_url,
        post_form(
            title="Git post", slug="git-post", body="Changed.\r\n", source_hash=post.source_hash
        ),
    )
    assert edited.status_code == 302
    assert log(repo, path) == [
        ["ada", "ada@example.org", "Edit post 'git-post'"],
        ["ada", "ada@example.org", "Add post 'git-post'"],
    ]
    diff = git(repo, "show", "--format=", "HEAD", "--", path)
    assert "+Changed." in diff
    assert "-Hello *there*." in diff
    assert git(repo, "status", "--porcelain", "--", "content") == ""  # nothing else left over

    history = client.get(f"/admin/posts/{post.id}/history").get_data(as_text=True)
    assert "Add post &#39;git-post&#39;" in history
    assert "Edit post" in history
    first_sha = git(repo, "log", "--format=%H", "--", path).split()[-1]
    shown = client.get(f"/admin/posts/{post.id}/history/{first_sha}").get_data(as_text=True)
    assert "+title: Git post" in shown

    page = f"/admin/posts/{post.id}/history"
    restored = submit(client, f"{page}/{first_sha}/restore", page, {})
    assert restored.status_code == 302
    assert (content_dir / "posts" / "git-post.md").read_bytes() == first  # the exact bytes
    assert log(repo, path)[0] == [
        "ada",
        "ada@example.org",
        f"Restore post 'git-post' to {first_sha[:10]}",
    ]
    assert row("git-post").body == "Hello *there*.\n\nSecond paragraph.\n"

    post = row("git-post")
    gone = submit(
        client,
        f"/admin/posts/{post.id}/delete",
        f"/admin/posts/{post.id}/delete",
        {"source_hash": post.source_hash},
    )
    assert gone.status_code == 302
    assert log(repo, path)[0] == ["ada", "ada@example.org", "Delete post 'git-post'"]
    assert git(repo, "status", "--porcelain", "--", "content") == ""


def test_other_dirty_files_stay_out_of_the_commit(repo, csrf_client, content_dir):
    other = content_dir / "posts" / "hello-world.md"
    other.write_text(other.read_text() + "\nNot mine to commit.\n")
    (content_dir / "notes.txt").write_text("scratch")
    response = submit(csrf_client, "/admin/posts/new", "/admin/posts/new", post_form(title="Mine"))
    assert response.status_code == 302
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [
        "content/posts/mine.md"
    ]
    status = git(repo, "status", "--porcelain", "--", "content").splitlines()
    assert " M content/posts/hello-world.md" in status
    assert "?? content/notes.txt" in status


def test_a_dirty_file_is_reported_never_overwritten(repo, csrf_client, content_dir):
    post = row("hello-world")
    path = content_dir / post.source_path
    # Changed outside the admin and imported, but not committed: git alone has the difference.
    path.write_text(path.read_text().replace("Hello", "Hullo", 1))
    from app.content.sync import sync_content

    sync_content(content_dir, 1 << 20)
    post = row("hello-world")
    before, head = path.read_bytes(), git(repo, "rev-parse", "HEAD")
    url = f"/admin/posts/{post.id}/edit"
    response = submit(
        csrf_client,
        url,
        url,
        post_form(title="Overwrite?", slug="hello-world", source_hash=post.source_hash),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "has changes that are not committed" in page
    assert "content/posts/hello-world.md" in page
    assert path.read_bytes() == before
    assert git(repo, "rev-parse", "HEAD") == head


def test_an_upload_is_a_commit_of_the_image(repo, csrf_client, content_dir):
    token = csrf_token(csrf_client.get("/admin/posts/new").get_data(as_text=True))
    response = csrf_client.post(
        "/admin/media",
        data={"file": (BytesIO(image_bytes()), "red.png"), "alt": "Red"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    name = response.json["name"]
    assert log(repo)[0] == ["ada", "ada@example.org", f"Upload media '{name}'"]


def test_outside_git_the_same_cycle_works_without_commits(csrf_client, content_dir):
    assert subprocess.run(["git", "rev-parse"], cwd=content_dir, capture_output=True).returncode
    new = submit(csrf_client, "/admin/posts/new", "/admin/posts/new", post_form(title="No git"))
    assert new.status_code == 302
    post = row("no-git")
    history = csrf_client.get(f"/admin/posts/{post.id}/history").get_data(as_text=True)
    assert "not in a git repository" in history
    gone = submit(
        csrf_client,
        f"/admin/posts/{post.id}/delete",
        f"/admin/posts/{post.id}/delete",
        {"source_hash": post.source_hash},
    )
    assert gone.status_code == 302
    assert not (content_dir / "posts" / "no-git.md").exists()


def test_publish_pushes_the_history_when_asked(repo, synced, tmp_path):
    from app.build.jobs import runner_for

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    synced.config["GIT_PUSH_AFTER_PUBLISH"] = True
    runner = runner_for(synced)
    job = runner.start(synced)
    runner.wait(timeout=120)
    assert job.state == "succeeded", job.errors
    assert "pushed to origin" in job.summary
    assert git(remote, "rev-parse", "main") == git(repo, "rev-parse", "HEAD")

    synced.config["GIT_PUSH_REMOTE"] = "nowhere"  # a failed push is reported, not fatal
    job = runner.start(synced)
    runner.wait(timeout=120)
    assert job.state == "succeeded", job.errors
    assert "not pushed to nowhere" in job.summary


def test_micropub_delete_and_undelete_are_commits(repo, synced, live_server, author):
    from tests.micropub_helpers import MicropubClient, token_for

    url = synced.config["SITE_URL"].rstrip("/") + "/posts/hello-world/"
    path = "content/posts/hello-world.md"
    with MicropubClient(live_server, token_for(author)) as micropub:
        gone = micropub.post("/micropub", data={"action": "delete", "url": url})
        assert gone.status_code == 204, gone.text
        assert log(repo, path)[0] == ["ada", "ada@example.org", "Delete post 'hello-world'"]
        back = micropub.post("/micropub", data={"action": "undelete", "url": url})
        assert back.status_code == 204, back.text
    assert log(repo, path)[0] == ["ada", "ada@example.org", "Undelete post 'hello-world'"]
    assert git(repo, "status", "--porcelain", "--", path) == ""


def test_deleting_a_dirty_file_is_refused_in_the_admin_and_the_api(repo, csrf_client, api):
    content_dir = Path(csrf_client.application.config["CONTENT_DIR"])
    path = content_dir / "posts" / "hello-world.md"
    path.write_bytes(path.read_bytes() + b"\nAn uncommitted line.\n")
    from app.content.sync import sync_content

    sync_content(content_dir, 1 << 20)
    before = path.read_bytes()
    post = row("hello-world")
    url = f"/admin/posts/{post.id}/delete"
    response = submit(csrf_client, url, url, {"source_hash": post.source_hash})
    assert response.status_code == 302
    flashed = csrf_client.get(response.location).get_data(as_text=True)
    assert (
        "Not deleted: content/posts/hello-world.md: has changes that are not committed" in flashed
    )
    answer = api.delete("/posts/hello-world")
    assert answer.status_code == 409
    assert "content/posts/hello-world.md" in answer.json()["detail"]
    assert path.read_bytes() == before


def test_a_file_in_a_merge_conflict_is_never_overwritten(repo, csrf_client, content_dir):
    path = content_dir / "posts" / "hello-world.md"
    original = path.read_text()
    git(repo, "checkout", "-q", "-b", "theirs")
    path.write_text(original.replace("Hello", "Theirs", 1))
    git(repo, "commit", "-qam", "Theirs")
    git(repo, "checkout", "-q", "main")
    path.write_text(original.replace("Hello", "Ours", 1))
    git(repo, "commit", "-qam", "Ours")
    merge = subprocess.run(["git", "merge", "theirs"], cwd=repo, capture_output=True, text=True)
    assert merge.returncode != 0  # a conflict: markers in the file
    conflicted = path.read_bytes()
    post = row("hello-world")
    url = f"/admin/posts/{post.id}/edit"
    from app.content.files import content_hash

    response = submit(
        csrf_client,
        url,
        url,
        post_form(
            title="Mine anyway",
            slug="hello-world",
            source_hash=post.source_hash,
            disk_hash=content_hash(conflicted),
            overwrite="Save mine anyway",
        ),
    )
    assert response.status_code == 422
    assert "is in a merge conflict" in response.get_data(as_text=True)
    assert path.read_bytes() == conflicted
