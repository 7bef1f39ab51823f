"""Every built page of the sample site, and the admin's pages, pass the Nu HTML Checker."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Post
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
#: Pages of the authoring app a signed-in author sees ({id} is a synced post's).
ADMIN_PAGES = (
    "/admin/",
    "/admin/posts/new",
    "/admin/posts/{id}/edit",
    "/admin/posts/{id}/delete",
    "/admin/publish",
    "/admin/tokens",
    "/api/v1/docs",
)


def nu_check(*paths: Path) -> list[str]:
    """The Nu checker's errors and warnings over ``paths``, one ``file:line: message`` each."""
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        pytest.fail(
            "the Nu HTML Checker needs Java and the vnu-jar npm package: "
            "install Debian's default-jre-headless and run `npm ci` (.ci/run does both)"
        )
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--skip-non-html"]
        + [str(p) for p in paths],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout)["messages"]
    found = [
        f"{m.get('url', '?').removeprefix('file:')}:{m.get('lastLine', '?')}: "
        f"{m['type']}{'/' + m['subType'] if 'subType' in m else ''}: {m['message']}"
        for m in messages
        if m["type"] != "info" or m.get("subType") == "warning"
    ]
    assert result.returncode == (1 if found else 0), result.stderr
    return found


def test_every_page_of_the_sample_build_is_valid_html(built_site: Path) -> None:
    pages = list(built_site.rglob("*.html"))
    assert len(pages) > 20  # the whole site: posts, pages, tags, archive, search, 404
    problems = nu_check(built_site)
    assert not problems, "\n".join(problems)


def test_a_preview_build_under_a_sub_path_is_valid_html(freeze, tmp_path: Path) -> None:
    """Drafts and scheduled posts (badges, the preview banner) and sub-path URLs too."""
    out = tmp_path / "preview"
    result = freeze("--drafts", "--out", str(out), "--base-url", "https://example.org/blog/")
    assert result.returncode == 0, result.stderr
    assert (out / "posts" / "unfinished-thoughts" / "index.html").is_file()
    problems = nu_check(out)
    assert not problems, "\n".join(problems)


def test_the_checker_finds_what_it_should(tmp_path: Path) -> None:
    """A page that skips a heading level fails: the test above cannot pass by checking nothing."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><title>x</title><h1>A</h1><h3>B</h3>'
        "<section><p>no heading</p></section>"
    )
    problems = nu_check(tmp_path)
    assert any("bad.html:1: error: The heading “h3”" in p for p in problems), problems
    assert any("info/warning: Section lacks heading" in p for p in problems), problems


def test_the_admin_pages_are_valid_html(
    synced: Flask, author_client: FlaskClient, tmp_path: Path
) -> None:
    post = db.session.scalars(sa.select(Post).where(Post.slug == "hello-world")).one()
    pages = tmp_path / "admin"
    pages.mkdir()
    for number, url in enumerate(ADMIN_PAGES):
        response = author_client.get(url.format(id=post.id))
        assert response.status_code == 200, url
        (pages / f"{number}.html").write_bytes(response.data)
    problems = nu_check(pages)
    assert not problems, "\n".join(problems)
