"""reStructuredText as Pelican reads it, for its importer: docutils with Pelican's
``sourcecode``/``code-block`` (Pygments options accepted, the code kept with its language)
and the youtube/vimeo plugins' directives; every docutils warning and error heard and
returned with its line, never printed nor dropped silently."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from docutils import nodes
from docutils.core import publish_parts
from docutils.parsers.rst import Directive, directives
from docutils.parsers.rst.directives.body import CodeBlock
from docutils.readers import standalone
from docutils.transforms import Transform
from docutils.writers.html5_polyglot import Writer

#: docutils' level of a warning; an error (3) and a severe error (4) lose what they mark.
WARNING = 2
#: No message is printed nor shown in the body: ``read_rst`` hears them all and they are reported.
_DOCUTILS = {
    "report_level": 5,
    "halt_level": 5,
    "file_insertion_enabled": False,
    "raw_enabled": True,  # raw HTML is kept (as Markdown), other raw formats reported
    "syntax_highlight": "none",
    "input_encoding": "unicode",
    "_disable_config": True,
}


#: The options of Pelican's ``sourcecode``/``code-block`` (its Pygments ``HtmlFormatter``'s).
PYGMENTS_OPTIONS = (
    "anchorlinenos",
    "classprefix",
    "hl_lines",
    "lineanchors",
    "linenos",
    "linenospecial",
    "linenostart",
    "linenostep",
    "lineseparator",
    "linespans",
    "nobackground",
    "nowrap",
    "tagsfile",
    "tagurlformat",
)


class _Code(CodeBlock):
    """Pelican's ``sourcecode`` and ``code-block`` (and docutils' ``code``): the code with its
    language, whatever Pygments options it has (line numbers, highlighted lines: a Markdown
    fence shows none of them). Without this, docutils refused the options and the block
    was lost."""

    option_spec: ClassVar[dict[str, Any]] = {
        **(CodeBlock.option_spec or {}),
        **dict.fromkeys(PYGMENTS_OPTIONS, directives.unchanged),
    }

    def run(self) -> list[Any]:
        for name in PYGMENTS_OPTIONS:
            self.options.pop(name, None)
        block: list[Any] = super().run()  # type: ignore[no-untyped-call]
        return block


# Pelican registers these for the whole process too (pelican/rstdirectives.py); this module
# is loaded only by an import of a Pelican site.
for _name in ("sourcecode", "code-block", "code"):
    directives.register_directive(_name, _Code)


class _AnyOption(dict[str, Any]):
    """An option spec taking every option (a plugin's: width, height, align...), as text."""

    def __missing__(self, key: str) -> Any:
        return directives.unchanged


class _Video(Directive):
    """The pelican-youtube and pelican-vimeo plugins' ``.. youtube:: ID``: a link to the
    video (as a YouTube or Vimeo shortcode of another engine becomes)."""

    required_arguments = 1
    has_content = True
    option_spec = _AnyOption(width=directives.unchanged)

    def run(self) -> list[Any]:
        ref = self.arguments[0]
        if self.name == "vimeo":
            label, url = "Vimeo video", ref if "://" in ref else f"https://vimeo.com/{ref}"
        else:
            label = "YouTube video"
            url = ref if "://" in ref else f"https://www.youtube.com/watch?v={ref}"
        return [nodes.paragraph("", "", nodes.reference(label, label, refuri=url))]


for _name in ("youtube", "vimeo"):
    directives.register_directive(_name, _Video)

_SCRIPT = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL)


class _Tidy(Transform):
    """What docutils could not make sense of inline (an unknown role or target) as its text,
    not a link to a system message we do not show (the message is reported instead); raw
    content other than HTML, and scripts and styles in raw HTML, left out with an error."""

    default_priority = 880  # after the messages are gathered and filtered

    def apply(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.problematic)):
            node.replace_self(nodes.Text(node.astext()))
        for raw in list(self.document.findall(nodes.raw)):
            formats = raw.get("format", "").split()
            html = raw.astext()
            if "html" not in formats:
                self.document.reporter.error(
                    f"raw {' '.join(formats)!r} content is not imported", base_node=raw
                )
                raw.parent.remove(raw)
            elif _SCRIPT.search(html):
                self.document.reporter.error(
                    "a <script> or <style> in raw HTML is not imported", base_node=raw
                )
                raw.replace_self(nodes.raw("", _SCRIPT.sub("", html), format="html"))


class _Reader(standalone.Reader):  # type: ignore[type-arg]
    """The standalone reader, telling ``heard`` every message docutils reports."""

    def __init__(self, heard: list[nodes.system_message]) -> None:
        super().__init__()
        self.heard = heard

    def new_document(self) -> nodes.document:
        document = super().new_document()
        document.reporter.attach_observer(self.heard.append)
        return document

    def get_transforms(self) -> list[type[Transform]]:
        return [*super().get_transforms(), _Tidy]


def read_rst(text: str) -> tuple[dict[str, str], str, list[tuple[int | None, int, str]]]:
    """(fields, body HTML, messages) of a reST file, by docutils (title, docinfo, the rest).

    The messages are docutils' warnings and errors as (line, level, text): what they mark
    is not in the body as written (an error's block is not in it at all)."""
    heard: list[nodes.system_message] = []
    writer = Writer()
    parts = publish_parts(text, reader=_Reader(heard), writer=writer, settings_overrides=_DOCUTILS)
    tree = writer.document
    assert tree is not None  # the writer keeps the document it wrote
    meta: dict[str, str] = {}
    if tree.get("title"):
        meta["title"] = str(tree["title"])
    for info in tree.findall(nodes.docinfo):
        for child in info.children:
            if isinstance(child, nodes.field):
                meta[child[0].astext().lower()] = " ".join(child[1].astext().split())
            elif isinstance(child, nodes.Element):
                meta[child.tagname.lower()] = " ".join(child.astext().split())
    messages: dict[tuple[int | None, str], int] = {}
    for message in heard:
        level = int(message.get("level", 0))
        if level >= WARNING:
            said = message.children[0].astext() if message.children else message.astext()
            if said.endswith("directive disabled."):  # file inclusion: nothing of it is kept
                level = WARNING + 1
            line = message.get("line")
            key = (int(line) if line else None, " ".join(said.split()))
            messages[key] = max(level, messages.get(key, 0))
    found = [(line, level, said) for (line, said), level in messages.items()]
    return meta, str(parts["body"]), sorted(found, key=lambda m: m[0] or 0)
