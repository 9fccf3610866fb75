"""``site-builder validate``: load the catalog and report every problem at once: schema and
reference errors, then measurements far from the engine without an ``outlier_reason``."""

from __future__ import annotations

import argparse
from pathlib import Path

from site_builder.catalog import load_catalog
from site_builder.site import outliers


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--catalog", type=Path, default=Path("catalog"), help="catalog folder (default: ./catalog)"
    )


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
    outliers.check(catalog, args.catalog)
    counts = ", ".join(
        f"{len(getattr(catalog, kind))} {kind}"
        for kind in (
            "gpus",
            "models",
            "quants",
            "runtimes",
            "interconnects",
            "combos",
            "stacks",
            "benchmarks",
        )
    )
    print(f"catalog OK: {counts}")
    return 0
