"""Typed results of the engine; ``Estimate.to_json()`` is the ``estimate --json`` contract."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, Literal

Verdict = Literal["fits", "tight", "offload", "no-fit", "unsupported"]
CalibrationLabel = Literal["estimated", "uncalibrated"]
LABELLED = ("decode_tok_s", "prefill_tok_s", "ttft_ms", "aggregate_decode_tok_s", "output_tok_s")
"""The figures a configurator table row labels, in the order of its ``calibrated`` bits."""


@dataclass(frozen=True, slots=True)
class CardMemory:
    """Memory on one card, GiB."""

    gpu: str
    capacity_gib: float
    weights_gib: float
    kv_cache_gib: float
    buffers_gib: float
    overhead_gib: float
    total_gib: float

    def __reduce__(self) -> tuple[type[CardMemory], tuple[Any, ...]]:
        return CardMemory, _CARD_FIELDS(self)


@dataclass(frozen=True, slots=True)
class Memory:
    """Memory of the whole configuration; ``offload_gib`` is what lives in system RAM."""

    per_gpu: tuple[CardMemory, ...]
    total_gib: float
    offload_gib: float = 0.0

    def __reduce__(self) -> tuple[type[Memory], tuple[Any, ...]]:
        return Memory, _MEMORY_FIELDS(self)


@dataclass(frozen=True, slots=True)
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
    """Most concurrent sequences of prompt + gen tokens the KV cache holds; None where every
    slot allocates its own cache (Ollama), so the cache bounds none."""
    gpu_layers: int | None = None
    """Layers on the GPUs (fewer than the model's when llama.cpp offloads)."""
    link: str | None = None
    """Link class between the cards: nvlink, pcie-p2p, pcie-host, unified, single."""
    prefill_tok_s_range: tuple[float, float] | None = None
    """Low and high prefill tok/s (the runtime's cross-validated band, or its published one)."""
    ttft_ms_range: tuple[float, float] | None = None
    """Low and high TTFT in ms."""
    aggregate_decode_tok_s_range: tuple[float, float] | None = None
    """Low and high aggregate decode tok/s."""
    calibrated: tuple[str, ...] = ()
    """Metrics whose runtime and platform are calibrated on enough measurements
    (``corrections.MIN_POINTS`` on ``MIN_GPUS`` GPU models); the others are uncalibrated."""
    output_tok_s: float | None = None
    """Generated tokens per second of all requests over a closed-loop run at the
    configuration's concurrency, each request's prefill included (what serving benchmarks
    report as output throughput); ``aggregate_decode_tok_s`` counts decode steps only."""
    output_tok_s_range: tuple[float, float] | None = None
    """Low and high output tok/s."""

    def __reduce__(self) -> tuple[type[Estimate], tuple[Any, ...]]:
        """Pickled as the constructor's arguments (see :func:`_constructor_fields`)."""
        return Estimate, _ESTIMATE_FIELDS(self)

    def to_json(self) -> dict[str, Any]:
        """The JSON object `site-builder estimate --json` prints (PRODUCT.md contract), the one
        serialiser of results (the CLI, the API and the configurator's tables all use it).

        Fields in declaration order; floats are rounded here (2 decimals; energy 3, cost 4) so
        the output is deterministic and readable; the dataclass keeps full precision for charts
        and comparisons. Written out field by field: it runs for every result of a build."""
        out: dict[str, Any] = {}
        for (name, digits), value in zip(FIELD_DIGITS, _ESTIMATE_FIELDS(self), strict=True):
            kind = value.__class__
            if kind is float:
                value = round(value, digits)
            elif kind is tuple:
                value = [round(v, 2) if v.__class__ is float else v for v in value]
            elif kind is Memory:
                value = _memory_json(value)
            out[name] = value
        return out

    def calibration_label(self, metric: str) -> CalibrationLabel:
        """``estimated`` or ``uncalibrated``: whether the figure of ``metric`` comes from a
        runtime and metric calibrated on enough measurements (:attr:`calibrated`)."""
        return "estimated" if metric in self.calibrated else "uncalibrated"

    def row_figures(self) -> list[Any]:
        """The configurator table's columns from ``verdict`` on
        (``site_builder.site.tables.FIELDS``): numbers rounded as :meth:`to_json` rounds
        them, the cards as :func:`card_runs`, the decode figure's calibration label, then which
        figures are calibrated (:meth:`calibrated_bits`).
        Compiled with the engine: it runs for every row of the API (about 5,000 a combo)."""
        low, high = self.decode_tok_s_range or (None, None)
        return [
            self.verdict,
            _num(self.decode_tok_s),
            _num(low),
            _num(high),
            _num(self.prefill_tok_s),
            _num(self.ttft_ms),
            _num(self.aggregate_decode_tok_s),
            self.max_context,
            _num(self.power_w),
            None if self.joules_per_token is None else round(self.joules_per_token, 3),
            self.split,
            round(self.memory.total_gib, 2),
            card_runs(self.memory.per_gpu),
            list(self.reasons),
            self.launch_command,
            self.calibration_label("decode_tok_s"),
            self.calibrated_bits(),
        ]

    def calibrated_bits(self) -> int:
        """Which of :data:`LABELLED` are calibrated, as bits (1 = the first): a configurator
        table row's ``calibrated`` column, a number so that rows stay small."""
        bits = 0
        for at, metric in enumerate(LABELLED):
            if metric in self.calibrated:
                bits |= 1 << at
        return bits

    def finite(self) -> bool:
        """Whether every number it holds is finite (one that is not is an engine bug: strict
        JSON cannot write it), read as :meth:`to_json` reads them."""
        numbers: list[float] = []
        for value in _ESTIMATE_FIELDS(self):
            kind = value.__class__
            if kind is float:
                numbers.append(value)
            elif kind is tuple:
                numbers += [v for v in value if v.__class__ is float]
            elif kind is Memory:
                numbers += (value.total_gib, value.offload_gib)
                for card in value.per_gpu:
                    numbers += _CARD_FIELDS(card)[1:]
        return all(map(math.isfinite, numbers))


DIGITS = {"joules_per_token": 3, "cost_per_million_tokens_usd": 4}
"""Decimals per JSON key; every other float gets 2."""


FIELD_DIGITS = tuple((f.name, DIGITS.get(f.name, 2)) for f in fields(Estimate))


def _constructor_fields(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    """The fields of a result, in its constructor's order, read at C speed: results are
    pickled as them (a build sends hundreds of thousands between processes, and the
    dataclasses' own pickling of frozen slotted classes looks the fields up for every
    object)."""
    return attrgetter(*(f.name for f in fields(cls)))


_CARD_FIELDS = _constructor_fields(CardMemory)
_MEMORY_FIELDS = _constructor_fields(Memory)
_ESTIMATE_FIELDS = _constructor_fields(Estimate)


def _num(value: Any) -> Any:
    """A float rounded to 2 decimals; anything else as it is."""
    return round(value, 2) if value.__class__ is float else value


def card_runs(cards: tuple[CardMemory, ...]) -> list[list[Any]]:
    """The cards' memory as ``[gpu, capacity, weights, kv_cache, buffers, overhead, total,
    count]`` rows, GiB (2 decimals): a run of cards holding the same is one row with its
    count (a card equal to the one before joins its run without rounding again)."""
    runs: list[list[Any]] = []
    previous: CardMemory | None = None
    for c in cards:
        if previous is not None and _same_card(c, previous):
            runs[-1][-1] += 1
            continue
        values: list[Any] = [
            c.gpu,
            round(c.capacity_gib, 2),
            round(c.weights_gib, 2),
            round(c.kv_cache_gib, 2),
            round(c.buffers_gib, 2),
            round(c.overhead_gib, 2),
            round(c.total_gib, 2),
        ]
        if runs and runs[-1][:-1] == values:
            runs[-1][-1] += 1
        else:
            runs.append([*values, 1])
        previous = c
    return runs


def _same_card(a: CardMemory, b: CardMemory) -> bool:
    """``a == b``, field by field (compiled, without the dataclass' tuples of fields)."""
    return (
        a.gpu == b.gpu
        and a.capacity_gib == b.capacity_gib
        and a.weights_gib == b.weights_gib
        and a.kv_cache_gib == b.kv_cache_gib
        and a.buffers_gib == b.buffers_gib
        and a.overhead_gib == b.overhead_gib
        and a.total_gib == b.total_gib
    )


def card_json(card: CardMemory) -> dict[str, Any]:
    """One card's memory as JSON, numbers rounded to 2 decimals (fields in declaration order,
    written out: a build writes it for every card of every result)."""
    gpu, capacity, weights, kv_cache, buffers, overhead, total = _CARD_FIELDS(card)
    return {
        "gpu": gpu,
        "capacity_gib": round(capacity, 2),
        "weights_gib": round(weights, 2),
        "kv_cache_gib": round(kv_cache, 2),
        "buffers_gib": round(buffers, 2),
        "overhead_gib": round(overhead, 2),
        "total_gib": round(total, 2),
    }


def _memory_json(memory: Memory) -> dict[str, Any]:
    return {
        "per_gpu": [card_json(c) for c in memory.per_gpu],
        "total_gib": _num(memory.total_gib),
        "offload_gib": _num(memory.offload_gib),
    }
