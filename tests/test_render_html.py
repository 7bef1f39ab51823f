"""Raw HTML: tags that would swallow prose show as text; what the sanitizer removes is said."""

import pytest

from app.content import render_markdown
from app.content.markdown import FILTERED_TAGS, GFM_FILTERED_TAGS
from app.content.render import body_warnings
from tests.html_checks import assert_inert

#: Every element name of HTML (current and obsolete), SVG and MathML, written lowercase as
#: an HTML parser reads them: none may make prose around it disappear.
_ELEMENTS = """
html head body title base link meta style script noscript template slot article section
nav aside h1 h2 h3 h4 h5 h6 hgroup header footer address p hr pre blockquote ol ul menu li
dl dt dd figure figcaption main search div a em strong small s cite q dfn abbr ruby rt rp
data time code var samp kbd sub sup i b u mark bdi bdo span br wbr ins del picture source
img iframe embed object param video audio track map area table caption colgroup col tbody
thead tfoot tr td th form label input button select datalist optgroup option textarea
output progress meter fieldset legend details summary dialog canvas applet acronym bgsound
dir frame frameset noframes isindex keygen listing menuitem nextid noembed plaintext rb rtc
strike xmp basefont big blink center font marquee multicol nobr spacer tt image
svg animate animatemotion animatetransform circle clippath defs desc discard ellipse feblend
fecolormatrix fecomponenttransfer fecomposite feconvolvematrix fediffuselighting
fedisplacementmap fedistantlight fedropshadow feflood fefunca fefuncb fefuncg fefuncr
fegaussianblur feimage femerge femergenode femorphology feoffset fepointlight
fespecularlighting fespotlight fetile feturbulence filter foreignobject g hatch hatchpath
line lineargradient marker mask metadata mpath path pattern polygon polyline radialgradient
rect set stop switch symbol text textpath tspan use view font-face glyph missing-glyph
altglyph tref cursor hkern vkern
math maction annotation annotation-xml menclose merror mfenced mfrac mi mmultiscripts mn mo
mover mpadded mphantom mprescripts mroot mrow ms mspace msqrt mstyle msub msubsup msup
mtable mtd mtext mtr munder munderover semantics none mglyph malignmark mlabeledtr
"""
ELEMENT_NAMES = _ELEMENTS.split()


@pytest.mark.parametrize("tag", FILTERED_TAGS)
def test_a_filtered_tag_in_prose_shows_as_text_and_keeps_the_rest(tag):
    out = render_markdown(f"Use the <{tag}> element for *CSS*.\n\nNext para.\n")
    assert f"<p>Use the &lt;{tag}&gt; element for <em>CSS</em>.</p>" in out.html
    assert out.text == f"Use the <{tag}> element for CSS. Next para."  # the search index's
    assert out.removed == ()
    assert_inert(out.html)


@pytest.mark.parametrize("tag", FILTERED_TAGS)
def test_a_filtered_tag_starting_an_html_block_shows_as_text(tag):
    out = render_markdown(f"<{tag}>\nbody {{ color: red }}\n</{tag}>\n\nAfter it.\n")
    assert f"&lt;{tag}&gt;\nbody {{ color: red }}\n&lt;/{tag}&gt;" in out.html
    assert out.html.endswith("<p>After it.</p>")
    assert_inert(out.html)


@pytest.mark.parametrize(
    ("markdown", "html"),
    [  # as GitHub's tag filter matches: any case, end tags, attributes, self-closing
        ("a <STYLE> b", "<p>a &lt;STYLE&gt; b</p>"),
        ("a </script> b", "<p>a &lt;/script&gt; b</p>"),
        ('a <iframe src="x"> b', '<p>a &lt;iframe src="x"&gt; b</p>'),
        ("a <xmp/> b", "<p>a &lt;xmp/&gt; b</p>"),
        ("a <title\nlang=en> b", "<p>a &lt;title\nlang=en&gt; b</p>"),
        ("a <styles> b", "<p>a  b</p>"),  # another tag (unknown: removed, its text kept)
        ("a <em>b</em>", "<p>a <em>b</em></p>"),
    ],
)
def test_tags_are_filtered_by_name_as_github_does(markdown, html):
    assert render_markdown(markdown).html == html


def test_github_tag_filter_lists_the_nine_tags_of_its_spec():
    assert set(GFM_FILTERED_TAGS) == {
        "title", "textarea", "style", "xmp", "iframe", "noembed", "noframes", "script",
        "plaintext",
    }  # fmt: skip
    assert set(GFM_FILTERED_TAGS) < set(FILTERED_TAGS)


@pytest.mark.parametrize("tag", ELEMENT_NAMES)
@pytest.mark.parametrize(
    "template",
    [
        "Use the <{tag}> element for CSS.\n\nNext para.\n",
        "<div>\nUse the <{tag}> element for CSS.\n</div>\n\nNext para.\n",
        "<{tag}>\nUse the element for CSS.\n\nNext para.\n",
    ],
    ids=["inline", "in a block", "starting a block"],
)
def test_no_element_makes_the_prose_around_it_disappear(tag, template):
    out = render_markdown(template.format(tag=tag))
    for words in ("Use the", "element for CSS", "Next para"):
        assert words in out.text
    assert out.removed == ()
    assert_inert(out.html)


@pytest.mark.parametrize(
    "markup",
    ["<?php echo 1; ?>", "<![CDATA[ x < y ]]>", "<!DOCTYPE html>", "<!ELEMENT br EMPTY>"],
)
def test_instructions_declarations_and_cdata_show_as_text(markup):
    out = render_markdown(f"Write {markup} first.\n")
    assert out.text == f"Write {markup} first."


def test_comments_are_hidden_without_a_warning():
    out = render_markdown("Shown <!-- a note to self --> text.\n\n<!--\nblock note\n-->\n")
    assert out.text == "Shown text."
    assert out.removed == ()
    assert body_warnings("Shown <!-- a note to self --> text.\n") == []


def test_an_unclosed_comment_is_said_with_its_line_and_what_it_hides():
    body = "Intro.\n\nMore intro.\n\n<!-- TODO: finish\n\nThe rest of the post, lost.\n"
    out = render_markdown(body)
    assert out.text == "Intro. More intro."
    (removal,) = out.removed
    assert (removal.line, removal.cause, removal.cause_line) == (5, "<!--", 5)
    assert removal.text == "TODO finish The rest of the post lost"
    (message,) = body_warnings(body, "content/posts/draft.md", first_line=6)
    assert message.startswith(
        "content/posts/draft.md:10: the HTML sanitizer removed text readers would not see: "
        "“TODO finish The rest of the post lost”, hidden by the raw HTML `<!--` on line 10"
    )
    assert "backticks" in message
    assert body_warnings(body)[0].startswith("line 5: the HTML sanitizer removed")


def test_each_block_that_loses_text_is_named_on_its_own_line():
    body = "Fine.\n\n<div>\nkept\n</ gone>\n</div>\n\nFine too.\n\n<p>\n</ lost too>\n</p>\n"
    removals = render_markdown(body).removed
    assert [(r.line, r.text, r.cause) for r in removals] == [
        (5, "gone", "</"),
        (11, "lost too", "</"),
    ]


def test_many_losses_are_named_ten_at_a_time_and_long_ones_shortened():
    body = "\n\n".join(f"<div>\n</ lost {n}>\n</div>" for n in range(30))
    removals = render_markdown(body).removed
    assert len(removals) == 10
    long = render_markdown("<!--\n" + "word " * 50).removed[0]
    assert long.text == "word word word word word word word word …"


def test_a_body_without_raw_html_has_no_warnings():
    assert body_warnings("Plain *Markdown* with a `<style>` in code.\n") == []
    assert render_markdown("a < b and c > d\n").removed == ()


def test_a_start_tag_never_closed_is_named_as_the_cause():
    (removal,) = render_markdown('Intro.\n\n<div id="x"\n*hi* there\n').removed
    assert (removal.line, removal.text, removal.cause, removal.cause_line) == (
        3,
        "div id x hi there",
        "<div",
        3,
    )
    assert "hidden by the raw HTML `<div` on line 3" in removal.message("")


def test_a_tag_in_prose_before_headings_leaves_them_and_their_toc_links():
    out = render_markdown("[TOC]\n\nUse the <template> element.\n\n## Usage\n\n### Slots\n")
    assert '<h2 id="usage">Usage</h2>' in out.html
    assert '<h3 id="slots">Slots</h3>' in out.html
    assert 'href="#usage"' in out.toc_html
    assert 'href="#slots"' in out.toc_html
