"""Parsing and serializing content files: validation, error locations, round trips."""

from datetime import datetime

import pytest

from app.content import ContentError, parse_document, serialize_document
from tests.conftest import SAMPLE_CONTENT

GOOD = """---
title: Hello
date: 2026-01-02
tags: [a, b]
---

Body text.
"""


def test_parse_minimal_post():
    doc = parse_document(GOOD, "content/posts/hello.md")
    assert doc.title == "Hello"
    assert doc.slug == "hello"
    assert doc.date == datetime(2026, 1, 2)
    assert doc.tags == ["a", "b"]
    assert doc.body == "Body text.\n"
    assert doc.draft is False


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("---\ntitle: [unclosed\ndate: 2026-01-01\n---\nx", 2, "malformed front matter"),
        ("---\ntitle: ok\ndate: 2026-01-01\n  bad: indent\n---\nx", 4, "malformed front matter"),
        ("---\ndate: 2026-01-01\n---\nx", 1, "missing or empty 'title'"),
        ("---\ntitle: '  '\ndate: 2026-01-01\n---\nx", 2, "missing or empty 'title'"),
        ("---\ntitle: ok\n---\nx", 1, "missing 'date'"),
        ("---\ntitle: ok\ndate: 2026-02-30\n---\nx", 3, "invalid 'date'"),
        ("---\ntitle: ok\ndate: yesterday\n---\nx", 3, "invalid 'date'"),
        ("---\ntitle: ok\ndate: 2026-01-01\nslug: ../etc\n---\nx", 4, "invalid slug"),
        ("---\ntitle: ok\ndate: 2026-01-01\nslug: Has/Upper\n---\nx", 4, "invalid slug"),
        ("---\ntitle: ok\ndate: 2026-01-01\ndraft: maybe\n---\nx", 4, "'draft' must be"),
        ("---\ntitle: ok\ndate: 2026-01-01\ntags: {a: 1}\n---\nx", 4, "invalid 'tags'"),
        ("---\n- a\n- b\n---\nx", 2, "mapping"),
    ],
)
def test_bad_front_matter_names_file_and_line(text, line, fragment):
    with pytest.raises(ContentError) as info:
        parse_document(text, "content/posts/bad.md")
    error = info.value
    assert error.path == "content/posts/bad.md"
    assert error.line == line
    assert fragment in error.message
    assert str(error).startswith(f"content/posts/bad.md:{line}: ")


def test_invalid_file_name_slug_says_how_to_fix():
    with pytest.raises(ContentError, match="lowercase letters") as info:
        parse_document(GOOD, "content/posts/Hello World.md")
    assert "file name" in info.value.hint


def test_binary_content_is_rejected():
    with pytest.raises(ContentError, match="binary"):
        parse_document("---\ntitle: x\n---\n\x00\x01", "content/posts/x.md")


def test_reserved_page_slug():
    with pytest.raises(ContentError, match="reserved"):
        parse_document("---\ntitle: Tags\n---\nx", "content/pages/tags.md", kind="page")


def test_page_needs_no_date():
    doc = parse_document("---\ntitle: About\n---\nMe.", "content/pages/about.md", kind="page")
    assert doc.date is None


def test_timezones_are_normalised_to_utc():
    doc = parse_document(
        "---\ntitle: t\ndate: 2026-01-02T10:00:00+02:00\n---\n", "content/posts/t.md"
    )
    assert doc.date == datetime(2026, 1, 2, 8, 0)


def test_comma_separated_tags_are_split_and_deduplicated():
    doc = parse_document(
        "---\ntitle: t\ndate: 2026-01-01\ntags: 'python, web,  python , Café  au lait'\n---\n",
        "content/posts/t.md",
    )
    assert doc.tags == ["python", "web", "Café au lait"]


def test_unknown_keys_survive_a_round_trip():
    text = "---\ntitle: t\ndate: 2026-01-01\ncover: img.png\nseries: {name: x, part: 2}\n---\nHi\n"
    doc = parse_document(text, "content/posts/t.md")
    assert doc.extra == {"cover": "img.png", "series": {"name": "x", "part": 2}}
    again = parse_document(serialize_document(doc, "t"), "content/posts/t.md")
    assert again == doc


SAMPLES = sorted(SAMPLE_CONTENT.glob("*/*.md"))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_round_trips(path):
    kind = {"pages": "page", "notes": "note"}.get(path.parent.name, "post")
    doc = parse_document(path.read_text(encoding="utf-8"), path, kind=kind)
    text = serialize_document(doc, path.stem)
    assert parse_document(text, path, kind=kind) == doc
    # and serializing is stable: a second pass writes the same bytes
    assert serialize_document(parse_document(text, path, kind=kind), path.stem) == text


def test_samples_exist():
    assert len(SAMPLES) >= 7


def test_front_matter_parsed_by_libyaml_keeps_our_rules_and_wording():
    doc = parse_document(
        "---\ntitle: t\ndate: 2026-01-01\nreviewed: 2026-02-03 10:00\nn: 0x1f\n---\n", "p/t.md"
    )
    assert doc.extra == {"reviewed": "2026-02-03 10:00", "n": 31}  # dates stay text
    with pytest.raises(ContentError) as info:
        parse_document("---\ntitle: t\ntags: [a\ndate: 2026-01-01\n---\n", "content/posts/t.md")
    assert info.value.line == 3
    assert "expected ',' or ']', but got" in info.value.message  # as the pure-Python parser says


#: A "billion laughs" front matter: nine levels of nine aliases (9**9 strings once expanded).
LAUGHS = "---\ntitle: lol\ndate: 2026-01-01\n"
LAUGHS += "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
LAUGHS += (
    "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 9)) + "---\nbody\n"
)


@pytest.mark.parametrize("parser", ["libyaml", "python"])
def test_yaml_anchors_and_aliases_are_refused_at_their_line(parser, monkeypatch):
    import time

    from app.content import safeyaml

    if parser == "python":  # the pure-Python loader (also used when PyYAML lacks libyaml)
        monkeypatch.setattr(safeyaml, "_FastLoader", safeyaml._Loader)
    started = time.perf_counter()
    with pytest.raises(ContentError) as info:
        parse_document(LAUGHS, "content/posts/lol.md")
    assert time.perf_counter() - started < 1
    error = info.value
    assert str(error).startswith("content/posts/lol.md:4: ")
    assert "anchor '&l0' is not allowed" in error.message
    assert "write the value out in full" in error.hint
    alias_only = "---\ntitle: x\ndate: 2026-01-01\ntags: *nowhere\n---\nx"
    with pytest.raises(ContentError, match=r"posts/a.md:4: .*alias '\*nowhere'"):
        parse_document(alias_only, "content/posts/a.md")


def test_ampersands_and_stars_in_values_are_no_aliases():
    doc = parse_document(
        "---\ntitle: 'Tom & Jerry *live*'\ndate: 2026-01-01\nsummary: a & b\n---\nx",
        "content/posts/a.md",
    )
    assert (doc.title, doc.summary) == ("Tom & Jerry *live*", "a & b")


def test_serializer_never_writes_an_anchor():
    shared = ["x", "y"]
    doc = parse_document(GOOD, "content/posts/hello.md")
    doc.extra = {"one": shared, "two": shared}
    text = serialize_document(doc, "hello")
    assert "&" not in text
    assert "*" not in text
    assert parse_document(text, "content/posts/hello.md").extra == {"one": shared, "two": shared}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{\n  "title": "A",\n  "date": "2026-01-01",\n  "title": "B"\n}\nx',
            "content/posts/a.md:4: 'title' is given twice (lines 2 and 4): keep one",
        ),
        (
            '{"title": "A", "date": "2026-01-01", "photos": [\n {"src": "media/a.png",'
            ' "alt": "a"},\n {"src": "media/b.png", "alt": "b",\n  "alt": "c"}]}\nx',
            "content/posts/a.md:4: 'alt' is given twice (lines 3 and 4): keep one",
        ),
    ],
)
def test_a_key_given_twice_in_json_front_matter_is_an_error(text, message):
    with pytest.raises(ContentError) as info:
        parse_document(text, "content/posts/a.md")
    assert str(info.value) == message


@pytest.mark.parametrize("parser", ["libyaml", "python"])
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "---\ntitle: A\ntitle: B\ndate: 2026-01-01\n---\nx",
            "content/posts/a.md:3: 'title' is given twice (lines 2 and 3): keep one",
        ),
        (  # in a nested mapping too: a photo's alt text is not lost either
            "\n---\ntitle: A\ndate: 2026-01-01\nphotos:\n  - src: media/a.png\n"
            "    alt: first\n    alt: second\n---\nx",
            "content/posts/a.md:8: 'alt' is given twice (lines 7 and 8): keep one",
        ),
    ],
)
def test_a_key_given_twice_is_an_error_at_the_second(parser, monkeypatch, text, message):
    from app.content import safeyaml

    if parser == "python":
        monkeypatch.setattr(safeyaml, "_FastLoader", safeyaml._Loader)
    with pytest.raises(ContentError) as info:
        parse_document(text, "content/posts/a.md")
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("/media/harbour-dusk.png", "/media/harbour-dusk.png"),
        ("media/harbour-dusk.png", "/media/harbour-dusk.png"),
        ("https://example.com/a.png", "https://example.com/a.png"),
    ],
)
def test_image_is_a_known_key_for_link_previews(value, kept):
    doc = parse_document(
        f"---\ntitle: t\ndate: 2026-01-01\nimage: {value}\n---\nx", "content/posts/y.md"
    )
    assert doc.extra == {"image": kept}  # the row keeps it for og:image
    assert f"image: {kept}\n" in serialize_document(doc, "y")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("javascript:alert(1)", "'javascript:alert(1)' is neither a path in media/ nor"),
        ("'data:image/png;base64,AAAA'", "is neither a path in media/ nor an http(s) URL"),
        ("//evil.example/a.png", "is neither a path in media/ nor an http(s) URL"),
        ("/media/../secret.png", "is neither a path in media/ nor an http(s) URL"),
        ("/static/a.png", "is neither a path in media/ nor an http(s) URL"),
        ("/media/sub/a.png", "in a folder inside media/"),
        ("ftp://example.com/a.png", "not an absolute http(s) URL"),
        ("[a, b]", "expected a media path or an http(s) URL"),
    ],
)
def test_image_must_be_a_media_path_or_a_web_address(value, says):
    with pytest.raises(ContentError) as info:
        parse_document(
            f"---\ntitle: t\ndate: 2026-01-01\nimage: {value}\n---\nx", "content/posts/y.md"
        )
    assert str(info.value).startswith("content/posts/y.md:4: invalid 'image': ")
    assert says in info.value.message
    assert info.value.hint == (
        "write '/media/<file>' for a file in content/media/, or a full https://… URL"
    )
