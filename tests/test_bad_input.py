"""Bad input, one row per case: a clear message naming the file (and line), nothing lost.

Each row is checked at two edges: ``flask content sync`` (the DB is unchanged) and
``python freeze.py`` (exit 1 and the previous build/ byte for byte, or a warning and success).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Post
from tests.test_freeze import tree_digest


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    data: bytes
    #: Text every message must contain; "warning" rows build fine but say this.
    says: str
    warning: bool = False


def post(front: str, body: str = "Body.\n") -> bytes:
    return f"---\n{front}---\n\n{body}".encode()


CASES = [
    Case(
        "malformed-yaml",
        "posts/bad.md",
        post("title: [oops\ndate: 2026-01-01\n"),
        "content/posts/bad.md:2: malformed front matter",
    ),
    Case(
        "missing-title",
        "posts/bad.md",
        post("date: 2026-01-01\n"),
        "content/posts/bad.md:1: missing or empty 'title'",
    ),
    Case(
        "empty-title",
        "posts/bad.md",
        post("title: ''\ndate: 2026-01-01\n"),
        "content/posts/bad.md:2: missing or empty 'title'",
    ),
    Case(
        "invalid-date",
        "posts/bad.md",
        post("title: t\ndate: next tuesday\n"),
        "content/posts/bad.md:3: invalid 'date'",
    ),
    Case(
        "impossible-date",
        "posts/bad.md",
        post("title: t\ndate: 2026-02-30\n"),
        "content/posts/bad.md:3: invalid 'date'",
    ),
    Case(
        "duplicate-slug",
        "posts/dup.md",
        post("title: t\nslug: hello-world\ndate: 2026-01-01\n"),
        "duplicate slug 'hello-world'",
    ),
    Case(
        "non-utf8",
        "posts/bad.md",
        b"---\ntitle: caf\xe9\ndate: 2026-01-01\n---\n",
        "content/posts/bad.md:2: not valid UTF-8",
    ),
    Case(
        "binary-md", "posts/bad.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "content/posts/bad.md"
    ),
    Case(
        "binary-other",
        "posts/photo.png",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        "content/posts/photo.png: ignored",
        warning=True,
    ),
    Case(
        "huge-file",
        "posts/huge.md",
        post("title: t\ndate: 2026-01-01\n", "x" * 50_000_000),
        "content/posts/huge.md: file is 47.7 MiB",
    ),
    Case(
        "unknown-key",
        "posts/extra.md",
        post("title: t\ndate: 2026-01-01\nmood: happy\n"),
        "unknown front-matter key 'mood' kept as is",
        warning=True,
    ),
    Case(
        "empty-body",
        "posts/empty.md",
        post("title: t\ndate: 2026-01-01\n", ""),
        "content/posts/empty.md: the body is empty",
        warning=True,
    ),
    Case(
        "slug-dotdot",
        "posts/bad.md",
        post("title: t\nslug: ../../etc\ndate: 2026-01-01\n"),
        "content/posts/bad.md:3: invalid slug '../../etc'",
    ),
    Case(
        "slug-slash",
        "posts/bad.md",
        post("title: t\nslug: a/b\ndate: 2026-01-01\n"),
        "content/posts/bad.md:3: invalid slug 'a/b'",
    ),
    Case(
        "slug-upper",
        "posts/Bad-Name.md",
        post("title: t\ndate: 2026-01-01\n"),
        "content/posts/Bad-Name.md:1: invalid slug 'Bad-Name'",
    ),
    Case(
        "duplicate-key",
        "posts/bad.md",
        post("title: A\ntitle: B\ndate: 2026-01-01\n"),
        "content/posts/bad.md:3: 'title' is given twice (lines 2 and 3): keep one",
    ),
    Case(
        "sub-folder",
        "posts/sub/subpost.md",
        post("title: t\ndate: 2026-01-01\n"),
        "content/posts/sub/: sub-folders are not read: move its files up into content/posts/",
        warning=True,
    ),
    Case(
        "image-javascript",
        "posts/bad.md",
        post("title: t\ndate: 2026-01-01\nimage: javascript:alert(1)\n"),
        "content/posts/bad.md:4: invalid 'image'",
    ),
    Case(
        "odd-unicode-tags",
        "posts/tags.md",
        post(
            "title: t\ndate: 2026-01-01\n"
            "tags: ['🙂', 'C++', 'C#', 'cafe\u0301', 'zero\u200bwidth']\n"
        ),
        "",
        warning=True,
    ),
]


def write(content_dir, case: Case) -> None:
    (content_dir / case.name).parent.mkdir(exist_ok=True)
    (content_dir / case.name).write_bytes(case.data)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_sync(case, synced, runner, content_dir):
    before = {p.slug: p.source_hash for p in db.session.scalars(sa.select(Post))}
    write(content_dir, case)
    result = runner.invoke(args=["content", "sync"])
    assert case.says in result.output
    if case.warning:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1
    assert "nothing was changed" in result.output
    db.session.expire_all()
    assert {p.slug: p.source_hash for p in db.session.scalars(sa.select(Post))} == before


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_freeze(case, freeze):
    assert freeze().returncode == 0
    before = tree_digest(freeze.build_dir)
    write(freeze.content_dir, case)
    result = freeze()
    assert case.says in result.stderr
    if case.warning:
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 1
    assert "left unchanged" in result.stderr
    assert tree_digest(freeze.build_dir) == before


def test_odd_unicode_tags_get_distinct_safe_urls(synced, runner, content_dir):
    write(content_dir, CASES[-1])
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    item = db.session.scalar(sa.select(Post).where(Post.slug == "tags"))
    slugs = {t.name: t.slug for t in item.tags}
    assert slugs["C++"] == "c-plus-plus"
    assert slugs["C#"] == "c-sharp"
    assert slugs["zerowidth"] == "zerowidth"
    assert slugs["caf\u00e9"] == "cafe"  # NFC-normalised
    assert slugs["🙂"].startswith("tag-")


# The same bad input through the two writing edges: the API (real HTTP) and the admin forms.
# Each row: (id, fields, expected API status, field named in the error or None if accepted).
EDGE_CASES = [
    ("missing-title", {"title": ""}, 422, "title"),
    ("invalid-date", {"date": "next tuesday"}, 422, "date"),
    ("impossible-date", {"date": "2026-02-30T10:00:00Z"}, 422, "date"),
    ("duplicate-slug", {"slug": "hello-world"}, 409, "slug"),
    ("slug-dotdot", {"slug": "../../etc"}, 422, "slug"),
    ("slug-slash", {"slug": "a/b"}, 422, "slug"),
    ("slug-upper", {"slug": "Bad-Name"}, 422, "slug"),
    ("huge-body", {"body": "x" * 50_000_000}, 413, None),
    ("empty-body", {"body": ""}, 201, None),
    ("odd-unicode-tags", {"tags": ["🙂", "C++", "C#", "cafe\u0301"]}, 201, None),
]


def _api_payload(fields: dict) -> dict:
    return {
        "title": "Edge",
        "slug": "edge",
        "date": "2026-11-01T09:00:00Z",
        "body": "B\n",
        **fields,
    }


@pytest.mark.parametrize(
    ("case", "fields", "status", "field"), EDGE_CASES, ids=[c[0] for c in EDGE_CASES]
)
def test_api(api, content_dir, case, fields, status, field):
    before = sorted(p.name for p in (content_dir / "posts").iterdir())
    response = api.post("/posts", json=_api_payload(fields))
    assert response.status_code == status, response.text[:300]
    if status == 201:
        assert (content_dir / "posts" / "edge.md").is_file()
        return
    problem = response.json()
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert problem["detail"]
    if field:
        assert field in problem["detail"]
    assert sorted(p.name for p in (content_dir / "posts").iterdir()) == before


def _form(fields: dict) -> dict:
    from tests.admin_helpers import post_form

    values = {"title": "Edge", "slug": "edge", "date": "2026-11-01T09:00", "body": "Typed text.\n"}
    for key, value in fields.items():
        values[key] = ", ".join(value) if key == "tags" else value
    if values["date"].endswith("Z"):
        values["date"] = values["date"][:16]
    return post_form(**values)


@pytest.mark.parametrize(
    ("case", "fields", "status", "field"), EDGE_CASES, ids=[c[0] for c in EDGE_CASES]
)
def test_admin(synced, author_client, content_dir, case, fields, status, field):
    before = sorted(p.name for p in (content_dir / "posts").iterdir())
    response = author_client.post("/admin/posts/new", data=_form(fields))
    if status == 201:
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        assert (content_dir / "posts" / "edge.md").is_file()
        return
    assert response.status_code in (400, 409, 413, 422)
    page = response.get_data(as_text=True)
    if status != 413:  # the typed text comes back with the error, nothing is lost
        assert "Typed text." in page
    assert sorted(p.name for p in (content_dir / "posts").iterdir()) == before
