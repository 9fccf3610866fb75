"""A validated catalog kept between command runs, so one ``estimate`` or ``recommend`` does not
parse and validate every file again (a quarter of a second, most of a one-line answer).

The copy lives in the working folder's ``.build/catalog-cache/`` (the project's work folder
when the commands run from the project, as the README's do), one per catalog folder, keyed by
a hash of every file under the catalog (names and bytes), the code that reads and validates it
(``site_builder/catalog/`` and ``site_builder/schema/``) and the working folder (messages name
files relative to it). Only a catalog that loaded without a problem is kept; any other change,
or an unreadable copy, means a fresh load. Where the folder cannot be written the catalog is
simply loaded every time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path

from site_builder.catalog.store import Catalog

PACKAGE = Path(__file__).resolve().parents[1]
CODE = ("catalog", "schema")
"""Packages whose source is part of the key."""


def load_cached(root: Path) -> Catalog:
    """The catalog under ``root``, from the cache when nothing it depends on changed."""
    folder = Path.cwd() / ".build" / "catalog-cache"
    which = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    path = folder / f"{which}-{key(root)}.pickle"
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError):
        found = pickle.loads(path.read_bytes())
        if isinstance(found, Catalog):
            return found
    from site_builder.catalog.loader import load_catalog  # the YAML reader: on a miss only

    catalog = load_catalog(root)
    store(folder, path, catalog)
    return catalog


def key(root: Path) -> str:
    """A hash of the catalog's files, the code that reads them and the working folder."""
    digest = hashlib.sha256(str(Path.cwd()).encode() + b"\0" + str(root).encode() + b"\0")
    for package in CODE:
        for name, path in files(str(PACKAGE / package)):
            if name.endswith(".py"):
                digest.update(name.encode() + b"\0" + contents(path))
    for name, path in files(str(root)):
        digest.update(name.encode() + b"\0" + contents(path))
    return digest.hexdigest()[:32]


def files(top: str) -> list[tuple[str, str]]:
    """Every file under the folder ``top`` (following links to folders, each folder once), as
    (path relative to ``top``, path), sorted: ``os.scandir``, a third of ``Path.rglob``'s time
    over the catalog's 500 files. A folder that cannot be read adds nothing: the loader reports
    it."""
    found: list[tuple[str, str]] = []
    seen: set[tuple[int, int]] = set()
    pending = [top]
    skip = len(top) + 1
    while pending:
        folder = pending.pop()
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            for entry in entries:
                if entry.is_dir():
                    pending.append(entry.path)
                else:
                    found.append((entry.path[skip:], entry.path))
    return sorted(found)


def contents(path: str) -> bytes:
    """The file's bytes; a file that cannot be read counts as such (the loader reports it)."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as exc:
        return f"\0unreadable: {exc.strerror}".encode()


def store(folder: Path, path: Path, catalog: Catalog) -> None:
    """Keep ``catalog`` at ``path`` (written whole, then renamed), dropping older copies of the
    same catalog folder."""
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{path.name.split('-')[0]}-*.pickle"):
            old.unlink(missing_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(catalog, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(path)
