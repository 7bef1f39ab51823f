"""Property tests: any document survives a file round trip; any title gives a valid slug."""

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from app.content import Document, parse_document, render_markdown, serialize_document
from app.content.document import clean_name
from app.content.slugs import is_valid_slug, slugify
from tests.html_checks import assert_inert

# Printable text without control characters (YAML cannot carry most of them) or surrogates.
text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\u2028\u2029\x85"),
    max_size=60,
)
titles = text.map(lambda s: " ".join(s.split())).filter(bool)
slugs = st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,3}", fullmatch=True)
dates = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 1, 1)).map(
    lambda d: d.replace(microsecond=0)
)
# Tag names are stored normalised (NFC, no invisible characters): generate them that way.
tag_names = titles.map(clean_name).filter(bool)
tags = st.lists(tag_names, max_size=4, unique_by=lambda t: t).map(list)
bodies = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\ufeff"), max_size=300
).map(lambda b: b.strip("\n") + "\n" if b.strip() else "")
extra_values = st.one_of(st.integers(), st.booleans(), text, st.lists(text, max_size=3))
extras = st.dictionaries(st.from_regex(r"x_[a-z]{1,8}", fullmatch=True), extra_values, max_size=3)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    title=titles,
    slug=slugs,
    date=dates,
    updated=st.none() | dates,
    tags=tags,
    draft=st.booleans(),
    summary=text.map(str.strip),
    body=bodies,
    extra=extras,
)
def test_document_round_trip(title, slug, date, updated, tags, draft, summary, body, extra):
    doc = Document(
        title=title,
        slug=slug,
        body=body,
        date=date,
        updated=updated,
        tags=tags,
        draft=draft,
        summary=summary,
        extra=extra,
    )
    text_ = serialize_document(doc, slug)
    again = parse_document(text_, f"content/posts/{slug}.md")
    assert again == doc


@given(st.text(max_size=200))
def test_any_title_slugifies_to_a_valid_slug(title):
    slug = slugify(title)
    assert is_valid_slug(slug)
    assert slug == slugify(title)  # stable


@given(st.text(max_size=40))
def test_tag_names_are_normalised_once(name):
    cleaned = clean_name(name)
    assert clean_name(cleaned) == cleaned


# Markdown made of the characters its syntax is built from, so the rules meet odd cases.
_MARKDOWN_PIECES = [
    "#",
    "## ",
    "\n",
    "\n\n",
    "    ",
    "  ",
    "-",
    "*",
    "_",
    "`",
    "```",
    "~~~",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "{#",
    ".",
    "=",
    '"',
    "|",
    "---",
    "[^1]",
    "[^1]: ",
    "[TOC]",
    "<b>",
    "</b>",
    "<",
    ">",
    "&",
    "!",
    'hl_lines="1 2"',
    'linenums="1"',
    "python",
    "x",
    "é",
    "1.",
]
markdown_texts = st.lists(
    st.one_of(st.sampled_from(_MARKDOWN_PIECES), st.text(max_size=5)), max_size=60
).map("".join)


@settings(max_examples=300, deadline=None)
@given(markdown_texts)
def test_any_markdown_renders_to_inert_html_with_unique_heading_ids(body):
    out = render_markdown(body)
    assert_inert(out.html)
    ids = [node.attributes["id"] for node in LexborHTMLParser(out.html).css("h1,h2,h3,h4,h5,h6")]
    assert all(ids)
    assert len(ids) == len(set(ids))
    assert out.word_count >= 0
