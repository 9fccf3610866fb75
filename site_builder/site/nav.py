"""The navigation: section index pages only, so it stays small however large the catalog grows.

Leaf pages (one per combo, GPU, model, ...) are reached from their section's index page and
marked ``not_in_nav``; material renders the nav into every page, so thousands of leaves in it
would make the build quadratic.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

SECTIONS: tuple[tuple[str, str], ...] = (
    ("Home", "index.md"),
    ("Will it run?", "will-it-run/index.md"),
    ("Configurator", "configure.md"),
    ("Hardware combos", "hardware-combos/index.md"),
    ("Stacks", "stacks/index.md"),
    ("Compare", "compare/index.md"),
    ("GPUs", "gpus/index.md"),
    ("Models", "models/index.md"),
    ("Runtimes", "runtimes/index.md"),
    ("Benchmarks", "benchmarks.md"),
    ("Methodology", "methodology.md"),
)
REFERENCE: tuple[tuple[str, str], ...] = (
    ("Catalog reference", "reference/catalog.md"),
    ("JSON API", "reference/api.md"),
)

NOT_IN_NAV: list[str] = [
    f"/{folder}/*.md"
    for folder in (
        "hardware-combos",
        "stacks",
        "compare",
        "gpus",
        "models",
        "models/*",
        "runtimes",
        "runtimes/*",
        "will-it-run",
        "will-it-run/hardware",
        "benchmarks",
    )
] + [
    f"!/{folder}/index.md"
    for folder in (
        "hardware-combos",
        "stacks",
        "compare",
        "gpus",
        "models",
        "runtimes",
        "will-it-run",
    )
]


def nav(docs: Collection[str]) -> list[Any]:
    """The nav of a docs folder holding ``docs`` (paths): sections, guides, reference."""
    entries: list[Any] = [{title: path} for title, path in SECTIONS if path in docs]
    guides = sorted(
        (p for p in docs if p.startswith("guides/") and p.endswith(".md")),
        key=lambda p: (p != "guides/index.md", p),
    )
    if guides:
        entries.append({"Guides": guides})
    reference = [{title: path} for title, path in REFERENCE if path in docs]
    if reference:
        entries.append({"Reference": reference})
    return entries
