"""Checks that span fields or files: references between entities and cross-field rules.

References (``REFERENCES``) are checked in every parsed file, also one with schema errors, so a
schema error does not hide an unknown ID beside it. Cross-field rules run after a file has passed
its own schema. Each issue names a precise field path (pydantic's model validators could not),
and all of them are reported together.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from site_builder.catalog.messages import did_you_mean, field_path
from site_builder.schema import Benchmark, Combo, Gpu, Interconnect, Model, Runtime

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

ANY = -1
"""In a reference path: every item of the list."""

Target = str | Callable[[Mapping[str, Any]], str | None]
"""The kind a reference names, or a function of the mapping holding it that returns the kind."""


def _component_kind(component: Mapping[str, Any]) -> str | None:
    kind = component.get("kind")
    return _COMPONENT_KINDS.get(kind) if isinstance(kind, str) else None


_WORKLOAD = (("runtime",), "runtimes"), (("model",), "models"), (("quant",), "quants")

REFERENCES: dict[str, tuple[tuple[tuple[str | int, ...], Target], ...]] = {
    "gpus": ((("nvlink",), "interconnects"),),
    "models": (
        (("base_model",), "models"),
        (("checkpoints", ANY, "quant"), "quants"),
    ),
    "runtimes": ((("based_on",), "runtimes"),),
    "combos": (
        (("gpus", ANY, "gpu"), "gpus"),
        (("interconnect",), "interconnects"),
        (("network",), "interconnects"),
        (("slots", ANY, "link"), "interconnects"),
        (("runtimes", ANY, "runtime"), "runtimes"),
        (("related", ANY, "combo"), "combos"),
    ),
    "stacks": (
        (("combo",), "combos"),
        *((("workload", *loc), kind) for loc, kind in _WORKLOAD),
        (("components", ANY, "ref"), _component_kind),
        *((("variations", ANY, "workload", *loc), kind) for loc, kind in _WORKLOAD),
    ),
    "benchmarks": (
        (("combo",), "combos"),
        (("gpus", ANY, "gpu"), "gpus"),
        (("interconnect",), "interconnects"),
        (("model",), "models"),
        (("quant",), "quants"),
        (("runtime",), "runtimes"),
    ),
}
"""Where each kind names other entries: field path (``ANY`` for every list item) -> kind."""


@dataclass(frozen=True)
class RuleIssue:
    """A problem found by a rule, in entity (kind, slug) at field path ``loc``."""

    kind: str
    slug: str
    loc: Loc
    message: str


def check_references(
    kind: str, data: Mapping[str, Any], known: Known, skip: Container[str] = ()
) -> Iterator[tuple[Loc, str]]:
    """Unknown IDs in one file's data (valid or not), except at the field paths in ``skip``.

    ``known`` holds every slug that has a file, valid or not, so that an entry whose own file
    has errors is not also reported as an unknown reference everywhere it is used. Values that
    are not text are left to the schema's own message.
    """
    for path, target in REFERENCES.get(kind, ()):
        for loc, parent, key in _walk(data, path, ()):
            value = parent.get(key)
            ref_kind = target if isinstance(target, str) else target(parent)
            if ref_kind is None or not isinstance(value, str) or field_path(loc) in skip:
                continue
            yield from _ref(known, ref_kind, value, loc)


def _walk(
    node: Any, path: tuple[str | int, ...], loc: Loc
) -> Iterator[tuple[Loc, Mapping[str, Any], str]]:
    """(full loc, the mapping holding the last key, that key) for every match of ``path``."""
    head, rest = path[0], path[1:]
    if head == ANY:
        if isinstance(node, list):
            for i, item in enumerate(node):
                yield from _walk(item, rest, (*loc, i))
        return
    if not isinstance(node, Mapping) or not isinstance(head, str):
        return
    if not rest:
        if head in node:
            yield (*loc, head), node, head
        return
    yield from _walk(node.get(head), rest, (*loc, head))


def check_all(entities: Entities, known: Known) -> list[RuleIssue]:
    """Run every cross-field rule over every valid entity (references: ``check_references``)."""
    checks: dict[str, Callable[[Any, Known], Iterator[tuple[Loc, str]]]] = {
        "models": _model,
        "runtimes": _runtime,
        "interconnects": _interconnect,
        "combos": _combo,
        "benchmarks": _benchmark,
    }
    issues: list[RuleIssue] = []
    for kind, check in checks.items():
        for slug, entity in entities.get(kind, {}).items():
            issues += [RuleIssue(kind, slug, loc, msg) for loc, msg in check(entity, known)]
    combos = entities.get("combos", {})
    links = entities.get("interconnects", {})
    for slug, combo in combos.items():
        issues += [RuleIssue("combos", slug, loc, msg) for loc, msg in _slots(combo, links)]
    gpus = entities.get("gpus", {})
    for slug, bench in entities.get("benchmarks", {}).items():
        found = [*_benchmark_hardware(bench, combos, known.get("gpus", set()))]
        found += _power_limit(bench, gpus)
        found += _backend(bench, gpus, entities.get("runtimes", {}))
        found += _cpu_moe(bench, entities.get("models", {}))
        found += _ubatch(bench)
        issues += [RuleIssue("benchmarks", slug, loc, msg) for loc, msg in found]
    return issues


def _power_limit(bench: Benchmark, gpus: Mapping[str, Gpu]) -> Iterator[tuple[Loc, str]]:
    """A power limit is below every card's stock board power (a stock card states none)."""
    limit = bench.power_limit_w
    if limit is None:
        return
    for card in {g.gpu for g in bench.gpus}:
        gpu = gpus.get(card)
        if gpu is not None and limit >= gpu.board_power_w:
            yield (
                ("power_limit_w",),
                (
                    f"{limit:g} W is not below the {gpu.name}'s stock board power "
                    f"({gpu.board_power_w:g} W): leave power_limit_w out for a card at stock power"
                ),
            )


def _ref(known: Known, kind: str, value: str | None, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if value is None or value in known.get(kind, set()):
        return
    hint = did_you_mean(value, known.get(kind, set()))
    yield loc, f"unknown {_SINGULAR[kind]} {value!r}{hint}"


def _model(model: Model, known: Known) -> Iterator[tuple[Loc, str]]:
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
    if runtime.default_split not in runtime.split_modes:
        yield ("default_split",), f"{runtime.default_split!r} is not in split_modes"
    for i, split in enumerate(runtime.machine_splits):
        if split not in runtime.split_modes:
            yield ("machine_splits", i), f"{split!r} is not in split_modes"
    for platform, formats in runtime.platform_format_gaps.items():
        if platform not in runtime.platforms:
            yield ("platform_format_gaps", platform), f"{platform!r} is not in platforms"
        for i, fmt in enumerate(formats):
            if fmt not in runtime.quant_formats:
                loc = ("platform_format_gaps", platform, i)
                yield loc, f"{fmt!r} is not in quant_formats"


def _interconnect(link: Interconnect, known: Known) -> Iterator[tuple[Loc, str]]:
    if link.kind == "network" and link.latency_us is None:
        yield ("latency_us",), "a network link needs its latency"


def _combo(combo: Combo, known: Known) -> Iterator[tuple[Loc, str]]:
    if combo.machines > 1 and combo.network is None:
        yield ("network",), f"{combo.machines} machines need the network that joins them"
    if combo.machines == 1 and combo.network is not None:
        yield ("network",), "a network joins machines; set machines to 2 or more"
    seen: set[str] = set()
    for i, entry in enumerate(combo.gpus):
        if entry.gpu in seen:
            yield ("gpus", i, "gpu"), f"{entry.gpu!r} is listed twice; raise its count instead"
        seen.add(entry.gpu)


def _slots(combo: Combo, links: Mapping[str, Interconnect]) -> Iterator[tuple[Loc, str]]:
    """One PCIe slot per card of one machine (unknown link IDs are the reference check's)."""
    if combo.slots is None:
        return
    cards = sum(entry.count for entry in combo.gpus)
    if len(combo.slots) != cards:
        yield (
            ("slots",),
            f"{len(combo.slots)} slots for {cards} cards: list one slot per card of one machine, "
            "in the order of gpus",
        )
    for i, slot in enumerate(combo.slots):
        link = links.get(slot.link)
        if link is not None and link.kind != "pcie":
            yield (
                ("slots", i, "link"),
                f"{slot.link!r} is a {link.kind} link, not a PCIe slot: name the slot's PCIe "
                "generation and width (e.g. pcie-4.0-x8)",
            )


def _benchmark_hardware(
    bench: Benchmark, combos: Mapping[str, Combo], gpus: set[str]
) -> Iterator[tuple[Loc, str]]:
    """A benchmark that names a combo lists that combo's cards (every machine's); unknown GPU
    IDs on either side are the reference check's to report."""
    combo = combos.get(bench.combo) if bench.combo else None
    if combo is None:
        return
    listed = _card_counts((g.gpu, g.count) for g in bench.gpus)
    wanted = _card_counts(combo.cards())
    if not set(listed) | set(wanted) <= gpus:
        return
    if listed != wanted:
        yield (
            ("gpus",),
            (
                f"lists {_cards_text(listed)} but combo {bench.combo!r} has {_cards_text(wanted)}: "
                "list the combo's cards, or remove combo: if the benchmark ran on other hardware"
            ),
        )


def _card_counts(pairs: Iterable[tuple[str, int]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for gpu, count in pairs:
        counts[gpu] = counts.get(gpu, 0) + count
    return dict(sorted(counts.items()))


def _cards_text(counts: Mapping[str, int]) -> str:
    return " + ".join(f"{count}x {gpu}" for gpu, count in counts.items())


def _benchmark(bench: Benchmark, known: Known) -> Iterator[tuple[Loc, str]]:
    if bench.measured_on is not None and bench.measured_on > datetime.date.today():
        yield (
            ("measured_on",),
            (
                f"{bench.measured_on.isoformat()} is in the future: give the day the benchmark ran "
                "(YYYY-MM-DD)"
            ),
        )
    if bench.status == "pending" and bench.results:
        yield ("results",), "a pending benchmark has no results; set status: measured"
    if bench.status == "measured":
        for name in ("runtime_version", "command", "result_source", "measured_on"):
            if getattr(bench, name) is None:
                yield (name,), "required once status is measured"
        if not bench.results:
            yield ("results",), "a measured benchmark needs at least one result"


def _cpu_moe(bench: Benchmark, models: Mapping[str, Model]) -> Iterator[tuple[Loc, str]]:
    """``cpu_moe_layers`` is llama.cpp's ``--n-cpu-moe``: a mixture-of-experts model's routed
    experts of at most all its layers."""
    layers, model = bench.cpu_moe_layers, models.get(bench.model)
    if layers is None or model is None:
        return
    where = ("cpu_moe_layers",)
    if bench.runtime != "llama-cpp":
        yield where, f"--n-cpu-moe is llama.cpp's option, not {bench.runtime}'s"
    elif model.moe is None:
        yield where, f"{model.name} has no routed experts: leave cpu_moe_layers out"
    elif layers > model.num_layers:
        yield (
            where,
            f"{layers} is more than {model.name}'s {model.num_layers} layers (--cpu-moe: "
            f"{model.num_layers})",
        )


DEFAULT_UBATCH = 512
"""llama.cpp's default ``-ub`` (common/arg.cpp; the engine's ``memory.LLAMA_UBATCH``)."""


def _ubatch(bench: Benchmark) -> Iterator[tuple[Loc, str]]:
    """``ubatch_tokens`` is llama.cpp's ``-ub`` (Ollama and LM Studio set their own): stated
    only when it is not the default 512."""
    size = bench.ubatch_tokens
    if size is None:
        return
    if bench.runtime != "llama-cpp":
        yield ("ubatch_tokens",), f"-ub is llama.cpp's option, not {bench.runtime}'s"
    elif size == DEFAULT_UBATCH:
        yield ("ubatch_tokens",), f"{size} is llama.cpp's default: leave ubatch_tokens out"


def _backend(
    bench: Benchmark, gpus: Mapping[str, Gpu], runtimes: Mapping[str, Runtime]
) -> Iterator[tuple[Loc, str]]:
    """A stated back-end is one the runtime has and not the cards' own (their own needs none)."""
    backend = bench.backend
    runtime = runtimes.get(bench.runtime)
    if backend is None or runtime is None:
        return
    if backend not in runtime.platforms:
        offers = ", ".join(runtime.platforms)
        yield ("backend",), f"{runtime.name} has no {backend} back-end; it runs on {offers}"
        return
    for card in {g.gpu for g in bench.gpus}:
        gpu = gpus.get(card)
        if gpu is not None and gpu.platform == backend:
            yield (
                ("backend",),
                f"{backend} is the {gpu.name}'s own back-end: leave backend out",
            )
