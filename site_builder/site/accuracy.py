"""Predicted against measured: the engine's result for each measured benchmark result."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from site_builder.engine import Estimate
from site_builder.schema import Benchmark, Result
from site_builder.site.results import HEADLINE_CONTEXT, Query, Results

_PREDICTED: dict[str, Callable[[Estimate], float | None]] = {
    "decode_tok_s": lambda e: e.decode_tok_s,
    "prefill_tok_s": lambda e: e.prefill_tok_s,
    "ttft_ms": lambda e: e.ttft_ms,
    "aggregate_decode_tok_s": lambda e: e.aggregate_decode_tok_s,
    "power_w": lambda e: e.power_w,
    "vram_used_gib": lambda e: e.memory.total_gib,
}


@dataclass(frozen=True)
class Point:
    """One measured value beside the engine's prediction for the same conditions."""

    benchmark: str
    result: Result
    runtime: str
    measured: float
    predicted: float | None

    @property
    def error(self) -> float | None:
        """Signed relative error of the prediction, (predicted - measured) / measured."""
        if self.predicted is None:
            return None
        return (self.predicted - self.measured) / self.measured


def points(results: Results) -> Iterator[Point]:
    """Every result of every measured benchmark that ran on a catalog combo."""
    for slug, bench in results.catalog.benchmarks.items():
        if bench.status != "measured" or bench.combo is None:
            continue
        for result in bench.results:
            estimate = results.ask(query_for(bench, result))
            yield Point(slug, result, bench.runtime, result.value, predicted(estimate, result))


def query_for(bench: Benchmark, result: Result) -> Query:
    """The engine query reproducing one benchmark result's conditions."""
    assert bench.combo is not None  # callers filter benchmarks without a combo
    return Query(
        combo=bench.combo,
        model=bench.model,
        quant=bench.quant,
        runtime=bench.runtime,
        context=result.context_tokens
        or max(HEADLINE_CONTEXT, result.prompt_tokens + result.gen_tokens),
        split=bench.split,
        concurrency=result.concurrency,
        kv_cache=bench.kv_cache,
        prompt=result.prompt_tokens,
        gen=max(result.gen_tokens, 1),
    )


def predicted(estimate: Estimate, result: Result) -> float | None:
    """The engine's figure for the metric ``result`` measured."""
    return _PREDICTED[result.metric](estimate)


def pending_query(bench: Benchmark) -> Query:
    """The engine query of a pending benchmark: its configuration at the headline context."""
    assert bench.combo is not None  # callers filter benchmarks without a combo
    return Query(
        bench.combo,
        bench.model,
        bench.quant,
        bench.runtime,
        split=bench.split,
        kv_cache=bench.kv_cache,
    )
