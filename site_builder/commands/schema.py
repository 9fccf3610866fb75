"""``site-builder schema --out DIR``: write the JSON Schema of every catalog kind."""

from __future__ import annotations

import argparse
from pathlib import Path

from site_builder.schema_export import write_schemas


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("schema"),
        help="folder to write <kind>.schema.json files into (default: ./schema)",
    )


def run(args: argparse.Namespace) -> int:
    for path in write_schemas(args.out):
        print(f"wrote {path}")
    return 0
