"""Writing generated files and publishing a finished site.

``write_tree`` rewrites only files whose bytes changed (so ``mkdocs serve`` and ``--dirty``
see real changes only) and removes files no longer generated. ``publish`` swaps a finished
site into place in one rename: the previous site stays untouched until the new one is complete,
and there is no moment without a site.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from site_builder.errors import BuildError


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> list[str]:
    """Make ``root`` hold exactly ``files`` (relative path -> content); return the paths it
    wrote (new or changed), in order."""
    return write_stream(root, sorted(files.items()))


def write_stream(
    root: Path, files: Iterable[tuple[str, str | bytes | None]], keep: Iterable[str] = ()
) -> list[str]:
    """:func:`write_tree` of files made one after another: each is written as it comes (so
    they need not all be in memory at once; None: the file is kept as it is), then the files
    no longer made (nor in ``keep``: written by another process) are removed."""
    root.mkdir(parents=True, exist_ok=True)
    written, made = [], set(keep)
    for relative, content in files:
        made.add(relative)
        if content is not None and write_file(root, relative, content):
            written.append(relative)
    remove_stale(root, made)
    return written


def write_files(root: Path, files: Mapping[str, str | bytes]) -> list[str]:
    """Write ``files`` under ``root`` (relative path -> content), those whose bytes changed
    only, removing nothing; the paths written, in order."""
    return [name for name, content in sorted(files.items()) if write_file(root, name, content)]


def write_file(root: Path, relative: str, content: str | bytes) -> bool:
    """Write one file under ``root`` unless it already holds these bytes; whether it wrote. A
    new file replaces the old one (:func:`replace_file`), so a published site that links to
    the old one keeps it (:func:`link_tree`)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path = root / relative
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, data)
    return True


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` as a new file at ``path`` (written beside it, then renamed over it): a
    hard link to the old file keeps the old bytes."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def remove_stale(root: Path, keep: set[str]) -> None:
    """Remove the files under ``root`` not in ``keep`` (relative paths), and emptied folders."""
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


def link_tree(source: Path, target: Path) -> None:
    """:func:`merge` by hard links where the file system allows (the work folder's data files
    are only ever replaced, never written in place: :func:`write_file`), else by copies."""
    if not source.is_dir():
        return
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        found = target / path.relative_to(source)
        found.parent.mkdir(parents=True, exist_ok=True)
        found.unlink(missing_ok=True)
        try:
            os.link(path, found)
        except OSError:
            shutil.copy2(path, found)


def staging_dir(site: Path) -> Path:
    """A fresh, empty sibling of ``site`` to build into, unique to this build (same file system,
    so the swap is a rename)."""
    site.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{site.name}.new-", dir=site.parent))


def prepare_site_folder(site: Path) -> None:
    """Before any work: make sure the folder that will hold ``site`` is writable (a build must
    not fail with a traceback after all its work), and remove what killed builds left beside
    ``site`` (staging and previous-site folders; call it holding the build lock)."""
    try:
        site.parent.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=site.parent).close()
    except OSError as exc:
        raise BuildError(
            f"cannot write in {site.parent} ({exc.strerror or exc}): the new site is built "
            "there; choose a writable --site"
        ) from None
    clean_stale(site)


def clean_stale(site: Path) -> None:
    """Remove what killed builds left beside ``site`` (staging and previous-site folders)."""
    for leftover in sorted(site.parent.glob(f".{site.name}.new*")):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in sorted(site.parent.glob(f".{site.name}.old*")):
        shutil.rmtree(leftover, ignore_errors=True)


def discard(staging: Path) -> None:
    """Remove a staging folder after a failed build."""
    shutil.rmtree(staging, ignore_errors=True)


def publish(staging: Path, site: Path) -> None:
    """Swap the finished ``staging`` folder into ``site`` in one step (an exchange rename: at no
    moment is there no ``site``), then drop the previous site. Where the kernel has no exchange
    rename, two renames (a moment without ``site``)."""
    if site.is_dir() and exchange(staging, site):
        shutil.rmtree(staging, ignore_errors=True)
        return
    previous = site.parent / f".{site.name}.old"
    shutil.rmtree(previous, ignore_errors=True)
    if site.exists():
        os.replace(site, previous)
    os.replace(staging, site)
    shutil.rmtree(previous, ignore_errors=True)


RENAME_EXCHANGE = 2
AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    system lacks it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    done = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    if done == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EPERM):
        return False
    raise OSError(error, os.strerror(error), str(b))
