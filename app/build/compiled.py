"""The theme's templates compiled once, for the builds after: Jinja's bytecode cache.

Every ``python freeze.py`` is a new process, which would compile each template a page uses
again (a tenth of an edit's render at 10 000 posts). Jinja's ``FileSystemBytecodeCache``
keeps the compiled code beside the build cache, under the template's name and with a digest
of its source: a changed template is compiled again, whatever its times say. The cache is
a memo, never an input: a file that cannot be read, written or trusted is compiled anew.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from flask import Flask
from jinja2.bccache import Bucket, FileSystemBytecodeCache

from app import tricks


class CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's cache in ``folder``; a broken or unwritable file costs a compile, not a build."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # any damage to a memo: compile the template
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def keep_compiled_templates(app: Flask, folder: Path) -> None:
    """Load the templates ``app`` compiles from ``folder`` and keep them there (unless the
    trick ``template-cache`` is off, or the folder cannot be made)."""
    env = app.jinja_env
    if not tricks.enabled("template-cache", app.config):
        env.bytecode_cache = None
        return
    if isinstance(env.bytecode_cache, CompiledTemplates) and env.bytecode_cache.directory == str(
        folder
    ):
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        env.bytecode_cache = None
        return
    env.bytecode_cache = CompiledTemplates(str(folder))
