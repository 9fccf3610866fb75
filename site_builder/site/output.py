"""Writing generated files and publishing a finished site.

``write_tree`` rewrites only files whose bytes changed (so ``mkdocs serve`` and ``--dirty``
see real changes only) and removes files no longer generated. ``publish`` moves a finished
site into place: the previous site stays untouched until the new one is complete.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Make ``root`` hold exactly ``files`` (relative path -> content)."""
    root.mkdir(parents=True, exist_ok=True)
    for relative, content in sorted(files.items()):
        data = content.encode("utf-8") if isinstance(content, str) else content
        path = root / relative
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    _remove_stale(root, set(files))


def _remove_stale(root: Path, keep: set[str]) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and relative not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def merge(source: Path, target: Path) -> None:
    """Copy the tree ``source`` into ``target`` (existing files are replaced)."""
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)


def staging_dir(site: Path) -> Path:
    """A fresh, empty sibling of ``site`` to build into (same file system, so renames work)."""
    staging = site.parent / f".{site.name}.new"
    shutil.rmtree(staging, ignore_errors=True)
    return staging


def discard(staging: Path) -> None:
    """Remove a staging folder after a failed build."""
    shutil.rmtree(staging, ignore_errors=True)


def publish(staging: Path, site: Path) -> None:
    """Swap the finished ``staging`` folder into ``site``; then drop the previous site."""
    previous = site.parent / f".{site.name}.old"
    shutil.rmtree(previous, ignore_errors=True)
    if site.exists():
        os.replace(site, previous)
    os.replace(staging, site)
    shutil.rmtree(previous, ignore_errors=True)
