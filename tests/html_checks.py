"""Assertions on HTML that readers' browsers will run."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

_ACTIVE_ELEMENTS = "script, iframe, object, embed, svg, math, style"
_ACTIVE_SCHEMES = ("javascript:", "data:", "vbscript:")


def assert_inert(html: str) -> None:
    """No element, event handler or URL in ``html`` can run code (text saying so is fine)."""
    tree = LexborHTMLParser(html)
    assert not tree.css(_ACTIVE_ELEMENTS), [node.tag for node in tree.css(_ACTIVE_ELEMENTS)]
    for node in tree.css("*"):
        for name, value in node.attributes.items():
            assert not name.lower().startswith("on"), (node.tag, name)
            assert not (value or "").strip().lower().startswith(_ACTIVE_SCHEMES), (node.tag, value)
    assert "<script" not in html.lower()  # not even as markup a parser would not see
