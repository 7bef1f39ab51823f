"""The API's docs page shows its Markdown descriptions rendered, not as source."""

from __future__ import annotations

from tests.conftest import ApiClient


def test_descriptions_are_rendered_markdown(api):
    html = ApiClient(api.base_url).get("/docs").text
    # The API's description: paragraphs with code, not one <pre> of Markdown source.
    assert "<pre>Read and write" not in html
    assert "<p>Read and write the blog" in html
    assert "<code>Authorization: Bearer &lt;token&gt;</code>" in html
    assert "`application/problem+json`" not in html
    # A field's description, inline.
    assert '"a, b"' in html or "&quot;a, b&quot;" in html
    assert "<td><p>" not in html  # one-line descriptions stay inline in their cells
    assert "<td><code>tags</code></td><td>list of string or string</td>" in html
