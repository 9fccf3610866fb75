"""One combo's engine results: :class:`~site_builder.site.results.Results` keeps a shelf per
combo, so what reads one combo reads one shelf, and the live preview can keep the shelves of the
combos an edit did not touch whole (:mod:`site_builder.site.memo`)."""

from __future__ import annotations

import collections
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from site_builder.engine import Estimate
from site_builder.engine.config import DEFAULT_GEN_TOKENS, DEFAULT_PROMPT_TOKENS
from site_builder.site.tables import HEADLINE_CONTEXT, Query

Pair = tuple[Query, Estimate]

IN_VRAM = ("fits", "tight")
"""Verdicts of a configuration that runs entirely in VRAM."""


@dataclass
class Shelf:
    """A combo's standard grid (default split, tokens, concurrency and KV type; in query order
    once :meth:`sort` ran) and its other planned configurations."""

    grid: dict[Query, Estimate] = field(default_factory=dict)
    extra: dict[Query, Estimate] = field(default_factory=dict)
    ordered: bool = True
    _cells: dict[tuple[str, int], list[Pair]] | None = None
    _assumptions: collections.Counter[str] | None = None

    def add(self, query: Query, estimate: Estimate) -> None:
        if is_standard(query):
            self.grid[query] = estimate
            self.ordered, self._cells, self._assumptions = False, None, None
        else:
            self.extra[query] = estimate

    def get(self, query: Query) -> Estimate | None:
        return self.grid.get(query) or self.extra.get(query)

    def sort(self) -> None:
        """Put the grid in query order (standard queries' own tuple order is
        :func:`~site_builder.site.results.order`, compared at C speed)."""
        if not self.ordered:
            self.grid = {q: self.grid[q] for q in sorted(self.grid)}
            self.ordered = True

    def size(self) -> int:
        return len(self.grid) + len(self.extra)

    def cell(self, model: str, context: int) -> list[Pair]:
        """Grid entries of one model at one context, in query order (indexed on first use)."""
        return self.index().get((model, context), [])

    def index(self) -> dict[tuple[str, int], list[Pair]]:
        """The grid by (model, context), built once until something is added."""
        if self._cells is None:
            self._cells = {}
            for pair in self.grid.items():
                query = pair[0]
                self._cells.setdefault((query.model, query.context), []).append(pair)
        return self._cells

    def assumptions(self) -> collections.Counter[str]:
        """How often each assumption appears in the grid at the headline context."""
        if self._assumptions is None:
            headline = (e for q, e in self.grid.items() if q.context == HEADLINE_CONTEXT)
            self._assumptions = collections.Counter(a for e in headline for a in e.assumptions)
        return self._assumptions

    def weights(self, model: str) -> dict[str, float]:
        """Each quant's weight memory (GiB, every card's summed) of ``model``, from its first
        setup at the headline context that holds the whole model in VRAM with each weight
        stored once."""
        found: dict[str, float] = {}
        for query, estimate in self.cell(model, HEADLINE_CONTEXT):
            whole = estimate.verdict in IN_VRAM and estimate.split in ("layer", "none")
            if query.quant not in found and whole and estimate.memory.per_gpu:
                found[query.quant] = sum(card.weights_gib for card in estimate.memory.per_gpu)
        return found

    def copy(self) -> Shelf:
        return Shelf(dict(self.grid), dict(self.extra), self.ordered)

    def items(self) -> Iterator[Pair]:
        """Every entry, grid first."""
        yield from self.grid.items()
        yield from self.extra.items()

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled without its indexes, each part as its queries as plain tuples and its
        estimates: a :class:`Query` pickles and unpickles through Python code (a named
        tuple's), about a seventh of a stored shelf's pickling; a tuple at C speed."""
        parts = [(list(map(tuple, p)), list(p.values())) for p in (self.grid, self.extra)]
        return _unpickled, (*parts, self.ordered)


def _unpickled(
    grid: tuple[list[tuple[Any, ...]], list[Estimate]],
    extra: tuple[list[tuple[Any, ...]], list[Estimate]],
    ordered: bool,
) -> Shelf:
    """The shelf :meth:`Shelf.__reduce__` pickled."""
    query = partial(tuple.__new__, Query)
    (grid_keys, grid_values), (extra_keys, extra_values) = grid, extra
    return Shelf(
        dict(zip(map(query, grid_keys), grid_values, strict=True)),
        dict(zip(map(query, extra_keys), extra_values, strict=True)),
        ordered,
    )


def is_standard(query: Query) -> bool:
    """A query of the standard grid: default split, tokens, concurrency and KV type."""
    return (query.split, query.concurrency, query.kv_cache, query.prompt, query.gen) == (
        None,
        1,
        "f16",
        DEFAULT_PROMPT_TOKENS,
        DEFAULT_GEN_TOKENS,
    )
