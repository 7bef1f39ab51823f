"""``flask content import KIND SOURCE``: posts and pages from another blog engine.

One module per source turns its files into ``Item``s (``model``); ``pipeline`` gives them
slugs, rewrites their links and media, validates them as the admin's saves are validated
and writes all or nothing; ``report`` says what happened, with file:line.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from app.content.importers.pipeline import Options, Reader, run
from app.content.importers.report import Report

#: KIND -> module with ``read(source, options, report) -> Export``.
KINDS = {
    "wordpress": "wordpress",
    "ghost": "ghost",
    "jekyll": "jekyll",
    "hugo": "hugo",
    "pelican": "pelican",
}

__all__ = ["KINDS", "Options", "Report", "import_content"]


def import_content(kind: str, source: Path, content_dir: Path, options: Options) -> Report:
    """Import ``source`` (a file or folder of ``kind``) into ``content_dir``; the report says
    what was (or, in a dry run, would be) written and every problem found."""
    report = Report(kind, str(source))
    if not source.exists():
        report.fail(str(source), None, "no such file or folder")
        return report
    if options.old_url and not options.old_url.startswith(("http://", "https://")):
        report.fail(
            "--old-url",
            None,
            f"{options.old_url!r} is not an http(s) address",
            "write it as https://blog.example.org",
        )
        return report
    reader: Reader = import_module(f"{__name__}.{KINDS[kind]}").read
    run(reader, source, content_dir, options, report)
    return report
