"""Uploads and builds over real HTTP: a post made through the API ends up as a built page."""

from __future__ import annotations

import time

from app.build.jobs import runner_for
from tests.api_helpers import assert_problem, image_bytes

ALT = {"alt": "A red dot"}


def wait_for_build(api, app, location: str, timeout: float = 90) -> dict:
    """Poll the build's URL until it is done (bounded; waits on the worker between polls)."""
    deadline = time.monotonic() + timeout
    while True:
        job = api.get(location).json()
        if job["done"] or time.monotonic() > deadline:
            return job
        runner_for(app).wait(timeout=0.5)


def test_upload_an_image(api, content_dir):
    response = api.post(
        "/media",
        files={"file": ("My Photo.PNG", image_bytes(), "image/png")},
        data={"alt": "A red [square]"},
    )
    assert response.status_code == 201, response.text
    media = response.json()
    assert media["name"].startswith("my-photo-")
    assert media["name"].endswith(".png")
    assert (media["width"], media["height"]) == (4, 3)
    assert media["markdown"] == f"![A red (square)](/media/{media['name']})"
    assert response.headers["Location"] == media["url"] == f"/media/{media['name']}"
    assert (content_dir / "media" / media["name"]).read_bytes() == image_bytes()
    served = api.get(f"/../..{media['url']}")  # the public /media/ URL of the authoring app
    assert served.status_code == 200


def test_bad_uploads(api, app, content_dir):
    before = sorted(p.name for p in (content_dir / "media").iterdir())
    not_image = api.post("/media", files={"file": ("evil.png", b"<svg onload=alert(1)>")}, data=ALT)
    assert assert_problem(not_image, 422)["errors"][0]["field"] == "file"
    assert_problem(api.post("/media", files={"other": ("a.txt", b"no file field")}, data=ALT), 422)
    assert_problem(api.post("/media", json={"file": "x"}), 415)
    app.config["MAX_UPLOAD_BYTES"] = 500
    big = image_bytes("PNG", (300, 300))
    assert len(big) > 500
    too_big = api.post("/media", files={"file": ("big.png", big)}, data=ALT)
    assert "larger than" in assert_problem(too_big, 413)["detail"]
    app.config["MAX_UPLOAD_BYTES"], app.config["MAX_CONTENT_FILE_BYTES"] = 1000, 1000
    huge = api.post("/media", files={"file": ("huge.png", b"\0" * 200_000)}, data=ALT)
    assert_problem(huge, 413)
    assert sorted(p.name for p in (content_dir / "media").iterdir()) == before


def test_post_created_through_the_api_is_built(api, app, content_dir, tmp_path):
    image = api.post("/media", files={"file": ("dot.png", image_bytes())}, data=ALT).json()
    body = f"Made *remotely*.\n\n{image['markdown']}\n"
    created = api.post("/posts", json={"title": "Built by API", "body": body})
    assert created.status_code == 201
    assert (content_dir / "posts" / "built-by-api.md").is_file()

    started = api.post("/builds")
    assert started.status_code == 202, started.text
    location = started.headers["Location"]
    assert location.endswith(f"/api/v1/builds/{started.json()['id']}")
    job = wait_for_build(api, app, location.split("/api/v1", 1)[1])
    assert job["state"] == "succeeded", job["errors"]
    assert job["pages"] > 0
    page = tmp_path / "build" / "posts" / "built-by-api" / "index.html"
    assert "Made <em>remotely</em>." in page.read_text()
    assert (tmp_path / "build" / "media" / image["name"]).read_bytes() == image_bytes()
    assert not (tmp_path / "build" / "api").exists()


def test_unknown_build_is_404(api):
    assert_problem(api.get("/builds/nope"), 404)
