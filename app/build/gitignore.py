"""Keep every folder a build makes out of git, wherever the output folder is.

A build makes its output folder (``build/``, or ``--out preview/``), the spare beside it
(``.build-spare/``) and staging folders (``.build-staging-*``). When they are inside a git
work tree, their names go into that repository's ``info/exclude`` (git's own, never
committed ignore file) before any of them exists, so ``git add -A`` cannot commit a build,
least of all a preview with unpublished drafts. A ``!/docs/`` line in ``.gitignore`` wins
over it, for a site that is deployed by committing its output.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

log = logging.getLogger(__name__)

HEADER = "# Output of microblog's freeze.py (a build, its spare and staging folders):"


def git_repository(folder: Path) -> tuple[Path, Path] | None:
    """(top of the work tree, git directory holding ``info/exclude``) of the repository
    ``folder`` would belong to, or None outside any. A linked worktree or submodule has a
    ``.git`` file; a worktree's exclude file is its main repository's."""
    for top in (folder, *folder.parents):
        dot_git = top / ".git"
        if dot_git.is_dir():
            return top, dot_git
        if dot_git.is_file():
            try:
                text = dot_git.read_text(encoding="utf-8").strip()
            except OSError:
                return None
            if not text.startswith("gitdir:"):
                return None
            git_dir = (top / text.removeprefix("gitdir:").strip()).resolve()
            common = git_dir / "commondir"
            if common.is_file():
                git_dir = (git_dir / common.read_text(encoding="utf-8").strip()).resolve()
            return top, git_dir
    return None


def _escape(name: str) -> str:
    """A file name as a literal gitignore pattern."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", name)


def output_patterns(build_dir: Path, top: Path) -> list[str]:
    """The ignore lines for ``build_dir``, its spare and its staging folders (under ``top``)."""
    parent = build_dir.parent.relative_to(top).as_posix()
    prefix = "/" if parent == "." else "/" + "/".join(map(_escape, parent.split("/"))) + "/"
    name = _escape(build_dir.name)
    return [f"{prefix}{name}/", f"{prefix}.{name}-spare/", f"{prefix}.{name}-staging-*/"]


def exclude_from_git(build_dir: Path) -> list[str]:
    """Add the folders a build of ``build_dir`` makes to the ``info/exclude`` of the git
    repository it is in; the lines added (none outside a repository, when they are there
    already, or when the output folder is the work tree itself)."""
    build_dir = Path(os.path.abspath(build_dir))
    found = git_repository(build_dir.parent)
    if found is None:
        return []
    top, git_dir = found
    if not build_dir.is_relative_to(top) or build_dir == top:
        return []
    exclude = git_dir / "info" / "exclude"
    try:
        raw = exclude.read_text(encoding="utf-8")
    except FileNotFoundError:
        raw = ""
    except OSError as exc:
        log.warning("could not read %s: %s", exclude, exc)
        return []
    existing = raw.splitlines()
    missing = [line for line in output_patterns(build_dir, top) if line not in existing]
    if not missing:
        return []
    lines = ([] if HEADER in existing else [HEADER]) + missing
    text = ("\n" if raw and not raw.endswith("\n") else "") + "\n".join(lines) + "\n"
    try:
        exclude.parent.mkdir(parents=True, exist_ok=True)
        with exclude.open("a", encoding="utf-8") as fh:  # one append: concurrent builds add
            fh.write(text)
    except OSError as exc:
        log.warning("could not add %s to %s: %s", build_dir, exclude, exc)
        return []
    return missing
