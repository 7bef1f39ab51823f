"""Property tests: any document survives a file round trip; any title gives a valid slug."""

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.content import Document, parse_document, serialize_document
from app.content.document import clean_name
from app.content.slugs import is_valid_slug, slugify

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
