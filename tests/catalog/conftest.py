"""Fixtures: a minimal valid catalog written into tmp_path from the ``new`` skeletons."""

from __future__ import annotations

import re
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


SOURCE = "https://www.techpowerup.com/gpu-specs/"
"""A real address standing in for every source the skeletons leave as example.com."""


def write_minimal_catalog(root: Path) -> Path:
    """Write one valid entry per slug of ``MINIMAL``, the skeletons as an editor leaves them
    (placeholders written over); return the catalog folder."""
    for kind, slugs in MINIMAL.items():
        (root / kind).mkdir(parents=True, exist_ok=True)
        for slug in slugs:
            (root / kind / f"{slug}.yaml").write_text(edited(skeleton(kind)), encoding="utf-8")
    return root


def edited(text: str) -> str:
    """A skeleton with its "Replace with ..." text and example.com addresses written over, line
    for line (positions of everything else unchanged)."""
    text = re.sub(r"Replace with [^\]\n]*", "Written by the editor.", text)
    text = re.sub(r"^(\s*- title: )Replace$", r"\1Written", text, flags=re.M)
    text = re.sub(r"https://www\.example\.com/[^\s\]]*", SOURCE, text)
    return text.replace("example-org/", "meta-llama/")


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
