"""Syntax-highlighting CSS from Pygments styles (computed once per process)."""

from __future__ import annotations

from functools import cache

from pygments.formatters import HtmlFormatter

LIGHT_STYLE = "friendly"
DARK_STYLE = "monokai"


@cache
def highlight_stylesheet(light: str = LIGHT_STYLE, dark: str = DARK_STYLE) -> str:
    light_css = HtmlFormatter(style=light).get_style_defs(".highlight")
    dark_css = HtmlFormatter(style=dark).get_style_defs(".highlight")
    indented = "\n".join(f"  {line}" for line in dark_css.splitlines())
    return f"{light_css}\n\n@media (prefers-color-scheme: dark) {{\n{indented}\n}}\n"
