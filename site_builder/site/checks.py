"""The editorial checks that need the engine's results, run together so that one run reports
every problem: typed figures in prose (:mod:`prose`), price ratios the prices contradict
(:mod:`price_check`), stack setups that do not run
(:mod:`stack_check`), measurements far from the engine without a reason (:mod:`outliers`).
``build`` and ``validate`` both run them."""

from __future__ import annotations

from pathlib import Path

from site_builder.errors import CatalogError
from site_builder.site import outliers, price_check, prose, stack_check
from site_builder.site.sitedata import SiteData


def check(data: SiteData, catalog_dir: Path, complete: bool = True) -> None:
    """Raise one :class:`CatalogError` with every problem of every check (``complete``: the
    whole catalog loaded; ``validate`` also runs them on the entries of a catalog with errors,
    where stale outlier reasons are not judged)."""
    found = [
        *prose.problems(data, catalog_dir),
        *price_check.problems(data, catalog_dir),
        *stack_check.problems(data, catalog_dir),
        *outliers.problems(data.catalog, catalog_dir, stale=complete),
    ]
    if found:
        raise CatalogError(found)
