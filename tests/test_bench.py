"""The benchmark harness runs end to end (on a tiny corpus; timings are not asserted)."""

import subprocess
import sys

import pytest

from bench.corpus import generate
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


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


def test_bench_prints_a_table(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--n", "20"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "20 posts" in result.stdout
    assert result.stdout.splitlines()[2].startswith("microblog")
