"""The CommonMark 0.31.2 spec and GitHub's extension examples, run through our renderer.

Each example's Markdown goes through ``render_markdown`` (sanitizing included); its HTML and
the spec's are compared as the spec's own tests compare them (``tests/spec_normalize.py``,
which also takes out what we add on purpose: heading ids, Pygments' markup). Some examples
differ on purpose, listed below by number with the reason; the rest is the parser's
work. Each test says its pass rate and fails if fewer examples pass than recorded: raise
the record when a change makes more pass. Fixtures: ``tests/fixtures/spec/`` (README.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.content import render_markdown
from tests.spec_normalize import normalize_html, without_additions, without_language

SPEC_DIR = Path(__file__).parent / "fixtures" / "spec"

# Why an example differs on purpose.
TREE = (
    "raw HTML is parsed as a browser parses it and written back by the sanitizer: unclosed "
    "elements closed, stray end tags dropped, <tbody> added, misnested elements moved"
)
TRIMMED = "the end of a body's HTML is trimmed (the newline after a last raw tag)"
UNKNOWN = "tags the sanitizer does not allow (<foo>, <Warning>) are removed, their text kept"
ATTRIBUTES = "attributes the sanitizer does not allow are removed"
FILTERED = "tag filter: <script>, <style>, <textarea>... are shown as text (docs/content.md)"
AS_TEXT = (
    "processing instructions, declarations and CDATA, which the sanitizer would delete, "
    "are shown as text"
)
COMMENTS = "HTML comments are removed (an author's notes)"
UNCLOSED = (
    "a start tag never closed hides what follows it, in a browser too; the sanitizer "
    "leaves nothing of it and a warning names the line"
)
SCHEMES = "links keep only the URL schemes of render.URL_SCHEMES: others lose their href"
AUTOLINKED = (
    "bare URLs and e-mail addresses are links, as on GitHub (its autolink extension), where "
    "CommonMark leaves them text"
)

INTENDED_COMMONMARK: dict[int | str, str] = {
    **dict.fromkeys(
        (21, 31, 148, 149, 151, 155, 160, 165, 174, 175, 184, 187, 190, 191, 344, 476, 477),
        TREE,
    ),
    **dict.fromkeys((494, 623, 630, 631, 642, 643), TREE),
    **dict.fromkeys((162, 164, 166, 167), TRIMMED),
    **dict.fromkeys((150, 163, 201, 491, 524, 536, 613, 614, 615, 617), UNKNOWN),
    **dict.fromkeys((169, 616), ATTRIBUTES),
    **dict.fromkeys((170, 171, 172, 173, 176, 178), FILTERED),
    **dict.fromkeys((180, 181, 182, 627, 628, 629), AS_TEXT),
    **dict.fromkeys((177, 179, 183, 308, 309, 625, 626), COMMENTS),
    **dict.fromkeys((156, 157, 158), UNCLOSED),
    **dict.fromkeys((598, 599, 601), SCHEMES),
    **dict.fromkeys((602, 608, 611, 612), AUTOLINKED),
}
TASKS = (
    "task list items carry classes for themes to style (contains-task-list, task-list-item) "
    'and write their boolean attributes in full (checked="checked"): the same in a browser'
)
INTENDED_GFM: dict[int | str, str] = {
    **dict.fromkeys((606, 607, 609), SCHEMES),
    **dict.fromkeys((279, 280, "x26", "x27", "x28"), TASKS),
    653: TREE,
    "x22": f"{UNKNOWN}; {COMMENTS}",
}
#: Examples that fail and should not (not a decision: work to do), for the record.
KNOWN_GAPS = {
    "commonmark": {},
    "gfm": {
        (610, 616, 619, 620, 625, 626, 629, 630, 631, "x19"): "linkify-it-py's rules for "
        "bare URLs differ from GitHub's at the edges: a URL inside <...> with a space, "
        "balanced and trailing parentheses, entities and < after a URL, a.w@b.c",
        ("x17", "x18"): "one tilde (~a~) is no strikethrough for markdown-it: two are",
    },
}
#: How many examples passed when last recorded: a test fails below it.
RECORDED = {"commonmark": 584, "gfm": 36}


@dataclass(frozen=True)
class Example:
    number: int | str
    section: str
    markdown: str
    html: str


def examples(name: str) -> list[Example]:
    data: dict[str, Any] = json.loads((SPEC_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return [Example(e["example"], e["section"], e["markdown"], e["html"]) for e in data["examples"]]


def passes(example: Example) -> bool:
    """Whether our HTML for the example's Markdown is the spec's, normalised."""
    ours = render_markdown(example.markdown).html
    if example.html.strip().lower() == "<ignore>":  # the spec asks only that it renders
        return True
    return normalize_html(without_additions(ours)) == normalize_html(without_language(example.html))


def _rate(passed: int, total: int) -> str:
    return f"{passed}/{total} ({100 * passed / total:.1f} %)"


def _report(name: str, intended: dict[int | str, str]) -> Iterator[str]:
    """Run every example; yields the lines of a report, the pass counts last."""
    items = examples(name)
    failed = [e for e in items if not passes(e)]
    passed = len(items) - len(failed)
    counted = len(items) - len(intended)
    yield f"{name}: {_rate(passed, len(items))} pass"
    yield f"  leaving out {len(intended)} intended differences: {_rate(passed, counted)}"
    unexpected = [e for e in failed if e.number not in intended]
    yield "  failing, not intended: " + ", ".join(str(e.number) for e in unexpected)


@pytest.mark.parametrize(
    ("name", "intended"),
    [("commonmark", INTENDED_COMMONMARK), ("gfm", INTENDED_GFM)],
)
def test_spec_pass_rate_is_at_least_the_recorded_one(name, intended, record_property):
    items = examples(name)
    failed = {e.number for e in items if not passes(e)}
    passed = len(items) - len(failed)
    report = "\n".join(_report(name, intended))
    print(report)
    record_property("pass_rate", f"{passed}/{len(items)}")
    assert passed >= RECORDED[name], f"fewer examples pass than recorded:\n{report}"
    now_passing = sorted(str(n) for n in set(intended) - failed)
    assert not now_passing, f"intended differences that now pass (take them out): {now_passing}"


def test_the_fixtures_hold_every_example_of_their_sections():
    commonmark = examples("commonmark")
    assert len(commonmark) == 652  # CommonMark 0.31.2
    assert [e.number for e in commonmark] == list(range(1, 653))
    sections = {e.section for e in examples("gfm")}
    for claimed in (
        "Tables (extension)",
        "Strikethrough (extension)",
        "Autolinks (extension)",
        "Task list items (extension)",
        "Disallowed Raw HTML (extension)",
    ):
        assert claimed in sections
    for name, intended in (("commonmark", INTENDED_COMMONMARK), ("gfm", INTENDED_GFM)):
        numbers = {e.number for e in examples(name)}
        assert set(intended) <= numbers
        for group in KNOWN_GAPS[name]:
            assert set(group) <= numbers
            assert not set(group) & set(intended)


def test_the_tag_filter_example_differs_only_by_what_the_sanitizer_repairs():
    (example,) = [e for e in examples("gfm") if e.section == "Disallowed Raw HTML (extension)"]
    html = render_markdown(example.markdown).html
    assert "&lt;title&gt; &lt;style&gt;" in html
    assert "&lt;xmp&gt; is disallowed.  &lt;XMP&gt; is also disallowed." in html
