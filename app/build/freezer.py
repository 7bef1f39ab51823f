"""Frozen-Flask's URL discovery with our own compare-then-write output step.

Frozen-Flask finds every URL (generators, no-argument rules, logged ``url_for`` calls) and
fetches it; we only replace how a response becomes a file, so unchanged pages are not
rewritten and the previous build's files are never modified in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from unicodedata import normalize

from flask import Flask
from flask_frozen import Freezer, conditional_context

from app.build.incremental import StagedOutput


class StagingFreezer(Freezer):
    """A freezer writing through a :class:`StagedOutput`; errors on anything but 200."""

    def __init__(self, app: Flask, output: StagedOutput, generators: Iterable[Any]) -> None:
        super().__init__(app, with_static_files=True, with_no_argument_rules=True, log_url_for=True)
        self.output = output
        self.missing_endpoints: set[str] = set()
        self._generator_endpoints = {f"public.{g.__name__}" for g in generators}
        for generator in generators:
            self.register_generator(generator)

    def _build_one(self, url: str, last_modified: object = None) -> Path:
        """Fetch ``url`` and hand its bytes to the output (which skips identical files)."""
        rel = normalize("NFC", self.urlpath_to_filepath(url))
        client = self.app.test_client()
        with conditional_context(self.url_for_logger, self.log_url_for):
            response = client.get(url, base_url=self.app.config["FREEZER_BASE_URL"])
        try:
            if response.status_code != 200:
                raise ValueError(f"unexpected status {response.status!r} on URL {url}")
            self.output.write(rel, response.get_data())
        finally:
            response.close()
        return self.root / rel

    def _check_endpoints(self, seen_endpoints: set[str]) -> None:
        """Note endpoints nothing was built for, except those whose generator had nothing."""
        endpoints = {
            rule.endpoint for rule in self.app.url_map.iter_rules() if "GET" in rule.methods
        }
        self.missing_endpoints = (
            endpoints
            - seen_endpoints
            - self._generator_endpoints
            - set(self._static_rules_endpoints())
        )
