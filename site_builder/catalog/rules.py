"""Checks that span fields or files: references between entities and cross-field rules.

They run after every file has passed its own schema, so each issue names a precise field path
(pydantic's model validators could not), and all of them are reported together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from site_builder.catalog.messages import did_you_mean
from site_builder.schema import Benchmark, Combo, Gpu, Model, Runtime, Stack, Workload

Loc = tuple[str | int, ...]
Entities = Mapping[str, Mapping[str, Any]]
Known = Mapping[str, set[str]]

_SINGULAR = {
    "gpus": "GPU",
    "interconnects": "interconnect",
    "models": "model",
    "quants": "quant",
    "runtimes": "runtime",
    "combos": "combo",
}
_COMPONENT_KINDS = {"hardware": "gpus", "runtime": "runtimes", "model": "models"}


@dataclass(frozen=True)
class RuleIssue:
    """A problem found by a rule, in entity (kind, slug) at field path ``loc``."""

    kind: str
    slug: str
    loc: Loc
    message: str


def check_all(entities: Entities, known: Known) -> list[RuleIssue]:
    """Run every rule over every valid entity.

    ``known`` holds every slug that has a file, valid or not, so that an entry whose own file
    has errors is not also reported as an unknown reference everywhere it is used.
    """
    checks: dict[str, Callable[[Any, Known], Iterator[tuple[Loc, str]]]] = {
        "gpus": _gpu,
        "models": _model,
        "runtimes": _runtime,
        "combos": _combo,
        "stacks": _stack,
        "benchmarks": _benchmark,
    }
    issues: list[RuleIssue] = []
    for kind, check in checks.items():
        for slug, entity in entities.get(kind, {}).items():
            issues += [RuleIssue(kind, slug, loc, msg) for loc, msg in check(entity, known)]
    return issues


def _ref(known: Known, kind: str, value: str | None, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if value is None or value in known.get(kind, set()):
        return
    hint = did_you_mean(value, known.get(kind, set()))
    yield loc, f"unknown {_SINGULAR[kind]} {value!r}{hint}"


def _gpu(gpu: Gpu, known: Known) -> Iterator[tuple[Loc, str]]:
    yield from _ref(known, "interconnects", gpu.nvlink, ("nvlink",))


def _model(model: Model, known: Known) -> Iterator[tuple[Loc, str]]:
    yield from _ref(known, "models", model.base_model, ("base_model",))
    for i, checkpoint in enumerate(model.checkpoints):
        yield from _ref(known, "quants", checkpoint.quant, ("checkpoints", i, "quant"))
    if model.num_attention_heads % model.num_kv_heads:
        yield (
            ("num_kv_heads",),
            (
                f"num_attention_heads ({model.num_attention_heads}) must be "
                f"divisible by num_kv_heads ({model.num_kv_heads})"
            ),
        )
    if model.moe is not None and model.params_active_b is None:
        yield ("moe",), "params_active_b is required for a mixture-of-experts model"
    if model.params_active_b is not None and model.params_active_b > model.params_total_b:
        yield ("params_active_b",), "cannot exceed params_total_b"
    if model.sliding_window_layers > model.num_layers:
        yield ("sliding_window_layers",), "cannot exceed num_layers"
    if model.sliding_window_layers and model.sliding_window_tokens is None:
        yield ("sliding_window_layers",), "needs sliding_window_tokens"


def _runtime(runtime: Runtime, known: Known) -> Iterator[tuple[Loc, str]]:
    yield from _ref(known, "runtimes", runtime.based_on, ("based_on",))
    if runtime.default_split not in runtime.split_modes:
        yield ("default_split",), f"{runtime.default_split!r} is not in split_modes"
    for platform, formats in runtime.platform_format_gaps.items():
        if platform not in runtime.platforms:
            yield ("platform_format_gaps", platform), f"{platform!r} is not in platforms"
        for i, fmt in enumerate(formats):
            if fmt not in runtime.quant_formats:
                loc = ("platform_format_gaps", platform, i)
                yield loc, f"{fmt!r} is not in quant_formats"


def _combo(combo: Combo, known: Known) -> Iterator[tuple[Loc, str]]:
    seen: set[str] = set()
    for i, entry in enumerate(combo.gpus):
        yield from _ref(known, "gpus", entry.gpu, ("gpus", i, "gpu"))
        if entry.gpu in seen:
            yield ("gpus", i, "gpu"), f"{entry.gpu!r} is listed twice; raise its count instead"
        seen.add(entry.gpu)
    yield from _ref(known, "interconnects", combo.interconnect, ("interconnect",))
    for i, rating in enumerate(combo.runtimes):
        yield from _ref(known, "runtimes", rating.runtime, ("runtimes", i, "runtime"))
    for i, related in enumerate(combo.related):
        yield from _ref(known, "combos", related.combo, ("related", i, "combo"))


def _workload(work: Workload, known: Known, loc: Loc) -> Iterator[tuple[Loc, str]]:
    yield from _ref(known, "runtimes", work.runtime, (*loc, "runtime"))
    yield from _ref(known, "models", work.model, (*loc, "model"))
    yield from _ref(known, "quants", work.quant, (*loc, "quant"))


def _stack(stack: Stack, known: Known) -> Iterator[tuple[Loc, str]]:
    yield from _ref(known, "combos", stack.combo, ("combo",))
    yield from _workload(stack.workload, known, ("workload",))
    for i, component in enumerate(stack.components):
        kind = _COMPONENT_KINDS.get(component.kind)
        if kind is not None:
            yield from _ref(known, kind, component.ref, ("components", i, "ref"))
    for i, variation in enumerate(stack.variations):
        yield from _workload(variation.workload, known, ("variations", i, "workload"))


def _benchmark(bench: Benchmark, known: Known) -> Iterator[tuple[Loc, str]]:
    yield from _ref(known, "combos", bench.combo, ("combo",))
    for i, entry in enumerate(bench.gpus):
        yield from _ref(known, "gpus", entry.gpu, ("gpus", i, "gpu"))
    yield from _ref(known, "interconnects", bench.interconnect, ("interconnect",))
    yield from _ref(known, "models", bench.model, ("model",))
    yield from _ref(known, "quants", bench.quant, ("quant",))
    yield from _ref(known, "runtimes", bench.runtime, ("runtime",))
    if bench.status == "pending" and bench.results:
        yield ("results",), "a pending benchmark has no results; set status: measured"
    if bench.status == "measured":
        for name in ("runtime_version", "command", "result_source", "measured_on"):
            if getattr(bench, name) is None:
                yield (name,), "required once status is measured"
        if not bench.results:
            yield ("results",), "a measured benchmark needs at least one result"
