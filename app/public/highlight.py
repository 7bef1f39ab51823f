"""Syntax-highlighting CSS from Pygments styles (computed once per process)."""

from __future__ import annotations

from functools import cache

from pygments.formatters import HtmlFormatter

LIGHT_STYLE = "friendly"
DARK_STYLE = "monokai"


@cache
def highlight_stylesheet(light: str = LIGHT_STYLE, dark: str = DARK_STYLE) -> str:
    # ``get_style_defs`` has no annotations in types-Pygments; it returns the CSS text.
    light_css: str = HtmlFormatter(style=light).get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    dark_css: str = HtmlFormatter(style=dark).get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    indented = "\n".join(f"  {line}" for line in dark_css.splitlines())
    return f"{light_css}\n\n@media (prefers-color-scheme: dark) {{\n{indented}\n}}\n"
