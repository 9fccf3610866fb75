"""``site-builder build``: validate the catalog, compute, render and publish the site."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from site_builder.site import build as site_build
from site_builder.site.layout import Layout


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="project folder (default: current folder)"
    )
    parser.add_argument("--catalog", type=Path, help="catalog folder (default: ROOT/catalog)")
    parser.add_argument("--content", type=Path, help="editorial pages (default: ROOT/content)")
    parser.add_argument("--site", type=Path, help="output folder (default: ROOT/site)")
    parser.add_argument(
        "--work", type=Path, help="folder for generated Markdown (default: ROOT/.build)"
    )


def run(args: argparse.Namespace) -> int:
    layout = Layout.at(
        args.root, catalog=args.catalog, content=args.content, site=args.site, work=args.work
    )
    started = time.perf_counter()
    report = site_build.build(layout)
    elapsed = time.perf_counter() - started
    stages = report.stages()
    if report.up_to_date:
        print(
            f"{report.site}/ is up to date: nothing it is built from changed since the last "
            f"build ({report.pages} pages; checked in {elapsed:.1f} s)"
        )
        return 0
    print(
        f"built {report.pages} pages and {report.configurations} engine results "
        f"in {elapsed:.1f} s ({stages}) into {report.site}/"
    )
    print(
        f"view it over HTTP (search needs it): python3 -m http.server -d {report.site} 8000, "
        "then http://127.0.0.1:8000/ ; or preview with live reload: site-builder serve"
    )
    return 0
