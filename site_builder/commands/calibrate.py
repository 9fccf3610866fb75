"""``site-builder calibrate``: fit the per-runtime corrections on the catalog's measurements and
write them to ``site_builder/engine/fitted.py`` (``--check``: only say whether it is current).

Exit codes: 0 written or current; 1 catalog errors, or ``--check`` found the file stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from site_builder.catalog import load_catalog
from site_builder.engine import fitted, fitting
from site_builder.engine.accuracy import raw_points
from site_builder.engine.fitted_source import render

TARGET = Path(fitted.__file__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", type=Path, default=Path("catalog"), help="catalog folder")
    parser.add_argument("--out", type=Path, default=TARGET, help="file to write")
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")


def run(args: argparse.Namespace) -> int:
    text = render(fitting.fit(raw_points(load_catalog(args.catalog))))
    current = args.out.read_text() if args.out.exists() else ""
    if args.check:
        if current != text:
            print(f"{args.out}: stale; run `site-builder calibrate`", file=sys.stderr)
            return 1
        print(f"{args.out}: current")
        return 0
    args.out.write_text(text)
    groups = text.count("        Group(")
    print(f"wrote {args.out} ({groups} groups)")
    return 0
