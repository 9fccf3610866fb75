"""What page builders read and produce: :class:`SiteData` (the catalog, the frozen engine
results, editorial content) and :class:`Page` (a Markdown path, its template, its context)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from site_builder.catalog import Catalog
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
