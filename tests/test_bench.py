"""The benchmark harness runs end to end (on a tiny corpus; timings are not asserted)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.corpus import generate
from bench.run import (
    KINDS,
    Result,
    Row,
    Timing,
    median,
    middle_post,
    paired_ratio,
    report,
    sizes,
    time_colds,
    time_rebuilds,
)
from bench.tools import Command, Tool
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

MS = r"\d+(\.\d+)?ms"


def run_bench(*args: str) -> str:
    """The harness's output; fails the test when it exits non-zero."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_corpus_is_deterministic(tmp_path):
    a = generate(tmp_path / "a", 5, seed=7)
    b = generate(tmp_path / "b", 5, seed=7)
    files = sorted(p.name for p in (a / "posts").iterdir())
    assert len(files) == 5
    for name in files:
        assert (a / "posts" / name).read_text() == (b / "posts" / name).read_text()
    text = (a / "posts" / files[0]).read_text()
    assert "```python" in text
    assert 400 <= len(text.split("---", 2)[2].split()) <= 900


def test_bench_prints_every_row_with_numbers():
    """Builds, the watch loop and admin/API latency, all in one run of the harness."""
    out = run_bench("--n", "12", "--watch-edits", "2", "--requests", "3")
    assert "12 posts (10 per index page)" in out
    expected = {
        "microblog": r"(\d+\.\d\ds\s+){4}\d+$",
        "save -> page updated": rf"{MS}\s+{MS}\s+2$",
        "save -> build done": rf"{MS}\s+{MS}\s+2$",
        "admin dashboard": rf"{MS}\s+{MS}\s+3$",
        r"GET /api/v1/posts": rf"{MS}\s+{MS}\s+3$",
        r"save \(PATCH /api/v1/posts/<slug>\)": rf"{MS}\s+{MS}\s+3$",
    }
    for label, numbers in expected.items():
        rows = re.findall(rf"^\s*{label}\s+{numbers}", out, re.MULTILINE)
        assert len(rows) == 1, (label, out)
    if Path("/proc/stat").exists():
        assert re.search(r"\d+\.\d% of the CPU time stolen by the host", out), out


def test_bench_can_skip_watch_and_latency():
    out = run_bench("--n", "4", "--skip-watch", "--skip-latency")
    assert "4 posts (10 per index page)" in out
    assert re.search(r"^microblog\s+(\d+\.\d\ds\s+){4}\d+$", out, re.MULTILINE)
    assert "watch" not in out
    assert "latency" not in out


def test_sizes_repeat_or_comma_separate():
    assert sizes(["1000,10000", "50000"]) == [1000, 10000, 50000]
    with pytest.raises(SystemExit, match="expected numbers"):
        sizes(["1k"])


def test_rebuilds_report_the_median_run_after_an_edit_each(tmp_path):
    posts = generate(tmp_path / "c", 3, seed=1) / "posts"
    edited = middle_post(posts)
    seconds = iter([3.0, 1.0, 2.0, 9.0, 0.5, 7.0, 0.7, 8.0, 0.6])
    lengths: list[int] = []

    def run() -> Timing:
        lengths.append(len(edited.read_text()))
        return Timing(next(seconds), peak_mib=len(lengths))

    row = Row("tool")
    time_rebuilds(row, run, posts, repeat=3)
    assert row.runs["no-change"] == Timing(2.0, 3.0)  # the median; the largest peak
    assert row.runs["one-edit"] == Timing(8.0, 8.0)
    assert row.runs["after-edit"] == Timing(0.6, 9.0)  # each the run right after an edit's
    assert lengths[0] == lengths[1] == lengths[2] < lengths[3] == lengths[4]
    assert lengths[4] < lengths[5] == lengths[6] < lengths[7] == lengths[8]


def test_cold_builds_run_in_rounds_of_every_tool_each_in_a_new_folder(tmp_path):
    log = tmp_path / "log"

    def tool(name: str) -> Tool:
        def command(out: Path) -> Command:
            write = f"open({str(log)!r}, 'a').write('{name}:{out.name} ')"
            return [sys.executable, "-c", write], None, out

        return Tool(name, tmp_path, command, tmp_path / name)

    rows, builders = [Row("a"), Row("b")], [tool("a"), tool("b")]
    time_colds(rows, builders, rounds=3)
    assert log.read_text().split() == [f"{t}:cold-{n}" for n in (1, 2, 3) for t in "ab"]
    assert len(rows[0].colds) == len(rows[1].colds) == 3
    assert rows[0].runs["cold"] == median(rows[0].colds)
    builders[0].run()  # a rebuild builds the last cold build's folder again
    assert log.read_text().split()[-1] == "a:cold-3"


def test_the_cold_ratio_pairs_the_runs_of_one_round():
    """A round on a slow minute slows both tools: ratios of one round, then their median."""
    ours, peer = Row("ours"), Row("peer")
    ours.colds = [Timing(2.0, 0), Timing(10.0, 0), Timing(3.0, 0)]
    peer.colds = [Timing(1.0, 0), Timing(10.0, 0), Timing(1.0, 0)]
    assert paired_ratio(ours, peer) == 2.0  # the ratio of the medians would say 3.0


def test_the_report_shows_each_round_of_cold_builds():
    ours, peer = Row("microblog"), Row("Hugo")
    for row, seconds in ((ours, [2.0, 2.5, 3.0]), (peer, [1.0, 2.0, 2.0])):
        row.colds = [Timing(s, 10) for s in seconds]
        row.runs = {kind: median(row.colds) for kind in KINDS}
    out = report(Result(n=3, rows=[ours, peer]))
    assert re.search(r"^cold, round by round\s+#1\s+#2\s+#3$", out, re.MULTILINE)
    assert re.search(r"^\s+microblog\s+2\.00s\s+2\.50s\s+3\.00s$", out, re.MULTILINE)
    assert re.search(r"^\s+Hugo\s+1\.00s\s+2\.00s\s+2\.00s$", out, re.MULTILINE)
    assert re.search(r"^vs Hugo\s+1\.50x", out, re.MULTILINE)  # the rounds' 2.0, 1.25, 1.5


def test_the_share_of_cpu_time_stolen_by_the_host_is_read_from_proc_stat(tmp_path):
    from bench.machine import cpu_times, parse_cpu_line, steal_share

    # user nice system idle iowait irq softirq steal guest guest_nice
    before = parse_cpu_line("cpu  100 0 50 800 10 0 5 35 0 0\ncpu0 50 0 25 400 5 0 2 18 0 0\n")
    after = parse_cpu_line("cpu  200 0 100 1500 20 0 10 170 0 0\n")
    assert before is not None
    assert after is not None
    assert (before.total, before.steal) == (1000, 35)
    assert steal_share(before, after) == pytest.approx(135 / 1000)
    assert steal_share(after, after) is None  # no time between them
    assert parse_cpu_line("intr 1 2 3\n") is None
    assert cpu_times(tmp_path / "missing") is None
    stat = tmp_path / "stat"
    stat.write_text("cpu  1 2 3 4 5 6 7 8 0 0\n")
    assert cpu_times(stat) == parse_cpu_line(stat.read_text())


def test_the_tricks_bench_times_every_trick_off_against_all_on(capsys):
    """``bench/tricks.py`` prints one row per trick (and none, all) with both ratios."""
    from app.tricks import TRICKS
    from bench import tricks

    assert tricks.main(["--n", "4", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:]}
    assert set(rows) == {"(none)", "all", *TRICKS}
    assert rows["(none)"][1] == rows["(none)"][3] == "1.00"
    assert all(float(value) > 0 for values in rows.values() for value in values)
