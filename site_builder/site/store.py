"""Combos' engine results on disk, so a build's memory does not grow with the catalog.

The evaluate stage works through the combos a batch at a time
(:func:`site_builder.site.evaluate.evaluate`); a build with a :class:`Store` writes each batch's
shelves and recommendations here once the batch is complete and lets them go, keeping in memory
only the small rows pages read across combos (:class:`~site_builder.site.results.Row`). Beside
the shelf it writes the smaller files what comes later reads instead (the recommendations
without their candidates, the quant picks, the answers pages read one by one, the grid as
configurator table rows), so neither the pages nor the API's tables read a shelf back (the
prose check does, for the few combos prose names, and so do ``validate``, ``diff`` and the
tests); the last few files read stay in memory, and the pages of one combo are rendered
together, so each is read about once per process.

The store also carries combos from one build to the next (:meth:`Store.reuse`): each combo's
files are kept under a key of everything its evaluation reads (its own entity, the shared
kinds, the content, the package's code and versions, :func:`site_builder.site.reuse.store_for`),
with a :class:`Summary` of what the build keeps in memory about it. A build whose key for a
combo is the one the last successful build recorded takes the combo from here instead of
evaluating it again (it is then a stored combo like the others). A build of a small catalog
keeps its results in memory and writes its combos here from the process that writes the data
files, after the pages no longer wait for them (:attr:`Store.sealing` false).
"""

from __future__ import annotations

import collections
import gc
import json
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from site_builder.engine import Estimate
from site_builder.engine.recommend import Recommendation
from site_builder.site.tables import Query, Rows, RowText

if TYPE_CHECKING:
    from site_builder.engine import Config
    from site_builder.engine.cost import Costs
    from site_builder.engine.recommend import Candidate
    from site_builder.site.picks import Pick
    from site_builder.site.results import QuantPicks
    from site_builder.site.shelf import Shelf

V = TypeVar("V")

LOADED = 8
"""How many combos' results a process keeps loaded (a combo's pages read it and its related
combos')."""
LOADED_PICKS = 32
"""How many combos' smaller files (quant picks, recommendations, page answers) a process
keeps loaded (under 1 MB each: the compare pages read two combos a page, in no order that
keeps the same few)."""


@dataclass(frozen=True)
class Stored:
    """One combo's results: its shelf and its recommendation for every model, without their
    candidates (:meth:`~site_builder.engine.recommend.Recommendation.bare`)."""

    shelf: Shelf
    recommendations: dict[str, Recommendation]


@dataclass(frozen=True)
class Summary:
    """What a build keeps in memory about a stored combo (read back instead of evaluating the
    combo again when it is reused)."""

    rows: dict[str, bytes]
    """Model -> its pickled :class:`~site_builder.site.results.Row`."""
    assumptions: collections.Counter[str]
    """Its grid's assumption counts at the headline context."""
    size: int
    """Its shelf's size when the results froze."""
    costs: tuple[Pick | None, Costs]
    """Its worked example and money figures."""
    splits: dict[str, Candidate]
    """Its worked example's model under each split
    (:func:`~site_builder.site.picks.split_choices`)."""
    configs: dict[Config, Estimate]
    """The engine's answers about its configurations asked outside the grid (the
    recommender's and the benchmarks')."""
    stated: dict[Query, Estimate]
    """The answers to the queries stacks and guides state on it (the checks and their pages
    read them without reading the combo back)."""


KEYS = "keys.json"
"""The key of every combo whose files a successful build left (:meth:`Store.record`)."""
KINDS = ("results", "recommendations", "summary", "answers", "picks", "rows")
"""The files every stored combo has (its other context lengths, and their rows, only if it has
any)."""

TableRows = list[tuple[tuple[Any, ...], RowText]]
"""Results as configurator table rows: each query (a plain tuple) and its row's JSON texts
(:meth:`~site_builder.site.tables.Rows.text`), made where the results are in memory, so the
table's writer need not read them back."""


@dataclass
class Store:
    """A folder of pickles per combo (its :class:`Stored` results: the shelf, and apart its
    recommendations, which pages read without the shelf) and, apart, one per combo
    of its grid at the other context lengths (written by the processes that evaluate them)."""

    folder: Path
    sealing: bool = True
    """Whether the evaluation writes each combo here once its batch is complete (else the
    build keeps its results in memory and writes them here at the end)."""
    reusable: frozenset[str] = frozenset()
    """The combos a previous build left here under this build's key (not evaluated again)."""
    carried: frozenset[str] = frozenset()
    """The :attr:`reusable` combos whose outputs (pages, fragments, data files made from them
    alone) the previous build made as this one would: the same ``outputs`` digest."""
    keys: dict[str, str] = field(default_factory=dict)
    outputs: str = ""
    pages: dict[str, str] = field(default_factory=dict)
    mark: tuple[int, int, bytes] | None = None
    """The record as a :meth:`view` found it (:meth:`untouched`)."""
    _loaded: collections.OrderedDict[str, Shelf] = field(default_factory=collections.OrderedDict)
    _recommendations: collections.OrderedDict[str, dict[str, Recommendation]] = field(
        default_factory=collections.OrderedDict
    )
    _picks: collections.OrderedDict[str, dict[str, QuantPicks]] = field(
        default_factory=collections.OrderedDict
    )
    _answers: collections.OrderedDict[str, dict[Query, Estimate]] = field(
        default_factory=collections.OrderedDict
    )

    def clear(self) -> Store:
        """Start empty: :meth:`reuse` with no combo to keep."""
        return self.reuse({})

    def reuse(
        self, keys: dict[str, str], outputs: str = "", pages: dict[str, str] | None = None
    ) -> Store:
        """Start a build whose combos have ``keys`` (of what their results read) and
        ``pages`` (of what their outputs read: the whole entity) and whose outputs read
        ``outputs`` beside them: keep the files of the combos the last successful build
        recorded under the same key (:attr:`reusable`, and :attr:`carried` if their ``pages``
        key and ``outputs`` are the same too), remove the rest. The record is removed until
        this build succeeds (:meth:`record`)."""
        before = self._recorded()
        (self.folder / KEYS).unlink(missing_ok=True)
        self._loaded.clear()
        self._recommendations.clear()
        self._picks.clear()
        self._answers.clear()
        self.folder.mkdir(parents=True, exist_ok=True)
        combos = before.get("combos", {})
        kept = {c for c, key in keys.items() if combos.get(c) == key and self._complete(c)}
        for path in self.folder.iterdir():
            if path.name.split(".", 1)[0] not in kept:
                path.unlink()
        self.reusable = frozenset(kept)
        pages = pages or {}
        if outputs and before.get("outputs") == outputs:
            made = before.get("pages", {})
            self.carried = frozenset(c for c in kept if c in pages and made.get(c) == pages[c])
        else:
            self.carried = frozenset()
        self.keys, self.outputs, self.pages = keys, outputs, pages
        return self

    def view(self, keys: dict[str, str]) -> Store:
        """A look at the last successful build's combos that neither removes nor writes
        anything (``validate``): the combos it recorded under the same keys as ``keys`` are
        :attr:`reusable`; :meth:`untouched` tells afterwards whether a build or preview wrote
        here meanwhile."""
        mark = self._mark()
        combos = _record(mark[2]).get("combos", {}) if mark is not None else {}
        kept = {c for c, key in keys.items() if combos.get(c) == key and self._complete(c)}
        return Store(self.folder, sealing=False, reusable=frozenset(kept), keys=keys, mark=mark)

    def untouched(self) -> bool:
        """Whether the record a :meth:`view` read is still there as it was: every build removes
        it when it starts and writes it anew when it succeeds, and the preview rewrites it."""
        return self.mark is not None and self._mark() == self.mark

    def _mark(self) -> tuple[int, int, bytes] | None:
        """The record's inode, modification time and bytes (None without one)."""
        path = self.folder / KEYS
        try:
            found = path.stat()
            return found.st_ino, found.st_mtime_ns, path.read_bytes()
        except OSError:
            return None

    def _recorded(self) -> dict[str, Any]:
        try:
            return _record((self.folder / KEYS).read_bytes())
        except OSError:
            return {}

    def _complete(self, combo: str) -> bool:
        return all(self._path(combo, kind).is_file() for kind in KINDS)

    def forget_outputs(self) -> None:
        """Something else wrote the work folder's pages (the live preview): keep the record
        of the combos' results, but let the next build make every output again."""
        found = self._recorded()
        if found.pop("outputs", None) is not None:
            text = json.dumps(found, indent=0, sort_keys=True)
            (self.folder / KEYS).write_text(text + "\n", encoding="utf-8")

    def record(self) -> None:
        """Every combo's files are written and the build succeeded: a later build may reuse
        them under the keys it started with."""
        found = {"outputs": self.outputs, "combos": self.keys, "pages": self.pages}
        text = json.dumps(found, indent=0, sort_keys=True)
        (self.folder / KEYS).write_text(text + "\n", encoding="utf-8")

    def put(
        self,
        combo: str,
        stored: Stored,
        picks: dict[str, QuantPicks],
        summary: Summary,
        answers: dict[Query, Estimate],
        rows: TableRows,
    ) -> None:
        """Write ``combo``'s results, and apart its quant picks by model (small), its
        :class:`Summary` and the answers its pages read one by one (small:
        :attr:`~site_builder.site.results.Results.page_queries`) and its grid's table rows."""
        _dump(self._path(combo, "results"), stored.shelf)
        _dump(self._path(combo, "recommendations"), stored.recommendations)
        _dump(self._path(combo, "picks"), picks)
        _dump(self._path(combo, "summary"), summary)
        _dump(self._path(combo, "answers"), answers)
        _dump(self._path(combo, "rows"), rows)

    def page_answers(self, combo: str) -> dict[Query, Estimate]:
        """The answers ``combo``'s pages read one by one (read from disk unless recently
        read; about a twentieth of its results)."""
        read = self._reader(combo, "answers")
        return recently(self._answers, combo, read, LOADED_PICKS)

    def summary(self, combo: str) -> Summary:
        """``combo``'s :class:`Summary`."""
        found: Summary = _load(self._path(combo, "summary"))
        return found

    def quant_picks(self, combo: str) -> dict[str, QuantPicks]:
        """``combo``'s quant picks by model (read from disk unless recently read)."""
        read = self._reader(combo, "picks")
        return recently(self._picks, combo, read, LOADED_PICKS)

    def shelf(self, combo: str) -> Shelf:
        """``combo``'s shelf (read from disk unless recently read)."""
        limit = LOADED if self.sealing else len(self._loaded) + 1  # a small catalog: all
        return recently(self._loaded, combo, self._reader(combo, "results"), limit)

    def recommendations(self, combo: str) -> dict[str, Recommendation]:
        """``combo``'s recommendations by model (read from disk unless recently read; about
        an eighth of its shelf's size)."""
        read = self._reader(combo, "recommendations")
        limit = LOADED_PICKS if self.sealing else len(self._recommendations) + 1
        return recently(self._recommendations, combo, read, limit)

    def put_contexts(self, found: dict[Query, Estimate], rows: Rows) -> None:
        """Write the other context lengths of ``found``'s combos, one file per combo: how many,
        then the results (so the count is read alone); and apart their table rows (made with
        ``rows``)."""
        by_combo: dict[str, dict[Query, Estimate]] = {}
        for query, estimate in found.items():
            by_combo.setdefault(query.combo, {})[query] = estimate
        for combo, part in by_combo.items():
            with self._path(combo, "contexts").open("wb") as file:
                pickle.dump(len(part), file, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(part, file, protocol=pickle.HIGHEST_PROTOCOL)
            _dump(self._path(combo, "context-rows"), table_rows(part, rows))
            rows.forget()

    def table_rows(self, combo: str) -> dict[Query, RowText]:
        """``combo``'s grid at every context length as table rows by query (the other context
        lengths' where both hold a query: they are the same)."""
        found = _load(self._path(combo, "rows"))
        more = self._path(combo, "context-rows")
        if more.is_file():
            found += _load(more)
        new = tuple.__new__
        return {new(Query, query): text for query, text in found}

    def contexts(self, combo: str) -> dict[Query, Estimate]:
        """``combo``'s grid at the other context lengths (empty when it has none)."""
        path = self._path(combo, "contexts")
        if not path.is_file():
            return {}
        with path.open("rb") as file:
            pickle.load(file)
            return _loaded(lambda: pickle.load(file))  # type: ignore[no-any-return]

    def contexts_count(self, combo: str) -> int:
        """How many configurations ``combo``'s other context lengths hold (0 without any)."""
        path = self._path(combo, "contexts")
        if not path.is_file():
            return 0
        with path.open("rb") as file:
            count: int = pickle.load(file)
            return count

    def _path(self, combo: str, kind: str) -> Path:
        return self.folder / f"{combo}.{kind}.pickle"

    def _reader(self, combo: str, kind: str) -> Callable[[], Any]:
        """What reads ``combo``'s ``kind`` file, its path made only when it is read (a
        compare page asks for both sides' picks about 200 times, nearly always from the
        cache: making the path each time was about 5 % of the compare fragments' CPU)."""
        return lambda: _load(self._path(combo, kind))


def table_rows(found: dict[Query, Estimate], rows: Rows) -> TableRows:
    """``found`` as :data:`TableRows` (made with ``rows``)."""
    return [(tuple(query), rows.text(query, estimate)) for query, estimate in found.items()]


def _record(data: bytes) -> dict[str, Any]:
    """The record :meth:`Store.record` wrote, from its file's bytes ({} if it is not one)."""
    try:
        found = json.loads(data.decode("utf-8"))
    except ValueError:  # not UTF-8, or not JSON
        return {}
    return found if isinstance(found, dict) and isinstance(found.get("combos"), dict) else {}


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
    """The value pickled at ``path`` (:func:`_loaded`)."""
    return _loaded(lambda: pickle.loads(path.read_bytes()))


def _loaded(read: Callable[[], Any]) -> Any:
    """What ``read`` unpickles, read with the cyclic garbage collector paused and then frozen
    (the results hold no cycles: collection passes over their objects are wasted, and they are
    freed by reference counting once let go)."""
    gc.disable()
    try:
        return read()
    finally:
        gc.freeze()
        gc.enable()
