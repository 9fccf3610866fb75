"""``recommend``: the reader's answer for one machine and model, as named setups.

The candidates are every runtime that exists on the cards' back-end (``platforms`` in
``catalog/runtimes/``), every swept quant (:data:`CANDIDATE_QUANTS`) it loads, and on several
cards every split it offers, at the workload's tokens. Each is an ordinary ``estimate``; the
rules below only choose among them:

- ``fastest``: the highest ranking figure (decode for chat and long documents, aggregate decode
  for agents and batch) among setups that run in VRAM at or above the quality floor;
- ``easiest``: the same rule among one-command runtimes (``one_command`` in the catalog:
  Ollama, which installs and serves a model with one command each);
- ``most_precise``: the most precise quant that runs in VRAM at or above the quality floor (any,
  when none passes), then the fastest of it;
- ``offload``: only when nothing runs in VRAM, the fastest setup that spills to system RAM.

The quality floor is data: a quant passes when its recorded perplexity increase
(:func:`quality_loss_pct`) is at most that of :data:`FLOOR_QUANT`, the smallest file of the
Q4_K class, or when it stores the model at its released precision. Below the floor an answer
is given only when nothing else runs, with a warning.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from site_builder.catalog import Catalog
from site_builder.engine.config import Config
from site_builder.engine.evidence import Evidence, label
from site_builder.engine.result import Estimate, Verdict
from site_builder.engine.shapes import effective_bits_per_weight
from site_builder.engine.workloads import WORKLOADS, WorkloadName, WorkloadSpec, context_for
from site_builder.schema import Model, Quant
from site_builder.schema.base import SplitMode

CANDIDATE_QUANTS: tuple[str, ...] = (
    "BF16",
    "Q8_0",
    "Q6_K",
    "Q5_K_M",
    "Q4_K_M",
    "Q3_K_M",
    "Q2_K",
    "IQ2_XXS",
    "MXFP4",
    "FP8",
    "AWQ-INT4",
    "GPTQ-INT4",
    "INT4-MOE",
    "EXL2-6.0",
    "EXL2-4.0",
    "NF4",
    "MLX-4BIT",
)
"""The quants the recommender, the matrices and the configurator sweep: one per precision step
of each format (F16 beside BF16 or Q4_K_S beside Q4_K_M add rows without adding information).
IDs missing from the catalog are skipped; a catalog without any of them sweeps all its quants."""

FLOOR_QUANT = "Q4_K_S"
"""The quality floor: no more perplexity loss than this quant records (the Q4_K class)."""

USABLE_CHAT_TOK_S = 10.0
"""Below this single-stream decode speed, chat is slower than reading (about 5 words/s)."""

IN_VRAM = ("fits", "tight")
ANSWERS = ("fastest", "easiest", "most_precise", "offload")

Estimator = Callable[[Catalog, Config], Estimate]


class Candidate(NamedTuple):
    """One evaluated setup (a named tuple: a build makes one per candidate of every combo x
    model, hundreds of thousands)."""

    config: Config
    estimate: Estimate


@dataclass(frozen=True)
class Answer:
    """A named recommendation: the setup, the engine's result, why, and what to watch."""

    name: str
    config: Config
    estimate: Estimate
    evidence: Evidence
    why: str
    warnings: tuple[str, ...]

    def __reduce__(self) -> tuple[type[Answer], tuple[Any, ...]]:
        """Pickled as the constructor's arguments (see :meth:`Evidence.__reduce__`)."""
        fields = (self.name, self.config, self.estimate, self.evidence, self.why, self.warnings)
        return Answer, fields

    def to_json(self) -> dict[str, Any]:
        """The estimate's JSON with the setup, the evidence of its decode figure, why and
        warnings."""
        ev = self.evidence
        return {
            "model": self.config.model,
            "runtime": self.config.runtime,
            "quant": self.config.quant,
            "context": self.config.context_tokens,
            "concurrency": self.config.concurrency,
            **self.estimate.to_json(),
            "evidence": {
                "label": ev.label,
                "decode_tok_s": None if ev.value is None else round(ev.value, 2),
                "benchmark": ev.benchmark,
            },
            "why": self.why,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Recommendation:
    """The named answers for one machine, model and workload (absent names: no such setup)."""

    model: str
    workload: WorkloadName
    answers: dict[str, Answer]
    candidates: tuple[Candidate, ...]
    reason: str
    """When nothing runs: the engine's reason for the setup closest to fitting."""
    per_runtime: dict[str, Candidate]
    """Each runtime's own pick (the headline rule among its candidates): what a reader gets
    who has chosen the runtime (the configurator selects it when the runtime changes)."""
    verdict: Verdict = "no-fit"
    """When nothing runs, why in one word: ``unsupported`` when no runtime here loads any
    published checkpoint of the model (too large is then not the reason), else ``no-fit``."""

    def __reduce__(self) -> tuple[type[Recommendation], tuple[Any, ...]]:
        """Pickled as the constructor's arguments (see :meth:`Evidence.__reduce__`)."""
        answers, candidates, per_runtime = self.answers, self.candidates, self.per_runtime
        fields = (self.model, self.workload, answers, candidates, self.reason, per_runtime)
        return Recommendation, (*fields, self.verdict)

    @property
    def headline(self) -> Answer | None:
        """What a page leads with: the fastest in-VRAM answer, else the offload one."""
        return self.answers.get("fastest") or self.answers.get("offload")

    def bare(self) -> Recommendation:
        """The same answers without the candidates they were chosen from (what a build keeps
        of a combo it stores: the candidates' results are on the combo's shelf, and what reads
        the candidates reads them while they are in memory)."""
        fields = (self.model, self.workload, self.answers, (), self.reason, self.per_runtime)
        return Recommendation(*fields, self.verdict)

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "workload": self.workload,
            "answers": {name: a.to_json() for name, a in self.answers.items()},
            "reason": self.reason,
            "per_runtime": {
                r: {"quant": c.config.quant, "split": c.estimate.split}
                for r, c in sorted(self.per_runtime.items())
            },
        }


@dataclass
class Grades:
    """Each quant's precision class and floor verdict for one model, computed once a quant
    (a recommendation compares a few quants across a hundred candidates)."""

    catalog: Catalog
    model: str
    _class: dict[str, float] = field(default_factory=dict)
    _sound: dict[str, bool] = field(default_factory=dict)

    def klass(self, c: Candidate) -> float:
        quant = c.config.quant
        if quant not in self._class:
            self._class[quant] = precision_class(self.catalog, c.config)
        return self._class[quant]

    def sound(self, c: Candidate) -> bool:
        quant = c.config.quant
        if quant not in self._sound:
            self._sound[quant] = passes_floor(self.catalog, c.config)
        return self._sound[quant]


def ladder(catalog: Catalog) -> list[str]:
    """The swept quants present in the catalog (all of them if none of the ladder is)."""
    present = [q for q in CANDIDATE_QUANTS if q in catalog.quants]
    return present or list(catalog.quants)


def loadable(catalog: Catalog, runtimes: list[str]) -> Iterator[tuple[str, str]]:
    """(runtime, quant) pairs of ``runtimes`` and the ladder quants each loads."""
    quants = ladder(catalog)
    for runtime in runtimes:
        formats = catalog.runtimes[runtime].quant_formats
        for quant in quants:
            if catalog.quants[quant].format in formats:
                yield runtime, quant


def applies(model: Model, quant: Quant) -> bool:
    """Expert-only formats (MXFP4 stores routed experts in FP4, the rest at 8 bits) mean
    nothing for a dense model: there it is just its 8-bit fallback, a duplicate row."""
    return quant.expert_bits_per_weight is None or model.moe is not None


def platform_runtimes(catalog: Catalog, gpus: Iterable[str]) -> list[str]:
    """Runtimes whose back-ends include every card's (sorted by ID)."""
    platforms = {catalog.gpus[g].platform for g in gpus}
    return sorted(s for s, r in catalog.runtimes.items() if platforms <= set(r.platforms))


def splits(catalog: Catalog, runtime: str, model: Model, cards: int) -> list[SplitMode | None]:
    """Splits to try: the runtime's default (None) and, on several cards, every other split
    it offers (expert split only for mixture-of-experts models)."""
    entry = catalog.runtimes[runtime]
    if cards < 2:
        return [None]
    others = [
        s for s in entry.split_modes if s != entry.default_split and (s != "expert" or model.moe)
    ]
    out: list[SplitMode | None] = [None, *others]
    return out


def candidates(catalog: Catalog, base: Config, workload: WorkloadName = "chat") -> list[Config]:
    """Every setup ``recommend`` weighs for ``base``'s cards and model (``base.quant``,
    ``runtime``, ``split`` and token fields are replaced)."""
    spec = WORKLOADS[workload]
    model = catalog.models[base.model]
    cards = [g for g, n in base.gpus for _ in range(n)]
    sized = _sized(base, spec, model)
    quants = [q for q in ladder(catalog) if applies(model, catalog.quants[q])]
    out = []
    for runtime in platform_runtimes(catalog, cards):
        formats = catalog.runtimes[runtime].quant_formats
        ways = splits(catalog, runtime, model, len(cards))
        for quant in quants:
            if catalog.quants[quant].format in formats:
                out += [_with(sized, runtime, quant, split) for split in ways]
    return out


def _with(sized: Config, runtime: str, quant: str, split: SplitMode | None) -> Config:
    """``sized`` with another runtime, quant and split. Its fields copied at once into a new
    frozen object (the same value ``dataclasses.replace`` gives, without calling ``__init__``
    field by field: this runs for every candidate of a build, hundreds of thousands)."""
    config = object.__new__(Config)
    fields = config.__dict__
    fields.update(sized.__dict__)
    fields["runtime"], fields["quant"], fields["split"] = runtime, quant, split
    return config


def _sized(base: Config, spec: WorkloadSpec, model: Model) -> Config:
    return replace(
        base,
        context_tokens=context_for(spec, model.max_context_tokens),
        prompt_tokens=spec.prompt_tokens,
        gen_tokens=spec.gen_tokens,
        concurrency=spec.concurrency,
    )


def recommend(
    catalog: Catalog, base: Config, workload: WorkloadName, estimator: Estimator
) -> Recommendation:
    """The named answers for ``base``'s cards and model under ``workload``; ``estimator``
    evaluates each candidate (the engine's ``estimate``, or a memo of it)."""
    evaluated = [Candidate(c, estimator(catalog, c)) for c in candidates(catalog, base, workload)]
    return choose(catalog, base.model, workload, evaluated, estimator)


def choose(
    catalog: Catalog,
    model: str,
    workload: WorkloadName,
    evaluated: list[Candidate],
    estimator: Estimator,
) -> Recommendation:
    """Apply the rules of the module docstring to evaluated candidates."""
    spec = WORKLOADS[workload]
    grades = Grades(catalog, model)
    in_vram = [c for c in evaluated if c.estimate.verdict in IN_VRAM]
    sound = [c for c in in_vram if grades.sound(c)]
    picked: dict[str, Candidate] = {}
    floor = _floor_name(catalog)
    ranked = sound or in_vram

    def top(pool: list[Candidate]) -> Candidate:
        return _top(grades, spec, pool, estimator)

    if ranked:
        picked["fastest"] = top(ranked)
        easy = [c for c in ranked if catalog.runtimes[c.config.runtime].one_command]
        if easy:
            picked["easiest"] = top(easy)
        pool = [c for c in in_vram if grades.sound(c)] or in_vram
        best_class = max(grades.klass(c) for c in pool)
        picked["most_precise"] = top([c for c in pool if grades.klass(c) == best_class])
    else:
        spill = [c for c in evaluated if c.estimate.verdict == "offload"]
        pool = [c for c in spill if grades.sound(c)] or spill
        if pool:
            picked["offload"] = top(pool)
    answers = {
        name: _answer(catalog, spec, name, cand, floor, bool(sound), estimator)
        for name, cand in picked.items()
    }
    by_runtime: dict[str, list[Candidate]] = {}
    for c in evaluated:
        by_runtime.setdefault(c.config.runtime, []).append(c)
    per_runtime = {
        r: pick
        for r, cands in sorted(by_runtime.items())
        if (pick := _fastest(grades, spec, cands))
    }
    verdict = _verdict(evaluated)
    reason = _reason(catalog, evaluated, answers, verdict)
    return Recommendation(model, workload, answers, tuple(evaluated), reason, per_runtime, verdict)


EVIDENCE_RANK = {"measured": 3, "measured-near": 2, "estimated": 1, "uncalibrated": 0}


def _top(
    grades: Grades, spec: WorkloadSpec, pool: list[Candidate], estimator: Estimator
) -> Candidate:
    """The fastest of ``pool``; among setups the engine rates equally fast, the one with the
    strongest evidence (a measurement beats an estimate), then the key's other criteria."""
    tied = _fastest_only(spec, pool)
    if len(tied) == 1:
        return tied[0]
    keys = {id(c): _speed_key(grades, spec, c) for c in tied}

    def strength(c: Candidate) -> int:
        found = label(grades.catalog, c.config, spec.metric, c.estimate, estimator)
        return EVIDENCE_RANK[found.label]

    return max(tied, key=lambda c: (strength(c), keys[id(c)]))


def fastest_of(
    catalog: Catalog,
    evaluated: list[Candidate],
    workload: WorkloadName = "chat",
    grades: Grades | None = None,
) -> Candidate | None:
    """The headline rule alone: the fastest in VRAM at or above the floor, else the fastest in
    VRAM, else the fastest offload (at or above the floor first); None when nothing runs.
    ``grades``: the model's :class:`Grades` when the caller keeps one (a sweep of builds)."""
    if not evaluated:
        return None
    grades = grades or Grades(catalog, evaluated[0].config.model)
    return _fastest(grades, WORKLOADS[workload], evaluated)


def _fastest(grades: Grades, spec: WorkloadSpec, evaluated: list[Candidate]) -> Candidate | None:
    for verdicts in (IN_VRAM, ("offload",)):
        runs = [c for c in evaluated if c.estimate.verdict in verdicts]
        pool = [c for c in runs if grades.sound(c)] or runs
        if pool:
            tied = _fastest_only(spec, pool)
            if len(tied) == 1:
                return tied[0]
            return max(tied, key=lambda c: _speed_key(grades, spec, c))
    return None


def _fastest_only(spec: WorkloadSpec, pool: list[Candidate]) -> list[Candidate]:
    """The candidates of ``pool`` at the top speed (the first part of :func:`_speed_key`):
    the rest of the key is worked out only among them."""
    speeds = [round(getattr(c.estimate, spec.metric) or 0.0, 1) for c in pool]
    best = max(speeds)
    return [c for c, speed in zip(pool, speeds, strict=True) if speed == best]


def _answer(
    catalog: Catalog,
    spec: WorkloadSpec,
    name: str,
    cand: Candidate,
    floor: str,
    any_sound: bool,
    estimator: Estimator,
) -> Answer:
    metric = "aggregate throughput" if spec.metric == "aggregate_decode_tok_s" else "decode"
    why = {
        "fastest": f"The highest {metric} among setups that run in VRAM"
        + (
            f" at {floor} quality or better." if any_sound else " (none reaches the quality floor)."
        ),
        "easiest": f"The fastest one-command setup ({_easy_names(catalog)}) that runs in VRAM"
        + (f" at {floor} quality or better." if any_sound else "."),
        "most_precise": "The most precise quant that runs in VRAM"
        + (" at or above the quality floor" if any_sound else "")
        + ", on its fastest runtime.",
        "offload": "Nothing runs in VRAM; the fastest setup that keeps part of the model in "
        "system RAM.",
    }[name]
    evidence = label(catalog, cand.config, "decode_tok_s", cand.estimate, estimator)
    return Answer(name, cand.config, cand.estimate, evidence, why, _warnings(catalog, cand, floor))


def _easy_names(catalog: Catalog) -> str:
    return ", ".join(r.name for r in catalog.runtimes.values() if r.one_command)


def _warnings(catalog: Catalog, cand: Candidate, floor: str) -> tuple[str, ...]:
    found = []
    quant = cand.config.quant
    if not passes_floor(catalog, cand.config):
        found.append(
            f"{quant} loses more quality than {floor}: answers degrade noticeably; it is shown "
            "because no more precise quant runs here."
        )
    verdict, speed = cand.estimate.verdict, cand.estimate.decode_tok_s
    if verdict == "tight":
        found.append("Little memory is left: a longer context or another program may not fit.")
    if verdict == "offload":
        found.append("Part of the model runs from system RAM, which limits speed.")
    if speed is not None and speed < USABLE_CHAT_TOK_S:
        found.append("Slower than reading speed for chat.")
    return tuple(found)


def _verdict(evaluated: list[Candidate]) -> Verdict:
    """:attr:`Recommendation.verdict`: ``unsupported`` when every candidate is (or there are
    none), else ``no-fit``."""
    supported = any(c.estimate.verdict != "unsupported" for c in evaluated)
    return "no-fit" if supported else "unsupported"


def _reason(
    catalog: Catalog, evaluated: list[Candidate], answers: dict[str, Answer], verdict: Verdict
) -> str:
    """When nothing runs, why: the reason of the setup closest to fitting, or, when no setup is
    supported, that no runtime here loads the model (the closest would be an arbitrary one of
    many missing checkpoints)."""
    if answers or not evaluated:
        return "" if answers else "no runtime on this hardware loads this model"
    if verdict == "unsupported":
        name = catalog.models[evaluated[0].config.model].name
        return f"no runtime on this hardware loads any published checkpoint of {name}"
    closest = min(
        evaluated,
        key=lambda c: (
            c.estimate.verdict == "unsupported",
            precision_class(catalog, c.config),
            c.config.runtime,
        ),
    )
    reason = closest.estimate.reasons[0] if closest.estimate.reasons else closest.estimate.verdict
    return reason + _least_loadable(catalog, evaluated, closest)


def _least_loadable(catalog: Catalog, evaluated: list[Candidate], closest: Candidate) -> str:
    """``'; BF16 is the least precise quant a runtime here loads'`` when less precise quants
    were asked for but no runtime here loads them (no published checkpoint, or a format the
    platform lacks): the closest setup's memory need is then that quant's, not the model's at
    any precision (DeepSeek-V4-Flash "needs 144.7 GiB" of a 128 GB MacBook Pro in its own
    MXFP4, with no smaller GGUF or MLX checkpoint in the catalog). Empty otherwise."""
    least = precision_class(catalog, closest.config)
    smaller = any(
        c.estimate.verdict == "unsupported" and precision_class(catalog, c.config) < least
        for c in evaluated
    )
    if not smaller:
        return ""
    return f"; {closest.config.quant} is the least precise quant a runtime here loads"


def _speed_key(
    grades: Grades, spec: WorkloadSpec, c: Candidate
) -> tuple[float, float, int, int, str, str, str]:
    """Faster first (to 0.1 tok/s, what pages show); then more precise, the runtime's default
    split, the longest context that fits (headroom), and IDs for stability."""
    value = getattr(c.estimate, spec.metric) or 0.0
    default = 1 if c.config.split is None else 0
    return (
        round(value, 1),
        grades.klass(c),
        default,
        c.estimate.max_context,
        _desc(c.config.runtime),
        _desc(c.config.quant),
        _desc(c.config.split or ""),
    )


def _desc(text: str) -> str:
    """A key that sorts IDs alphabetically first under ``max``."""
    return "".join(chr(0x10FFFF - ord(ch)) for ch in text)


def precision(catalog: Catalog, config: Config) -> float:
    """The model's effective bits per weight in the config's quant, to 3 decimals."""
    model, quant = catalog.models[config.model], catalog.quants[config.quant]
    return round(effective_bits_per_weight(model, quant), 3)


def precision_class(catalog: Catalog, config: Config) -> float:
    """Precision to the nearest half bit: two files of nearly the same precision (gpt-oss in
    MXFP4 and in Q8_0) tie."""
    return math.floor(precision(catalog, config) * 2 + 0.5) / 2


def quality_loss_pct(quant: Quant) -> float | None:
    """The quant's recorded perplexity increase over 16-bit weights, percent (None when the
    catalog records none)."""
    return quant.ppl_delta_pct


def passes_floor(catalog: Catalog, config: Config) -> bool:
    """The quant loses no more quality than :data:`FLOOR_QUANT`, or it is the model's released
    precision (gpt-oss in MXFP4, DeepSeek-V3 in FP8). A quant with no recorded figure fails;
    a catalog that records no figure for the floor quant has no floor (everything passes)."""
    floor = _floor_loss(catalog)
    if floor is None:
        return True
    model, quant = catalog.models[config.model], catalog.quants[config.quant]
    if effective_bits_per_weight(model, quant) >= _released_bits(catalog, model) - 0.01:
        return True
    loss = quality_loss_pct(quant)
    return loss is not None and loss <= floor


RELEASED = {"fp8": "FP8", "mxfp4": "MXFP4", "mxfp4-fp8": "MXFP4", "int4-bf16": "INT4-MOE"}
"""The catalog quant that stores a model as released, by native dtype (else BF16): DeepSeek-V4's
MXFP4 experts and FP8 rest are MXFP4 capped at the native widths (shapes.NATIVE_BITS); Kimi
K2.6's INT4 experts and BF16 rest are INT4-MOE."""


def _released_bits(catalog: Catalog, model: Model) -> float:
    """Effective bits per weight of the released checkpoint."""
    quant = catalog.quants.get(RELEASED.get(model.native_dtype, "BF16"))
    return effective_bits_per_weight(model, quant) if quant else 16.0


def _floor_loss(catalog: Catalog) -> float | None:
    quant = catalog.quants.get(FLOOR_QUANT)
    return quality_loss_pct(quant) if quant else None


def _floor_name(catalog: Catalog) -> str:
    return FLOOR_QUANT if FLOOR_QUANT in catalog.quants else "the quality floor"


def weakness(recommendation: Recommendation) -> str:
    """Why a machine is bad at a model, or an empty string: nothing runs, or the headline
    answer decodes slower than :data:`USABLE_CHAT_TOK_S` (the one definition pages use)."""
    return weakness_of(recommendation.headline, recommendation.reason, recommendation.verdict)


NOTHING_RUNS = {"no-fit": "does not fit", "unsupported": "not supported"}
"""How :func:`weakness_of` opens when nothing runs, by :attr:`Recommendation.verdict`."""


def weakness_of(answer: Answer | None, reason: str, verdict: Verdict = "no-fit") -> str:
    """:func:`weakness` of a recommendation whose headline answer is ``answer`` and whose
    reason and verdict (when nothing runs) are ``reason`` and ``verdict``."""
    if answer is None:
        opening = NOTHING_RUNS[verdict]
        return f"{opening}: {reason}" if reason else opening
    speed = answer.evidence.value
    if speed is not None and speed < USABLE_CHAT_TOK_S:
        where = "with offload to system RAM" if answer.name == "offload" else "in VRAM"
        return f"{speed:.1f} tok/s at best ({answer.config.quant} {where}): slower than reading"
    return ""


def answers_of(recommendation: Recommendation) -> Iterator[Answer]:
    """The answers in their fixed order."""
    for name in ANSWERS:
        if name in recommendation.answers:
            yield recommendation.answers[name]
