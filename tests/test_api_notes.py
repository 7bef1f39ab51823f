"""Notes over real HTTP: list, read, create (photos by upload, reply links), replace, patch,
delete; validation, scopes, If-Match, the file, the row, the git commit and the built page."""

from __future__ import annotations

import subprocess
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Post
from tests.api_helpers import assert_problem, image_bytes
from tests.conftest import ApiClient
from tests.test_api_media_builds import wait_for_build

HARBOUR = "2026-08-24-193000"  # a note of the sample content, with a photo
REPLY = "2026-08-28-120000"  # one with in-reply-to
NEW = {
    "body": "Fresh bread from the *corner* bakery. #baking",
    "date": "2026-09-03T07:45:10Z",
    "tags": ["food"],
    "in_reply_to": "https://example.com/bread/",
}


def row(slug: str) -> dict[str, Any] | None:
    """The note's row as plain values (the read transaction is closed again)."""
    try:
        post = db.session.scalar(sa.select(Post).where(Post.slug == slug))
        if post is None:
            return None
        tags = sorted(t.name for t in post.tags)
        return {"kind": post.kind, "path": post.source_path, "tags": tags, "hash": post.source_hash}
    finally:
        db.session.rollback()


def note_files(content_dir) -> list[str]:
    return sorted(p.name for p in (content_dir / "notes").iterdir())


def upload(api: ApiClient, alt: str = "A loaf") -> dict[str, Any]:
    response = api.post("/media", files={"file": ("loaf.png", image_bytes())}, data={"alt": alt})
    assert response.status_code == 201, response.text
    return response.json()


def test_list_has_only_notes_newest_first_with_paging_and_filters(api):
    page = api.get("/notes", params={"per_page": 2})
    assert page.status_code == 200
    body = page.json()
    assert body["total"] == 3  # the sample's notes, none of its posts
    assert [n["slug"] for n in body["items"]] == [REPLY, HARBOUR]
    assert body["links"]["next"] == "/api/v1/notes?per_page=2&page=2"
    assert 'rel="next"' in page.headers["Link"]
    tagged = api.get("/notes", params={"tag": "photos"}).json()["items"]
    assert [n["slug"] for n in tagged] == [HARBOUR]
    found = api.get("/notes", params={"q": "folder of html"}).json()["items"]
    assert [n["slug"] for n in found] == [REPLY]
    assert api.get("/notes", params={"from": "2026-08-25"}).json()["total"] == 1
    assert api.get("/notes", params={"status": "draft"}).json()["items"] == []
    invalid = assert_problem(api.get("/notes", params={"status": "secret"}), 422)
    assert invalid["errors"][0]["field"] == "status"


def test_get_one_note(api):
    response = api.get(f"/notes/{HARBOUR}")
    assert response.status_code == 200
    note = response.json()
    assert response.headers["ETag"] == note["etag"] == f'"{row(HARBOUR)["hash"]}"'
    assert note["url"] == "/notes/2026/08/24/193000/"
    assert note["photos"] == [
        {
            "media": "harbour.png",
            "url": "/media/harbour.png",
            "alt": "An orange sky over the harbour",
        }
    ]
    assert note["tags"] == ["photos"]  # its hashtag
    assert note["name"] == "Evening light at the harbour. #photos"
    assert note["status"] == "published"
    assert note["in_reply_to"] is None
    assert "title" not in note
    reply = api.get(f"/notes/{REPLY}").json()
    assert reply["in_reply_to"] == "https://example.com/2026/08/static-sites/"


def test_each_resource_says_where_the_other_kind_is(api, app, content_dir):
    as_post = assert_problem(api.get(f"/posts/{HARBOUR}"), 404)
    assert f"is a note, not a post: it is at /api/v1/notes/{HARBOUR}" in as_post["detail"]
    assert_problem(api.patch(f"/posts/{HARBOUR}", json={"title": "X"}), 404)
    as_note = assert_problem(api.get("/notes/hello-world"), 404)
    assert "is a post, not a note: it is at /api/v1/posts/hello-world" in as_note["detail"]
    assert "no note" in assert_problem(api.get("/notes/2001-01-01-000000"), 404)["detail"]
    # A post's slug may not look like a note's: a post file named so would be read as a
    # Jekyll post of that day named '193000' (it was, silently, before).
    dated = assert_problem(api.post("/posts", json={"title": "T", "slug": HARBOUR}), 422)
    assert dated["errors"][0]["field"] == "slug"
    assert "not starting with a date" in dated["detail"]
    assert api.get("/posts/193000").status_code == 404
    # A post may not take a note's slug: the 409 names the note (a file named otherwise
    # than by its date keeps its name as its slug).
    (content_dir / "notes" / "coffee.md").write_text("---\ndate: 2026-08-01\n---\nCoffee.\n")
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    taken = assert_problem(api.post("/posts", json={"title": "T", "slug": "coffee"}), 409)
    assert "already used by a note (it is at /api/v1/notes/coffee)" in taken["detail"]
    assert taken["errors"][0]["field"] == "slug"


def test_create_writes_the_file_row_and_commit(api, content_dir, tmp_path):
    for args in (["init", "-q", "-b", "main"], ["add", "content"], ["commit", "-qm", "Start"]):
        git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args]
        subprocess.run(git, cwd=tmp_path, check=True, capture_output=True)
    image = upload(api)
    payload = {**NEW, "photos": [{"media": image["name"], "alt": "  A round\nloaf  "}]}
    response = api.post("/notes", json=payload)
    assert response.status_code == 201, response.text
    note = response.json()
    slug = "2026-09-03-074510"  # the date and time (the site's zone is UTC here)
    assert note["slug"] == slug
    assert response.headers["Location"].endswith(f"/api/v1/notes/{slug}")
    assert response.headers["ETag"] == note["etag"]
    assert note["url"] == "/notes/2026/09/03/074510/"
    assert sorted(note["tags"]) == ["baking", "food"]
    assert note["photos"] == [{"media": image["name"], "url": image["url"], "alt": "A round loaf"}]
    text = (content_dir / "notes" / f"{slug}.md").read_text()
    assert "title" not in text
    assert f"src: /media/{image['name']}" in text
    assert "alt: A round loaf" in text
    assert "in-reply-to: https://example.com/bread/" in text
    assert "Fresh bread from the *corner* bakery. #baking" in text
    assert row(slug) == {
        "kind": "note",
        "path": f"notes/{slug}.md",
        "tags": ["baking", "food"],
        "hash": note["etag"].strip('"'),
    }
    assert api.get(f"/notes/{slug}").json() == note
    log = subprocess.run(
        ["git", "log", "--format=%an %s", "--", f"content/notes/{slug}.md"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert log.stdout == f"ada Add note '{slug}'\n"
    # Without a date: now, and a second note in the same second gets its own URL.
    first = api.post("/notes", json={"body": "One"}).json()
    assert first["date"]
    assert first["status"] == "published"
    again = api.post("/notes", json={"body": "Two", "date": first["date"]}).json()
    assert again["slug"] == f"{first['slug']}-2"


INVALID = [
    ({}, "body"),
    ({"body": ""}, "body"),
    ({"body": "  \n "}, "body"),
    ({"body": "x", "title": "Notes have none"}, "title"),
    ({"body": "x", "colour": "red"}, "colour"),
    ({"body": "x", "date": "yesterday"}, "date"),
    ({"body": "x", "date": "2026-01-01T10:00:00"}, "date"),
    ({"body": "x", "draft": "yes"}, "draft"),
    ({"body": "x", "in_reply_to": "example.com/post"}, "in_reply_to"),
    ({"body": "x", "like_of": "ftp://example.com/"}, "like_of"),
    ({"body": "x", "photos": [{"media": "harbour.png"}]}, "photos.0.alt"),
    ({"body": "x", "photos": [{"media": "harbour.png", "alt": " "}]}, "photos.0.alt"),
    ({"body": "x", "photos": [{"media": "nowhere.png", "alt": "A"}]}, "photos.0.media"),
    ({"body": "x", "photos": [{"media": "../posts/hello-world.md", "alt": "A"}]}, "photos.0.media"),
    ({"body": "x", "photos": "harbour.png"}, "photos"),
    ({"body": "x", "slug": "my-note"}, "slug"),
]


def test_invalid_notes_are_422_per_field_and_write_nothing(api, content_dir):
    before = note_files(content_dir)
    for payload, field in INVALID:
        body = assert_problem(api.post("/notes", json=payload), 422)
        assert field in {e["field"] for e in body["errors"]}, (payload, body)
        assert field.split(".")[0] in body["detail"]
    assert note_files(content_dir) == before
    assert api.get("/notes").json()["total"] == 3
    assert_problem(api.post("/notes", data={"body": "form"}), 415)


def test_put_replaces_patch_changes_and_the_url_never_moves(api, content_dir):
    path = content_dir / "notes" / f"{REPLY}.md"
    etag = api.get(f"/notes/{REPLY}").headers["ETag"]
    replaced = api.put(
        f"/notes/{REPLY}",
        json={"body": "Rewritten. #web", "date": "2027-01-01T00:00:00Z"},
        headers={"If-Match": etag},
    )
    assert replaced.status_code == 200, replaced.text
    note = replaced.json()
    assert (note["slug"], note["url"]) == (REPLY, "/notes/2026/08/28/120000/")
    assert note["date"] == "2027-01-01T00:00:00Z"
    assert note["status"] == "scheduled"
    assert note["in_reply_to"] is None  # left out of a PUT: removed
    assert note["tags"] == ["web"]
    assert not any(p.name.startswith("2027") for p in (content_dir / "notes").iterdir())
    assert "in-reply-to" not in path.read_text()
    # A client still holding the old ETag is refused and changes nothing.
    stale = api.patch(f"/notes/{REPLY}", json={"body": "Stale"}, headers={"If-Match": etag})
    assert "changed" in assert_problem(stale, 412)["detail"]
    assert stale.headers["ETag"] == replaced.headers["ETag"]
    assert_problem(api.put(f"/notes/{REPLY}", json={"body": "S"}, headers={"If-Match": etag}), 412)
    assert "Rewritten." in path.read_text()
    patched = api.patch(
        f"/notes/{REPLY}",
        json={"draft": True, "like_of": "https://example.com/liked/"},
        headers={"If-Match": replaced.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.text
    after = patched.json()
    assert (after["draft"], after["body"], after["like_of"]) == (
        True,
        "Rewritten. #web\n",
        "https://example.com/liked/",
    )
    assert "like-of: https://example.com/liked/" in path.read_text()
    removed = api.patch(f"/notes/{REPLY}", json={"like_of": None, "photos": []}).json()
    assert removed["like_of"] is None
    assert_problem(api.patch(f"/notes/{REPLY}", json={"body": None}), 422)
    assert_problem(api.patch(f"/notes/{REPLY}", json={"body": ""}), 422)


def test_a_note_edited_on_disk_is_read_and_patched_as_it_is(api, content_dir):
    path = content_dir / "notes" / f"{REPLY}.md"
    path.write_text(path.read_text().replace("Agreed", "Agreed, #indieweb") + "\nSee you.\n")
    fresh = api.get(f"/notes/{REPLY}")
    assert "See you." in fresh.json()["body"]
    assert fresh.json()["tags"] == ["indieweb"]
    assert fresh.json()["in_reply_to"] == "https://example.com/2026/08/static-sites/"
    patched = api.patch(
        f"/notes/{REPLY}", json={"draft": True}, headers={"If-Match": fresh.headers["ETag"]}
    )
    assert patched.status_code == 200, patched.text
    assert "See you." in path.read_text()
    assert row(REPLY)["tags"] == ["indieweb"]


def test_delete_removes_file_and_row(api, content_dir):
    assert_problem(api.delete(f"/notes/{HARBOUR}", headers={"If-Match": '"0000"'}), 412)
    assert row(HARBOUR) is not None
    etag = api.get(f"/notes/{HARBOUR}").headers["ETag"]
    response = api.delete(f"/notes/{HARBOUR}", headers={"If-Match": etag})
    assert response.status_code == 204
    assert not (content_dir / "notes" / f"{HARBOUR}.md").exists()
    assert row(HARBOUR) is None
    assert_problem(api.get(f"/notes/{HARBOUR}"), 404)
    assert_problem(api.delete(f"/notes/{HARBOUR}"), 404)


def test_scopes_as_for_posts(api, author, content_dir):
    from app.accounts import create_token

    def client(**kwargs: Any) -> ApiClient:
        return ApiClient(api.base_url, create_token(author, "scoped", **kwargs)[1])

    before = note_files(content_dir)
    reader = client(read_only=True)
    assert reader.get("/notes").status_code == 200
    assert "read-only" in assert_problem(reader.post("/notes", json={"body": "No"}), 403)["detail"]
    updater = client(scopes=("update",))
    assert "'create'" in assert_problem(updater.post("/notes", json={"body": "No"}), 403)["detail"]
    assert "'delete'" in assert_problem(updater.delete(f"/notes/{HARBOUR}"), 403)["detail"]
    creator = client(scopes=("create",))
    assert_problem(creator.patch(f"/notes/{HARBOUR}", json={"body": "No"}), 403)
    assert note_files(content_dir) == before
    assert creator.post("/notes", json={"body": "Yes"}).status_code == 201
    assert updater.patch(f"/notes/{HARBOUR}", json={"body": "Yes"}).status_code == 200
    assert_problem(ApiClient(api.base_url).get("/notes"), 401)


def test_a_note_created_through_the_api_is_on_the_built_timeline(api, app, tmp_path):
    image = upload(api, "A red dot")
    payload = {**NEW, "photos": [{"media": image["name"], "alt": "A red dot"}]}
    del payload["date"]  # now: the newest, first on the home page
    created = api.post("/notes", json=payload)
    assert created.status_code == 201, created.text
    url = created.json()["url"]
    started = api.post("/builds")
    assert started.status_code == 202, started.text
    job = wait_for_build(api, app, started.headers["Location"].split("/api/v1", 1)[1])
    assert job["state"] == "succeeded", job["errors"]
    build = tmp_path / "build"
    home = (build / "index.html").read_text()
    assert "Fresh bread from the <em>corner</em> bakery." in home
    assert f'href="{url}"' in home
    assert 'alt="A red dot"' in home
    page = (build / url.strip("/") / "index.html").read_text()
    assert "https://example.com/bread/" in page
    assert (build / "media" / image["name"]).is_file()


def test_a_note_replies_to_several_pages_and_a_single_url_still_works(api, content_dir):
    first, second = "https://example.com/one/", "https://example.com/two/"
    created = api.post("/notes", json={"body": "To you both.", "in_reply_to": [first, second]})
    assert created.status_code == 201, created.text
    note = created.json()
    assert note["in_reply_to"] == first  # the first, as before: a string or null
    assert note["in_reply_to_urls"] == [first, second]
    assert note["like_of_urls"] == []
    path = content_dir / "notes" / f"{note['slug']}.md"
    assert f"in-reply-to:\n- {first}\n- {second}\n" in path.read_text()
    patched = api.patch(f"/notes/{note['slug']}", json={"in_reply_to": second}).json()
    assert (patched["in_reply_to"], patched["in_reply_to_urls"]) == (second, [second])
    assert f"in-reply-to: {second}\n" in path.read_text()
    bad = assert_problem(api.patch(f"/notes/{note['slug']}", json={"like_of": [first, "x"]}), 422)
    assert "like_of" in {e["field"].split(".")[0] for e in bad["errors"]}
    cleared = api.patch(f"/notes/{note['slug']}", json={"in_reply_to": []}).json()
    assert (cleared["in_reply_to"], cleared["in_reply_to_urls"]) == (None, [])
