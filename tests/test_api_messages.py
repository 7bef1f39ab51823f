"""API errors say what to do, and tags may come as one comma-separated string."""

from __future__ import annotations

from tests.api_helpers import assert_problem


def _detail(response, field: str) -> str:
    body = assert_problem(response, 422)
    return next(e["detail"] for e in body["errors"] if e["field"] == field)


def test_a_bad_date_lists_the_accepted_formats(api):
    detail = _detail(api.post("/posts", json={"title": "x", "date": "next tuesday"}), "date")
    assert "Not a valid datetime" not in detail
    assert "2026-11-25T14:30:00Z" in detail
    assert "+02:00" in detail


def test_a_bad_slug_says_the_pattern_in_words(api):
    detail = _detail(api.post("/posts", json={"title": "x", "slug": "Bad Slug!"}), "slug")
    assert "does not match expected pattern" not in detail
    assert "lowercase letters a-z and digits" in detail
    assert "single hyphens" in detail


def test_tags_as_one_comma_separated_string_are_split_like_front_matter(api, content_dir):
    created = api.post("/posts", json={"title": "Split", "tags": "Python, web ,, notes"})
    assert created.status_code == 201, created.text
    listed = api.post("/posts", json={"title": "Listed", "tags": ["Python", "web", "notes"]})
    assert created.json()["tags"] == listed.json()["tags"]
    assert sorted(name.lower() for name in created.json()["tags"]) == ["notes", "python", "web"]
    assert "tags: [Python, web, notes]" in (content_dir / "posts" / "split.md").read_text()
    patched = api.patch("/posts/split", json={"tags": "Solo"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["tags"] == ["Solo"]


def test_tags_that_are_neither_list_nor_string_say_what_to_send(api):
    detail = _detail(api.post("/posts", json={"title": "x", "tags": 5}), "tags")
    assert "comma-separated string" in detail
    too_many = ",".join(f"t{n}" for n in range(51))
    detail = _detail(api.post("/posts", json={"title": "x", "tags": too_many}), "tags")
    assert "at most 50" in detail


def test_the_openapi_document_allows_both_forms_of_tags(api):
    tags = api.get("/openapi.json").json()["components"]["schemas"]["PostCreate"]
    one_of = tags["properties"]["tags"]["oneOf"]
    assert [form["type"] for form in one_of] == ["array", "string"]
