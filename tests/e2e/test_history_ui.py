"""In a real browser: a post's history from git, one version's diff, and restoring it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import AUTHOR_PASSWORD


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def admin_url(tmp_path, content_dir, synced, author, live_server) -> str:
    """The authoring app over HTTP (CSRF on), its content/ in a fresh git repository."""
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "-c", "user.name=Setup", "-c", "user.email=s@example.org", "add", "content")
    git(
        tmp_path,
        "-c",
        "user.name=Setup",
        "-c",
        "user.email=s@example.org",
        "commit",
        "-qm",
        "Start",
    )
    synced.config["WTF_CSRF_ENABLED"] = True
    return live_server


def test_history_shows_a_diff_and_restores_a_version(page, admin_url, tmp_path, content_dir, axe):
    page.goto(admin_url + "/admin/login")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(AUTHOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(admin_url + "/admin/posts/new")
    page.get_by_label("Title").fill("Versions")
    page.locator("textarea[name=body]").fill("The first words.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flash").first).to_contain_text("Saved 'Versions'")
    original = (content_dir / "posts" / "versions.md").read_bytes()

    page.locator("textarea[name=body]").fill("The second words.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flash").first).to_contain_text("Saved 'Versions'")

    page.get_by_role("link", name="History").click()
    rows = page.locator("table.history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Edit post 'versions'")
    expect(rows.nth(1)).to_contain_text("Add post 'versions'")
    expect(rows.nth(0)).to_contain_text("ada <ada@example.org>")
    assert axe(page) == []

    rows.nth(0).locator("a").click()
    expect(page.locator("pre.diff .added")).to_contain_text(["+The second words."])
    expect(page.locator("pre.diff .removed")).to_contain_text(["-The first words."])
    page.go_back()

    rows.nth(1).get_by_role("button", name="Restore this version").click()
    expect(page.locator(".flash").first).to_contain_text("Restored 'Versions'")
    expect(page.locator("textarea[name=body]")).to_have_value("The first words.\n")
    assert (content_dir / "posts" / "versions.md").read_bytes() == original
    assert git(tmp_path, "log", "-1", "--format=%an %s").startswith("ada Restore post 'versions'")
    assert page.problems == []  # type: ignore[attr-defined]
