"""A build that would change nothing does nothing: the stamp of the last build.

After a build publishes, :func:`record` writes ``<work>/site-stamp.json``: a digest of every
input the build reads (the catalog, content and template folders, ``mkdocs.yml``, the
package's own files, the versions of Python and of the distributions it runs on
(:mod:`~site_builder.site.versions`), the folders it writes) and a digest of what it published
(each file of the site with its size and modification time). The next build first asks
:func:`up_to_date`: when both digests still match, the site it would build is the one already
there (the build is deterministic), so it stops at once. Any edit to an input, or any change to
the published files, rebuilds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import site_builder
from site_builder.site import versions
from site_builder.site.layout import Layout

STAMP = "site-stamp.json"


@dataclass(frozen=True)
class Stamp:
    """What the last build read and published, and what it reported."""

    inputs: str
    site: str
    pages: int
    configurations: int


def up_to_date(layout: Layout, inputs: str) -> Stamp | None:
    """The last build's stamp when it read the same ``inputs`` (:func:`inputs_digest`) and
    its site has not changed since, else None."""
    try:
        stamp = Stamp(**json.loads((layout.work / STAMP).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    if stamp.inputs != inputs or stamp.site != site_digest(layout.site):
        return None
    return stamp


def record(layout: Layout, inputs: str, pages: int, configurations: int) -> None:
    """Write the stamp of the build that just published ``layout.site`` from ``inputs`` (the
    digest taken before it read them: an edit made while it ran builds again next time)."""
    stamp = Stamp(inputs, site_digest(layout.site), pages, configurations)
    (layout.work / STAMP).write_text(json.dumps(asdict(stamp), indent=1) + "\n", "utf-8")


def forget(layout: Layout) -> None:
    """Drop the stamp (a build is about to replace the site)."""
    (layout.work / STAMP).unlink(missing_ok=True)


def inputs_digest(layout: Layout) -> str:
    """SHA-256 of every input of a build: the bytes of each file it reads, by path, and the
    versions of the Python and packages that turn them into pages."""
    digest = hashlib.sha256()
    folders = [layout.catalog, layout.content, layout.templates, Path(site_builder.__file__).parent]
    _add_folders(digest, folders)
    digest.update(layout.mkdocs_yml.read_bytes() if layout.mkdocs_yml.is_file() else b"")
    digest.update(f"{layout.site}\0{layout.work}\0".encode())
    digest.update(versions.versions().encode())
    return digest.hexdigest()


def folders_digest(folders: list[Path]) -> str:
    """SHA-256 of the bytes of every file under ``folders``, by path."""
    digest = hashlib.sha256()
    _add_folders(digest, folders)
    return digest.hexdigest()


def _add_folders(digest: Any, folders: list[Path]) -> None:
    for folder in folders:
        for path in files_under(folder):
            digest.update(f"{path}\0".encode())
            digest.update(path.read_bytes())


def site_digest(site: Path) -> str:
    """SHA-256 of the published site's file list with each file's size and modification time
    (an empty string when there is no site)."""
    if not site.is_dir():
        return ""
    digest = hashlib.sha256()
    for path in files_under(site):
        found = path.stat()
        digest.update(f"{path.relative_to(site)}\0{found.st_size}\0{found.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def files_under(folder: Path) -> Iterator[Path]:
    """The files under ``folder`` in a fixed order, byte-code caches left out."""
    if not folder.is_dir():
        return iter(())
    return (p for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts)
