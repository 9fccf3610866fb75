"""Compiled Jinja templates kept on disk in the work folder and, within one process, in memory.

Both of a build's Jinja environments (the site's own templates, :mod:`render`, and mkdocs'
theme, :mod:`mkdocs_theme`) keep what they compile in the work folder, so the next process
skips compiling. Within one process, every build made a new environment and read each
template's compiled code from that folder again, or compiled it again when the folder was new
(a clean build, a copy of the project, each test's own folder): about 0.4 s of a small build.
:class:`Compiled` keeps the latest code of each template this process compiled or read, keyed
as Jinja keys its files (the template's name and file) and by the environment settings that
change the code Jinja generates, and used only while the checksum of the source is the one it
was compiled from: an edited template, or the same name in an environment set up otherwise, is
compiled again and the output is the same.
"""

from __future__ import annotations

import os
from types import CodeType
from typing import Any

import jinja2
from jinja2.bccache import Bucket

_KEPT: dict[tuple[Any, ...], tuple[str, CodeType]] = {}
"""The source checksum and compiled code of each template by (environment settings, Jinja's
key), for this process: one entry a template, the latest compiled (a long live preview edits
templates many times)."""


class Compiled(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache in ``directory``, read through this process's memory."""

    def load_bytecode(self, bucket: Bucket) -> None:
        key = _key(bucket)
        kept = _KEPT.get(key) if key is not None else None
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]
            if not os.path.exists(self._get_cache_filename(bucket)):
                super().dump_bytecode(bucket)  # a new folder holds it too, for the next process
            return
        super().load_bytecode(bucket)
        _keep(key, bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        _keep(_key(bucket), bucket)
        super().dump_bytecode(bucket)


def _keep(key: tuple[Any, ...] | None, bucket: Bucket) -> None:
    if key is not None and bucket.code is not None:
        _KEPT[key] = (bucket.checksum, bucket.code)


def _key(bucket: Bucket) -> tuple[Any, ...] | None:
    """The memory key of ``bucket``'s template; None where the settings cannot be compared (a
    computed autoescape or a finalize function: kept on disk only, as Jinja would)."""
    env = bucket.environment
    if not isinstance(env.autoescape, bool) or env.finalize is not None:
        return None
    settings = (
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.is_async,
        env.autoescape,
        tuple(sorted(env.extensions)),
        getattr(env, "newstyle_gettext", None),  # what the i18n extension generates
        env.policies.get("ext.i18n.trimmed"),
    )
    return (settings, bucket.key)
