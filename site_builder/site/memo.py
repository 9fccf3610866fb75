"""What the live preview keeps between regenerations: the engine's answers about every combo an
edit did not touch.

The engine is pure: an estimate depends on its configuration and on the catalog entities the
configuration names, that is its combo (when it has one) and the shared kinds (GPUs, links,
models, quants, runtimes, stacks and benchmarks); of a combo it never reads the editorial text
(:data:`PROSE`). A :class:`Memo` holds, for each combo, the digest of its entity without that
text (:func:`engine_digest`) and every answer about it of the last evaluation: the recommender's
candidates, the estimates by query and by configuration, and the recommendations. The next
evaluation (:func:`site_builder.site.evaluate.evaluate`) takes a combo's part whole when its
digest is unchanged, looks single answers up instead of asking the engine, and asks the engine
about the rest; when a shared entity changed, nothing is kept. It only ever saves engine calls:
the evaluation plans the same queries and freezes the same results as without it (a test holds
a preview's regenerated docs after an edit equal to a fresh build's).

``build`` does not use it: each build is a new process, and reading all the answers back from
disk costs about as much as computing them. A build reuses what an edit left unchanged per
combo instead, read back only where needed (:meth:`site_builder.site.store.Store.reuse`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from site_builder.catalog import Catalog
from site_builder.engine import Config, Estimate, accuracy
from site_builder.engine.recommend import Recommendation
from site_builder.schema import Combo
from site_builder.site.results import Query
from site_builder.site.shelf import Shelf
from site_builder.site.sweep import Asked, Swept, wanted

T = TypeVar("T")

SHARED = ("gpus", "interconnects", "models", "quants", "runtimes", "stacks", "benchmarks")
"""The kinds every answer may read (combos are digested one by one)."""
BUT_GPUS = tuple(kind for kind in SHARED if kind != "gpus")
"""The shared kinds but the GPUs: a combo's answers read only the GPUs it holds
(:func:`held_digest`)."""


@dataclass
class Part:
    """Every answer about one combo."""

    digest: str
    """Its :func:`answers_digest` when the answers were made."""
    asked: Asked = field(default_factory=dict)
    shelf: Shelf = field(default_factory=Shelf)
    """Its results, the other context lengths included."""
    configs: dict[Config, Estimate] = field(default_factory=dict)
    recommendations: dict[tuple[str, str], Recommendation] = field(default_factory=dict)
    contexts: list[Query] = field(default_factory=list)
    """The queries of its other context lengths
    (:func:`~site_builder.site.results.other_context_queries`), in order."""
    counted: int = 0
    """How many configurations its evaluation counted (its shelf when the results froze, and
    its other context lengths; some of those are planned again by pages)."""


@dataclass
class Memo:
    """The answers of the last evaluation, by combo (see the module docstring)."""

    shared: str = ""
    """The digest of the shared kinds but the GPUs (:data:`BUT_GPUS`)."""
    gpus: dict[str, str] = field(default_factory=dict)
    """The digest of every GPU."""
    parts: dict[str, Part] = field(default_factory=dict)
    unbound: dict[Config, Estimate] = field(default_factory=dict)
    """Answers about configurations without a combo (benchmarks' own hardware)."""
    digests: dict[str, str] = field(default_factory=dict)
    """The digest of every combo of the evaluation in progress (what its outputs read)."""
    engine_digests: dict[str, str] = field(default_factory=dict)
    """The same without the combos' editorial text (what an output showing none reads)."""
    answer_digests: dict[str, str] = field(default_factory=dict)
    """The same without their names either, with the GPUs each holds (what the engine's
    answers read)."""
    names: dict[str, str] = field(default_factory=dict)
    """The name of every combo (what an output that only names or links to it reads)."""
    outputs: dict[tuple[str, ...], tuple[tuple[str, ...], Any]] = field(default_factory=dict)
    """Files made from the answers about a few combos (:meth:`keep`), with those combos'
    digests."""
    files: str = ""
    """A digest of the templates and content the kept outputs were made with."""
    parts_files: str = ""
    """The digest of the templates and content when the parts were made."""
    journal: list[tuple[tuple[str, ...], tuple[str, ...], Any]] | None = None
    """What :meth:`keep` kept while a forked process renders (sent back, then
    :meth:`replay`-ed: the process's own memo ends with it)."""

    def use_files(self, files: str) -> None:
        """Outputs are made with templates and content of digest ``files`` from now on: forget
        the outputs made with others."""
        if files != self.files:
            self.files, self.outputs = files, {}

    def keep(
        self,
        key: tuple[str, ...],
        combos: Iterable[str],
        make: Callable[[], T],
        text: Collection[str] | None = None,
        names: Collection[str] = (),
        answers: Collection[str] = (),
    ) -> T:
        """The output ``key``, made by ``make`` from the answers about ``combos`` (and the
        shared entities) only: the kept one if none of them changed since it was made, the
        editorial text (:data:`PROSE`) aside of those not in ``text`` (the combos whose text
        it shows; None: all), all but the name of those in ``names`` (the combos it only
        names or links to), and only what the engine's answers read of those in ``answers``
        (neither their name nor their text: :func:`answers_digest`)."""
        return self.keep_stamped(key, self._stamp(combos, text, names, answers), make)

    def holds(
        self,
        key: tuple[str, ...],
        combos: Iterable[str],
        text: Collection[str] | None = None,
        names: Collection[str] = (),
        answers: Collection[str] = (),
    ) -> bool:
        """Whether :meth:`keep` would take the kept output ``key`` (not make it)."""
        found = self.outputs.get(key)
        return found is not None and found[0] == self._stamp(combos, text, names, answers)

    def keep_stamped(
        self, key: tuple[str, ...], stamp: tuple[str, ...], make: Callable[[], T]
    ) -> T:
        """The output ``key``, made by ``make`` from the shared entities and what ``stamp``
        names (the caller's own account of what it reads): the kept one while the stamp is
        the same."""
        found = self.outputs.get(key)
        if found is not None and found[0] == stamp:
            return found[1]  # type: ignore[no-any-return]
        value = make()
        self._put(key, stamp, value)
        return value

    def forget(self, key: tuple[str, ...]) -> None:
        """Make the output ``key`` again next time."""
        self.outputs.pop(key, None)

    def _put(self, key: tuple[str, ...], stamp: tuple[str, ...], value: object) -> None:
        self.outputs[key] = (stamp, value)
        if self.journal is not None:
            self.journal.append((key, stamp, value))

    def _stamp(
        self,
        combos: Iterable[str],
        text: Collection[str] | None,
        names: Collection[str] = (),
        answers: Collection[str] = (),
    ) -> tuple[str, ...]:
        return tuple(self._stamp_of(c, text, names, answers) for c in combos)

    def _stamp_of(
        self,
        combo: str,
        text: Collection[str] | None,
        names: Collection[str],
        answers: Collection[str],
    ) -> str:
        """What of ``combo`` an output reads: its name, what the engine's answers read of it,
        its whole entity or all but its text."""
        if combo in names:
            return f"{combo}~{self.names[combo]}"
        if combo in answers:
            return f"{combo}#{self.answer_digests[combo]}"
        shown = text is None or combo in text
        return f"{combo}={(self.digests if shown else self.engine_digests)[combo]}"

    def replay(self, journal: list[tuple[tuple[str, ...], tuple[str, ...], Any]]) -> None:
        """Keep what a forked process kept (its :attr:`journal`)."""
        for key, stamp, value in journal:
            self.outputs[key] = (stamp, value)

    def start(self, catalog: Catalog) -> None:
        """Keep what ``catalog`` leaves valid: everything if no shared entity changed (after a
        GPU edit, only the answers about combos), then the parts of the combos whose entity
        and GPUs are unchanged."""
        shared = shared_digest(catalog, BUT_GPUS)
        gpus = gpu_digests(catalog)
        if shared != self.shared:
            self.shared, self.parts, self.unbound, self.outputs = shared, {}, {}, {}
        elif gpus != self.gpus:  # outputs may show any GPU; benchmarks' hardware is any
            self.unbound, self.outputs = {}, {}
        self.gpus = gpus
        self.digests = {slug: digest(combo) for slug, combo in catalog.combos.items()}
        self.names = {slug: combo.name for slug, combo in catalog.combos.items()}
        self.engine_digests = {s: engine_digest(c) for s, c in catalog.combos.items()}
        self.answer_digests = {s: answers_digest(c, gpus) for s, c in catalog.combos.items()}
        self.parts = {s: p for s, p in self.parts.items() if self.answer_digests.get(s) == p.digest}

    def whole(self) -> bool:
        """Whether the kept combos' shelves can be taken whole: the content (guide
        placeholders plan queries) is what they were made with, so the same queries are
        planned about them; otherwise answers are looked up one by one."""
        return self.parts_files == self.files

    def swept(self, catalog: Catalog, whole: bool) -> Swept:
        """The sweep's answer about the kept combos: their candidates, and (unless their
        shelves are taken ``whole``) exactly the estimates the sweep answers."""
        asked: Asked = {}
        for part in self.parts.values():
            asked |= part.asked
        if whole:
            return Swept(asked, {})
        found: dict[Query, Estimate] = {}
        for query in wanted(catalog, asked):
            estimate = self.parts[query.combo].shelf.get(query)
            assert estimate is not None, query
            found[query] = estimate
        return Swept(asked, found)

    def contexts(self) -> list[Query]:
        """The other context lengths' queries of the kept combos, in catalog order."""
        return [q for part in self.parts.values() for q in part.contexts]

    def query(self, query: Query) -> Estimate | None:
        """The kept answer to ``query``, if any."""
        part = self.parts.get(query.combo)
        return None if part is None else part.shelf.get(query)

    def config(self, config: Config) -> Estimate | None:
        """The kept answer about ``config``, if any."""
        if config.combo is None:
            return self.unbound.get(config)
        part = self.parts.get(config.combo)
        return None if part is None else part.configs.get(config)

    def recommendation(self, combo: str, model: str) -> Recommendation | None:
        """The kept recommendation of ``model`` on ``combo``, if any."""
        part = self.parts.get(combo)
        return None if part is None else part.recommendations.get((combo, model))

    def remember(
        self,
        asked: Asked,
        shelves: dict[str, Shelf],
        configs: Iterable[tuple[Config, Estimate]],
        recommendations: dict[tuple[str, str], Recommendation],
        contexts: Iterable[Query],
        frozen_sizes: dict[str, int],
        whole: bool,
    ) -> None:
        """Replace every part by the answers of the evaluation that just ended (``shelves``
        complete with the other context lengths; ``contexts``: the queries of the other
        context lengths it evaluated, in order; the combos whose shelves it kept ``whole``
        keep their list)."""
        parts = {s: Part(d, shelf=shelves.get(s, Shelf())) for s, d in self.answer_digests.items()}
        for query in contexts:
            parts[query.combo].contexts.append(query)
        for slug, part in parts.items():
            part.counted = frozen_sizes.get(slug, 0) + len(part.contexts)
        if whole:
            for slug, kept in self.parts.items():
                parts[slug].contexts, parts[slug].counted = kept.contexts, kept.counted
        for (combo, model), candidates in asked.items():
            parts[combo].asked[(combo, model)] = candidates
        self.unbound = {}
        for config, estimate in configs:
            if config.combo is None:
                self.unbound[config] = estimate
            else:
                parts[config.combo].configs[config] = estimate
        for (combo, model), recommendation in recommendations.items():
            parts[combo].recommendations[(combo, model)] = recommendation
        self.parts, self.parts_files = parts, self.files


def kept(
    memo: Memo | None,
    key: tuple[str, ...],
    combos: Iterable[str],
    make: Callable[[], T],
    text: Collection[str] | None = None,
    names: Collection[str] = (),
    answers: Collection[str] = (),
) -> T:
    """:meth:`Memo.keep` with a memo (the live preview), else ``make()`` (a build)."""
    return make() if memo is None else memo.keep(key, combos, make, text, names, answers)


def answers_only(
    memo: Memo | None, key: tuple[str, ...], combos: Iterable[str], make: Callable[[], T]
) -> T:
    """:func:`kept` for an output that shows no combo's editorial text (:data:`PROSE`): the
    engine's answers, names, links and specs; an edit to that text keeps it (a test rewrites
    every such field of a combo and finds a regeneration equal to a fresh one)."""
    return kept(memo, key, combos, make, text=())


def journaled(memo: Memo | None, job: Callable[[], T]) -> Callable[[], tuple[T, list[Any]]]:
    """``job`` for a forked process: its value, and what it kept in ``memo`` (to
    :meth:`Memo.replay` in this one)."""

    def run() -> tuple[T, list[Any]]:
        if memo is None:
            return job(), []
        journal: list[Any] = []
        memo.journal = journal
        try:
            return job(), journal
        finally:  # the job may run in this process (one-process builds, no fork)
            memo.journal = None

    return run


def shared_digest(catalog: Catalog, kinds: Iterable[str] = SHARED) -> str:
    """A digest of every entity of the shared ``kinds``."""
    found = hashlib.sha256()
    for kind in kinds:
        for slug, entity in getattr(catalog, kind).items():
            found.update(f"{kind}/{slug}\n".encode())
            found.update(entity.model_dump_json().encode())
    return found.hexdigest()


def digest(entity: object) -> str:
    """A digest of one entity (a pydantic model)."""
    dumped: str = entity.model_dump_json()  # type: ignore[attr-defined]
    return hashlib.sha256(dumped.encode()).hexdigest()


PROSE = (
    "summary",
    "topology_notes",
    "pros",
    "cons",
    "who_should_avoid",
    "failure_modes",
    "power_notes",
    "thermal_notes",
    "reliability_notes",
    "related",
)
"""A combo's editorial fields, which no engine answer reads (a test changes every one of them
and finds every answer of the evaluation the same): an edit to them makes the combo's pages
again but keeps its answers."""


def engine_digest(combo: Combo) -> str:
    """A digest of what the answers about ``combo`` and the outputs showing none of its text
    read of it: the entity without its :data:`PROSE`."""
    dumped = combo.model_dump_json(exclude=set(PROSE))
    return hashlib.sha256(dumped.encode()).hexdigest()


def gpu_digests(catalog: Catalog) -> dict[str, str]:
    """The digest of every GPU, by GPU ID."""
    return {slug: digest(gpu) for slug, gpu in catalog.gpus.items()}


def held_digest(combo: Combo, gpus: dict[str, str]) -> str:
    """The digests (``gpus``, by GPU ID) of the GPUs ``combo`` holds."""
    return ";".join(f"{g}={gpus.get(g, '')}" for g in sorted(set(combo.card_slugs())))


def answers_digest(combo: Combo, gpus: dict[str, str]) -> str:
    """A digest of what the engine's answers about ``combo`` read of it: the entity without its
    :data:`PROSE` and its name (a test renames a combo and rewrites its text and finds every
    answer the same), so a renamed combo keeps its answers, and the GPUs it holds
    (:func:`held_digest`; ``gpus`` from :func:`gpu_digests`)."""
    dumped = combo.model_dump_json(exclude={*PROSE, "name"})
    return hashlib.sha256(f"{dumped}\n{held_digest(combo, gpus)}".encode()).hexdigest()


def benchmarks_stamp(catalog: Catalog) -> tuple[str, ...]:
    """What the engine's figures for the catalog's benchmarks read beside the shared kinds:
    the cards and interconnect of the combos they name (:func:`accuracy.named_combo`; a kept
    calibration or outlier check is valid while this is the same)."""
    return tuple(
        f"{c}={accuracy.named_combo(catalog.combos[c])}" for c in benchmark_combos(catalog)
    )


def benchmark_combos(catalog: Catalog) -> tuple[str, ...]:
    """The catalog's combos that benchmarks name, sorted: the engine's figures for those
    benchmarks read their cards and interconnect (:func:`benchmarks_stamp`)."""
    return tuple(
        sorted({b.combo for b in catalog.benchmarks.values() if b.combo} & set(catalog.combos))
    )
