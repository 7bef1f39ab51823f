"""Markdown rendering: features authors rely on, and sanitizing."""

import pytest

from app.content import render_markdown


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
    html = render_markdown(payload).html.lower()
    for needle in ("<script", "onerror", "javascript:", "data:text", "<iframe", "<svg"):
        assert needle not in html


def test_word_count_and_lead():
    out = render_markdown("First para with five words.\n\nSecond one.\n")
    assert out.word_count == 7
    assert out.lead == "First para with five words."


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
    python, js, plain = html.split("\n\n")
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
