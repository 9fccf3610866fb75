"""``site-builder new <kind> <slug>``: write a valid skeleton for a new catalog entry.

The skeleton starts with a yaml-language-server line pointing at the kind's JSON Schema, so
editors complete keys and flag errors as you type; every value is a placeholder to replace.
"""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

from site_builder.catalog.loader import QUANT_SLUG, SLUG
from site_builder.catalog.messages import did_you_mean
from site_builder.errors import UsageError
from site_builder.schema import KINDS
from site_builder.schema_export import schema_file_name


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", help=f"one of: {', '.join(KINDS)}")
    parser.add_argument("slug", help="the new entry's ID (its file name and URL)")
    parser.add_argument(
        "--catalog", type=Path, default=Path("catalog"), help="catalog folder (default: ./catalog)"
    )


def skeleton(kind: str) -> str:
    """The skeleton text for ``kind``, schema line first."""
    body = resources.files("site_builder.skeletons").joinpath(f"{kind}.yaml").read_text("utf-8")
    return f"# yaml-language-server: $schema=../../schema/{schema_file_name(kind)}\n{body}"


def run(args: argparse.Namespace) -> int:
    kind, slug = args.kind, args.slug
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}{did_you_mean(kind, KINDS)}")
    pattern = QUANT_SLUG if kind == "quants" else SLUG
    if not pattern.fullmatch(slug):  # match() would accept a trailing line break
        raise UsageError(f"invalid ID {slug!r} for {kind} (allowed: {pattern.pattern})")
    path = args.catalog / kind / f"{slug}.yaml"
    if path.exists():
        raise UsageError(f"{path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(skeleton(kind), encoding="utf-8")
    print(f"wrote {path}: replace the placeholders, then run `site-builder validate`")
    return 0
