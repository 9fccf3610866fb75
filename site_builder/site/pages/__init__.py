"""Page families: each module turns the catalog and engine results into typed page contexts.

Every family exposes ``pages(data) -> Iterator[Page]``; :func:`all_pages` gathers them in path
order. A :class:`Page` names its Markdown path under the docs folder, its template and its
context (a frozen dataclass the template reads as ``page``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from site_builder.catalog import Catalog
from site_builder.site.fragments import Fragment
from site_builder.site.results import Results


@dataclass(frozen=True)
class SiteData:
    """Everything page builders read: the catalog, the engine's results, editorial content."""

    catalog: Catalog
    results: Results
    content: Path


@dataclass(frozen=True)
class Page:
    """One generated page: docs-relative Markdown path, template name, typed context."""

    path: str
    template: str
    context: object


Family = Callable[[SiteData], Iterator[Page]]


def families() -> list[Family]:
    """Every page family, imported late so that each module stays independent."""
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

    return [
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


def all_pages(data: SiteData) -> list[Page]:
    """Every generated page, sorted by path."""
    pages = [page for family in families() for page in family(data)]
    return sorted(pages, key=lambda page: page.path)


def all_fragments(data: SiteData) -> list[Fragment]:
    """Every HTML fragment (see :mod:`site_builder.site.fragments`), sorted by key."""
    from site_builder.site.pages import matrix

    return sorted(matrix.fragments(data), key=lambda fragment: fragment.key)
