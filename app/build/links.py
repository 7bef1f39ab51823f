"""Check every internal link, anchor and asset reference of a built site."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

_URL_ATTRS = {"href", "src", "poster", "data"}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name") and (name == "id" or tag == "a"):
                self.ids.add(value)
            elif name in _URL_ATTRS:
                self.urls.append(value)
            elif name == "srcset":
                self.urls.extend(part.split()[0] for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class BrokenLink:
    page: str
    url: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: broken link {self.url} ({self.reason})"


def _parse(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def check_links(root: Path, base_url: str) -> list[BrokenLink]:
    """Broken internal references in every HTML file under ``root``, deployed at ``base_url``."""
    base = urlsplit(base_url)
    base_path = base.path if base.path.endswith("/") else base.path + "/"
    parsed = cache(_parse)
    broken: list[BrokenLink] = []

    for page in sorted(root.rglob("*.html")):
        rel = page.relative_to(root).as_posix()
        page_url = base_path + (
            rel.removesuffix("index.html") if rel.endswith("index.html") else rel
        )
        for raw in parsed(page).urls:
            url = urlsplit(urljoin(page_url, raw.strip()))
            if url.scheme and url.scheme not in ("http", "https"):
                continue  # mailto:, tel:, ...
            if url.netloc and (url.scheme, url.netloc) != (base.scheme, base.netloc):
                continue  # another site
            if not url.path.startswith(base_path):
                broken.append(BrokenLink(rel, raw, f"outside the site root {base_path}"))
                continue
            target = root / unquote(url.path[len(base_path) :])
            if url.path.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                reason = "a folder without index.html" if target.is_dir() else "no such file"
                broken.append(BrokenLink(rel, raw, reason))
            elif (
                url.fragment
                and target.suffix == ".html"
                and unquote(url.fragment) not in parsed(target).ids
            ):
                broken.append(BrokenLink(rel, raw, f"no element with id '{url.fragment}'"))
    return broken
