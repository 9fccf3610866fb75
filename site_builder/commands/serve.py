"""``site-builder serve``: preview the site with live reload of catalog, content and templates."""

from __future__ import annotations

import argparse
from pathlib import Path

from site_builder.site.layout import Layout
from site_builder.site.serve import serve


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="project folder (default: current folder)"
    )
    parser.add_argument("--catalog", type=Path, help="catalog folder (default: ROOT/catalog)")
    parser.add_argument("--content", type=Path, help="editorial pages (default: ROOT/content)")
    parser.add_argument(
        "--work", type=Path, help="folder for generated Markdown (default: ROOT/.build)"
    )
    parser.add_argument(
        "--address", default="127.0.0.1:8000", help="host:port to serve on (default: %(default)s)"
    )


def run(args: argparse.Namespace) -> int:
    layout = Layout.at(args.root, catalog=args.catalog, content=args.content, work=args.work)
    serve(layout, args.address)
    return 0
