"""Ghost's editor documents (lexical, Ghost 5; mobiledoc, Ghost 1-4) as HTML, for a post
whose export carries no ``html``: the common node and card kinds; the kinds of the others
are collected in ``skipped`` for the report."""

from __future__ import annotations

import re
from html import escape
from typing import Any

_BLOCKS = {
    "paragraph": "p",
    "quote": "blockquote",
    "extended-quote": "blockquote",
    "aside": "blockquote",
    "listitem": "li",
}
_INLINE = {"a", "b", "strong", "i", "em", "s", "u", "code", "sub", "sup"}
_TEXT_FORMATS = ((16, "code"), (1, "strong"), (2, "em"), (4, "s"))


def _figure(src: Any, alt: Any, caption: Any) -> str:
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    image = f'<img src="{escape(str(src or ""))}" alt="{escape(str(alt or ""))}">'
    return f"<figure>{image}{figcaption}</figure>"


def lexical_html(node: dict[str, Any], skipped: list[str]) -> str:
    """HTML for a node of Ghost 5's editor document (the common kinds; others skipped)."""
    kind = str(node.get("type") or "")
    inner = "".join(
        lexical_html(c, skipped) for c in node.get("children") or [] if isinstance(c, dict)
    )
    if kind in ("text", "extended-text"):
        text = escape(str(node.get("text") or ""))
        flags = node["format"] if isinstance(node.get("format"), int) else 0
        for bit, tag in _TEXT_FORMATS:
            text = f"<{tag}>{text}</{tag}>" if flags & bit else text
        return text
    if kind in _BLOCKS or kind in ("heading", "extended-heading", "list"):
        tag = _BLOCKS.get(kind) or ("ol" if node.get("listType") == "number" else "ul")
        if "heading" in kind:
            tag = str(node.get("tag")) if re.fullmatch(r"h[1-6]", str(node.get("tag"))) else "h2"
        return f"<{tag}>{inner}</{tag}>"
    if kind in ("link", "autolink"):
        return f'<a href="{escape(str(node.get("url") or ""))}">{inner}</a>'
    simple = {"root": inner, "linebreak": "<br>", "horizontalrule": "<hr>", "tab": " "}
    if kind in simple:
        return simple[kind]
    if kind == "image":
        return _figure(node.get("src"), node.get("alt"), node.get("caption"))
    if kind == "codeblock":
        language = re.sub(r"[^\w+#.-]", "", str(node.get("language") or ""))
        code = escape(str(node.get("code") or ""))
        return f'<pre><code class="language-{language}">{code}</code></pre>'
    if kind in ("html", "embed") and node.get("html"):
        return str(node["html"])
    skipped.append(kind)
    return inner


def mobiledoc_parts(doc: dict[str, Any], skipped: list[str]) -> list[tuple[str, str]]:
    """('html' or 'markdown', text) for each section of a mobiledoc (Ghost 1 to 4)."""
    markups, atoms, cards = doc.get("markups") or [], doc.get("atoms") or [], doc.get("cards") or []

    def markers(items: list[Any]) -> str:
        out, open_tags = [], []
        for kind, opened, closed, value in items:
            for index in opened:
                tag, *rest = markups[index]
                attrs = rest[0] if rest else []  # ['href', 'https://...', ...]
                href = attrs[attrs.index("href") + 1] if "href" in attrs[::2] else ""
                tag = tag if tag in _INLINE else "span"
                href = f' href="{escape(str(href))}"' if tag == "a" else ""
                out.append(f"<{tag}{href}>")
                open_tags.append(tag)
            out.append(escape(str(value if kind == 0 else atoms[value][1])))
            out += [f"</{open_tags.pop()}>" for _ in range(closed)]
        return "".join(out)

    parts: list[tuple[str, str]] = []
    for section in doc.get("sections") or []:
        if section[0] == 1:
            tag = section[1] if re.fullmatch(r"p|h[1-6]|blockquote", section[1]) else "blockquote"
            parts.append(("html", f"<{tag}>{markers(section[2])}</{tag}>"))
        elif section[0] == 3:
            items = "".join(f"<li>{markers(item)}</li>" for item in section[2])
            parts.append(("html", f"<{section[1]}>{items}</{section[1]}>"))
        elif section[0] == 2:
            parts.append(("html", _figure(section[1], "", "")))
        elif section[0] == 10:
            name, payload = cards[section[1]][0], cards[section[1]][1] or {}
            if name in ("markdown", "card-markdown") and payload.get("markdown"):
                parts.append(("markdown", str(payload["markdown"])))
            elif name in ("html", "embed") and payload.get("html"):
                parts.append(("html", str(payload["html"])))
            elif name == "image":
                parts.append(
                    (
                        "html",
                        _figure(payload.get("src"), payload.get("alt"), payload.get("caption")),
                    )
                )
            elif name == "code":
                lexical = {"type": "codeblock", **payload}
                parts.append(("html", lexical_html(lexical, skipped)))
            elif name == "hr":
                parts.append(("html", "<hr>"))
            else:
                skipped.append(name)
    return parts
