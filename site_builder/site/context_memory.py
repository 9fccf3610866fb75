"""Each model's memory for context, worked out in the evaluate stage for its page: one
sequence's KV cache at the matrices' context lengths, with an F16 and a q8_0 cache, from the
engine's one KV formula (:func:`site_builder.engine.memory.kv_bytes`, which every placement
runs). It is what llama.cpp allocates for a window of that length (``-c``) on cards that hold
the whole model; it depends on the model's attention layout and the cache type, not on the
weights' quant or the cards."""

from __future__ import annotations

from site_builder.catalog import Catalog
from site_builder.engine.memory import KV_DTYPE_BYTES, kv_bytes, to_gib
from site_builder.engine.shapes import shape_of
from site_builder.schema.base import KvCacheType
from site_builder.site.results import CONTEXTS, Results

COMPARED_CONTEXT = 32768
"""The context the models index compares them at (the matrices' long-document length)."""

QUANT = "F16"
"""The quant whose shape is read (any would do, and the first one does in a catalog without it:
the KV cache does not depend on it)."""

CACHES: tuple[KvCacheType, ...] = ("f16", "q8_0")
"""The KV-cache types the model pages show: llama.cpp's default, and q8_0 (``-ctk q8_0 -ctv
q8_0``, which needs flash attention for the V cache)."""


def context_memory(catalog: Catalog, cache: KvCacheType) -> dict[str, dict[int, float]]:
    """Model -> context (tokens, up to the model's longest) -> KV cache GiB with ``cache``."""
    quant = catalog.quants.get(QUANT) or next(iter(catalog.quants.values()))
    found: dict[str, dict[int, float]] = {}
    for slug, model in catalog.models.items():
        shape = shape_of(model, quant)
        fitting = (c for c in CONTEXTS if c <= model.max_context_tokens)
        found[slug] = {c: to_gib(kv_bytes(shape, c, KV_DTYPE_BYTES[cache])) for c in fitting}
    return found


def remember(results: Results) -> None:
    """Keep every model's figures for each of :data:`CACHES` in ``results`` (the evaluate
    stage), for :func:`figures`."""
    for cache in CACHES:
        results.memo[("context_memory", cache)] = context_memory(results.catalog, cache)


def figures(results: Results, cache: KvCacheType, model: str) -> dict[int, float]:
    """What :func:`remember` kept of ``model`` with ``cache``: context -> KV cache GiB."""
    found: dict[int, float] = results.memo[("context_memory", cache)][model]
    return found
