"""Posts over real HTTP: list, filter, read, create, replace, patch, delete; ETags and errors."""

from __future__ import annotations

from app.content.document import read_front_matter
from app.content.sync import sync_content
from app.extensions import db
from tests.api_helpers import assert_problem, post_count, stored

NEW = {"title": "From the API", "body": "Hello *API*.\n", "tags": ["api", "News"]}


def test_list_is_paginated_with_links(api):
    first = api.get("/posts", params={"per_page": 3})
    assert first.status_code == 200
    page = first.json()
    assert (page["page"], page["per_page"], len(page["items"])) == (1, 3, 3)
    assert page["total"] == post_count()
    assert page["pages"] == -(-page["total"] // 3)
    assert page["links"]["prev"] is None
    assert page["links"]["self"] == "/api/v1/posts?per_page=3&page=1"
    assert 'rel="next"' in first.headers["Link"]
    second = api.get(page["links"]["next"].removeprefix("/api/v1"))
    assert second.json()["page"] == 2
    dates = [p["date"] for p in page["items"] + second.json()["items"]]
    assert dates == sorted(dates, reverse=True)
    beyond = api.get("/posts", params={"page": 999}).json()
    assert beyond["items"] == []
    assert beyond["links"]["next"] is None


def test_list_filters(api):
    drafts = api.get("/posts", params={"status": "draft"}).json()["items"]
    assert drafts
    assert all(p["draft"] and p["status"] == "draft" for p in drafts)
    published = api.get("/posts", params={"status": "published", "per_page": 100}).json()
    assert all(p["status"] == "published" for p in published["items"])
    assert {"hello-world"} <= {p["slug"] for p in published["items"]}
    tagged = api.get("/posts", params={"tag": "python"}).json()["items"]
    assert tagged
    assert all("python" in [t.lower() for t in p["tags"]] for p in tagged)
    found = api.get("/posts", params={"q": "hello, WORLD"}).json()["items"]
    assert [p["slug"] for p in found] == ["hello-world"]
    none = api.get("/posts", params={"q": "100%_"}).json()["items"]
    assert none == []
    hello = api.get("/posts/hello-world").json()
    day = hello["date"][:10]
    same_day = api.get("/posts", params={"from": day, "to": day}).json()["items"]
    assert "hello-world" in [p["slug"] for p in same_day]
    assert all(p["date"][:10] == day for p in same_day)
    later = api.get("/posts", params={"from": "2999-01-01"}).json()
    assert later["total"] == 0


def test_from_and_to_are_the_sites_days(api, app):
    app.config["SITE_TIMEZONE"] = "America/Los_Angeles"
    for slug, date in (
        ("late", "2026-12-03T23:30:00-08:00"),
        ("next", "2026-12-04T00:00:00-08:00"),
    ):
        response = api.post("/posts", json={"title": slug, "slug": slug, "date": date})
        assert response.status_code == 201, response.text

    def days(first: str, last: str) -> list[str]:
        query = {"from": first, "to": last, "per_page": 100}
        found = api.get("/posts", params=query).json()["items"]
        return [post["slug"] for post in found]

    assert days("2026-12-03", "2026-12-03") == ["late"]  # 07:30 UTC on the 4th
    assert days("2026-12-04", "2026-12-04") == ["next"]
    assert days("2026-12-03", "2026-12-04") == ["next", "late"]
    assert {"next", "late"} <= set(days("0001-01-01", "9999-12-31"))  # the calendar's ends


def test_invalid_filters_are_422_with_fields(api):
    body = assert_problem(api.get("/posts", params={"status": "secret", "per_page": 0}), 422)
    assert {e["field"] for e in body["errors"]} == {"status", "per_page"}
    assert all(e["location"] == "query" for e in body["errors"])


def test_get_one_has_an_etag(api):
    response = api.get("/posts/hello-world")
    assert response.status_code == 200
    post = response.json()
    assert response.headers["ETag"] == post["etag"] == f'"{stored("hello-world")["hash"]}"'
    assert post["url"] == "/posts/hello-world/"
    assert post["date"].endswith("Z")
    assert "<p>" in post["body_html"]


def test_unknown_post_is_404_problem(api):
    assert_problem(api.get("/posts/no-such-post"), 404)
    assert_problem(api.get("/no-such-resource"), 404)


def test_create_writes_the_file_and_answers_201_with_location(api, content_dir):
    response = api.post("/posts", json=NEW)
    assert response.status_code == 201, response.text
    post = response.json()
    assert post["slug"] == "from-the-api"
    assert response.headers["Location"].endswith("/api/v1/posts/from-the-api")
    assert response.headers["ETag"] == post["etag"]
    text = (content_dir / "posts" / "from-the-api.md").read_text()
    assert text.startswith("---\ntitle: From the API\n")
    assert "Hello *API*." in text
    assert stored("from-the-api")["title"] == "From the API"
    assert api.get(response.headers["Location"].split("/api/v1", 1)[1]).json() == post
    tags = {t["slug"]: t["posts"] for t in api.get("/tags").json()}
    assert tags["api"] == 1
    assert "news" in tags


def test_duplicate_slug_is_409_and_changes_nothing(api, content_dir):
    before = (content_dir / "posts" / "hello-world.md").read_bytes()
    body = assert_problem(api.post("/posts", json={**NEW, "slug": "hello-world"}), 409)
    assert body["errors"][0]["field"] == "slug"
    assert (content_dir / "posts" / "hello-world.md").read_bytes() == before


INVALID = [
    ({"body": "no title"}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x", "slug": "Bad Slug!"}, "slug"),
    ({"title": "x", "date": "yesterday"}, "date"),
    ({"title": "x", "date": "2026-01-01T10:00:00"}, "date"),
    ({"title": "x", "draft": "yes"}, "draft"),
    ({"title": "x", "tags": 5}, "tags"),
    ({"title": "x", "body": "nul\x00byte"}, "body"),
    ({"title": "x", "colour": "red"}, "colour"),
]


def test_invalid_input_is_422_per_field_and_writes_nothing(api, content_dir):
    files = sorted(p.name for p in (content_dir / "posts").iterdir())
    for payload, field in INVALID:
        body = assert_problem(api.post("/posts", json=payload), 422)
        assert field in {e["field"] for e in body["errors"]}, payload
        assert field in body["detail"]
    assert sorted(p.name for p in (content_dir / "posts").iterdir()) == files
    assert post_count() == api.get("/posts").json()["total"]


def test_malformed_json_and_wrong_media_type(api):
    bad = api.post("/posts", data="{not json", headers={"Content-Type": "application/json"})
    assert "JSON" in assert_problem(bad, 400)["detail"]
    assert_problem(api.post("/posts", data={"title": "form"}), 415)
    assert stored("form") is None


def test_put_replaces_and_if_match_protects(api, content_dir):
    etag = api.get("/posts/hello-world").headers["ETag"]
    replaced = api.put(
        "/posts/hello-world",
        json={"title": "Hello again", "body": "New body.\n"},
        headers={"If-Match": etag},
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["tags"] == []
    assert replaced.headers["ETag"] != etag
    text = (content_dir / "posts" / "hello-world.md").read_text()
    assert "title: Hello again" in text
    assert "New body." in text
    # A second client still holding the old ETag loses nothing of the first one's edit.
    stale = api.put("/posts/hello-world", json={"title": "Stale"}, headers={"If-Match": etag})
    body = assert_problem(stale, 412)
    assert "changed" in body["detail"]
    assert stale.headers["ETag"] == replaced.headers["ETag"]
    assert "title: Hello again" in (content_dir / "posts" / "hello-world.md").read_text()
    assert stored("hello-world")["title"] == "Hello again"


def test_patch_changes_only_what_is_sent(api, content_dir):
    before = api.get("/posts/hello-world").json()
    patched = api.patch("/posts/hello-world", json={"draft": True}, headers={"If-Match": "*"})
    assert patched.status_code == 200, patched.text
    after = patched.json()
    assert after["draft"] is True
    assert after["status"] == "draft"
    assert (after["title"], after["body"], after["tags"]) == (
        before["title"],
        before["body"],
        before["tags"],
    )
    assert "draft: true" in (content_dir / "posts" / "hello-world.md").read_text()
    assert_problem(api.patch("/posts/hello-world", json={"title": None}), 422)


KEPT = """---
date: 2024-01-05
title: Kept as written
tags: zeta, Alpha
draft: false
summary: 'One line.'
x_custom: {b: 2, a: 1}
---

Body.
"""


def test_a_patch_keeps_what_the_file_wrote_of_everything_else(api, app, content_dir):
    """A date without a time, tags in their order and form, ``draft: false``, unknown keys,
    the order of keys: a one-field save changes that field's line only."""
    path = content_dir / "posts" / "kept.md"
    path.write_text(KEPT)
    sync_content(content_dir, app.config["MAX_CONTENT_FILE_BYTES"])
    db.session.rollback()
    unchanged = api.patch("/posts/kept", json={"summary": "One line."})
    assert unchanged.status_code == 200, unchanged.text
    assert path.read_text() == KEPT  # nothing changed: not a byte
    patched = api.patch("/posts/kept", json={"title": "Kept"})
    assert patched.status_code == 200, patched.text
    front = read_front_matter(path.read_text(), path)
    assert list(front.items()) == [
        ("date", "2024-01-05"),  # a day, as written (no time, no offset)
        ("title", "Kept"),
        ("tags", "zeta, Alpha"),
        ("draft", False),
        ("summary", "One line."),
        ("x_custom", {"b": 2, "a": 1}),
    ]
    assert path.read_text().endswith("---\n\nBody.\n")


def test_a_put_never_changes_the_slug(api, content_dir):
    # Renaming is a PATCH of `slug` (test_redirects: the old URL is kept as an alias).
    body = assert_problem(api.put("/posts/hello-world", json={"title": "T", "slug": "x"}), 422)
    assert body["errors"][0]["field"] == "slug"
    assert_problem(api.patch("/posts/hello-world", json={"slug": "Not A Slug"}), 422)
    assert (content_dir / "posts" / "hello-world.md").exists()
    assert not (content_dir / "posts" / "x.md").exists()


def test_stale_patch_and_delete_are_412_and_change_nothing(api, content_dir):
    path = content_dir / "posts" / "shell-snippets.md"
    before = path.read_bytes()
    stale = {"If-Match": '"0000"'}
    assert_problem(api.patch("/posts/shell-snippets", json={"title": "X"}, headers=stale), 412)
    assert_problem(api.delete("/posts/shell-snippets", headers=stale), 412)
    assert path.read_bytes() == before
    assert stored("shell-snippets") is not None


def test_file_edited_on_disk_is_a_conflict(api, content_dir):
    etag = api.get("/posts/shell-snippets").headers["ETag"]
    path = content_dir / "posts" / "shell-snippets.md"
    path.write_text(path.read_text() + "\nEdited in vim.\n")
    assert_problem(api.patch("/posts/shell-snippets", json={"title": "Mine"}), 409)
    precondition = api.patch(
        "/posts/shell-snippets", json={"title": "Mine"}, headers={"If-Match": etag}
    )
    assert_problem(precondition, 412)
    assert "Edited in vim." in path.read_text()


def test_a_client_recovers_from_a_file_edited_on_disk(api, content_dir):
    old = api.get("/posts/shell-snippets").headers["ETag"]
    path = content_dir / "posts" / "shell-snippets.md"
    path.write_text(path.read_text() + "\nEdited in vim.\n")
    stale = api.patch("/posts/shell-snippets", json={"title": "Mine"}, headers={"If-Match": old})
    assert_problem(stale, 412)
    # The 412 names the version on disk, and a new GET shows it: what the file holds.
    fresh = api.get("/posts/shell-snippets")
    assert fresh.headers["ETag"] == stale.headers["ETag"] == fresh.json()["etag"] != old
    assert "Edited in vim." in fresh.json()["body"]
    assert "Edited in vim." in fresh.json()["body_html"]
    patched = api.patch(
        "/posts/shell-snippets", json={"title": "Mine"}, headers={"If-Match": fresh.headers["ETag"]}
    )
    assert patched.status_code == 200, patched.text
    assert "Edited in vim." in patched.json()["body"]  # the edit on disk is kept, not reverted
    assert "title: Mine" in path.read_text()
    assert stored("shell-snippets")["title"] == "Mine"


def test_if_match_star_is_whatever_is_on_disk(api, content_dir):
    path = content_dir / "posts" / "shell-snippets.md"
    path.write_text(path.read_text() + "\nEdited in vim.\n")
    star = {"If-Match": "*"}
    patched = api.patch("/posts/shell-snippets", json={"draft": True}, headers=star)
    assert patched.status_code == 200, patched.text
    assert "Edited in vim." in path.read_text()
    path.write_text(path.read_text() + "\nAgain.\n")
    assert api.delete("/posts/shell-snippets", headers=star).status_code == 204
    assert not path.exists()
    assert stored("shell-snippets") is None


def test_a_file_broken_on_disk_is_a_409_that_says_why(api, content_dir):
    path = content_dir / "posts" / "shell-snippets.md"
    path.write_bytes(b"---\ntitle: [unclosed\n---\nBody\n")
    assert api.get("/posts/shell-snippets").json()["title"] == "Shell snippets I keep reaching for"
    body = assert_problem(api.patch("/posts/shell-snippets", json={"draft": True}), 409)
    assert "content/posts/shell-snippets.md" in body["detail"]
    assert path.read_bytes().startswith(b"---\ntitle: [unclosed")


def test_delete_removes_file_and_row(api, content_dir):
    etag = api.get("/posts/shell-snippets").headers["ETag"]
    response = api.delete("/posts/shell-snippets", headers={"If-Match": etag})
    assert response.status_code == 204
    assert response.content == b""
    assert not (content_dir / "posts" / "shell-snippets.md").exists()
    assert stored("shell-snippets") is None
    assert_problem(api.get("/posts/shell-snippets"), 404)
    assert_problem(api.delete("/posts/shell-snippets"), 404)


def test_unsupported_method_is_405_with_allow(api):
    response = api.delete("/posts")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_tags_differing_in_case_are_one_tag(api):
    created = api.post("/posts", json={"title": "Case", "tags": ["Python", "python", " PYTHON "]})
    assert created.status_code == 201, created.text
    tags = {t["slug"]: t["posts"] for t in api.get("/tags").json()}
    assert list(tags).count("python") == 1


def test_a_post_too_big_for_a_content_file_is_refused(api, app, content_dir):
    app.config["MAX_CONTENT_FILE_BYTES"] = 2000
    body = assert_problem(api.post("/posts", json={"title": "Huge", "body": "x" * 3000}), 422)
    assert body["errors"][0]["field"] == "body"
    assert "limit" in body["detail"]
    assert not (content_dir / "posts" / "huge.md").exists()


def test_tags_are_given_as_the_file_writes_them_so_a_round_trip_changes_nothing(
    api, app, content_dir
):
    """The site names a tag by most of its posts ("Café"); a client reads and sends back
    this post's own spelling and order, so a PATCH of what it read leaves the file as it is."""
    posts = content_dir / "posts"
    path = posts / "own.md"
    path.write_text("---\ntitle: Own\ndate: 2024-01-05\ntags: [zeta, cafe]\n---\n\nBody.\n")
    for name in ("two", "three"):
        text = f"---\ntitle: {name}\ndate: 2024-01-06\ntags: [Café]\n---\n\nB.\n"
        (posts / f"{name}.md").write_text(text)
    sync_content(content_dir, app.config["MAX_CONTENT_FILE_BYTES"])
    db.session.rollback()
    before = path.read_bytes()
    read = api.get("/posts/own").json()
    assert read["tags"] == ["zeta", "cafe"]
    assert {t["name"] for t in api.get("/tags").json()} >= {"Café", "zeta"}  # the site's names
    listed = api.get("/posts", params={"tag": "cafe", "per_page": 100}).json()["items"]
    assert [p["tags"] for p in listed if p["slug"] == "own"] == [["zeta", "cafe"]]
    again = api.patch("/posts/own", json={"tags": read["tags"]}, headers={"If-Match": "*"})
    assert again.status_code == 200, again.text
    assert again.json()["tags"] == ["zeta", "cafe"]
    assert path.read_bytes() == before
    path.write_text(path.read_text().replace("Body.", "Edited on disk."))  # read from the file
    assert api.get("/posts/own").json()["tags"] == ["zeta", "cafe"]
