"""What every importer here reads: files of a fetched bare snapshot (git dir) at a pinned commit.

The importers run as scripts (``python tools/importers/<source>.py``), so this folder is on
their import path and they ``from pinned import git``.
"""

from __future__ import annotations

import subprocess


def git(gitdir: str, *args: str) -> str:
    """The standard output of ``git -C gitdir args...`` (a failing command raises)."""
    return subprocess.run(
        ["git", "-C", gitdir, *args], check=True, capture_output=True, text=True
    ).stdout
