"""Typed results of the engine; ``Estimate.to_json()`` is the ``estimate --json`` contract."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Verdict = Literal["fits", "tight", "offload", "no-fit", "unsupported"]


@dataclass(frozen=True)
class CardMemory:
    """Memory on one card, GiB."""

    gpu: str
    capacity_gib: float
    weights_gib: float
    kv_cache_gib: float
    buffers_gib: float
    overhead_gib: float
    total_gib: float


@dataclass(frozen=True)
class Memory:
    """Memory of the whole configuration; ``offload_gib`` is what lives in system RAM."""

    per_gpu: tuple[CardMemory, ...]
    total_gib: float
    offload_gib: float = 0.0


@dataclass(frozen=True)
class Estimate:
    """The engine's answer for one configuration. Speeds are None for no-fit / unsupported."""

    verdict: Verdict
    reasons: tuple[str, ...]
    memory: Memory
    max_context: int
    decode_tok_s: float | None
    decode_tok_s_range: tuple[float, float] | None
    prefill_tok_s: float | None
    ttft_ms: float | None
    aggregate_decode_tok_s: float | None
    per_user_decode_tok_s: float | None
    power_w: float | None
    joules_per_token: float | None
    launch_command: str
    split: str
    assumptions: tuple[str, ...] = field(default_factory=tuple)
    cost_per_million_tokens_usd: float | None = None
    """Electricity per million generated tokens at the configuration's price per kWh."""
    max_concurrency: int | None = None
    """Most concurrent sequences of prompt + gen tokens the KV cache holds."""
    gpu_layers: int | None = None
    """Layers on the GPUs (fewer than the model's when llama.cpp offloads)."""
    link: str | None = None
    """Link class between the cards: nvlink, pcie-p2p, pcie-host, unified, single."""

    def to_json(self) -> dict[str, Any]:
        """The JSON object `site-builder estimate --json` prints (PRODUCT.md contract).

        Floats are rounded here (2 decimals; energy 3, cost 4) so the output is deterministic
        and readable; the dataclass keeps full precision for charts and comparisons."""
        data = asdict(self)
        data["reasons"] = list(self.reasons)
        data["assumptions"] = list(self.assumptions)
        data["memory"]["per_gpu"] = [asdict(card) for card in self.memory.per_gpu]
        if self.decode_tok_s_range is not None:
            data["decode_tok_s_range"] = list(self.decode_tok_s_range)
        rounded: dict[str, Any] = _rounded(data)
        return rounded


DIGITS = {"joules_per_token": 3, "cost_per_million_tokens_usd": 4}
"""Decimals per JSON key; every other float gets 2."""


def _rounded(value: Any, digits: int = 2) -> Any:
    """``value`` with every float rounded (dicts and lists recursively)."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: _rounded(v, DIGITS.get(k, 2)) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v, digits) for v in value]
    return value
