"""What each speed trick gains: builds of one corpus with every trick on, then each one off.

    python bench/tricks.py --n 1000 [--repeat 3] [--seed 1]

For each setting of ``SPEED_TRICKS_OFF`` (none, each trick of ``app.tricks.TRICKS``, all):
a cold build (a new folder) and a one-edit rebuild, rounds interleaved so that a slow minute
of the machine slows every setting alike; medians. The ratio is the time with the trick off
divided by the time with all on: 1.30 means the trick saves 23 % of the build. Times are
wall clock; compare ratios. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.tricks import TRICKS
from bench import tools
from bench.corpus import generate
from bench.run import edit_one


def settings() -> list[str]:
    """Every ``SPEED_TRICKS_OFF`` measured: none off, each alone, all."""
    return ["", *TRICKS, "all"]


def measure(corpus: Path, work: Path, repeat: int) -> dict[str, dict[str, list[float]]]:
    """Seconds of the cold builds and one-edit rebuilds, by setting."""
    times: dict[str, dict[str, list[float]]] = {s: {"cold": [], "edit": []} for s in settings()}
    for _round in range(repeat):
        for off in settings():
            tool = tools.microblog(corpus, work / (off or "none"))
            base = tool.command

            def command(out: Path, base=base, off=off) -> tools.Command:
                cmd, env, cwd = base(out)
                return cmd, {**(env or {}), "SPEED_TRICKS_OFF": off}, cwd

            tool.command = command
            times[off]["cold"].append(tool.cold().seconds)
            edit_one(tool.posts)
            times[off]["edit"].append(tool.run().seconds)
    return times


def report(times: dict[str, dict[str, list[float]]], n: int) -> str:
    base_cold = median(times[""]["cold"])
    base_edit = median(times[""]["edit"])
    lines = [
        f"speed tricks at {n} posts (median seconds; ratio = trick off / all on)",
        f"{'SPEED_TRICKS_OFF':<16} {'cold s':>8} {'ratio':>6} {'one-edit s':>11} {'ratio':>6}",
    ]
    for off, kinds in times.items():
        cold, edit = median(kinds["cold"]), median(kinds["edit"])
        lines.append(
            f"{off or '(none)':<16} {cold:8.2f} {cold / base_cold:6.2f} "
            f"{edit:11.2f} {edit / base_edit:6.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="posts in the corpus")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (medians of them)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="microblog-tricks-") as tmp:
        corpus = generate(Path(tmp) / "corpus", args.n, args.seed)
        print(report(measure(corpus, Path(tmp) / "work", args.repeat), args.n))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
