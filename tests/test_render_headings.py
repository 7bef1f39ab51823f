"""Headings cost time in proportion to their length, whatever they hold (issue #26)."""

import time
from collections.abc import Callable

import pytest

from app.content import render_markdown
from app.content.markdown import trailing_attributes

KB = 1024
MIB = 1024 * KB


def _seconds(render: Callable[[], object]) -> float:
    """The best of three runs: the machine is shared, the slowest run says little."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        render()
        best = min(best, time.perf_counter() - start)
    return best


def _normal(size: int) -> str:
    """Prose of ``size`` characters: long paragraphs, some markup in them, headings between."""
    line = "A paragraph with *emphasis*, `code` and a [link](https://example.org/) in it. " * 20
    paragraph = f"## A heading\n\n{line}\n\n"
    return (paragraph * (size // len(paragraph) + 1))[:size]


#: Lines that took time in the square of their length: every space was the start of a
#: search for a trailing ``{...}`` that scanned the spaces after it.
PATHOLOGICAL = {
    "spaces in an ATX heading": lambda n: "# a" + " " * n + "b\n",
    "tabs in an ATX heading": lambda n: "# a" + "\t" * n + "b\n",
    "spaces in a setext heading": lambda n: "a" + " " * n + "b\n===\n",
    "spaces before an unclosed brace": lambda n: "## a" + " " * n + "{x\n",
    "braces": lambda n: "# " + "{ " * (n // 2) + "}\n",
    "an attribute list after spaces": lambda n: "# x" + " " * n + "{#id .wide}\n",
}


@pytest.fixture(scope="module")
def normal_200_kb() -> float:
    """Seconds a normal document of 200 KB takes."""
    normal = _normal(200 * KB)
    return _seconds(lambda: render_markdown(normal))


@pytest.mark.parametrize("make", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_a_200_kb_heading_costs_no_more_than_a_normal_document_of_its_size(make, normal_200_kb):
    heading = make(200 * KB)
    assert abs(len(heading) - 200 * KB) < 20
    allowed = 5 * normal_200_kb + 0.2
    assert _seconds(lambda: render_markdown(heading)) < allowed  # was 40 s for spaces


def test_a_2_mib_line_of_spaces_in_a_heading_is_linear():
    heading = PATHOLOGICAL["spaces in an ATX heading"](2 * MIB)
    normal = _normal(len(heading))
    start = time.perf_counter()
    render_markdown(normal)
    allowed = 5 * (time.perf_counter() - start) + 0.2
    start = time.perf_counter()
    out = render_markdown(heading)  # was about an hour
    assert time.perf_counter() - start < allowed
    assert out.html == '<h1 id="a-b">a' + " " * 2 * MIB + "b</h1>"


def test_many_headings_of_one_name_are_numbered_in_linear_time():
    small, large = "## Notes\n" * 500, "## Notes\n" * 5_000
    html = render_markdown(large).html
    assert 'id="notes_4999"' in html
    assert html.count('id="notes_') == 4_999
    assert _seconds(lambda: render_markdown(large)) < 20 * _seconds(lambda: render_markdown(small))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Setup {#install .wide}", (5, "#install .wide")),
        ("Usage {: #use }  ", (5, " #use ")),
        ("Usage\t {x}", (5, "x")),
        ("{a}", (0, "a")),
        ("Sets {not {nested}}", None),
        ("a {b} c", None),
        ("a {b\nc}", None),
        ("a b}", None),
        ("", None),
        ("   ", None),
    ],
)
def test_trailing_attributes_are_found_as_the_regex_found_them(text, found):
    assert trailing_attributes(text) == found
