"""Frozen-Flask's URL discovery: every page of the site, from generators and argument-less rules.

Frozen-Flask knows which URLs a site has (our generators, every rule without arguments,
every static file) and where each one goes in the build; we keep the endpoint and values of
each URL too, because what a page is made of (see ``inputs``) depends on them, and we render
the pages ourselves (see ``render``), only those whose inputs changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from unicodedata import normalize
from urllib.parse import unquote, urlsplit

from flask import Flask
from flask_frozen import Freezer

from app.public.urls import build_url_for

#: The redirect page of an alias (``aliases:``): no route of its own, its URL is a value.
REDIRECT_ENDPOINT = "public.redirect"


@dataclass(frozen=True)
class PlannedPage:
    """A URL (below the site root), the file it is written to, and the view that makes it."""

    url: str
    rel: str
    endpoint: str
    values: dict[str, Any]


class StagingFreezer(Freezer):  # type: ignore[misc]  # flask_frozen is untyped
    """A freezer that lists the site's pages; ``missing_endpoints`` names views left out."""

    def __init__(self, app: Flask, generators: Iterable[Any]) -> None:
        super().__init__(
            app, with_static_files=True, with_no_argument_rules=True, log_url_for=False
        )
        self.missing_endpoints: set[str] = set()
        self._generator_endpoints = {f"public.{g.__name__}" for g in generators}
        for generator in generators:
            self.register_generator(generator)

    def plan(self) -> Iterator[PlannedPage]:
        """Every page once, in generator order; call inside a request context for the site."""
        script_name = site_path(self.app)
        seen_urls: set[str] = set()
        seen_endpoints: set[str] = set()
        for generator in self.url_generators:
            for endpoint, values in generator():
                seen_endpoints.add(endpoint)
                if endpoint == REDIRECT_ENDPOINT:  # served where the site says 404
                    url = values["url"]  # escapes read already: a '%' in it is a '%'
                else:
                    url = build_url_for(endpoint, **values)[len(script_name) :]  # remembered
                    if not url.isascii() or "%" in url or "?" in url or "#" in url:
                        url = urlsplit(unquote(url)).path
                if url in seen_urls:
                    continue
                seen_urls.add(url)
                rel = self.urlpath_to_filepath(url)
                rel = rel if rel.isascii() else normalize("NFC", rel)
                yield PlannedPage(url, rel, endpoint, dict(values))
        self._check_endpoints(seen_endpoints)

    def _check_endpoints(self, seen_endpoints: set[str]) -> None:
        """Note endpoints nothing was built for, except those whose generator had nothing."""
        endpoints = {
            rule.endpoint for rule in self.app.url_map.iter_rules() if "GET" in rule.methods
        }
        self.missing_endpoints = (
            endpoints - seen_endpoints - self._generator_endpoints - self._static_endpoints()
        )

    def _static_endpoints(self) -> set[str]:
        """The app's and blueprints' static file views (Flask names them ``static``)."""
        return {
            rule.endpoint
            for rule in self.app.url_map.iter_rules()
            if rule.endpoint == "static" or rule.endpoint.endswith(".static")
        }


def site_path(app: Flask) -> str:
    """The path part of ``FREEZER_BASE_URL`` (the site's URL), without a trailing slash."""
    return urlsplit(app.config.get("FREEZER_BASE_URL") or "").path.rstrip("/")
