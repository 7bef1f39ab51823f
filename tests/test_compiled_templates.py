"""Templates compiled by one build are loaded by the next (``app.build.compiled``): a
changed template is compiled again, whatever its times say, and a damaged cache costs a
compile, never a build."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from tests.conftest import FreezeRunner


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _compiled(freeze: FreezeRunner) -> Path:
    return Path(freeze.env["MICROBLOG_INSTANCE_DIR"]) / "build-cache" / "templates"


def _build(freeze: FreezeRunner, *args: str) -> None:
    result = freeze("--quiet", *args)
    assert result.returncode == 0, result.stderr


def _assert_like_a_clean_build(freeze: FreezeRunner, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    _build(freeze, "--clean", "--out", str(clean))
    assert _tree(freeze.build_dir) == _tree(clean)


def _edit_a_post(freeze: FreezeRunner, words: str) -> Path:
    post = sorted((freeze.content_dir / "posts").glob("*.md"))[0]
    post.write_text(post.read_text(encoding="utf-8") + f"\n{words}\n", encoding="utf-8")
    return freeze.build_dir / "posts" / post.stem / "index.html"


def test_the_next_build_loads_what_the_last_compiled(freeze: FreezeRunner):
    _build(freeze)
    kept = {p.name: p.stat().st_mtime_ns for p in _compiled(freeze).iterdir()}
    assert kept, "a build compiles templates and keeps them"
    page = _edit_a_post(freeze, "Compiled once.")
    _build(freeze)
    assert "Compiled once." in page.read_text(encoding="utf-8")
    # Nothing was compiled again: each file is the one the first build wrote.
    assert {p.name: p.stat().st_mtime_ns for p in _compiled(freeze).iterdir()} == kept


def test_a_template_changed_with_its_size_and_times_kept_is_compiled_again(
    freeze: FreezeRunner, tmp_path: Path
):
    _build(freeze)
    base = freeze.site_dir / "templates" / "base.html"
    text = base.read_text(encoding="utf-8")
    assert "</main>" in text
    before = base.stat()
    # The same number of bytes, the same mtime: only the source's digest tells.
    base.write_text(text.replace("</main>", "</MAIN>", 1), encoding="utf-8")
    os.utime(base, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert base.stat().st_size == before.st_size
    _build(freeze)
    assert "</MAIN>" in (freeze.build_dir / "index.html").read_text(encoding="utf-8")
    _assert_like_a_clean_build(freeze, tmp_path)


def test_damaged_compiled_templates_are_compiled_again(freeze: FreezeRunner, tmp_path: Path):
    _build(freeze)
    files = sorted(_compiled(freeze).iterdir())
    assert len(files) >= 3
    files[0].write_bytes(b"")  # empty
    files[1].write_bytes(files[1].read_bytes()[:20])  # cut short
    for damaged in files[2:]:
        damaged.write_bytes(os.urandom(200))  # not Jinja's at all
    page = _edit_a_post(freeze, "Compiled anew.")
    _build(freeze)
    assert "Compiled anew." in page.read_text(encoding="utf-8")
    _assert_like_a_clean_build(freeze, tmp_path)


def test_a_cache_folder_that_cannot_be_made_is_no_error(freeze: FreezeRunner, tmp_path: Path):
    folder = _compiled(freeze)
    folder.parent.mkdir(parents=True)
    folder.write_text("a file where the folder would be")
    _build(freeze)
    page = _edit_a_post(freeze, "Compiled every time.")
    _build(freeze)
    assert "Compiled every time." in page.read_text(encoding="utf-8")
    assert folder.read_text() == "a file where the folder would be"
    _assert_like_a_clean_build(freeze, tmp_path)
