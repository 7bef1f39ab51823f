"""Publish from the admin: a background build, its progress and result, the built site."""

from __future__ import annotations

import pytest

from app.build.jobs import runner_for

pytestmark = pytest.mark.slow


def publish(client, app):
    """Press Publish, then wait for the background build to end."""
    response = client.post("/admin/publish")
    assert response.status_code == 302
    job_url = response.headers["Location"]
    assert job_url.startswith("/admin/publish/")
    runner_for(app).wait(120)
    return job_url


def test_publish_builds_in_the_background_and_reports(synced, author_client, app):
    job_url = publish(author_client, app)
    status = author_client.get(job_url + ".json").json
    assert status["done"] is True
    assert status["state"] == "succeeded", status["errors"]
    assert status["pages"] > 10
    assert status["seconds"] > 0
    page = author_client.get(job_url).text
    assert 'id="build-state">succeeded<' in page
    assert f"Built {status['pages']} pages" in page
    assert 'href="/admin/site/"' in page
    build = app.config["BUILD_DIR"]
    assert (build / "posts" / "hello-world" / "index.html").is_file()
    built = author_client.get("/admin/site/")
    assert built.status_code == 200
    assert built.data == (build / "index.html").read_bytes()
    built.close()
    post = author_client.get("/admin/site/posts/hello-world/")
    assert b"Hello, world" in post.data
    post.close()


def test_build_holds_nothing_from_the_admin(synced, author_client, app):
    publish(author_client, app)
    build = app.config["BUILD_DIR"]
    files = [p for p in build.rglob("*") if p.is_file()]
    assert files
    assert not [p for p in files if "admin" in p.relative_to(build).as_posix()]
    for path in files:
        if path.suffix in {".html", ".xml", ".json", ".txt"}:
            assert "/admin" not in path.read_text(), path


def test_a_failed_build_names_the_file_and_keeps_the_old_build(
    synced, author_client, app, content_dir
):
    publish(author_client, app)
    index = (app.config["BUILD_DIR"] / "index.html").read_bytes()
    (content_dir / "posts" / "broken.md").write_text("---\ntitle: [unclosed\n---\nBody\n")
    job_url = publish(author_client, app)
    status = author_client.get(job_url + ".json").json
    assert status["state"] == "failed"
    assert any("content/posts/broken.md:2" in e for e in status["errors"]), status["errors"]
    assert "content/posts/broken.md:2" in author_client.get(job_url).text
    assert (app.config["BUILD_DIR"] / "index.html").read_bytes() == index


def test_unknown_build_is_not_found(synced, author_client):
    assert author_client.get("/admin/publish/nope").status_code == 404
    assert author_client.get("/admin/publish/nope.json").status_code == 404


def test_publish_page_explains_how_to_browse(synced, author_client):
    page = author_client.get("/admin/publish").text
    assert "Publish the site" in page
    assert "freeze.py --serve" in page  # as the README says, not python -m http.server
    assert "http.server" not in page
    assert 'href="http://localhost:8000/"' in page
    assert "Nothing is built yet." in page


def test_a_finished_build_reads_as_one_story(synced, author_client, app):
    """The facts agree with the summary, and nothing still says the build is starting."""
    job_url = publish(author_client, app)
    status = author_client.get(job_url + ".json").json
    page = author_client.get(job_url).text
    assert f"Built {status['pages']} pages" in page
    assert f'<dt>Pages built</dt><dd id="build-pages">{status["pages"]}</dd>' in page
    assert "Pages written" not in page
    assert "Build started" not in page
    assert "Working…" not in page


def test_a_failed_build_says_so_in_its_summary(synced, author_client, app, content_dir):
    (content_dir / "posts" / "broken.md").write_text("---\ntitle: [unclosed\n---\nBody\n")
    page = author_client.get(publish(author_client, app)).text
    assert "Working…" not in page
    assert "The build failed and nothing was published" in page


def test_built_site_files_stay_inside_build(synced, author_client, app, tmp_path):
    build = app.config["BUILD_DIR"]
    build.mkdir(parents=True)
    (build / "index.html").write_text("built")
    (tmp_path / "secret.txt").write_text("secret")
    for url in ("/admin/site/../secret.txt", "/admin/site/%2e%2e/secret.txt"):
        response = author_client.get(url)
        assert response.status_code == 404, url
        assert b"secret" not in response.data
