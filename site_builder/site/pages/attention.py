"""The model page's attention fact: which layers cache keys and values, and how, in words.

The layout decides how much memory each token of context costs (the engine's KV formulas in
:mod:`site_builder.engine.memory` read the same fields), so the page says it in the reader's
terms: full attention, local (sliding-window or chunked) attention, latent attention,
linear-attention layers with a fixed state, compressed entries, and layers that reuse another
layer's cache. Every figure here is a catalog fact from the model's config.json, none is
computed.
"""

from __future__ import annotations

from collections import Counter

from site_builder.schema import Model
from site_builder.schema.model import CompressedAttentionSpec


def layout(model: Model) -> str:
    """One sentence (capitalised): the attention layers of ``model`` and what each kind
    caches."""
    parts = [_kinds(model)]
    if model.global_attention is not None:
        full = model.global_attention
        heads = f"{full.num_kv_heads} KV head{'s' if full.num_kv_heads > 1 else ''}"
        parts.append(
            f"the full-attention layers have {heads} of width {full.head_dim} (the heads and "
            "head dimension above are the local layers')"
        )
    if model.sparse_attention is not None:
        topk = model.sparse_attention.index_topk
        parts.append(f"each query attends to the {topk:,} positions its indexer selects")
    if model.kv_sharing is not None:
        shared = model.kv_sharing.shared_layers
        parts.append(f"the last {shared} layers reuse an earlier layer's keys and values")
    said = "; ".join(parts)
    return said[0].upper() + said[1:]


def _kinds(model: Model) -> str:
    n = model.num_layers
    if model.compressed_attention is not None:
        return _compressed(model.compressed_attention, n)
    if model.mla is not None:
        width = model.mla.kv_lora_rank + model.mla.qk_rope_head_dim
        latent = f"each caches one {width:,}-wide latent per token"
        return f"latent attention on all {n} layers ({latent})"
    if model.linear_attention is not None:
        linear = model.linear_attention.layers
        return (
            f"{linear} linear-attention layers (a fixed-size state per sequence), "
            f"{n - linear} full-attention layers"
        )
    local = model.sliding_layers
    if local:
        window = f"each caches at most {model.sliding_window_tokens or 0:,} positions"
        if local >= n:
            return f"local attention on all {n} layers ({window})"
        return f"{local} local-attention layers ({window}), {n - local} full-attention layers"
    return f"full attention on all {n} layers"


def _compressed(spec: CompressedAttentionSpec, n: int) -> str:
    counts = Counter(spec.compress_ratios[:n])
    kinds = []
    for ratio in sorted(r for r in counts if r):
        read = "read through an indexer" if ratio == spec.index_ratio else "read in full"
        kinds.append(f"{counts[ratio]} also one entry per {ratio:,} positions ({read})")
    every = f"all {n} layers cache their last {spec.window_tokens:,} positions"
    return "; ".join([every, ", ".join(kinds)]) if kinds else every
