"""A save over a file keeps what its author wrote of what did not change (``content.keep``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.content.document import parse_document, read_front_matter, serialize_document
from app.content.keep import kept_text, same_document
from tests.test_properties import dates, tags, titles

PATH = "content/posts/kept.md"
ZONE = ZoneInfo("Europe/Paris")
WRITTEN = """---
date: 2024-01-05
title: Kept as written
slug: kept
tags: zeta, Alpha
draft: false
x_custom: {b: 2, a: 1}
---

Body.
"""


def doc_of(text: str):
    return parse_document(text, PATH, "post", ZONE)


def test_a_document_that_did_not_change_keeps_its_file_byte_for_byte():
    assert kept_text(doc_of(WRITTEN), "kept", WRITTEN, PATH, ZONE) == WRITTEN
    toml = '+++\ntitle = "T"\ndate = 2024-01-05\ntags = ["b", "a"]\n+++\n\nBody.\n'
    assert kept_text(doc_of(toml), "kept", toml, PATH, ZONE) == toml


def test_a_change_writes_that_value_alone_anew():
    doc = replace(doc_of(WRITTEN), title="New title", summary="Now with a summary.")
    text = kept_text(doc, "kept", WRITTEN, PATH, ZONE)
    assert list(read_front_matter(text, PATH).items()) == [
        ("date", "2024-01-05"),
        ("title", "New title"),
        ("slug", "kept"),
        ("tags", "zeta, Alpha"),
        ("draft", False),
        ("x_custom", {"b": 2, "a": 1}),
        ("summary", "Now with a summary."),
    ]
    assert same_document(doc_of(text), doc)


def test_a_changed_date_and_tags_are_written_as_a_save_writes_them():
    doc = replace(doc_of(WRITTEN), date=datetime(2024, 2, 1, 9, 30), tags=["Alpha"], draft=True)
    front = read_front_matter(kept_text(doc, "kept", WRITTEN, PATH, ZONE), PATH)
    assert front["date"] == "2024-02-01T10:30:00+01:00"
    assert front["tags"] == ["Alpha"]
    assert front["draft"] is True


def test_removed_values_leave_the_front_matter():
    doc = replace(doc_of(WRITTEN), tags=[], extra={})
    front = read_front_matter(kept_text(doc, "kept", WRITTEN, PATH, ZONE), PATH)
    assert "x_custom" not in front
    assert "tags" not in front


def test_toml_front_matter_that_changes_is_written_as_yaml():
    toml = '+++\ntitle = "T"\ndate = 2024-01-05\n+++\n\nBody.\n'
    doc = replace(doc_of(toml), title="U")
    text = kept_text(doc, "kept", toml, PATH, ZONE)
    assert text == serialize_document(doc, "kept", ZONE)


def test_an_unreadable_file_is_written_anew():
    doc = doc_of(WRITTEN)
    broken = "---\ntitle: [unclosed\n---\n\nBody.\n"
    assert kept_text(doc, "kept", broken, PATH, ZONE) == serialize_document(doc, "kept", ZONE)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    title=titles,
    date=dates.filter(lambda d: d.year > 1),
    tags_=tags,
    draft=st.booleans(),
    field=st.sampled_from(["title", "date", "tags", "draft", "summary", "nothing"]),
)
def test_whatever_changes_the_text_reads_as_the_saved_document(title, date, tags_, draft, field):
    before = doc_of(WRITTEN)
    changes = {"title": title, "date": date, "tags": tags_, "draft": draft, "summary": title}
    doc = before if field == "nothing" else replace(before, **{field: changes[field]})
    text = kept_text(doc, "kept", WRITTEN, PATH, ZONE)
    assert same_document(doc_of(text), doc)
    if same_document(before, doc):
        assert text == WRITTEN


BLOCKS = """---
# Written by hand.
title: Kept as written
date: 2024-01-05
tags:
  - zeta
  - Alpha
# Old addresses of this post:
aliases:
- /2015/01/kept/
- /brand%20management/kept.html
summary: >-
  One line,

  then another.
x_custom:   {b: 2, a: 1}   # spaced as I like it
---

Body.
"""


def test_a_one_field_save_keeps_the_lines_of_every_other_key_as_written():
    """Block lists, comments, folded text and spacing of the keys a save did not change stay
    as the file wrote them: the save changes the one line."""
    saved = kept_text(replace(doc_of(BLOCKS), title="Kept"), "kept", BLOCKS, PATH, ZONE)
    assert saved == BLOCKS.replace("title: Kept as written", "title: Kept")


def test_a_changed_key_is_written_anew_below_its_comment_and_a_removed_one_goes():
    doc = replace(doc_of(BLOCKS), aliases=["/2015/01/kept/"], summary="")
    saved = kept_text(doc, "kept", BLOCKS, PATH, ZONE)
    assert "# Old addresses of this post:\naliases: [/2015/01/kept/]\n" in saved
    assert "summary" not in saved
    assert "then another" not in saved
    assert saved.startswith("---\n# Written by hand.\ntitle: Kept as written\n")
    assert "tags:\n  - zeta\n  - Alpha\n" in saved
    assert same_document(doc_of(saved), doc)
