"""Combos' engine results on disk, so a build's memory does not grow with the catalog.

The evaluate stage works through the combos a batch at a time
(:func:`site_builder.site.evaluate.evaluate`); a build with a :class:`Store` writes each batch's
shelves and recommendations here once the batch is complete and lets them go, keeping in memory
only the small rows pages read across combos (:class:`~site_builder.site.results.Row`). What
reads a combo's results later (its pages, the API's tables) loads its file again; the last few
loaded stay in memory, and the pages of one combo are rendered together, so each is read about
once per process. Each build starts with an empty store (:meth:`Store.clear`): nothing here is
reused between builds.
"""

from __future__ import annotations

import collections
import gc
import pickle
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from site_builder.engine import Estimate
from site_builder.engine.recommend import Recommendation
from site_builder.site.tables import Query

if TYPE_CHECKING:
    from site_builder.site.results import QuantPicks
    from site_builder.site.shelf import Shelf

V = TypeVar("V")

LOADED = 8
"""How many combos' results a process keeps loaded (a combo's pages read it and its related
combos')."""
LOADED_PICKS = 32
"""How many combos' quant picks a process keeps loaded (under 1 MB each: the compare pages
read two combos a page, in no order that keeps the same few)."""


@dataclass(frozen=True)
class Stored:
    """One combo's results: its shelf and its recommendation for every model."""

    shelf: Shelf
    recommendations: dict[str, Recommendation]


@dataclass
class Store:
    """A folder of one pickle per combo (its :class:`Stored` results) and, apart, one per combo
    of its grid at the other context lengths (written by the processes that evaluate them)."""

    folder: Path
    _loaded: collections.OrderedDict[str, Stored] = field(default_factory=collections.OrderedDict)
    _picks: collections.OrderedDict[str, dict[str, QuantPicks]] = field(
        default_factory=collections.OrderedDict
    )

    def remove(self) -> None:
        """Remove the folder (a build that keeps its results in memory)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self._loaded.clear()
        self._picks.clear()

    def clear(self) -> Store:
        """Start empty (a new build)."""
        self.remove()
        self.folder.mkdir(parents=True)
        return self

    def put(self, combo: str, stored: Stored, picks: dict[str, QuantPicks]) -> None:
        """Write ``combo``'s results, and apart its quant picks by model (small)."""
        _dump(self._path(combo, "results"), stored)
        _dump(self._path(combo, "picks"), picks)

    def quant_picks(self, combo: str) -> dict[str, QuantPicks]:
        """``combo``'s quant picks by model (read from disk unless recently read)."""
        read = partial(_load, self._path(combo, "picks"))
        return recently(self._picks, combo, read, LOADED_PICKS)

    def get(self, combo: str) -> Stored:
        """``combo``'s results (read from disk unless recently read)."""
        return recently(self._loaded, combo, partial(_load, self._path(combo, "results")), LOADED)

    def put_contexts(self, found: dict[Query, Estimate]) -> None:
        """Write the other context lengths of ``found``'s combos, one file per combo."""
        by_combo: dict[str, dict[Query, Estimate]] = {}
        for query, estimate in found.items():
            by_combo.setdefault(query.combo, {})[query] = estimate
        for combo, part in by_combo.items():
            _dump(self._path(combo, "contexts"), part)

    def contexts(self, combo: str) -> dict[Query, Estimate]:
        """``combo``'s grid at the other context lengths (empty when it has none)."""
        path = self._path(combo, "contexts")
        return _load(path) if path.is_file() else {}

    def _path(self, combo: str, kind: str) -> Path:
        return self.folder / f"{combo}.{kind}.pickle"


def recently(
    cache: collections.OrderedDict[str, V], key: str, make: Callable[[], V], limit: int
) -> V:
    """``cache[key]``, made now if missing; the cache keeps the ``limit`` keys last asked."""
    found = cache.get(key)
    if found is None:
        found = cache[key] = make()
        while len(cache) > limit:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return found


def _dump(path: Path, value: object) -> None:
    path.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _load(path: Path) -> Any:
    """The value pickled at ``path``, read with the cyclic garbage collector paused and then
    frozen (the results hold no cycles: collection passes over their objects are wasted, and
    they are freed by reference counting once let go)."""
    gc.disable()
    try:
        return pickle.loads(path.read_bytes())
    finally:
        gc.freeze()
        gc.enable()
