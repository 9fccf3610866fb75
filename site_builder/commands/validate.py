"""``site-builder validate``: every check the build makes before rendering, every problem
at once: schema, references and cross-field rules of the catalog, then (with the engine's
results) typed figures in catalog and content prose, stack setups that do not run and
measurements far from the engine without an ``outlier_reason``. The engine's checks run on the
entries that loaded even when others have errors (:func:`load_partial`), so one run reports
both kinds. The engine's results about the combos an edit left unchanged are taken from the last
successful build (:func:`site_builder.site.reuse.last_build`), so after ``make site`` checking
an edit costs the evaluation of what it touched; without a build, or when a build writes the
work folder meanwhile, every combo is evaluated."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

from site_builder.catalog import Catalog
from site_builder.catalog.loader import load_partial
from site_builder.errors import CatalogError, Problem
from site_builder.site import checks, reuse
from site_builder.site.evaluate import evaluate
from site_builder.site.layout import Layout
from site_builder.site.sitedata import SiteData
from site_builder.site.store import Store

KINDS = ("gpus", "models", "quants", "runtimes", "interconnects", "combos", "stacks", "benchmarks")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--catalog", type=Path, default=Path("catalog"), help="catalog folder (default: ./catalog)"
    )
    parser.add_argument(
        "--content", type=Path, default=Path("content"), help="content folder (default: ./content)"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(".build"),
        help="work folder of the last build, whose results of unchanged combos are reused "
        "(default: ./.build)",
    )


def run(args: argparse.Namespace) -> int:
    catalog, problems = load_partial(args.catalog)
    problems += engine_problems(catalog, args, broken=bool(problems))
    if problems:
        raise CatalogError(problems)
    counts = ", ".join(f"{len(getattr(catalog, kind))} {kind}" for kind in KINDS)
    print(f"catalog OK: {counts}")
    return 0


def engine_problems(catalog: Catalog, args: argparse.Namespace, broken: bool) -> list[Problem]:
    """The problems of the checks that need the engine's results. On a catalog with errors
    (``broken``) they run on the entries that loaded; if the engine cannot run on those, the
    catalog's own errors are reported alone and the rest waits for the next run."""
    if not broken:
        layout = Layout.at(Path("."), catalog=args.catalog, content=args.content, work=args.work)
        return reuse.from_last_build(layout, catalog, partial(_checked, catalog, args, broken))
    try:
        return _checked(catalog, args, broken, None)
    except Exception as exc:  # the engine on a catalog that already has errors
        print(
            f"note: the checks that need the engine wait for these fixes ({exc})", file=sys.stderr
        )
    return []


def _checked(
    catalog: Catalog, args: argparse.Namespace, broken: bool, last: Store | None
) -> list[Problem]:
    """The checks' problems, evaluating only the combos they read, with the results of
    ``last``'s reusable combos taken from it."""
    try:
        read = checks.combos_read(catalog, args.content, args.catalog)
        results = evaluate(catalog, args.content, for_pages=False, store=last, only=read)
        checks.check(SiteData(catalog, results, args.content), args.catalog, complete=not broken)
    except CatalogError as exc:
        return exc.problems
    return []
