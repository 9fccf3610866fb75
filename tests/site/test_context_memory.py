"""The model page's memory for context: one sequence's KV cache at each context of the matrices.
It is the figure of the engine's KV formula that every placement runs, so it is what
``estimate`` reports as the KV cache of a llama.cpp setup that holds the whole model in VRAM,
on any cards and at any quant, and what the page shows."""

from __future__ import annotations

import contextlib
import io
import itertools
import json

from site_builder.catalog import load_catalog
from site_builder.cli import main
from site_builder.engine import config_for_combo, estimate, prepare
from site_builder.site import fmt
from site_builder.site.context_memory import COMPARED_CONTEXT, context_memory
from site_builder.site.results import CONTEXTS
from tests.site.conftest import ROOT, Built
from tests.site.pagetext import header_after, table_after

SHIPPED = load_catalog(ROOT / "catalog")
COMBOS = ["single-rtx-4090", "dual-rtx-3090", "8x-h200", "mac-studio-m3-ultra-512gb"]


def test_it_is_the_kv_cache_of_every_whole_llama_cpp_setup() -> None:
    figures, lookups, checked = context_memory(SHIPPED), prepare(SHIPPED), 0
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
                    )
                    est = estimate(SHIPPED, config, lookups)
                    whole = est.verdict in ("fits", "tight") and est.split in ("layer", "none")
                    if not whole or est.memory is None:
                        continue
                    kv = sum(card.kv_cache_gib for card in est.memory.per_gpu)
                    assert abs(kv - gib) < 1e-9, (slug, combo, quant, context, kv, gib)
                    checked += 1
    assert checked > 500


def test_longer_contexts_take_more_and_the_longest_is_not_exceeded() -> None:
    for slug, found in context_memory(SHIPPED).items():
        model = SHIPPED.models[slug]
        assert list(found) == [c for c in CONTEXTS if c <= model.max_context_tokens], slug
        values = list(found.values())
        assert all(a <= b for a, b in itertools.pairwise(values)), (slug, found)


def test_the_page_shows_what_the_command_prints(built: Built) -> None:
    catalog = load_catalog(built.layout.catalog)
    model, combo = "llama-3.1-8b-instruct", next(iter(catalog.combos))
    rows = table_after(built.html(f"models/{model}/"), "memory-for-context")
    shown = {r[0]: r[1] for r in rows}
    assert list(shown) == [fmt.tokens(c) for c in CONTEXTS]
    for context in CONTEXTS:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            args = ["estimate", "--catalog", str(built.layout.catalog), "--combo", combo]
            args += ["--model", model, "--quant", "Q4_K_M", "--runtime", "llama-cpp"]
            args += ["--context", str(context), "--json"]
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
    for family in {m.family for m in catalog.models.values()}:
        heading = family.lower().replace(" ", "-").replace(".", "")
        header = header_after(index, heading)
        for row in table_after(index, heading):
            slug = next(s for s, m in catalog.models.items() if m.name == row[0])
            page = table_after(built.html(f"models/{slug}/"), "memory-for-context")
            shown = {r[0]: r[1].removesuffix(" estimated") for r in page}
            assert row[header.index(column)] == shown[fmt.tokens(COMPARED_CONTEXT)], slug
            compared += 1
    assert compared == len(catalog.models)
