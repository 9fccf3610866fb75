"""The editorial checks that need the engine's results, run together so that one run reports
every problem: typed figures in prose (:mod:`prose`), price ratios the prices contradict
(:mod:`price_check`), stack setups that do not run
(:mod:`stack_check`), measurements far from the engine without a reason (:mod:`outliers`).
``build`` and ``validate`` both run them."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from site_builder.catalog import Catalog
from site_builder.errors import CatalogError, Problem
from site_builder.site import outliers, price_check, prose, stack_check
from site_builder.site.memo import benchmarks_stamp
from site_builder.site.sitedata import SiteData


def check(data: SiteData, catalog_dir: Path, complete: bool = True) -> None:
    """Raise one :class:`CatalogError` with every problem of every check (``complete``: the
    whole catalog loaded; ``validate`` also runs them on the entries of a catalog with errors,
    where stale outlier reasons are not judged)."""
    found = [
        *prose.problems(data, catalog_dir),
        *price_check.problems(data, catalog_dir),
        *stack_check.problems(data, catalog_dir),
        *_outliers(data, catalog_dir, complete),
    ]
    if found:
        raise CatalogError(found)


def combos_read(catalog: Catalog, content: Path, catalog_dir: Path) -> set[str]:
    """The combos whose engine results :func:`check` reads: those prose claims and price
    ratios are checked against and the stacks' own (the outliers are checked against the
    engine directly). ``validate`` evaluates only these; the results of any other combo are
    not there to read (:class:`~site_builder.site.results.Results` refuses them)."""
    names = prose.Names.of(catalog)
    found = {stack.combo for stack in catalog.stacks.values()}
    for passage in prose.passages(catalog, content, catalog_dir):
        found |= prose.combos_of(catalog, names, passage)
        found |= price_check.combos_of(names, passage)
    return found


def _outliers(data: SiteData, catalog_dir: Path, complete: bool) -> list[Problem]:
    """:func:`outliers.problems` (a live preview keeps "none" while the benchmarks and what
    they read are unchanged: :func:`~site_builder.site.memo.benchmarks_stamp`, its memo
    forgetting everything when a shared kind changes; problems are not kept, since their
    lines move with edits that change no value)."""
    memo = data.results.recall
    now = partial(_outliers_now, data, catalog_dir, complete)
    if memo is None:
        return now()
    key = ("outliers", str(catalog_dir), str(complete))
    found = memo.keep_stamped(key, benchmarks_stamp(data.catalog), now)
    if found:
        memo.forget(key)
    return found


def _outliers_now(data: SiteData, catalog_dir: Path, complete: bool) -> list[Problem]:
    return list(outliers.problems(data.catalog, catalog_dir, stale=complete))
