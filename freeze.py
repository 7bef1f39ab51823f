"""Publish the site: ``python freeze.py`` renders content/ through site/ into build/.

Exit status 0 on success (and when ``--watch``/``--serve`` is stopped with Ctrl+C); 1 when a
content file, template or link is broken (the previous build/ is then left exactly as it
was); 2 for bad arguments; 130 when a build is stopped with Ctrl+C or SIGTERM (build/ then
holds the last complete build). See docs/publishing.md.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent
ENV_FILE = ROOT / ".env"
CONFIG_FILE = ROOT / "config.py"
_ORIGINAL_ENV = dict(os.environ)
load_dotenv(ENV_FILE)  # before config.py reads the environment; real variables win

import config  # noqa: E402
from app import tricks  # noqa: E402  (these three: the standard library only)
from app.build import stamps, summary  # noqa: E402

if TYPE_CHECKING:  # the app is loaded only when a build has work to do (see ``up_to_date``)
    from flask import Flask

    from app.build import BuildResult, Changes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python freeze.py", description="Build the static site from content/ into build/."
    )
    parser.add_argument("--out", type=Path, help="output folder (default: BUILD_DIR, ./build)")
    parser.add_argument("--base-url", help="public URL of the site, e.g. https://example.org/blog/")
    parser.add_argument(
        "--drafts",
        action="store_true",
        help="include drafts (a preview build: into build-drafts/ unless --out is given)",
    )
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
    parser.add_argument(
        "--webmentions",
        action="store_true",
        help="after a successful build, send Webmentions to the pages new or changed posts "
        "link to (never with --drafts)",
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


def drafts_dir(build_dir: Path) -> Path:
    """Where ``--drafts`` builds without ``--out``: beside the deployable folder, never in it
    (``build/`` → ``build-drafts/``)."""
    return build_dir.with_name(f"{build_dir.name}-drafts")


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if args.out:
        overrides["BUILD_DIR"] = args.out
    elif args.drafts:
        overrides["BUILD_DIR"] = drafts_dir(Path(config.config_from_env().BUILD_DIR))
    if args.base_url:
        url = args.base_url if args.base_url.endswith("/") else args.base_url + "/"
        overrides["SITE_URL"] = url
    if args.drafts:
        overrides["BUILD_DRAFTS"] = True
    return overrides


def failure_summary(errors: list[str], build_dir: Path) -> dict[str, Any]:
    """The ``--json`` answer of a failed build, shaped like a successful one."""
    return {"ok": False, "out_dir": str(build_dir), "errors": errors, "warnings": []}


def build_once(
    args: argparse.Namespace,
    *,
    clean: bool = False,
    migrate: bool = True,
    app: Flask | None = None,
    changes: Changes | None = None,
    stamped: tuple[stamps.Inputs, stamps.Observed] | None = None,
) -> bool:
    """One build (of a fresh app unless given one); True on success. ``stamped``: its
    inputs as stamped before it (``stamps.observe``), to keep for the next build."""
    if app is not None:
        return run_build(args, app, clean=clean, migrate=migrate, changes=changes) is not None
    from app import create_app
    from app.extensions import db

    named = stamped[1].changed if stamped and not (clean or args.webmentions) else None
    app = create_app(overrides=overrides_from(args), authoring=False)
    gc.freeze()  # the app's modules too, now loaded (see ``main``)
    try:
        mark = stamped is not None
        result = run_build(
            args, app, clean=clean, migrate=migrate, changes=changes, named=named, mark=mark
        )
    finally:
        # Closed here, not by the collector at exit: a build's objects are frozen
        # (gc.freeze) and may never be, and SQLite folds its write-ahead log back into
        # the database when the last connection closes (else the next build's first
        # commit copies a log that grew with every build).
        with app.app_context():
            db.engine.dispose()
    if stamped is not None:  # kept last, once the engine is closed
        inputs, seen = stamped
        if result is None:
            stamps.forget(inputs)
        else:
            stamps.save(
                inputs,
                seen,
                summary.unchanged(result.to_dict()),
                result.upcoming.at if result.upcoming is not None else None,
                result.files,
                mark=result.database_mark,
                renders_again=result.renders_again > 0,
                warned=bool(result.warnings or result.sync.warnings),
            )
    return result is not None


def run_build(
    args: argparse.Namespace,
    app: Flask,
    *,
    clean: bool,
    migrate: bool,
    changes: Changes | None,
    named: list[str] | None = None,
    mark: bool = False,
) -> BuildResult | None:
    """Build with ``app`` and report it; None (after saying why) on failure."""
    from app.build import build_site
    from app.build.errors import explain
    from app.build.progress import Progress

    build_dir: Path = app.config["BUILD_DIR"]
    progress = None if args.quiet or args.json else Progress()
    try:
        try:
            result = build_site(
                app,
                migrate=migrate,
                incremental=not clean,
                progress=progress,
                changes=changes,
                named=named,
                mark=mark,
            )
        finally:
            if progress:
                progress.finish()
    except Exception as exc:
        failure = explain(exc, app.config["SQLALCHEMY_DATABASE_URI"])
        if failure.bug:
            traceback.print_exc()
        lines = [*failure.lines[:-1], f"{failure.lines[-1]}; {build_dir} was left unchanged."]
        print("\n".join(lines), file=sys.stderr, flush=True)
        if args.json:
            print(json.dumps(failure_summary(failure.errors, build_dir)), flush=True)
        return None
    report(args, result.to_dict())
    if args.webmentions and not args.drafts:
        send_mentions(app, quiet=args.quiet)
    return result


def build_inputs(args: argparse.Namespace) -> stamps.Inputs | None:
    """What a command-line build with ``args`` reads, to stamp and compare; None for a
    watch, or with the trick turned off (``SPEED_TRICKS_OFF=stamps``)."""
    if args.watch or args.serve is not None:
        return None
    settings = config.config_from_env()
    overrides = overrides_from(args)
    values = {key: getattr(settings, key) for key in dir(settings) if key.isupper()}
    values.update(overrides)
    try:
        if not tricks.enabled("stamps", values):
            return None
    except ValueError:  # a misspelt trick: the build says so
        return None
    key = (
        # all but the shell's ``_``, the command it ran (``python``, ``make``,
        # ``/usr/bin/time``), which no setting or library reads
        sorted((name, value) for name, value in _ORIGINAL_ENV.items() if name != "_"),
        sorted((k, str(v)) for k, v in overrides.items()),
        os.getcwd(),
        sys.executable,
        sys.version,
        sys.path,
    )
    return stamps.Inputs.of(
        settings=values, instance_dir=config.INSTANCE_DIR, project=ROOT, key=key
    )


def observe(args: argparse.Namespace) -> tuple[stamps.Inputs, stamps.Observed] | None:
    """The build's inputs stamped before it runs (``stamps``), if they can be."""
    inputs = build_inputs(args)
    seen = stamps.observe(inputs) if inputs is not None else None
    return (inputs, seen) if inputs is not None and seen is not None else None


def send_mentions(app: Flask, *, quiet: bool) -> None:
    """Send the build's Webmentions; failures are told on stderr, never fatal."""
    from app.webmention.send import send_webmentions

    mentions = send_webmentions(app)
    for failure in mentions.failures:
        print(f"Webmention not sent: {failure}", file=sys.stderr, flush=True)
    if not quiet:
        print(mentions.summary(), file=sys.stderr, flush=True)


def report(args: argparse.Namespace, result: dict[str, Any]) -> None:
    """Tell the author (or a script, with ``--json``) what the build did (``result``: its
    ``--json`` summary)."""
    if args.json:
        print(json.dumps({**result, "seconds": round(result["seconds"], 3)}), flush=True)
        return
    if args.quiet:
        return
    for warning in result["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    print("\n".join(summary.lines(result)), flush=True)


def reload_settings() -> None:
    """Re-read ``.env`` and ``config.py`` after an edit; real environment variables still win."""
    os.environ.clear()
    os.environ.update(_ORIGINAL_ENV)
    load_dotenv(ENV_FILE)
    importlib.reload(config)


def watch(args: argparse.Namespace) -> int:
    """Build, then rebuild on every change (and serve with live reload) until Ctrl+C."""
    from app import create_app
    from app.build.serve import PreviewServer
    from app.build.watch import Rebuilder, Watcher
    from app.extensions import db
    from app.interrupts import stop_on_signals

    def make_app() -> Flask:
        return create_app(overrides=overrides_from(args), authoring=False)

    def build(app: Flask, migrate: bool, changes: Changes, clean: bool) -> bool:
        return build_once(args, clean=clean, migrate=migrate, app=app, changes=changes)

    server = None
    rebuilder = Rebuilder(make_app, build, [CONFIG_FILE, ENV_FILE], reload_settings)
    app = rebuilder.app
    build_dir: Path = app.config["BUILD_DIR"]
    if args.serve is not None:
        try:
            server = PreviewServer(build_dir, urlsplit(app.config["SITE_URL"]).path, args.serve)
        except OSError as exc:
            print(f"error: cannot serve on 127.0.0.1:{args.serve}: {exc.strerror}", file=sys.stderr)
            return 1
        rebuilder.on_built = server.live.bump
    watcher = Watcher(
        folders=[app.config["CONTENT_DIR"], app.config["SITE_DIR"]],
        files=[CONFIG_FILE, ENV_FILE],
        ignored=[build_dir],
    )

    def rebuild(changed: set[str]) -> None:
        if not args.quiet and not args.json:
            names = ", ".join(sorted(Path(p).name for p in changed)[:5])
            print(f"Changed: {names}; rebuilding...", flush=True)
        rebuilder.rebuild(changed)  # reports its own errors; the old build/ stays online

    # Ctrl+C and SIGTERM stop the watch: the flag ends the loop, the KeyboardInterrupt stops
    # the build under way (build/ keeps the last whole build).
    try:
        with stop_on_signals(watcher.stopped.set):
            watcher.start()
            rebuilder.first(clean=args.clean)
            if server is not None:
                server.start()
                # The one line --quiet keeps; with --json, stdout holds only the JSON summaries.
                where = sys.stderr if args.json else sys.stdout
                print(f"Serving {build_dir} at {server.url} (live reload)", file=where, flush=True)
            if not (args.quiet or args.json):
                print(
                    "Watching content, site and settings for changes; Ctrl+C to stop.", flush=True
                )
            watcher.run(rebuild, on_idle=rebuilder.collect_garbage, on_burst=rebuilder.burst_began)
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        if server is not None:
            server.stop()
        with rebuilder.app.app_context():  # as after a build (see ``build_once``)
            db.engine.dispose()
    if not (args.quiet or args.json):
        print("Stopped.", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A build keeps a listing of every post alive: collect cycles rarely, as mypy does, and
    # never scan the objects made by the imports.
    gc.freeze()
    gc.set_threshold(200_000, 30, 30)
    if args.drafts and not args.out and not args.quiet:
        out = overrides_from(args)["BUILD_DIR"]
        print(
            f"Drafts included: building into {out} (not the deployable "
            f"{Path(config.config_from_env().BUILD_DIR).name}/); --out chooses another folder.",
            file=sys.stderr,
            flush=True,
        )
    if args.watch or args.serve is not None:
        return watch(args)
    started = time.perf_counter()
    stamped = observe(args)
    found = stamped[1].unchanged if stamped else None
    if found is not None and not (args.clean or args.webmentions):
        report(args, {**found, "seconds": time.perf_counter() - started})
        return 0
    from app.interrupts import stop_on_signals

    try:
        with stop_on_signals(lambda: None):
            return 0 if build_once(args, clean=args.clean, stamped=stamped) else 1
    except KeyboardInterrupt:
        # The build writes to a staging folder and swaps it in whole: build/ holds the
        # previous build or, past the swap, this one.
        out = overrides_from(args).get("BUILD_DIR") or config.config_from_env().BUILD_DIR
        print(f"Interrupted; {out} holds the last complete build.", file=sys.stderr)
        if args.json:
            print(json.dumps(failure_summary(["interrupted"], Path(out))), flush=True)
        return 130


def exit_now(code: int) -> NoReturn:
    """End the process without tearing the interpreter down (as mypy does): freeing a
    build's objects one by one took 40 ms of a 0.75 s edit at 10 000 posts. By now every
    file the build wrote is closed, every transaction committed and the site's database
    engine disposed (``build_once``, ``watch``); the output and logs are flushed here."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    try:
        exit_now(main())
    except BrokenPipeError:  # the reader of the summary went away (`| head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error
        sys.exit(1)
