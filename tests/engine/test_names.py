"""Reader words for engine text: short card names, card labels, plurals, lists."""

from __future__ import annotations

import pytest

from site_builder.catalog import Catalog
from site_builder.engine import names


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("NVIDIA GeForce RTX 4090", "RTX 4090"),
        ("NVIDIA H100 PCIe 80GB", "H100 PCIe 80GB"),
        ("AMD Radeon RX 7900 XTX", "RX 7900 XTX"),
        ("AMD Instinct MI300X", "MI300X"),
        ("Apple M2 Ultra (76-core GPU, 192 GB)", "M2 Ultra (76-core GPU, 192 GB)"),
    ],
)
def test_short_gpu_name(name: str, short: str) -> None:
    assert names.short_gpu_name(name) == short


def test_card_label_is_one_based_and_never_nests_brackets(catalog: Catalog) -> None:
    assert names.card_label(0, catalog.gpus["rtx-4090"]) == "card 1 (RTX 4090)"
    assert names.card_label(1, catalog.gpus["apple-m2-ultra"]) == (
        "card 2 (M2 Ultra, 76-core GPU, 192 GB)"
    )


def test_plural_and_listing() -> None:
    assert names.plural(1, "card") == "1 card"
    assert names.plural(2, "card") == "2 cards"
    assert names.plural(0, "layer") == "0 layers"
    assert names.listing(["a"]) == "a"
    assert names.listing(["a", "b"]) == "a and b"
    assert names.listing(["a", "b", "c"]) == "a, b and c"
