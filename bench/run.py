"""Benchmark microblog's builds, watch loop and authoring app (and Pelican's and Hugo's builds).

    python bench/run.py --n 1000                 # microblog: builds, --watch, admin/API latency
    python bench/run.py --n 1000,10000 --peers   # two corpus sizes, Pelican and Hugo as ratios
    python bench/run.py --n 100000 --peers=hugo --repeat 1   # one peer, one round
    python bench/run.py --n 1000 --skip-watch --skip-latency   # builds only, quickly

Every number is wall-clock time on this machine, measured in one run, so ratios between
tools are meaningful; absolute times are not comparable across machines. Every tool
paginates the index by 10 posts per page (POSTS_PER_PAGE=10 for microblog).
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import tools  # noqa: E402
from corpus import generate  # noqa: E402
from latency import bench_latency, percentile  # noqa: E402
from machine import cpu_times, steal_share  # noqa: E402
from tools import POSTS_PER_PAGE, Timing, Tool  # noqa: E402
from watchloop import WatchTiming, bench_watch  # noqa: E402


@dataclass
class Row:
    tool: str
    runs: dict[str, Timing] = field(default_factory=dict)
    #: Every cold build, one per round (``runs["cold"]`` is their median).
    colds: list[Timing] = field(default_factory=list)


@dataclass
class Options:
    """What to measure besides the builds."""

    watch: bool = True
    latency: bool = True
    watch_edits: int = 5
    requests: int = 50
    #: Runs of each build (cold, no-change, one-edit, after-edit) whose median is reported.
    repeat: int = 3


@dataclass
class Result:
    """Everything measured for one corpus size."""

    n: int
    rows: list[Row]
    watch: WatchTiming | None = None
    latency: dict[str, list[float]] = field(default_factory=dict)


def median(samples: list[Timing]) -> Timing:
    """The median run's time, with the largest peak memory of all of them."""
    middle = sorted(samples, key=lambda t: t.seconds)[len(samples) // 2]
    return Timing(middle.seconds, max(t.peak_mib for t in samples))


def time_colds(rows: list[Row], builders: list[Tool], rounds: int) -> None:
    """Cold builds in rounds, every tool once per round, one after the other: a machine
    that slows down for a minute slows all of them, so each round's ratios stay fair."""
    for _ in range(rounds):
        for row, tool in zip(rows, builders, strict=True):
            row.colds.append(tool.cold())
    for row in rows:
        row.runs["cold"] = median(row.colds)


def paired_ratio(ours: Row, peer: Row) -> float:
    """The median over rounds of our cold time divided by the peer's in the same round."""
    pairs = zip(ours.colds, peer.colds, strict=True)
    return statistics.median(a.seconds / b.seconds for a, b in pairs)


def time_rebuilds(row: Row, run: Callable[[], Timing], posts: Path, repeat: int) -> None:
    """No-change and one-edit rebuilds, each the median of ``repeat`` runs (on a shared
    machine one run is as much the neighbours' load as the tool); every one-edit run
    follows its own edit of the same post, and is followed by a run with nothing changed
    (``after-edit``: what an author's next build costs)."""
    row.runs["no-change"] = median([run() for _ in range(repeat)])
    edits, after = [], []
    for _ in range(repeat):
        edit_one(posts)
        edits.append(run())
        after.append(run())
    row.runs["one-edit"] = median(edits)
    row.runs["after-edit"] = median(after)


def middle_post(posts: Path) -> Path:
    files = sorted(posts.glob("*.md"))
    return files[len(files) // 2]


def edit_one(posts: Path) -> None:
    """Change one post in the middle of the corpus, as an author would."""
    target = middle_post(posts)
    target.write_text(target.read_text() + "\nOne more sentence, edited.\n")


def bench_builds(builders: list[Tool], repeat: int) -> list[Row]:
    """Cold builds of every tool in rounds, then each tool's rebuilds on its last build."""
    rows = [Row(tool.name) for tool in builders]
    time_colds(rows, builders, repeat)
    for row, tool in zip(rows, builders, strict=True):
        time_rebuilds(row, tool.run, tool.posts, repeat)
    return rows


def bench_microblog(result: Result, corpus: Path, work: Path, options: Options) -> None:
    """The watch loop and the authoring app, on the build and database of the builds."""
    env = tools.microblog_env(corpus, work)
    if options.watch:
        result.watch = bench_watch(
            env, ROOT, corpus / "posts", work / "build", edits=options.watch_edits
        )
    if options.latency:
        slug = middle_post(corpus / "posts").stem
        result.latency = bench_latency(env, ROOT, slug, requests_per_kind=options.requests)


KINDS = ["cold", "no-change", "one-edit", "after-edit"]
#: Width of the first column of the table.
W = 36


def report(result: Result) -> str:
    """One table per corpus size: builds (and ratios to peers), the watch loop, latency."""
    rows = result.rows
    lines = [
        f"{result.n} posts ({POSTS_PER_PAGE} per index page)",
        f"{'build':<{W}}" + "".join(f"{k:>12}" for k in KINDS) + f"{'peak MiB':>10}",
    ]
    for row in rows:
        cells = "".join(f"{row.runs[k].seconds:>11.2f}s" for k in KINDS)
        peak = max(t.peak_mib for t in row.runs.values())
        lines.append(f"{row.tool:<{W}}{cells}{peak:>10.0f}")
    ours = rows[0]
    for peer in rows[1:]:
        ratios = [paired_ratio(ours, peer)]
        ratios += [ours.runs[k].seconds / peer.runs[k].seconds for k in KINDS[1:]]
        cells = "".join(f"{ratio:>11.2f}x" for ratio in ratios)
        lines.append(f"{'vs ' + peer.tool:<{W}}{cells}   (microblog time / {peer.tool} time)")
    rounds = len(ours.colds)
    lines.append(
        f"(median of {rounds} run(s) each; cold builds in {rounds} round(s) of every tool, "
        "the cold ratio the median of each round's)"
    )
    if rounds > 1:  # how much the machine moved: the rounds one by one
        lines.append(
            f"{'cold, round by round':<{W}}"
            + "".join(f"{'#' + str(i + 1):>8}" for i in range(rounds))
        )
        for row in rows:
            lines.append(
                f"  {row.tool:<{W - 2}}" + "".join(f"{t.seconds:>7.2f}s" for t in row.colds)
            )
    if result.watch is not None:
        lines.append(f"{'watch one-edit':<{W}}{'median':>12}{'max':>12}{'edits':>12}")
        for label, values in (
            ("save -> page updated", result.watch.page_ms),
            ("save -> build done", result.watch.done_ms),
        ):
            cells = f"{statistics.median(values):>10.0f}ms{max(values):>10.0f}ms"
            lines.append(f"  {label:<{W - 2}}{cells}{len(values):>12}")
    if result.latency:
        count = len(next(iter(result.latency.values())))
        lines.append(f"{'latency':<{W}}{'p50':>12}{'p95':>12}{'requests':>12}")
        for label, values in result.latency.items():
            cells = f"{percentile(values, 50):>10.1f}ms{percentile(values, 95):>10.1f}ms"
            lines.append(f"  {label:<{W - 2}}{cells}{count:>12}")
    return "\n".join(lines)


def sizes(values: list[str]) -> list[int]:
    """``--n 1000 --n 10000`` or ``--n 1000,10000``."""
    try:
        return [int(v) for value in values for v in value.split(",") if v.strip()]
    except ValueError:
        raise SystemExit(f"--n: expected numbers, got {values}") from None


def run_size(n: int, args: argparse.Namespace, tmp_path: Path) -> Result:
    options = Options(
        watch=not args.skip_watch,
        latency=not args.skip_latency,
        watch_edits=args.watch_edits,
        requests=args.requests,
        repeat=args.repeat,
    )
    base = tmp_path / str(n)
    corpus = generate(base / "ours", n, args.seed)
    builders = [tools.microblog(corpus, base / "w1")]
    if args.peers:
        for make in (tools.pelican, tools.hugo):
            name = make.__name__
            if name not in args.peers:
                continue
            work = base / name
            work.mkdir()
            peer = make(generate(base / f"{name}-corpus", n, args.seed), work)
            if peer is None:
                print(f"{name}: not installed (pip install -e '.[bench]')")
            else:
                builders.append(peer)
    result = Result(n, bench_builds(builders, options.repeat))
    assert builders[0].out is not None
    bench_microblog(result, corpus, builders[0].out, options)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n", action="append", help="posts in the corpus; repeat or comma-separate (1000,10000)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--peers",
        nargs="?",
        const="pelican,hugo",
        type=lambda value: {name.strip() for name in value.split(",")},
        help="also build with Pelican and Hugo (or only those named: --peers=hugo)",
    )
    parser.add_argument("--skip-watch", action="store_true", help="do not time --watch")
    parser.add_argument("--skip-latency", action="store_true", help="do not time admin/API")
    parser.add_argument("--watch-edits", type=int, default=5, help="edits timed in --watch")
    parser.add_argument("--requests", type=int, default=50, help="requests timed per kind")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each build; the median is reported"
    )
    args = parser.parse_args(argv)
    if args.peers and not args.peers <= {"pelican", "hugo"}:
        parser.error(f"--peers: unknown {', '.join(sorted(args.peers - {'pelican', 'hugo'}))}")
    if args.watch_edits < 1 or args.requests < 1 or args.repeat < 1:
        parser.error("--watch-edits, --requests and --repeat must be at least 1")

    # As `make install` leaves a checkout: our modules compiled once, not by every build.
    compileall.compile_dir(ROOT / "app", quiet=1)
    compileall.compile_file(ROOT / "config.py", quiet=1)  # imported by freeze.py
    for n in sizes(args.n or ["1000"]):
        with tempfile.TemporaryDirectory(prefix="microblog-bench-") as tmp:
            started, cpu_before = time.perf_counter(), cpu_times()
            print(report(run_size(n, args, Path(tmp))))
            load = " ".join(f"{x:.1f}" for x in os.getloadavg())
            steal = steal_share(cpu_before, cpu_times())
            stolen = "" if steal is None else f", {steal:.1%} of the CPU time stolen by the host"
            print(
                f"(took {time.perf_counter() - started:.0f}s on {os.cpu_count()} cores, "
                f"load average {load}{stolen}; peak RSS per build process; Python "
                f"{platform.python_version()} at {os.path.realpath(sys.executable)})\n"
            )
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
