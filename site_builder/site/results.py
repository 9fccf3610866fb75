"""The engine's results the site shows, and the queries that ask for them.

:mod:`site_builder.site.evaluate` fills a :class:`Results` before any page renders: the
standard grid (every combo x model x runtime on the combo's back-end x swept quant, at the
headline context, and each quant's best runtime at the other contexts), every recommendation
(:mod:`site_builder.engine.recommend`), and the extra configurations pages need (stack
workloads, speed curves, guide placeholders, benchmark conditions for evidence labels). Then it
is frozen: pages, the API and the prose check only read it, and a query nobody planned raises
:class:`UnplannedQuery` instead of calling the engine.
"""

from __future__ import annotations

import collections
import gc
import pickle
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from site_builder import engine
from site_builder.catalog import Catalog
from site_builder.engine import Config, Estimate, Verdict
from site_builder.engine.cost import Costs
from site_builder.engine.estimate import Lookups
from site_builder.engine.recommend import (
    Answer,
    Candidate,
    Grades,
    Recommendation,
    applies,
    fastest_of,
    ladder,
    loadable,
    platform_runtimes,
)
from site_builder.errors import BuildError
from site_builder.schema import Combo, Workload
from site_builder.site import sidecar
from site_builder.site.shelf import IN_VRAM, Shelf, is_standard
from site_builder.site.sidecar import Pending
from site_builder.site.store import Store, Stored, Summary, table_rows
from site_builder.site.tables import HEADLINE_CONTEXT, Default, Query, Rows, RowText, Table

if TYPE_CHECKING:
    from site_builder.site.memo import Memo
    from site_builder.site.picks import Pick

__all__ = ["HEADLINE_CONTEXT", "Default", "Query", "Table", "applies", "is_standard", "ladder"]

CONTEXTS: tuple[int, ...] = (4096, HEADLINE_CONTEXT, 32768, 131072)
"""Context windows of the will-it-run matrices and the configurator (4K short chats, the
headline 8K, 32K long documents, 128K the longest most models take)."""


ContextJob = tuple[Pending[int], Pending[dict[Query, Estimate]]]
"""A process evaluating other context lengths: how many it evaluates, and their results."""

VERDICT_RANK = {"fits": 0, "tight": 1, "offload": 2, "no-fit": 3, "unsupported": 4}


Q = TypeVar("Q")


class UnplannedQuery(BuildError):
    """A page asked for a configuration the evaluate stage did not plan."""


QuantPicks = dict[str, tuple[Verdict, Candidate | None]]
"""Each quant of one model on one combo that runs: (the verdict of its last candidate that
runs, the headline rule among its candidates). What compare pages read of each side of a pair
(:func:`quant_picks`)."""


@dataclass(frozen=True)
class Row:
    """What pages read of one model on one combo across many combos (kept in memory when the
    combo's results are stored, :mod:`site_builder.site.store`)."""

    headline: Answer | None
    """The recommender's headline answer (:attr:`Recommendation.headline`)."""
    reason: str
    """Why nothing runs (:attr:`Recommendation.reason`)."""
    weights_gib: dict[str, float]
    """Each quant's weight memory (:meth:`~site_builder.site.shelf.Shelf.weights`)."""
    verdict: Verdict = "no-fit"
    """Why nothing runs, in one word (:attr:`Recommendation.verdict`)."""


@dataclass
class Results:
    """Engine results by query, then frozen: a :class:`~site_builder.site.shelf.Shelf` per
    combo (its standard grid, in query order once frozen, and every other planned
    configuration)."""

    catalog: Catalog
    shelves: dict[str, Shelf] = field(default_factory=dict)
    recommendations: dict[tuple[str, str], Recommendation] = field(default_factory=dict)
    """(combo, model) -> the engine's recommendation for the headline workload."""
    costs: dict[str, tuple[Pick | None, Costs]] = field(default_factory=dict)
    """Combo -> its worked example and money figures (:mod:`site_builder.site.costs`)."""
    splits: dict[str, dict[str, Candidate]] = field(default_factory=dict)
    """Combo -> its worked example's model under each split
    (:func:`~site_builder.site.picks.split_choices`)."""
    memo: dict[tuple[str, ...], Any] = field(default_factory=dict)
    """Derived values computed in the evaluate stage (accuracy points)."""
    pending: list[ContextJob] = field(default_factory=list)
    """The grid at the other context lengths, from second processes of the evaluate stage
    (one per half of the main sweep), each with how many configurations it evaluates. Only
    the API's tables read them (:meth:`for_combo`): the build leaves them to the one process
    that writes those tables, so the main process never holds them."""
    pending_size: int = 0
    """How many configurations :attr:`pending` evaluates (read when the results freeze)."""
    configurations: int = 0
    """How many configurations the evaluate stage evaluated, counted when the results freeze
    (before any process merges the other context lengths, so a one-process build counts the
    same)."""
    frozen: bool = False
    lookups: Lookups | None = None
    """The engine's per-catalog precomputation, shared by every evaluation of this build."""
    recall: Memo | None = None
    """The live preview's answers of its last evaluation (:mod:`site_builder.site.memo`),
    looked up before the engine is asked."""
    _by_config: dict[Config, Estimate] = field(default_factory=dict)
    _kept: set[str] = field(default_factory=set)
    """Combos whose shelf came whole from the memo (copied before anything is added)."""
    _offset: int = 0
    """What the kept shelves counted in their evaluation beyond what they hold (their other
    context lengths are merged in; their evaluation counted those apart)."""
    frozen_sizes: dict[str, int] = field(default_factory=dict)
    """Each shelf's size when the results froze (before the other context lengths merge)."""
    store: Store | None = None
    """Where a build keeps each combo's results once its batch is evaluated
    (:meth:`seal`); without one, they all stay in memory."""
    rows: dict[tuple[str, str], bytes] = field(default_factory=dict)
    """(combo, model) -> what pages read across combos, for the stored combos: the
    :class:`Row` pickled (about a third of the memory it takes as objects)."""
    _stored: dict[str, collections.Counter[str]] = field(default_factory=dict)
    """The stored combos, each with its grid's assumption counts."""
    _rows_made: dict[tuple[str, str], Row] = field(default_factory=dict)
    """The rows of combos in memory, made when first asked."""
    _quant_picks: dict[str, dict[str, QuantPicks]] = field(default_factory=dict)
    """Combo -> model -> :data:`QuantPicks`, of the combos in memory (worked out when asked)."""
    _configs_by_combo: dict[str, dict[Config, Estimate]] = field(default_factory=dict)
    """The :meth:`estimator`'s answers about each combo's configurations."""
    _reused_contexts: int = 0
    """How many configurations the reused combos' other context lengths hold."""
    stated: dict[str, list[Query]] = field(default_factory=dict)
    """The queries stacks and guides state, by combo (set by the evaluate stage)."""
    page_queries: dict[str, list[Query]] = field(default_factory=dict)
    """The queries pages read of each combo one by one, by combo (set by the evaluate stage):
    its will-it-run matrix (every model's headline setup at each context length) and its worked
    example's speed curve. Their answers are stored apart, small, so those pages need not read
    the combo's results back."""
    _stated_answers: dict[Query, Estimate] = field(default_factory=dict)
    """The answers to :attr:`stated` queries of the stored combos (kept in memory)."""
    scope: frozenset[str] | None = None
    """The combos evaluated (``validate`` evaluates only those its checks read); None: every
    combo. Asking about another is an :class:`UnplannedQuery`, never an empty answer."""
    _table_rows: Rows = field(init=False)
    """The row maker of the stored combos' table rows (:meth:`seal`)."""
    writing: list[Pending[None]] = field(default_factory=list)
    """The processes writing sealed batches into the :attr:`store` (:meth:`seal`)."""
    _rows_gone: bool = False
    """Whether :meth:`let_rows_go` freed the rows."""
    _kept_for_later: set[str] = field(default_factory=set)
    """Combos kept in memory that this process also wrote into the store for the next build
    (:meth:`put_in_store`): their table rows are read back from there, not made twice."""

    def __post_init__(self) -> None:
        self._table_rows = Rows(self.catalog)

    def add(self, more: dict[Query, Estimate]) -> None:
        """Add results to their combos' shelves (sorted when frozen)."""
        self._check_open()
        for query, estimate in more.items():
            self._shelf(query.combo).add(query, estimate)

    def keep(self, combo: str, shelf: Shelf, counted: int) -> None:
        """Take ``combo``'s whole shelf from the memo: every entry of it, the other context
        lengths included, which its evaluation ``counted`` as that many configurations
        (:mod:`site_builder.site.memo`)."""
        self._check_open()
        self.shelves[combo] = shelf
        self._kept.add(combo)
        self._offset += counted - shelf.size()

    def _shelf(self, combo: str) -> Shelf:
        if combo in self._stored:
            raise BuildError(f"combo {combo!r}'s results are stored: nothing more is added")
        found = self.shelves.get(combo)
        if found is None:
            found = self.shelves[combo] = Shelf()
        elif combo in self._kept:
            found = self.shelves[combo] = found.copy()
            self._kept.discard(combo)
        return found

    def missing(self, queries: Iterable[Query]) -> list[Query]:
        """The queries not evaluated yet, in first-asked order, without repeats (the engine is
        pure: the order changes no result)."""
        return [q for q in dict.fromkeys(queries) if self._find(q) is None]

    def _find(self, query: Query) -> Estimate | None:
        found = self._stated_answers.get(query)
        if found is not None:
            return found
        if query.combo in self._stored:
            assert self.store is not None
            found = self.store.page_answers(query.combo).get(query)
            if found is not None:
                return found
        shelf = self.shelf(query.combo)
        return None if shelf is None else shelf.get(query)

    def shelf(self, combo: str) -> Shelf | None:
        """``combo``'s shelf (read back from the store when it is stored)."""
        if self.scope is not None and combo not in self.scope:
            raise UnplannedQuery(
                f"combo {combo!r} was not evaluated (outside {sorted(self.scope)})"
            )
        if combo in self._stored:
            assert self.store is not None
            return self.store.shelf(combo)
        return self.shelves.get(combo)

    def get(self, query: Query) -> Estimate:
        """The evaluated result for ``query``; :class:`UnplannedQuery` if it was not planned."""
        found = self._find(query)
        if found is None:
            raise UnplannedQuery(f"no planned engine result for {query}")
        return found

    def recommendation(self, combo: str, model: str) -> Recommendation:
        """The headline recommendation of ``model`` on ``combo`` (of a stored combo, without
        its candidates: :meth:`~site_builder.engine.recommend.Recommendation.bare`)."""
        if combo in self._stored:
            assert self.store is not None
            return self.store.recommendations(combo)[model]
        return self.recommendations[(combo, model)]

    def headline(self, combo: str, model: str) -> Answer | None:
        """The recommender's headline answer for ``model`` on ``combo`` (from its :class:`Row`
        once the combo is stored)."""
        if combo in self._stored:
            return self.row(combo, model).headline
        return self.recommendations[(combo, model)].headline

    def nothing_runs(self, combo: str, model: str) -> Verdict:
        """The verdict pages show for ``model`` on ``combo`` when nothing runs there
        (:attr:`Recommendation.verdict`: ``no-fit`` or ``unsupported``)."""
        if combo in self._stored:
            return self.row(combo, model).verdict
        return self.recommendations[(combo, model)].verdict

    def worked_example(self, combo: str) -> Pick | None:
        """The combo's worked example (:func:`~site_builder.site.picks.headline_pick`), as the
        evaluate stage worked it out with the combo's money figures."""
        return self.costs[combo][0]

    def let_rows_go(self) -> None:
        """Every page is rendered and the processes that write the rest have their own copy:
        free the rows pages read across combos (about a quarter of the build process at 10,000
        pages), so the processes mkdocs forks start smaller. Asking for a row afterwards
        raises."""
        self.rows.clear()
        self._rows_made.clear()
        self._rows_gone = True
        sidecar.trim()

    def row(self, combo: str, model: str) -> Row:
        """What pages read of ``model`` on ``combo`` across combos (kept in memory)."""
        if self._rows_gone:
            raise UnplannedQuery(f"the rows were let go: no row of {model} on {combo}")
        found = self.rows.get((combo, model))
        if found is not None:
            row: Row = pickle.loads(found)
            return row
        made = self._rows_made.get((combo, model))
        if made is None:
            shelf = self.shelves.get(combo, Shelf())
            made = _row(self.recommendation(combo, model), shelf, model)
            if self.frozen:  # until then, a query may still join the grid
                self._rows_made[(combo, model)] = made
        return made

    def quant_picks(self, combo: str, model: str) -> QuantPicks:
        """:func:`quant_picks` of ``model`` on ``combo`` (of a stored combo, from its small
        file of them: a pair's second side need not read the combo's results back)."""
        if combo in self._stored:
            assert self.store is not None
            return self.store.quant_picks(combo)[model]
        found = self._quant_picks.setdefault(combo, {})
        if model not in found:
            found[model] = quant_picks(self.catalog, self.recommendation(combo, model))
        return found[model]

    def seal(self, combos: Iterable[str]) -> None:
        """``combos`` are complete: sort their grids and, with a :attr:`store` that is
        :attr:`~site_builder.site.store.Store.sealing`, keep their :class:`Row`, have a
        second process write their results there (:attr:`writing`) and let the rest go."""
        sealed: list[tuple[str, Shelf, dict[str, Recommendation], Summary]] = []
        for combo in combos:
            shelf = self.shelves.get(combo)
            if shelf is not None:
                shelf.sort()
                self.frozen_sizes[combo] = shelf.size()
            if self.store is None or not self.store.sealing:
                continue
            shelf = shelf or Shelf()
            mine = {m: self.recommendations.pop((combo, m)) for m in self.catalog.models}
            summary = self._summary(combo, shelf, mine)
            self.rows.update(((combo, m), row) for m, row in summary.rows.items())
            self._stored[combo] = summary.assumptions
            self._stated_answers.update(summary.stated)
            sealed.append((combo, shelf, mine, summary))
        if sealed:
            # the files (the quant picks, the table rows, every pickle) are about a third of a
            # batch's work in this process, which the sweep's other half leaves the second core
            # idle for; nothing reads them before the results freeze (:meth:`written`)
            self.writing.append(sidecar.start(partial(self._put_all, sealed), background=True))
        for combo, *_ in sealed:
            self.shelves.pop(combo, None)
            self.page_queries.pop(combo, None)  # about 300 queries a combo: let them go

    def _put_all(self, sealed: list[tuple[str, Shelf, dict[str, Recommendation], Summary]]) -> None:
        for combo, shelf, mine, summary in sealed:
            self._put(combo, shelf, mine, summary)

    def written(self, keep: int = 0) -> None:
        """Wait for the processes writing stored combos (:meth:`seal`) but the last ``keep``."""
        split = max(0, len(self.writing) - keep)
        waiting, self.writing = self.writing[:split], self.writing[split:]
        for pending in waiting:
            pending.result()

    def _page_answers(self, combo: str, shelf: Shelf) -> dict[Query, Estimate]:
        queries = self.page_queries.get(combo, [])
        return {q: e for q in queries if (e := shelf.get(q)) is not None}

    def _summary(
        self, combo: str, shelf: Shelf, recommendations: dict[str, Recommendation]
    ) -> Summary:
        rows = {m: _pickled(_row(r, shelf, m)) for m, r in recommendations.items()}
        size = self.frozen_sizes.get(combo, 0)
        configs = self._configs_by_combo.get(combo, {})
        stated = {q: e for q in self.stated.get(combo, []) if (e := shelf.get(q)) is not None}
        costs, splits = self.costs[combo], self.splits[combo]
        return Summary(rows, shelf.assumptions(), size, costs, splits, dict(configs), stated)

    def put_in_store(self, combo: str) -> None:
        """Write ``combo``'s results, kept in memory, into the :attr:`store` (a build of a
        small catalog, for the next build to reuse; before the other context lengths merge)."""
        assert self.store is not None and combo not in self._stored
        shelf = self.shelves.get(combo, Shelf())
        mine = {m: self.recommendations[(combo, m)] for m in self.catalog.models}
        self._put(combo, shelf, mine, self._summary(combo, shelf, mine))
        self._kept_for_later.add(combo)

    def _put(
        self, combo: str, shelf: Shelf, mine: dict[str, Recommendation], summary: Summary
    ) -> None:
        """Write ``combo``'s results into the store: its shelf, its recommendations without
        their candidates (what reads those reads them here first: the quant picks, written
        apart, and the split choices, in the summary) and the answers its pages read one by
        one (:attr:`page_queries`)."""
        assert self.store is not None
        picks = {m: quant_picks(self.catalog, r) for m, r in mine.items()}
        bare = {m: r.bare() for m, r in mine.items()}
        answers = self._page_answers(combo, shelf)
        rows = table_rows(shelf.grid, self._table_rows)
        self._table_rows.forget()
        self.store.put(combo, Stored(shelf, bare), picks, summary, answers, rows)

    @property
    def stored(self) -> Collection[str]:
        """The combos whose results are in the :attr:`store` (stored or reused)."""
        return self._stored.keys()

    def reuse(self, combo: str) -> None:
        """Take ``combo`` from the :attr:`store`, where an earlier build left it (it is stored
        from now on, as if this build had evaluated and stored it)."""
        assert self.store is not None
        self._check_open()
        summary = self.store.summary(combo)
        if self.store.sealing:
            self.rows.update(((combo, m), row) for m, row in summary.rows.items())
        else:  # a small catalog: the rows unpickled once (pages read each about 15 times)
            self._rows_made.update(((combo, m), pickle.loads(r)) for m, r in summary.rows.items())
        self._stored[combo] = summary.assumptions
        self.frozen_sizes[combo] = summary.size
        self.costs[combo] = summary.costs
        self.splits[combo] = summary.splits
        self._by_config.update(summary.configs)
        self._configs_by_combo[combo] = dict(summary.configs)
        self._stated_answers.update(summary.stated)
        self._reused_contexts += self.store.contexts_count(combo)

    def estimator(self, catalog: Catalog, config: Config) -> Estimate:
        """The engine's ``estimate`` for engine helpers that take an estimator (evidence labels,
        accuracy points): remembered while evaluating, a look-up once frozen."""
        found = self._by_config.get(config)
        if found is None:
            if self.frozen:
                raise UnplannedQuery(f"no planned engine result for {config}")
            found = None if self.recall is None else self.recall.config(config)
            if found is None:
                found = engine.estimate(catalog, config, self.lookups)
            self._by_config[config] = found
            if config.combo is not None:
                self._configs_by_combo.setdefault(config.combo, {})[config] = found
        return found

    def size(self) -> int:
        """How many configurations the engine evaluated (:attr:`configurations` once frozen)."""
        if self.frozen:
            return self.configurations
        waiting = (self.pending_size if self.pending else 0) + self._reused_contexts
        stored = sum(shelf.size() for shelf in self.shelves.values()) + self._offset
        stored += sum(self.frozen_sizes.get(combo, 0) for combo in self._stored)
        return stored + len(self._by_config) + waiting

    def freeze(self) -> Results:
        """End the evaluate stage: sort the grid; from now on nothing is computed, so the
        engine's memo of plans (one per configuration) is let go."""
        self.seal(list(self.shelves))
        self.written()
        self.pending_size = sum(size.result() for size, _ in self.pending)
        self.configurations = self.size()
        self.frozen = True
        self.lookups = None
        return self

    def headline_assumptions(self) -> collections.Counter[str]:
        """How often each assumption appears in the grid at the headline context."""
        counts: collections.Counter[str] = collections.Counter()
        for combo in sorted([*self.shelves, *self._stored]):
            found = self._stored.get(combo)
            counts.update(self.shelves[combo].assumptions() if found is None else found)
        return counts

    def for_combo(self, combo: str) -> list[tuple[Query, Estimate]]:
        """Grid entries of one combo, in query order (every context: waits for the other
        contexts' processes the first time)."""
        self._other_contexts()
        shelf = self.shelf(combo)
        if shelf is None:
            return []
        if combo not in self._stored:
            return list(shelf.grid.items())
        assert self.store is not None
        found = shelf.grid | self.store.contexts(combo)
        return [(q, found[q]) for q in sorted(found)]

    def table_rows(self, combo: str, rows: Rows) -> dict[Query, RowText]:
        """:meth:`for_combo` as table rows (:meth:`~site_builder.site.tables.Rows.text`) by
        query: of a stored combo, as the processes that evaluated it made them (read back
        without its results); else made now with ``rows``."""
        self._other_contexts()
        if combo in self._stored or combo in self._kept_for_later:
            assert self.store is not None
            return self.store.table_rows(combo)
        return {q: rows.text(q, e) for q, e in self.for_combo(combo)}

    def for_cell(self, combo: str, model: str, context: int) -> list[tuple[Query, Estimate]]:
        """Grid entries of one model on one combo at one context (every runtime and quant)."""
        if context != HEADLINE_CONTEXT:
            self._other_contexts()
            if combo in self._stored:
                found = self.for_combo(combo)
                return [(q, e) for q, e in found if q.model == model and q.context == context]
        shelf = self.shelf(combo)
        return [] if shelf is None else shelf.cell(model, context)

    def index_cells(self) -> None:
        """Index every shelf by cell now (a shelf keeps its index until something is added)."""
        for shelf in self.shelves.values():
            shelf.index()

    def complete(self) -> None:
        """Merge the other context lengths now (the live preview's memo keeps them)."""
        self._other_contexts()

    def _other_contexts(self) -> None:
        """Merge the grid's other context lengths, evaluated in a second process of the
        evaluate stage (only the matrices' tables and the API read them)."""
        if self.pending:
            waiting, self.pending = self.pending, []
            touched = set()
            for _, more in waiting:
                for query, estimate in more.result().items():
                    self._shelf(query.combo).add(query, estimate)
                    touched.add(query.combo)
            for combo in touched:
                self.shelves[combo].sort()

    def _check_open(self) -> None:
        if self.frozen:
            raise BuildError("the engine's results are frozen once pages render")


def quant_picks(catalog: Catalog, recommendation: Recommendation) -> QuantPicks:
    """Each quant that runs among the recommender's candidates: (the verdict of its last
    candidate that runs, the headline rule among all its candidates)."""
    candidates = recommendation.candidates
    running = {c.config.quant: c for c in candidates if is_runnable(c.estimate)}
    grades = Grades(catalog, recommendation.model)
    return {
        quant: (
            last.estimate.verdict,
            fastest_of(catalog, [c for c in candidates if c.config.quant == quant], grades=grades),
        )
        for quant, last in running.items()
    }


def _pickled(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _row(recommendation: Recommendation, shelf: Shelf, model: str) -> Row:
    weights = shelf.weights(model)
    return Row(recommendation.headline, recommendation.reason, weights, recommendation.verdict)


def order(query: Query) -> tuple[object, ...]:
    """A total sort key of queries (the default split, None, sorts first)."""
    return (
        query.combo,
        query.model,
        query.quant,
        query.runtime,
        query.context,
        query.split or "",
        query.concurrency,
        query.kv_cache,
        query.prompt,
        query.gen,
    )


def evaluated(
    catalog: Catalog,
    queries: list[Query],
    lookups: Lookups,
    configured: dict[Query, Config] | None = None,
) -> dict[Query, Estimate]:
    """The engine's answers to ``queries`` (``configured``: configurations already built)."""
    known = configured or {}

    def configure(cat: Catalog, query: Query) -> Config:
        found = known.get(query)
        return found if found is not None else config_for(cat, query)

    return dict(zip(queries, estimate_all(catalog, queries, configure, lookups), strict=True))


def estimate_all(
    catalog: Catalog,
    queries: Iterable[Q],
    configure: Callable[[Catalog, Q], Config],
    lookups: Lookups,
) -> list[Estimate]:
    """The engine's answers to ``queries`` (configured by ``configure``), with the cyclic
    garbage collector paused: the engine allocates hundreds of thousands of small, acyclic
    results that live as long as the build, and collection passes over them are wasted. They
    are frozen afterwards (``gc.freeze``: later collections skip them; forked processes do not
    touch their pages)."""
    gc.disable()
    try:
        return [engine.estimate(catalog, configure(catalog, q), lookups) for q in queries]
    finally:
        gc.freeze()
        gc.enable()


def config_for(catalog: Catalog, query: Query) -> Config:
    """The engine configuration of ``query``: the combo's cards and link."""
    return engine.config_for_combo(
        catalog,
        query.combo,
        model=query.model,
        quant=query.quant,
        runtime=query.runtime,
        split=query.split,
        context_tokens=query.context,
        prompt_tokens=query.prompt,
        gen_tokens=query.gen,
        concurrency=query.concurrency,
        kv_cache=query.kv_cache,
    )


def headline_queries(
    catalog: Catalog, combos: Iterable[str] | None = None, models: Iterable[str] | None = None
) -> Iterator[Query]:
    """Sweep 1: every model x runtime on the combo's back-end x loadable ladder quant, at the
    headline context (the recommender's candidates at the runtime's default split); of
    ``combos`` and ``models`` when given."""
    for combo_slug in catalog.combos if combos is None else combos:
        pairs = list(runtime_quants(catalog, catalog.combos[combo_slug]))
        for model_slug in catalog.models if models is None else models:
            model = catalog.models[model_slug]
            for runtime, quant in pairs:
                if applies(model, catalog.quants[quant]):
                    yield Query(combo_slug, model_slug, quant, runtime, HEADLINE_CONTEXT)


def base_config(catalog: Catalog, combo: str, model: str) -> Config:
    """The recommender's question for ``model`` on ``combo`` (quant and runtime are its to
    choose)."""
    return engine.config_for_combo(catalog, combo, model=model, quant="", runtime="")


def query_of(config: Config) -> Query:
    """The site's query of a combo configuration."""
    if config.combo is None:
        raise BuildError(f"not a combo configuration: {config}")
    # positional, in Query's field order: a build makes over a million (keywords cost 2x)
    return Query(
        config.combo,
        config.model,
        config.quant,
        config.runtime,
        config.context_tokens,
        config.split,
        config.concurrency,
        config.kv_cache,
        config.prompt_tokens,
        config.gen_tokens,
    )


def other_context_queries(catalog: Catalog, headline: dict[Query, Estimate]) -> Iterator[Query]:
    """Sweep 2: the other contexts, for each quant's best primary runtime at the headline
    context (verdict first, then speed). Longer contexts are skipped where the quant does not
    run at the headline one: more context never needs less memory; shorter ones where no
    runtime can run it at all (no runtime, published checkpoint or kernel: the context changes
    none of that), unless the model's own window is shorter than the headline context.
    Runtimes built on another
    (Ollama, LM Studio) give way to their base on a tie, and stand in for it where the base
    has no checkpoint of the quant."""
    best: dict[tuple[str, str, str], tuple[tuple[int, float, bool], Query, Estimate]] = {}
    for query, estimate in headline.items():
        if query.context != HEADLINE_CONTEXT:
            continue
        key = (query.combo, query.model, query.quant)
        derived = bool(catalog.runtimes[query.runtime].based_on)
        score = (rank(estimate), -(estimate.decode_tok_s or 0.0), derived)
        if key not in best or score < best[key][0]:
            best[key] = (score, query, estimate)
    for _, query, estimate in sorted(best.values(), key=lambda item: item[1]):
        limit = catalog.models[query.model].max_context_tokens
        runs = is_runnable(estimate)
        shorter = estimate.verdict != "unsupported" or limit < HEADLINE_CONTEXT
        for context in CONTEXTS:
            wanted = (context < HEADLINE_CONTEXT and shorter) or (
                context > HEADLINE_CONTEXT and runs
            )
            if wanted and context <= limit:
                yield query._replace(context=context)


def runtime_quants(catalog: Catalog, combo: Combo) -> Iterator[tuple[str, str]]:
    """(runtime, quant) pairs worth evaluating on ``combo``: runtimes on its back-end, ladder
    quants."""
    return loadable(catalog, platform_runtimes(catalog, [e.gpu for e in combo.gpus]))


def workload_query(combo: str, workload: Workload) -> Query:
    """The query of a stack workload, exactly as the stack states it."""
    return Query(
        combo=combo,
        model=workload.model,
        quant=workload.quant,
        runtime=workload.runtime,
        context=workload.context_tokens,
        split=workload.split,
        concurrency=workload.concurrency,
        kv_cache=workload.kv_cache,
    )


def rank(estimate: Estimate) -> int:
    """Sort key of a verdict: fits first, unsupported last."""
    return VERDICT_RANK[estimate.verdict]


def is_runnable(estimate: Estimate) -> bool:
    """The configuration runs (in VRAM, tight, or with offload)."""
    return estimate.verdict in ("fits", "tight", "offload")


def in_vram(estimate: Estimate) -> bool:
    """The configuration runs entirely in VRAM."""
    return estimate.verdict in IN_VRAM
