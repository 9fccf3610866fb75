"""Which pages the live preview makes first after an edit: the edited files' own pages.

A combo's name is on about 110 pages (its compare pages, the model pages listing it, the
matrices); rendering them and mkdocs converting them took about 5 s, and the page the editor
has open waited for all of them. The preview renders and writes the edited files' own pages
first (a combo file's combo page, a model file's model page...) and the other pages with the
files it makes after the pages (:class:`~site_builder.site.regenerate.Later`), which mkdocs
builds a moment later. Pure functions but :func:`file_digests`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping

from site_builder.site import stamp, urls
from site_builder.site.layout import Layout

OWN_PAGE: dict[str, Callable[[str], str]] = {
    "catalog/combos": urls.combo,
    "catalog/gpus": urls.gpu,
    "catalog/models": urls.model,
    "catalog/runtimes": urls.runtime,
    "catalog/stacks": urls.stack,
    "content/runtimes": urls.runtime,
    "content/guides": lambda stem: f"guides/{stem}.md",
}
"""The page of each folder's entities (by the file name without its extension)."""


def file_digests(layout: Layout) -> dict[str, str]:
    """SHA-256 of every file the pages are made from, by ``catalog/...``, ``content/...`` or
    ``templates/...`` path."""
    found: dict[str, str] = {}
    for label, folder in (
        ("catalog", layout.catalog),
        ("content", layout.content),
        ("templates", layout.templates),
    ):
        for path in stamp.files_under(folder):
            name = f"{label}/{path.relative_to(folder).as_posix()}"
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def edited(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """The paths added, removed or changed between two :func:`file_digests` answers."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def own_pages(paths: Iterable[str]) -> frozenset[str]:
    """The docs pages of the entities the ``paths`` describe (none for a template, a quant, a
    benchmark: their pages are many)."""
    pages = set()
    for path in paths:
        folder, _, name = path.rpartition("/")
        page = OWN_PAGE.get(folder)
        if page is not None:
            pages.add(page(name.rpartition(".")[0] or name))
    return frozenset(pages)
