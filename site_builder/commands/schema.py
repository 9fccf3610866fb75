"""``site-builder schema --out DIR``: write the JSON Schema of every catalog kind, each
reference listing the IDs of ``--catalog`` (run it after adding an entry: ``make schema``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from site_builder.schema_export import catalog_ids, write_schemas


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("schema"),
        help="folder to write <kind>.schema.json files into (default: ./schema)",
    )
    parser.add_argument(
        "--catalog",
        type=Path,
        default=Path("catalog"),
        help="catalog whose IDs the references list (default: ./catalog)",
    )


def run(args: argparse.Namespace) -> int:
    for path in write_schemas(args.out, catalog_ids(args.catalog)):
        print(f"wrote {path}")
    return 0
