"""Concurrent users with continuous batching: how many fit, and the speed they get.

With continuous batching (Yu et al., "Orca", OSDI 2022; vLLM PagedAttention, Kwon et al. SOSP
2023) one decode step serves every running sequence: weights are read once per step, the KV of
each sequence is read separately, and FLOPs grow with the batch, so a step moves from
memory-bound to compute-bound as the batch grows (see decode.card_step_s). The batch is capped
by how many sequences the KV cache holds.
"""

from __future__ import annotations

from typing import NamedTuple

from site_builder.engine.decode import SpeedInputs, Step, step
from site_builder.engine.placement import MemoryStyle, Placement


class Concurrency(NamedTuple):
    """Served batch and its speeds."""

    batch: int
    """Sequences decoded together (requested concurrency, capped by the KV cache)."""
    capacity: int
    """Most sequences of prompt + gen tokens the KV cache holds at once."""
    aggregate_tok_s: float
    per_user_tok_s: float


PER_SLOT = 1 << 30
""":func:`kv_capacity` of a runtime whose every slot allocates its own full window when the
model loads (Ollama, ``OLLAMA_NUM_PARALLEL``): the cache bounds no number of sequences, so the
estimate reports none (``max_concurrency`` None)."""


def bounded(capacity: int | None) -> int | None:
    """``capacity`` as an estimate reports it: None where the cache bounds none
    (:data:`PER_SLOT`)."""
    return None if capacity is None or capacity >= PER_SLOT else capacity


def kv_capacity(
    pl: Placement, style: MemoryStyle, context: int, seq_tokens: int, window: int
) -> int:
    """Sequences of ``seq_tokens`` the cache holds: a pool runtime fits as many as its smallest
    card's KV space allows (vLLM sizes blocks by the smallest rank); llama.cpp slots share the
    ``-c`` window; Ollama allocates a full window per slot."""
    seq_tokens = max(seq_tokens, 1)
    if style == "pool":
        per_seq = [
            c.kv_at(seq_tokens, window) for c in pl.cards if c.kv_per_token or c.kv_swa_per_token
        ]
        space = min((c.kv_space for c in pl.cards), default=0.0)
        if not per_seq or max(per_seq) <= 0:
            return 1
        return max(int(space // max(per_seq)), 0)
    if style == "ollama":
        return PER_SLOT
    return max(context // seq_tokens, 1)


def serve(
    pl: Placement,
    sp: SpeedInputs,
    users: int,
    capacity: int,
    batching: bool,
    depth: float,
    single: Step,
) -> tuple[Concurrency, Step]:
    """Aggregate and per-user decode speed for ``users`` concurrent requests, and the decode
    step they run (``single`` is the batch-1 step at ``depth``)."""
    if not batching or users <= 1:
        one = 1.0 / single.seconds
        per_user = one / users if not batching else one
        return Concurrency(1, max(capacity, 1), one, per_user), single
    batch = max(min(users, capacity), 1)
    st = step(pl, sp, depth, float(batch)) if batch > 1 else single
    return Concurrency(batch, capacity, batch / st.seconds, 1.0 / st.seconds), st


def output_tok_s(users: int, gen: int, prompt: int, aggregate: float, prefill: float) -> float:
    """Generated tokens per second over a closed-loop serving run, prefill included: each of
    ``users`` requests processes its ``prompt`` (at ``prefill`` tok/s) and then generates
    ``gen`` tokens in decode steps shared with the others (``aggregate`` tok/s in all);
    ``prefill`` is the rate of the round's prompts processed together
    (:func:`~site_builder.engine.prefill.batched_prefill_s`). With
    iteration-level scheduling a prefill occupies the GPU for its own compute whether it runs
    alone or in chunks beside decode steps (Yu et al., "Orca", OSDI 2022; Agrawal et al.,
    "Sarathi-Serve", OSDI 2024), so one round of ``users`` requests takes
    gen x users / aggregate + users x prompt / prefill seconds: output = users x gen / that.
    What ``vllm bench serve``, SGLang's ``bench_serving`` and ``trtllm-bench`` report as
    output throughput (generated tokens over the run's wall time)."""
    gen = max(gen, 1)
    decode_s = gen * users / aggregate
    prefill_s = users * prompt / prefill if prompt > 0 else 0.0
    return users * gen / (decode_s + prefill_s)
