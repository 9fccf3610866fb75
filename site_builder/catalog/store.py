"""The validated catalog: every entity of every kind, keyed by slug, in sorted order."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

from site_builder.schema import (
    Benchmark,
    Combo,
    Gpu,
    Interconnect,
    Model,
    Quant,
    Runtime,
    Stack,
)


@dataclass(frozen=True)
class Catalog:
    """All entities, by kind then slug. Mappings iterate in slug order."""

    gpus: Mapping[str, Gpu] = field(default_factory=dict)
    interconnects: Mapping[str, Interconnect] = field(default_factory=dict)
    models: Mapping[str, Model] = field(default_factory=dict)
    quants: Mapping[str, Quant] = field(default_factory=dict)
    runtimes: Mapping[str, Runtime] = field(default_factory=dict)
    combos: Mapping[str, Combo] = field(default_factory=dict)
    stacks: Mapping[str, Stack] = field(default_factory=dict)
    benchmarks: Mapping[str, Benchmark] = field(default_factory=dict)
    paths: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """(kind, slug) -> the file the entity came from, as reported in messages."""

    @functools.cached_property
    def measured_by_model(self) -> Mapping[str, tuple[tuple[str, Benchmark], ...]]:
        """Model slug -> its measured benchmarks as (slug, benchmark), in slug order (evidence
        labels look them up for every configuration a build shows)."""
        found: dict[str, list[tuple[str, Benchmark]]] = {}
        for slug, bench in self.benchmarks.items():
            if bench.status == "measured":
                found.setdefault(bench.model, []).append((slug, bench))
        return {model: tuple(pairs) for model, pairs in found.items()}

    @functools.cached_property
    def named_by_cards(self) -> Mapping[tuple[str, ...], tuple[str, ...]]:
        """Sorted card IDs -> the combos that measured benchmarks on exactly those cards
        name, in slug order."""
        found: dict[tuple[str, ...], set[str]] = {}
        for bench in self.benchmarks.values():
            if bench.combo:
                cards = tuple(sorted(g.gpu for g in bench.gpus for _ in range(g.count)))
                found.setdefault(cards, set()).add(bench.combo)
        return {cards: tuple(sorted(combos)) for cards, combos in found.items()}
