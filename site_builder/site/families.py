"""Every page family, in one list: each module of :mod:`site_builder.site.pages` turns the
catalog and the frozen engine results into typed page contexts (``pages(data)``)."""

from __future__ import annotations

from site_builder.site.fragments import Fragment
from site_builder.site.pages import (
    benchmarks,
    combo,
    combo_index,
    compare,
    configure,
    gpus,
    home,
    matrix,
    methodology,
    models,
    reference,
    runtimes,
    stack,
)
from site_builder.site.sitedata import Family, Page, SiteData

FAMILIES: list[Family] = [
    home.pages,
    combo.pages,
    combo_index.pages,
    matrix.pages,
    stack.pages,
    compare.pages,
    gpus.pages,
    models.pages,
    runtimes.pages,
    benchmarks.pages,
    methodology.pages,
    configure.pages,
    reference.pages,
]


FORKED: list[Family] = [matrix.pages, models.pages]
"""The families the build renders in a forked process while this one renders the others
(about half the render time each, measured on the shipped catalog)."""


def all_pages(data: SiteData, families: list[Family] = FAMILIES) -> list[Page]:
    """Every generated page (of ``families``), sorted by path."""
    pages = [page for family in families for page in family(data)]
    return sorted(pages, key=lambda page: page.path)


def all_fragments(data: SiteData) -> list[Fragment]:
    """Every HTML fragment (see :mod:`site_builder.site.fragments`), sorted by key."""
    found = [*matrix.fragments(data), *compare.fragments(data)]
    return sorted(found, key=lambda fragment: fragment.key)
