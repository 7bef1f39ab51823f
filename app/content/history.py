"""History from git: each write of the content service becomes a commit of exactly its files.

Uses the git CLI through ``subprocess``: git is on every machine that has a repository to
commit to, it honours the repository's own setup (worktrees, ``safe.directory``, LFS
filters) that a library reimplements only in part, and it adds no dependency. When
``content/`` is not inside a git work tree, or git is missing, every function here does
nothing. A file of ours with uncommitted changes (modified, staged, untracked or conflicted)
is never overwritten: the write is refused (``DirtyFileError``) and the author told how to
settle it. Other dirty files are left alone and never enter our commits (``commit --only``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app

from app.content.errors import ContentError
from app.models import User

#: Who commits when no signed-in author does the write (the CLI, importers).
FALLBACK_NAME, FALLBACK_EMAIL = "microblog", "microblog@localhost"
TIMEOUT = 30
#: One git command sequence at a time in this process: git's index.lock refuses a second.
_git_lock = threading.RLock()


class HistoryError(ContentError):
    """git refused or failed; the message says what it printed."""


class DirtyFileError(HistoryError):
    """A file we would write has changes git does not have: never overwritten."""


@dataclass(frozen=True)
class Revision:
    """One commit that touched a file, and the file's path in it (renames are followed)."""

    sha: str
    author: str
    email: str
    date: datetime
    message: str
    path: str  # relative to the repository's top

    @property
    def short(self) -> str:
        return self.sha[:10]


@dataclass(frozen=True)
class Repo:
    """The git work tree ``content/`` is in."""

    root: Path

    def run(
        self, *args: str, env: dict[str, str] | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[bytes]:
        done = subprocess.run(
            ["git", "-c", "core.quotePath=false", "-c", "commit.gpgSign=false", *args],
            cwd=self.root,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})},
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
        if check and done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip() or "no message"
            raise HistoryError(None, f"git {args[0]} failed: {said}")
        return done

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.root).as_posix()


def repo_for(folder: Path) -> Repo | None:
    """The work tree ``folder`` is in, or None (not in one, git missing, or ignored there)."""
    if shutil.which("git") is None or not folder.is_dir():
        return None
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=folder,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    repo = Repo(Path(done.stdout.decode().strip()).resolve())
    ignored = repo.run("check-ignore", "-q", repo.relative(folder), check=False)
    return None if ignored.returncode == 0 else repo


def content_repo() -> Repo | None:
    return repo_for(Path(current_app.config["CONTENT_DIR"]))


def check_clean(repo: Repo, paths: Sequence[Path]) -> None:
    """Refuse when a file we are about to write has changes git does not have."""
    rels = [repo.relative(p) for p in paths]
    out = repo.run("status", "--porcelain=v1", "--untracked-files=all", "--", *rels).stdout
    for line in out.decode("utf-8", "replace").splitlines():
        state, name = line[:2], line[3:]
        conflicted = "U" in state or state in ("AA", "DD")
        what = (
            "is in a merge conflict"
            if conflicted
            else "is not in git yet"
            if state == "??"
            else "has changes that are not committed"
        )
        raise DirtyFileError(
            name,
            f"{what}: saving would overwrite them",
            hint=(
                f"settle it in git first (resolve, or commit it: git add {name} && git commit; "
                f"or discard it: git checkout -- {name}), then save again"
            ),
        )


def commit(repo: Repo, paths: Sequence[Path], message: str, author: User | None) -> str | None:
    """Commit these paths only (added, changed or removed), as ``author``; the new sha, or
    None when there was nothing to commit."""
    rels = [repo.relative(p) for p in paths]
    repo.run("add", "--all", "--", *rels)
    staged = repo.run("diff", "--cached", "--quiet", "--", *rels, check=False)
    if staged.returncode == 0:
        return None
    name = author.display_name if author is not None else FALLBACK_NAME
    email = author.email if author is not None else FALLBACK_EMAIL
    identity = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
    # --no-verify: the content service has validated the file; a hook that fails or rewrites
    # it would leave a saved post without its commit.
    repo.run("commit", "--no-verify", "--only", "-q", "-m", message, "--", *rels, env=identity)
    return repo.run("rev-parse", "HEAD").stdout.decode().strip()


@contextmanager
def recorded(paths: Sequence[Path], message: str, author: User | None) -> Iterator[None]:
    """Around one write of ``paths``: refuse before it when one of them is dirty, commit
    them after it succeeds. A commit that fails is logged: the write itself stands."""
    repo = content_repo()
    if repo is None:
        yield
        return
    with _git_lock:
        check_clean(repo, paths)
        yield
        try:
            commit(repo, paths, message, author)
        except (HistoryError, OSError, subprocess.SubprocessError) as exc:
            current_app.logger.warning("saved, but not committed to git: %s", exc)


def log(repo: Repo, path: Path) -> list[Revision]:
    """Commits that touched ``path``, newest first, following renames."""
    fields = "%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%s"
    out = repo.run(
        "log", "--follow", "--name-only", f"--format={fields}", "--", repo.relative(path)
    ).stdout.decode("utf-8", "replace")
    revisions = []
    for record in out.split("\x1e")[1:]:
        header, _, names = record.partition("\n")
        sha, author, email, date, message = header.split("\x1f")
        name = next((n for n in names.splitlines() if n.strip()), repo.relative(path))
        revisions.append(Revision(sha, author, email, datetime.fromisoformat(date), message, name))
    return revisions


def file_at(repo: Repo, sha: str, path: str) -> bytes:
    """The file's exact bytes in that commit."""
    return repo.run("show", f"{sha}:{path}").stdout


def diff(repo: Repo, sha: str, path: str) -> str:
    """What that commit changed in the file, as a unified diff."""
    out = repo.run("show", "--format=", "--no-color", "-M", sha, "--", path).stdout
    return out.decode("utf-8", "replace")


def is_sha(text: str) -> bool:
    return 4 <= len(text) <= 64 and all(c in "0123456789abcdef" for c in text)


def push(repo: Repo, remote: str, branch: str = "") -> str:
    """Push the current branch (or ``branch``) to ``remote``; what git said, or HistoryError."""
    target = f"HEAD:{branch}" if branch else "HEAD"
    done = repo.run("push", "--porcelain", remote, target)
    return done.stdout.decode("utf-8", "replace").strip()
