"""Publish the site: ``python freeze.py`` renders content/ through site/ into build/.

Exit status 0 on success; 1 when a content file, template or link is broken (the previous
build/ is then left exactly as it was); 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app import create_app
from app.build import BuildError, build_site
from app.content import ContentErrors


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python freeze.py", description="Build the static site from content/ into build/."
    )
    parser.add_argument("--out", type=Path, help="output folder (default: BUILD_DIR, ./build)")
    parser.add_argument("--base-url", help="public URL of the site, e.g. https://example.org/blog/")
    parser.add_argument("--drafts", action="store_true", help="include drafts (preview builds)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    return parser.parse_args(argv)


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if args.out:
        overrides["BUILD_DIR"] = args.out
    if args.base_url:
        url = args.base_url if args.base_url.endswith("/") else args.base_url + "/"
        overrides["SITE_URL"] = url
    if args.drafts:
        overrides["BUILD_DRAFTS"] = True
    return overrides


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    app = create_app(overrides=overrides_from(args), authoring=False)
    try:
        result = build_site(app)
    except ContentErrors as exc:
        for error in exc.errors:
            print(f"error: {error}", file=sys.stderr)
        print(
            f"Build failed: {len(exc.errors)} content file(s) need fixing; "
            f"{app.config['BUILD_DIR']} was left unchanged.",
            file=sys.stderr,
        )
        return 1
    except BuildError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        print(f"Build failed; {app.config['BUILD_DIR']} was left unchanged.", file=sys.stderr)
        return 1
    if not args.quiet:
        for warning in result.sync.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(f"{result.summary()} (content: {result.sync.summary()}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
