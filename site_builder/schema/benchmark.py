"""Benchmarks, pending or measured (``catalog/benchmarks/<slug>.yaml``)."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from site_builder.schema.base import (
    URL_PATTERN,
    Entity,
    Id,
    KvCacheType,
    Platform,
    Prose,
    QuantId,
    SplitMode,
    Strict,
    plausible,
)
from site_builder.schema.combo import GpuCount, Host

Metric = Literal[
    "decode_tok_s",
    "prefill_tok_s",
    "ttft_ms",
    "vram_used_gib",
    "aggregate_decode_tok_s",
    "output_tok_s",
    "power_w",
]


class Result(Strict):
    """One measured number and the exact conditions it was measured under."""

    metric: Metric = Field(
        description="What was measured (unit in the name): decode_tok_s one stream's generated "
        "tokens per second after the first; aggregate_decode_tok_s all streams' generated tokens "
        "per second of decode time only (llama-batched-bench S_TG); output_tok_s all streams' "
        "generated tokens over the wall time of a serving run, prefill included (the output "
        "throughput of vllm bench serve, SGLang bench_serving, trtllm-bench)."
    )
    value: float = Field(
        gt=0,
        le=10_000_000,
        description="The measured value, in the metric's unit (at most 10,000,000).",
    )
    prompt_tokens: int = Field(
        ge=0,
        le=100_000_000,
        description="Prompt tokens processed before the measured phase (pp N = N; at most "
        "100,000,000).",
    )
    gen_tokens: int = Field(
        ge=0,
        le=100_000_000,
        description="Tokens generated in the measured phase (tg N = N; at most 100,000,000).",
    )
    concurrency: int = Field(
        default=1, ge=1, le=100_000, description="Concurrent requests (at most 100,000)."
    )
    mean_concurrency: float | None = Field(
        default=None,
        gt=0,
        le=100_000,
        description="Requests in flight on average over the run, when the source measures it "
        "(SGLang bench_serving's 'Concurrency:' line: the requests' summed latency over the "
        "run's wall time). A capped run starts and ends below its cap, so the engine predicts "
        "the result at this many streams, rounded; at most concurrency.",
    )
    context_tokens: int | None = Field(
        default=None,
        ge=1,
        le=100_000_000,
        description="Context window allocated, when the source states it (at most 100,000,000).",
    )
    notes: str | None = Field(default=None, description="How the source reports this value.")
    outlier_reason: str | None = Field(
        default=None,
        min_length=1,
        description="Why this measurement stands although it differs from the engine by more "
        "than the outlier threshold (for example a known slow build); without it such a "
        "result fails validation.",
    )

    @model_validator(mode="after")
    def _mean_within_cap(self) -> Result:
        if self.mean_concurrency is not None and self.mean_concurrency > self.concurrency:
            raise ValueError(
                f"mean_concurrency {self.mean_concurrency:g} exceeds concurrency {self.concurrency}"
            )
        return self


class Benchmark(Entity):
    """A benchmark of one configuration: pending (wanted) or measured (with results)."""

    status: Literal["pending", "measured"] = Field(description="Whether results exist yet.")
    title: str = Field(min_length=1, description="Display title.")
    combo: Id | None = Field(default=None, description="Combo ID, when the hardware is one.")
    gpus: list[GpuCount] = Field(min_length=1, description="Cards the benchmark ran on.")
    interconnect: Id | None = Field(
        default=None, description="Interconnect ID, when known (multi-GPU only)."
    )
    model: Id = Field(description="Model ID.")
    quant: QuantId = Field(description="Quant ID.")
    runtime: Id = Field(description="Runtime ID.")
    runtime_version: str | None = Field(
        default=None, description="Exact runtime build or version (required once measured)."
    )
    split: SplitMode | None = Field(default=None, description="Split mode used (multi-GPU).")
    kv_cache: KvCacheType = Field(default="f16", description="KV-cache element type.")
    flash_attention: bool | None = Field(default=None, description="Flash attention on or off.")
    command: str | None = Field(
        default=None, description="The exact command that produced the results."
    )
    power_limit_w: Annotated[float, plausible(5, 2000, "W")] | None = Field(
        default=None,
        description=(
            "The board power limit the cards ran at, W, when their owner set one below the "
            "cards' stock board power (nvidia-smi -pl). The engine models stock cards, so such "
            "results are shown beside its figures but kept out of calibration and the accuracy "
            "statistics."
        ),
    )
    backend: Platform | None = Field(
        default=None,
        description=(
            "The back-end the runtime ran on when it is not the cards' own (llama.cpp's Vulkan "
            "build on an AMD card, say). The engine models each card's own back-end, so such "
            "results are shown beside its figures but kept out of calibration and the accuracy "
            "statistics."
        ),
    )
    host: Host | None = Field(
        default=None,
        description=(
            "The machine around the cards, when the run kept weights in system RAM: its RAM "
            "and peak RAM bandwidth, which set the offloaded part's speed. Without it, a "
            "default workstation (a named combo gives only its cards and link)."
        ),
    )
    cpu_moe_layers: int | None = Field(
        default=None,
        ge=1,
        le=1000,
        description=(
            "llama.cpp's --n-cpu-moe N of the run: the layers whose routed experts stayed in "
            "system RAM (--cpu-moe: all of them). Without it, the engine keeps as many experts "
            "on the card as fit."
        ),
    )
    ubatch_tokens: int | None = Field(
        default=None,
        ge=1,
        le=65536,
        description=(
            "llama.cpp's -ub N (n_ubatch in llama-bench's table) of the run when it is not the "
            "default 512: prompt tokens per forward pass. Each pass reads the weights once (a "
            "mixture-of-experts model's every routed expert), so larger passes prefill faster. "
            "Without it, 512."
        ),
    )
    measured_on: datetime.date | None = Field(default=None, description="Date of measurement.")
    result_source: str | None = Field(
        default=None, pattern=URL_PATTERN, description="URL of the raw results (measured)."
    )
    rationale: Prose = Field(description="Why this benchmark matters; what it will reveal.")
    results: list[Result] = Field(
        default_factory=list, description="Measured values; empty while pending."
    )
