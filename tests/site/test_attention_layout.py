"""The model page's attention fact, one shipped model of each layout (the sentence is built from
the same config.json fields the engine's KV formulas read), and on the built page."""

from __future__ import annotations

import re

import pytest

from site_builder.catalog import load_catalog
from site_builder.site.pages.attention import layout
from tests.site.conftest import ROOT, Built
from tests.site.pagetext import text

SHIPPED = load_catalog(ROOT / "catalog")

CASES = [
    ("llama-3.3-70b-instruct", "Full attention on all 80 layers"),
    (
        "gemma-3-27b-it",
        "52 local-attention layers (each caches at most 1,024 positions), 10 full-attention layers",
    ),
    (
        # chunked attention (Llama 4) caches at most a chunk, as a window does
        "llama-4-scout-17b-16e-instruct",
        "36 local-attention layers (each caches at most 8,192 positions), 12 full-attention layers",
    ),
    (
        "gemma-4-e2b-it",
        "28 local-attention layers (each caches at most 512 positions), 7 full-attention "
        "layers; the full-attention layers have 1 KV head of width 512 (the heads and head "
        "dimension above are the local layers'); the last 20 layers reuse an earlier layer's "
        "keys and values",
    ),
    (
        "qwen3.6-35b-a3b",
        "30 linear-attention layers (a fixed-size state per sequence), 10 full-attention layers",
    ),
    (
        "deepseek-v3",
        "Latent attention on all 61 layers (each caches one 576-wide latent per token)",
    ),
    (
        "deepseek-v3.2",
        "Latent attention on all 61 layers (each caches one 576-wide latent per token); each "
        "query attends to the 2,048 positions its indexer selects",
    ),
    (
        "deepseek-v4-flash",
        "All 43 layers cache their last 128 positions; 21 also one entry per 4 positions "
        "(read through an indexer), 20 also one entry per 128 positions (read in full)",
    ),
]


@pytest.mark.parametrize(("slug", "sentence"), CASES)
def test_each_layout_in_words(slug: str, sentence: str) -> None:
    assert layout(SHIPPED.models[slug]) == sentence


def test_every_shipped_model_accounts_for_all_its_layers() -> None:
    """The kinds a sentence names add up to the model's layers: all of them, or each kind of a
    hybrid (local or linear attention beside full attention)."""
    for slug, model in SHIPPED.models.items():
        said = layout(model)
        kinds = re.findall(r"(\d+) (?:local|linear|full)-attention layers", said)
        if kinds:
            assert sum(int(k) for k in kinds) == model.num_layers, (slug, said)
        else:
            assert f"all {model.num_layers} layers" in said.lower(), (slug, said)


def test_the_model_page_shows_it(built: Built) -> None:
    catalog = load_catalog(built.layout.catalog)
    slug = next(iter(catalog.models))
    page = text(built.html(f"models/{slug}/"))
    assert f"Attention layout {layout(catalog.models[slug])}" in page
