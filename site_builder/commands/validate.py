"""``site-builder validate``: every check the build makes before rendering, every problem
at once: schema, references and cross-field rules of the catalog, then (with the engine's
results) typed figures in catalog and content prose, stack setups that do not run and
measurements far from the engine without an ``outlier_reason``."""

from __future__ import annotations

import argparse
from pathlib import Path

from site_builder.catalog import load_catalog
from site_builder.site import checks
from site_builder.site.evaluate import evaluate
from site_builder.site.sitedata import SiteData

KINDS = ("gpus", "models", "quants", "runtimes", "interconnects", "combos", "stacks", "benchmarks")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--catalog", type=Path, default=Path("catalog"), help="catalog folder (default: ./catalog)"
    )
    parser.add_argument(
        "--content", type=Path, default=Path("content"), help="content folder (default: ./content)"
    )


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
    results = evaluate(catalog, args.content, for_pages=False)
    checks.check(SiteData(catalog, results, args.content), args.catalog)
    counts = ", ".join(f"{len(getattr(catalog, kind))} {kind}" for kind in KINDS)
    print(f"catalog OK: {counts}")
    return 0
