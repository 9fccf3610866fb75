"""The model page's memory for context: one sequence's KV cache at each context of the matrices.
It is the figure of the engine's KV formula that every placement runs, so it is what
``estimate`` reports as the KV cache of a llama.cpp setup that holds the whole model in VRAM,
on any cards and at any quant, and what the page shows."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import re

import pytest

from site_builder.catalog import load_catalog
from site_builder.cli import main
from site_builder.engine import config_for_combo, estimate, prepare
from site_builder.schema.base import KvCacheType
from site_builder.site import fmt
from site_builder.site.context_memory import CACHES, COMPARED_CONTEXT, context_memory
from site_builder.site.results import CONTEXTS
from tests.site.conftest import ROOT, Built
from tests.site.pagetext import header_after, table_after

SHIPPED = load_catalog(ROOT / "catalog")
COMBOS = ["single-rtx-4090", "dual-rtx-3090", "8x-h200", "mac-studio-m3-ultra-512gb"]


@pytest.mark.parametrize("cache", CACHES)
def test_it_is_the_kv_cache_of_every_whole_llama_cpp_setup(cache: KvCacheType) -> None:
    figures, lookups, checked = context_memory(SHIPPED, cache), prepare(SHIPPED), 0
    for slug, model in SHIPPED.models.items():
        quants = {q for c in model.checkpoints if c.format == "gguf" for q in c.quants}
        for combo in COMBOS:
            for quant in sorted(quants):
                for context, gib in figures[slug].items():
                    config = config_for_combo(
                        SHIPPED,
                        combo,
                        model=slug,
                        quant=quant,
                        runtime="llama-cpp",
                        context_tokens=context,
                        kv_cache=cache,
                    )
                    est = estimate(SHIPPED, config, lookups)
                    whole = est.verdict in ("fits", "tight") and est.split in ("layer", "none")
                    if not whole or est.memory is None:
                        continue
                    kv = sum(card.kv_cache_gib for card in est.memory.per_gpu)
                    assert abs(kv - gib) < 1e-9, (slug, combo, quant, context, kv, gib)
                    checked += 1
    assert checked > 500


def test_longer_contexts_take_more_q8_0_less_and_the_longest_is_not_exceeded() -> None:
    f16, q8 = context_memory(SHIPPED, "f16"), context_memory(SHIPPED, "q8_0")
    for slug, found in f16.items():
        model = SHIPPED.models[slug]
        assert list(found) == [c for c in CONTEXTS if c <= model.max_context_tokens], slug
        values = list(found.values())
        assert all(a <= b for a, b in itertools.pairwise(values)), (slug, found)
        assert all(q8[slug][c] < gib for c, gib in found.items()), slug


@pytest.mark.parametrize(("cache", "column"), [("f16", 1), ("q8_0", 2)])
def test_the_page_shows_what_the_command_prints(built: Built, cache: str, column: int) -> None:
    catalog = load_catalog(built.layout.catalog)
    model, combo = "llama-3.1-8b-instruct", next(iter(catalog.combos))
    rows = table_after(built.html(f"models/{model}/"), "memory-for-context")
    shown = {r[0]: r[column] for r in rows}
    assert list(shown) == [fmt.tokens(c) for c in CONTEXTS]
    for context in CONTEXTS:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            args = ["estimate", "--catalog", str(built.layout.catalog), "--combo", combo]
            args += ["--model", model, "--quant", "Q4_K_M", "--runtime", "llama-cpp"]
            args += ["--context", str(context), "--kv-cache", cache, "--json"]
            assert main(args) == 0
        printed = json.loads(out.getvalue())
        assert printed["verdict"] in ("fits", "tight"), (context, printed["verdict"])
        kv = sum(card["kv_cache_gib"] for card in printed["memory"]["per_gpu"])
        assert shown[fmt.tokens(context)].startswith(f"{fmt.gib(kv)} GiB"), (context, shown)


def test_the_models_index_compares_the_figure_of_each_model_page(built: Built) -> None:
    index = built.html("models/")
    catalog = load_catalog(built.layout.catalog)
    column = f"KV cache at {fmt.tokens(COMPARED_CONTEXT)}"
    compared = 0
    for heading in re.findall(r'<h2 id="([^"]+)"', index):  # a table per family
        header = header_after(index, heading)
        for row in table_after(index, heading):
            slug = next(s for s, m in catalog.models.items() if m.name == row[0])
            page = table_after(built.html(f"models/{slug}/"), "memory-for-context")
            shown = {r[0]: r[1].removesuffix(" estimated") for r in page}
            assert row[header.index(column)] == shown[fmt.tokens(COMPARED_CONTEXT)], slug
            compared += 1
    assert compared == len(catalog.models)
