"""WordPress's ``wpautop``: the paragraphs a classic-editor post shows, made from its blank
lines and line breaks, for the WordPress importer (which then converts the HTML)."""

from __future__ import annotations

import re

#: WordPress's ``$allblocks``: tags that open or close a paragraph.
_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|"
    r"map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|"
    r"hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
_BLOCK_OPEN = re.compile(rf"(<{_BLOCKS}[\s/>])", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(rf"(</{_BLOCKS}>)", re.IGNORECASE)
_BLOCK_TAG = rf"</?{_BLOCKS}\b[^>]*>"
#: What autop must not touch: ``<pre>`` and the code shortcodes (which become ``<pre>``).
_VERBATIM = re.compile(
    r"<pre\b.*?</pre>|\[(code|sourcecode)\b[^\]]*\].*?\[/\1\]", re.IGNORECASE | re.DOTALL
)
#: Stand-ins while autop works: a newline inside a tag or a <script>, and a break autop adds
#: (every newline of the source stays one newline, so problems keep their line numbers).
_NEWLINE_IN_TAG, _KEPT_NEWLINE, _ADDED = "\x01", "\x02", "\x04"
_PARAGRAPH_BREAK = re.compile(r"([\n\x04][\s\x04]*[\n\x04])")


def _sub(pattern: str, repl: str, text: str, flags: int = re.IGNORECASE) -> str:
    """``re.sub`` that keeps the newlines of what it removes (after the replacement)."""

    def one(match: re.Match[str]) -> str:
        new = match.expand(repl)
        return new + "\n" * (match[0].count("\n") - new.count("\n"))

    return re.sub(pattern, one, text, flags=flags)


def _paragraphs(text: str) -> str:
    """Each run of text between paragraph breaks in ``<p>``, the breaks' newlines kept."""
    out = []
    for index, part in enumerate(_PARAGRAPH_BREAK.split(text)):
        if index % 2 or not part.strip():
            out.append("\n" * part.count("\n"))
        else:
            inner = part.strip("\n")
            out.append(f"<p>{inner}</p>" + "\n" * (part.count("\n") - inner.count("\n")))
    return "".join(out)


def autop(html: str) -> str:
    """Paragraphs for classic-editor HTML, as WordPress's ``wpautop`` makes them when it shows
    the post: a blank line or a block tag ends a paragraph, a single newline is a ``<br>``
    (never beside a block tag, nor in ``<pre>`` or ``[code]``); block-editor HTML is left
    alone. Every newline of the source stays one, so problems found later keep their lines."""
    if "<!-- wp:" in html or not html.strip():
        return html
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match[0])
        return f"<pre wp-pre-tag-{len(kept) - 1}></pre>"

    text = _VERBATIM.sub(keep, html.replace("\r\n", "\n").replace("\r", "\n"))
    text = _sub(r"<br\s*/?>\s*<br\s*/?>", _ADDED * 2, text)
    text = _BLOCK_OPEN.sub(_ADDED * 2 + r"\1", text)
    text = _BLOCK_CLOSE.sub(r"\1" + _ADDED * 2, text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1" + _ADDED * 2, text, flags=re.IGNORECASE)
    text = re.sub(  # a newline inside a tag (between attributes) is no line break
        r"<!--.*?-->|<[^>]*>",
        lambda m: m[0].replace("\n", _NEWLINE_IN_TAG),
        text,
        flags=re.DOTALL,
    )
    text = _paragraphs(text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = _sub(rf"<p>\s*({_BLOCK_TAG})\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li\b.+?)</p>", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.IGNORECASE)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = _sub(rf"<p>\s*({_BLOCK_TAG})", r"\1", text)
    text = _sub(rf"({_BLOCK_TAG})\s*</p>", r"\1", text)
    text = re.sub(
        r"<(script|style|svg|math)\b.*?</\1>",
        lambda m: m[0].replace("\n", _KEPT_NEWLINE),
        text,
        flags=re.IGNORECASE | re.DOTALL,
    )
    text = re.sub(r"<br\s*/?>", "<br />", text, flags=re.IGNORECASE)
    text = _sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = _sub(rf"({_BLOCK_TAG})\s*<br />", r"\1", text)
    text = _sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)\b[^>]*>)", r"\1", text)
    text = text.replace(_KEPT_NEWLINE, "\n").replace(_NEWLINE_IN_TAG, "\n")
    return re.sub(r"<pre wp-pre-tag-(\d+)></pre>", lambda m: kept[int(m[1])], text)
