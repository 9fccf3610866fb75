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
        for source in sorted((PACKAGE / package).rglob("*.py")):
            digest.update(source.read_bytes())
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


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
