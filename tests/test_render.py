"""Markdown rendering: features authors rely on, and sanitizing."""

import html as stdlib_html
import re

import nh3
import pytest
from selectolax.lexbor import LexborHTMLParser

from app.content import render_markdown
from app.content.codeblocks import Fence, highlight_code, parse_info
from app.content.render import plain_text, sanitize
from tests.html_checks import assert_inert


def test_fenced_code_is_highlighted():
    html = render_markdown("```python\ndef f():\n    return 1\n```\n").html
    assert '<div class="highlight">' in html
    assert '<span class="k">def</span>' in html


def test_tables_footnotes_and_heading_ids():
    out = render_markdown(
        "## Intro part\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nText[^n].\n\n[^n]: Note.\n"
    )
    assert '<h2 id="intro-part">' in out.html
    assert "<table>" in out.html
    assert "<td>1</td>" in out.html
    assert 'class="footnote"' in out.html
    assert 'href="#intro-part"' in out.toc_html


def test_unicode_heading_ids():
    assert 'id="café-crème"' in render_markdown("## Café crème\n").html


def test_instances_do_not_leak_state_between_documents():
    first = render_markdown("A[^x].\n\n[^x]: one\n").html
    second = render_markdown("No notes here.\n").html
    assert "footnote" in first
    assert "footnote" not in second


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src="x.png" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        "<svg><script>alert(1)</script></svg>",
        '<iframe src="https://evil.example"></iframe>',
    ],
)
def test_dangerous_html_is_removed(payload):
    assert_inert(render_markdown(payload).html)


def test_word_count_and_lead():
    out = render_markdown("First para with five words.\n\nSecond one.\n")
    assert out.word_count == 7
    assert out.lead == "First para with five words."


def test_the_lead_is_the_first_paragraph_with_text_not_an_image_alone():
    out = render_markdown("![The harbour](/media/harbour.jpg)\n\nThe boats came in at dawn.\n")
    assert out.lead == "The boats came in at dawn."
    only = render_markdown("![The harbour](/media/harbour.jpg)\n")
    assert only.lead == only.text == ""


def test_lead_leaves_out_footnote_markers():
    out = render_markdown("Supports footnotes[^1] nicely.\n\n[^1]: A note.\n")
    assert out.lead == "Supports footnotes nicely."


# Formatters are reused between code blocks: each block must still get its own options, and
# the HTML must be what Pygments' default 'html' formatter writes (no class on <code>).
HIGHLIGHTED = """```python hl_lines="2"
def f():
    return 1
```

~~~ { .js .numbered linenums="1" }
let a = 1 < 2;
~~~

```nosuchlang
plain <text>
```
"""


def test_each_code_block_keeps_its_own_highlighting_options():
    html = render_markdown(HIGHLIGHTED).html
    python, js, plain = html.replace("</div>\n<div", "</div>\n\n<div").split("\n\n")
    assert python.startswith('<div class="highlight"><pre><span></span><code><span class="k">def')
    assert '<span class="hll">    <span class="k">return</span>' in python
    assert "linenos" not in python
    assert js.startswith('<div class="numbered highlight"><table class="numbered highlighttable">')
    assert '<span class="normal">1</span>' in js
    assert '<span class="kd">let</span>' in js
    assert "hll" not in js
    assert (
        plain
        == '<div class="highlight"><pre><span></span><code>plain &lt;text&gt;\n</code></pre></div>'
    )
    assert "language-" not in html


def test_options_of_one_document_do_not_leak_into_the_next():
    render_markdown(HIGHLIGHTED)
    html = render_markdown("```python\nx = 1\n```\n").html
    assert html == (
        '<div class="highlight"><pre><span></span><code><span class="n">x</span> '
        '<span class="o">=</span> <span class="mi">1</span>\n</code></pre></div>'
    )


def test_headings_take_ids_classes_from_a_trailing_attribute_list():
    html = render_markdown("## Setup {#install .wide}\n\n## Usage {: #use }\n").html
    assert '<h2 id="install" class="wide">Setup</h2>' in html
    assert '<h2 id="use">Usage</h2>' in html
    assert "{" not in html


def test_a_brace_that_is_no_attribute_list_stays_text():
    assert "{not attributes!}" in render_markdown("## Sets {not attributes!}\n").html


def test_repeated_headings_get_unique_ids_and_explicit_ids_are_kept():
    html = render_markdown("## Notes\n\n## Notes\n\n## Other {#notes_1}\n").html
    assert html.count('id="notes"') == 1
    assert '<h2 id="notes_1">Other</h2>' in html  # the author's id is kept
    assert html.count('id="notes_2"') == 1
    twice = render_markdown("## A {#x}\n\n## B {#x}\n").html
    assert '<h2 id="x">A</h2>' in twice
    assert '<h2 id="x_1">B</h2>' in twice


def test_toc_marker_is_replaced_by_nested_links_to_headings_two_to_four():
    out = render_markdown(
        "# Title\n\n[TOC]\n\n## One\n\n### One `a`\n\n##### Deep\n\n## Two\n\nText [TOC] here.\n"
    )
    first, rest = out.html.split('<h2 id="one">')
    assert first.startswith('<h1 id="title">Title</h1>\n<div class="toc">')
    assert "[TOC]" not in first
    assert "Text [TOC] here." in rest  # only a paragraph of its own is a marker
    toc = out.toc_html
    assert toc.index('href="#one"') < toc.index('href="#one-a"') < toc.index('href="#two"')
    assert '<a href="#one">One</a><ul>' in toc  # h3 nested below its h2
    assert "deep" not in toc
    assert "title" not in toc
    assert render_markdown("No headings.\n").toc_html == ""


def test_footnote_ids_follow_their_labels():
    html = render_markdown("One[^a] two[^b] again[^a].\n\n[^a]: A.\n[^b]: B.\n").html
    assert '<sup id="fnref:a"><a class="footnote-ref" href="#fn:a">1</a></sup>' in html
    assert '<sup id="fnref2:a">' in html
    assert '<li id="fn:b">' in html
    assert 'href="#fnref2:a"' in html


def test_commonmark_lists_nest_by_their_content_column():
    html = render_markdown("- one\n  - nested\n- two\n\n3. three\n4. four\n").html
    assert "<li>one\n<ul>\n<li>nested</li>" in html
    assert '<ol start="3">' in html


def test_strikethrough_and_inline_attributes():
    html = render_markdown("~~old~~ ![Chart](/media/c.png){width=320 .wide} `x`{.py}\n").html
    assert "<s>old</s>" in html
    assert '<img src="/media/c.png" alt="Chart" width="320" class="wide">' in html
    assert '<code class="py">x</code>' in html


def test_indented_code_is_shown_plain_in_the_highlight_markup():
    html = render_markdown("Code:\n\n    <b>&</b>\n").html
    assert '<div class="highlight"><pre><span></span><code>&lt;b&gt;&amp;&lt;/b&gt;' in html


@pytest.mark.parametrize(
    "html",
    [
        '<p title="a &gt; b">x &amp; <b>y</b></p>\n<p>z</p>',
        '<p><a href="/x?a=1&amp;b=2" title="1 > 0">link</a> tail</p>',
        "<ul><li>one</li><li>two</li></ul>",
        "<p>non&nbsp;breaking&#160;space</p>",
    ],
)
def test_plain_text_of_sanitized_html_is_what_a_tag_stripper_gives(html):
    safe = sanitize(html)
    expected = stdlib_html.unescape(" ".join(nh3.clean(safe, tags=set()).split()))
    assert plain_text(safe) == expected


def test_code_blocks_are_pygments_markup_as_written_not_parsed_again():
    code = "if a < b and c == '\"x\"':\n    pass\n"
    out = render_markdown(
        f"Intro.\n\n```python\n{code}```\n\n- in a list\n\n      plain & <b>\n"
    ).html
    assert highlight_code(code, parse_info("python")) in out  # Pygments' escaping kept
    assert highlight_code("plain & <b>\n", Fence()) in out
    assert out.index("Intro.") < out.index('class="k">if') < out.index("in a list")
    assert "mb-code-" not in out
    assert_inert(out)


@pytest.mark.parametrize(
    "wrapper",
    [
        '<div title="\n\n{fence}\n\n">\n',  # raw HTML whose attribute swallows the block
        "<!--\n\n{fence}\n\n-->\n",
        "<textarea>\n\n{fence}\n\n</textarea>\n",
        '<pre class="mb-code-0000000000000000-0"></pre>\n\n{fence}\n',  # a forged placeholder
    ],
)
def test_raw_html_around_a_code_block_cannot_smuggle_markup(wrapper):
    fence = "```python\nx = '\"><script>alert(1)</script><img src=x onerror=alert(2)>'\n```"
    out = render_markdown(wrapper.format(fence=fence)).html
    assert_inert(out)
    assert "mb-code-" not in out.replace("mb-code-0000000000000000-0", "")
    if not wrapper.startswith("<textarea>"):  # shown as text: then the lines up to
        # ``</script>`` are an HTML block the author wrote, its (inert) <img> kept
        assert not LexborHTMLParser(out).css("img")


def test_every_code_block_of_a_document_is_filled_in_in_order():
    body = "\n\n".join(f"> ```text\n> block {n}\n> ```" for n in range(12))
    out = render_markdown(body).html
    positions = [out.index(f"block {n}\n") for n in range(12)]
    assert positions == sorted(positions)
    assert out.count('<div class="highlight">') == 12


def test_words_are_counted_as_runs_of_word_characters():
    import random
    import re

    from app.content.render import word_count

    rng = random.Random(7)
    alphabet = "ab Z09_-'.,;\t\n\x1c\x7f!é€ "
    texts = ["", "   ", "don't stop-me now_1", "a\x1fb\x1cc"]
    texts += ["".join(rng.choices(alphabet[:-3], k=rng.randint(0, 80))) for _ in range(300)]
    texts += ["".join(rng.choices(alphabet, k=rng.randint(0, 80))) for _ in range(300)]
    for text in texts:
        assert word_count(text) == len(re.findall(r"\w+", text)), repr(text)


@pytest.mark.parametrize(
    "url", ["tel:+15551234567", "ftp://ftp.example.org/pub/", "sms:+1555", "geo:37.78,-122.4"]
)
def test_links_of_the_safe_schemes_keep_their_href(url):
    html = render_markdown(f"[link]({url}) and <{url}>").html
    assert html.count(f'href="{url}"') == 2


def test_code_blocks_keep_the_authors_blank_lines():
    html = render_markdown("```python\n\nx = 1\n\n\n```\n\n```\n```\n").html
    assert "<code>\n<span" in html or "<code><span" in html
    text = re.sub(r"<[^>]+>", "", html)
    assert "\nx = 1\n\n\n" in text
    assert html.count("<code></code>") == 1  # an empty block stays empty


def test_links_without_brackets_are_made_as_github_makes_them():
    html = render_markdown(
        "See https://example.org/a, www.python.org, ada@example.org and example.com.\n"
    ).html
    assert '<a href="https://example.org/a">' in html
    assert '<a href="http://www.python.org">www.python.org</a>' in html
    assert '<a href="mailto:ada@example.org">' in html
    assert "example.com." in html
    assert 'href="http://example.com"' not in html  # a bare domain stays text, as on GitHub
    assert "<a" not in render_markdown("`https://example.org` and\n\n    www.python.org\n").html
