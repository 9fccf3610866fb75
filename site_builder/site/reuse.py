"""What a build takes from the last successful one: the engine's results and the outputs of
the combos an edit left unchanged.

* Each combo's results stay in the store (:mod:`site_builder.site.store`) under a key of
  everything its evaluation reads (:func:`combo_keys`); a combo under the same key is not
  evaluated again but read back where needed (:meth:`~site_builder.site.store.Store.reuse`).
  A small catalog's build keeps its results in memory and writes them there afterwards
  (:func:`stored_for_later`).
* When what the outputs read beside the combos is unchanged too (:func:`outputs_digest`), the
  pages, fragments and per-combo data files made from unchanged combos alone are kept as the
  last build wrote them in the work folder (:func:`carried`, :func:`kept_page`).

The record of the last build is removed when a build starts and written when it succeeds, so
a failed build leaves nothing to reuse; the live preview, which writes the same work folder,
drops the outputs' part of it (:meth:`~site_builder.site.store.Store.forget_outputs`).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import site_builder
from site_builder.catalog import Catalog
from site_builder.errors import CatalogError
from site_builder.site import fragments, sitemap, stamp, versions
from site_builder.site.layout import Layout
from site_builder.site.memo import BUT_GPUS, answers_digest, digest, gpu_digests, shared_digest
from site_builder.site.results import Results
from site_builder.site.sitedata import SiteData
from site_builder.site.store import Store
from site_builder.site.tables import Rows

STORE_FROM_COMBOS = 120
"""The number of combos from which a build keeps their results on disk instead of in memory
(:mod:`site_builder.site.store`): about 11 MB of memory a combo held, against about 70 ms of
CPU each time a process reads one back (measured on the shipped catalog, 2026-12-01). Below
it, all in memory stay under 0.6 GB."""

T = TypeVar("T")

PageMark = tuple[str, str | None, list[str]]
"""A written page's path, its newest date, its asides' fragment files."""


def store_for(layout: Layout, catalog: Catalog, epoch: int) -> Store:
    """The store of the build's results, holding the combos an earlier build left under this
    build's keys (:func:`combo_keys`); it seals each batch unless the catalog is small enough
    to keep them in memory (:data:`STORE_FROM_COMBOS`). ``epoch``: the build's date."""
    store = Store(layout.results, sealing=len(catalog.combos) >= STORE_FROM_COMBOS)
    keys, outputs = combo_keys(layout, catalog), outputs_digest(layout, catalog, epoch)
    return store.reuse(keys, outputs, {s: digest(c) for s, c in catalog.combos.items()})


def last_build(layout: Layout, catalog: Catalog) -> Store:
    """The results the last successful build left of the combos whose keys ``catalog`` still
    has (:meth:`~site_builder.site.store.Store.view`: read only, for ``validate``)."""
    return Store(layout.results).view(combo_keys(layout, catalog))


def from_last_build(layout: Layout, catalog: Catalog, job: Callable[[Store | None], T]) -> T:
    """``job`` given the results the last successful build left in ``layout``'s work folder
    (:func:`last_build`, read only); when there are none, a file of them cannot be read, or a
    build or preview wrote there meanwhile, ``job`` again without them (every combo
    evaluated). An error in the catalog or content is raised at once: it does not come from
    the last build's files, and the second run would only meet it again."""
    last = last_build(layout, catalog)
    if last.reusable:
        try:
            found = job(last)
        except CatalogError:
            raise
        except Exception:  # a file of the last build unreadable: evaluated again below
            pass
        else:
            if last.untouched():
                return found
    return job(None)


def combo_keys(layout: Layout, catalog: Catalog) -> dict[str, str]:
    """Each combo's key: a digest of everything its evaluation reads (its entity but its
    editorial text and its name, :func:`~site_builder.site.memo.answers_digest`; the GPUs it
    holds; the other shared kinds, the content, whose guides plan queries, the package's code
    and every version). Of the GPUs, its answers read its own cards only (its estimates,
    costs, recommendations, and the benchmarks that ran those cards), so an edit to one GPU
    leaves the combos that do not hold it under their keys, and a rename its own."""
    shared = hashlib.sha256()
    shared.update(shared_digest(catalog, BUT_GPUS).encode())
    package = Path(site_builder.__file__).parent
    shared.update(stamp.folders_digest([layout.content, package]).encode())
    shared.update(versions.versions().encode())
    common = shared.hexdigest()
    gpus = gpu_digests(catalog)
    return {
        slug: hashlib.sha256(f"{common}\n{answers_digest(combo, gpus)}".encode()).hexdigest()
        for slug, combo in catalog.combos.items()
    }


def outputs_digest(layout: Layout, catalog: Catalog, epoch: int) -> str:
    """What a page, fragment or data file made from a few combos reads beside them and their
    keys: the templates, which combos there are, the build's date, and every GPU (the GPU
    index reads them all; a combo's key holds only its own, :func:`combo_keys`)."""
    found = hashlib.sha256(stamp.folders_digest([layout.templates]).encode())
    found.update(shared_digest(catalog, ["gpus"]).encode())
    found.update(f"{sorted(catalog.combos)}\n{epoch}".encode())
    return found.hexdigest()


def carried(data: SiteData) -> SiteData:
    """``data`` for a build, which keeps the outputs of the combos unchanged since the last
    one (:attr:`~site_builder.site.store.Store.carried`) instead of making them again."""
    store = data.results.store
    return dataclasses.replace(data, unchanged=store.carried if store else frozenset())


def kept_page(layout: Layout, path: str) -> PageMark | None:
    """The mark of the page the last build wrote at ``path`` (None if it is not all there)."""
    page = layout.docs / path
    if not page.is_file():
        return None
    body = page.read_text(encoding="utf-8")
    asides = fragments.aside_files(body)
    found = [layout.fragments / aside for aside in asides]
    if not all(aside.is_file() for aside in found):
        return None
    texts = [body, *(aside.read_text(encoding="utf-8") for aside in found)]
    return path, sitemap.newest_date(texts), asides


def stored_for_later(results: Results) -> None:
    """Write the combos the build evaluated and kept in memory into its store, with their other
    context lengths (before anything merges them), so the next build can reuse them."""
    store = results.store
    if store is None or store.sealing:
        return
    for _, found in results.pending:
        store.put_contexts(found.result(), Rows(results.catalog))
    for combo in results.catalog.combos:
        if combo not in results.stored:
            results.put_in_store(combo)
