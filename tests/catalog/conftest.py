"""Fixtures: a minimal valid catalog written into tmp_path from the ``new`` skeletons."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from site_builder.commands.new import skeleton

# The skeletons reference these IDs, so the minimal catalog names its entries after them.
MINIMAL = {
    "gpus": ["rtx-4090", "rtx-3090", "rtx-5090"],
    "interconnects": ["pcie-4.0-x16"],
    "models": ["llama-3.1-8b-instruct"],
    "quants": ["Q4_K_M"],
    "runtimes": ["llama-cpp"],
    "combos": ["single-rtx-4090", "dual-rtx-4090"],
    "stacks": ["example-stack"],
    "benchmarks": ["example-bench"],
}


def write_minimal_catalog(root: Path) -> Path:
    """Write one valid entry per slug of ``MINIMAL``; return the catalog folder."""
    for kind, slugs in MINIMAL.items():
        (root / kind).mkdir(parents=True, exist_ok=True)
        for slug in slugs:
            (root / kind / f"{slug}.yaml").write_text(skeleton(kind), encoding="utf-8")
    return root


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    return write_minimal_catalog(tmp_path / "catalog")


Mutate = Callable[[str, str, str], Path]


@pytest.fixture
def mutate(catalog_dir: Path) -> Mutate:
    """Replace the first ``old`` in ``catalog/<rel>`` by ``new``; fail if ``old`` is absent."""

    def apply(rel: str, old: str, new: str) -> Path:
        path = catalog_dir / rel
        text = path.read_text(encoding="utf-8")
        if old not in text:
            raise AssertionError(f"{old!r} not in {rel}")
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return path

    return apply
