"""What a reader wants to do with a machine: the workloads ``recommend`` answers for.

Each workload fixes the tokens the engine is asked about and the figure that ranks setups:
single-stream decode for one person (chat, long documents), aggregate decode for several
requests at once (agents, batch). The chat workload is the site's headline: its context window
is the engine's default (:data:`~site_builder.engine.config.DEFAULT_CONTEXT_TOKENS`), defined
there once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from site_builder.engine.config import (
    DEFAULT_CONTEXT_TOKENS,
    DEFAULT_GEN_TOKENS,
    DEFAULT_PROMPT_TOKENS,
)

WorkloadName = Literal["chat", "long-context", "agents", "batch"]
Metric = Literal["decode_tok_s", "aggregate_decode_tok_s"]


@dataclass(frozen=True)
class WorkloadSpec:
    """Tokens and concurrency of one workload, and the figure that ranks its setups."""

    name: WorkloadName
    context_tokens: int
    prompt_tokens: int
    gen_tokens: int
    concurrency: int
    metric: Metric
    description: str


WORKLOADS: dict[WorkloadName, WorkloadSpec] = {
    "chat": WorkloadSpec(
        "chat",
        DEFAULT_CONTEXT_TOKENS,
        DEFAULT_PROMPT_TOKENS,
        DEFAULT_GEN_TOKENS,
        1,
        "decode_tok_s",
        "one person chatting: single-stream decode with an 8K window",
    ),
    "long-context": WorkloadSpec(
        "long-context",
        32768,
        16384,
        DEFAULT_GEN_TOKENS,
        1,
        "decode_tok_s",
        "long documents: a 16K-token prompt in a 32K window, single stream",
    ),
    "agents": WorkloadSpec(
        "agents",
        32768,
        4096,
        512,
        4,
        "aggregate_decode_tok_s",
        "agents and tools: four concurrent requests with 4K-token prompts in 32K windows",
    ),
    "batch": WorkloadSpec(
        "batch",
        DEFAULT_CONTEXT_TOKENS,
        DEFAULT_PROMPT_TOKENS,
        256,
        16,
        "aggregate_decode_tok_s",
        "batch jobs: sixteen concurrent requests, ranked by total throughput",
    ),
}
"""Every workload by name; ``chat`` first (the headline)."""

HEADLINE: WorkloadName = "chat"
"""The workload headline figures are for (combo pages, matrices, model pages)."""


def context_for(spec: WorkloadSpec, model_max_context: int) -> int:
    """The workload's window, capped at the model's longest context."""
    return min(spec.context_tokens, model_max_context)
