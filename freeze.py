"""Publish the site: ``python freeze.py`` renders content/ through site/ into build/.

Exit status 0 on success (and when ``--watch``/``--serve`` is stopped with Ctrl+C); 1 when a
content file, template or link is broken (the previous build/ is then left exactly as it
was); 2 for bad arguments. See docs/publishing.md.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import signal
import sys
import traceback
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from dotenv import load_dotenv
from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

ROOT = Path(__file__).resolve().parent
ENV_FILE = ROOT / ".env"
CONFIG_FILE = ROOT / "config.py"
_ORIGINAL_ENV = dict(os.environ)
load_dotenv(ENV_FILE)  # before config.py reads the environment; real variables win

import config  # noqa: E402
from app import create_app  # noqa: E402
from app.build import BuildError, BuildResult, build_site  # noqa: E402
from app.build.memory import BuildMemory  # noqa: E402
from app.build.pipeline import Changes  # noqa: E402
from app.build.progress import Progress  # noqa: E402
from app.content import ContentErrors  # noqa: E402

if TYPE_CHECKING:
    from app.build.watch import Watcher


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python freeze.py", description="Build the static site from content/ into build/."
    )
    parser.add_argument("--out", type=Path, help="output folder (default: BUILD_DIR, ./build)")
    parser.add_argument("--base-url", help="public URL of the site, e.g. https://example.org/blog/")
    parser.add_argument("--drafts", action="store_true", help="include drafts (preview builds)")
    parser.add_argument(
        "--clean", action="store_true", help="render every file anew instead of incrementally"
    )
    parser.add_argument("--watch", action="store_true", help="rebuild when content/site change")
    parser.add_argument(
        "--serve",
        nargs="?",
        type=int,
        const=8000,
        metavar="PORT",
        help="serve build/ on 127.0.0.1:PORT (default 8000) with live reload; implies --watch",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    output.add_argument(
        "--json", action="store_true", help="print one JSON summary per build on stdout"
    )
    args = parser.parse_args(argv)
    if args.serve is not None and not 0 <= args.serve <= 65535:
        parser.error(f"--serve: {args.serve} is not a port number")
    return args


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


def failure(errors: list[str], build_dir: Path) -> dict[str, Any]:
    """The ``--json`` answer of a failed build, shaped like a successful one."""
    return {"ok": False, "out_dir": str(build_dir), "errors": errors, "warnings": []}


def build_once(
    args: argparse.Namespace,
    *,
    clean: bool = False,
    migrate: bool = True,
    app: Flask | None = None,
    changes: Changes | None = None,
) -> bool:
    """One build (of a fresh app unless given one); True on success."""
    app = app or create_app(overrides=overrides_from(args), authoring=False)
    build_dir: Path = app.config["BUILD_DIR"]
    progress = None if args.quiet or args.json else Progress()
    try:
        try:
            result = build_site(
                app, migrate=migrate, incremental=not clean, progress=progress, changes=changes
            )
        finally:
            if progress:
                progress.finish()
    except ContentErrors as exc:
        errors = [str(error) for error in exc.errors]
        lines = [f"error: {error}" for error in errors]
        lines.append(f"Build failed: {len(errors)} content file(s) need fixing; ")
    except BuildError as exc:
        errors = [exc.message, *exc.problems]
        lines = [f"error: {exc.message}", *(f"  {problem}" for problem in exc.problems)]
        lines.append("Build failed; ")
    except OSError as exc:  # disk full, permissions, a file where a folder should be
        errors = [f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)]
        lines = [f"error: {errors[0]}", "Build failed; "]
    except OperationalError as exc:  # the database cannot be reached or opened
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
        errors = [f"cannot use the database {url}: {exc.orig}"]
        lines = [f"error: {errors[0]} (check DATABASE_URL)", "Build failed; "]
    except Exception as exc:  # a bug, not bad content: show where, still answer in JSON
        traceback.print_exc()
        errors = [f"{type(exc).__name__}: {exc}"]
        lines = [f"error: unexpected {errors[0]} (a bug; see above)", "Build failed; "]
    else:
        report(args, result)
        return True
    lines[-1] += f"{build_dir} was left unchanged."
    print("\n".join(lines), file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(failure(errors, build_dir)), flush=True)
    return False


def report(args: argparse.Namespace, result: BuildResult) -> None:
    """Tell the author (or a script, with ``--json``) what the build did."""
    if args.json:
        print(json.dumps(result.to_dict()), flush=True)
        return
    if args.quiet:
        return
    for warning in [*result.sync.warnings, *result.warnings]:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{result.summary()} (content: {result.sync.summary()}).", flush=True)


def reload_settings() -> None:
    """Re-read ``.env`` and ``config.py`` after an edit; real environment variables still win."""
    os.environ.clear()
    os.environ.update(_ORIGINAL_ENV)
    load_dotenv(ENV_FILE)
    importlib.reload(config)


def _stop_on_signals(watcher: Watcher) -> None:
    """Ctrl+C and SIGTERM stop the watch: at once, and for sure after the build under way.

    The KeyboardInterrupt stops a build wherever it is (builds are made to be interrupted),
    and the flag ends the loop even if some library's cleanup turned it into another error.
    """

    def stop(signum: int, frame: FrameType | None) -> None:
        watcher.stopped.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not ignored
        signal.signal(signal.SIGINT, stop)


def watch(args: argparse.Namespace) -> int:
    """Build, then rebuild on every change (and serve with live reload) until Ctrl+C."""
    from app.build.serve import PreviewServer
    from app.build.watch import Watcher

    # One app for every rebuild (each build reads the theme anew), and what it knows of its
    # last build, so that an edited post re-renders its pages without planning the site.
    app = create_app(overrides=overrides_from(args), authoring=False)
    memory = BuildMemory()
    build_dir: Path = app.config["BUILD_DIR"]
    server = None
    if args.serve is not None:
        try:
            server = PreviewServer(build_dir, urlsplit(app.config["SITE_URL"]).path, args.serve)
        except OSError as exc:
            print(f"error: cannot serve on 127.0.0.1:{args.serve}: {exc.strerror}", file=sys.stderr)
            return 1
    watcher = Watcher(
        folders=[app.config["CONTENT_DIR"], app.config["SITE_DIR"]],
        files=[CONFIG_FILE, ENV_FILE],
        ignored=[build_dir],
    )
    _stop_on_signals(watcher)
    settings = {str(CONFIG_FILE.resolve()), str(ENV_FILE.resolve())}
    migrated = [False]
    apps = [app]

    def rebuild(changed: set[str]) -> None:
        if not args.quiet and not args.json:
            names = ", ".join(sorted(Path(p).name for p in changed)[:5])
            print(f"Changed: {names}; rebuilding...", flush=True)
        if {str(Path(p).resolve()) for p in changed} & settings:
            reload_settings()
            apps[0] = create_app(overrides=overrides_from(args), authoring=False)
            memory.forget()
            migrated[0] = False  # DATABASE_URL may point elsewhere now
        # Reports its own errors; the old build/ stays online. Once the database is
        # migrated, rebuilds skip Alembic (it costs more than rendering one edited post).
        changes = Changes(memory, changed)
        ok = build_once(args, migrate=not migrated[0], app=apps[0], changes=changes)
        migrated[0] = migrated[0] or ok
        if ok and server is not None:
            server.live.bump()

    try:
        watcher.start()
        migrated[0] = build_once(args, clean=args.clean, app=app, changes=Changes(memory, set()))
        if server is not None:
            server.start()
            # The one line --quiet keeps; with --json, stdout holds only the JSON summaries.
            where = sys.stderr if args.json else sys.stdout
            print(f"Serving {build_dir} at {server.url} (live reload)", file=where, flush=True)
        if not (args.quiet or args.json):
            print("Watching content, site and settings for changes; Ctrl+C to stop.", flush=True)
        watcher.run(rebuild)
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        if server is not None:
            server.stop()
    if not (args.quiet or args.json):
        print("Stopped.", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A build keeps a listing of every post alive: collect cycles rarely, as mypy does, and
    # never scan the objects made by the imports.
    gc.freeze()
    gc.set_threshold(200_000, 30, 30)
    if args.watch or args.serve is not None:
        return watch(args)
    return 0 if build_once(args, clean=args.clean) else 1


if __name__ == "__main__":
    sys.exit(main())
