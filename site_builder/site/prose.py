"""The prose check: editorial text never hand-types a figure the engine computes.

Every tok/s figure, and every memory need in a sentence that names a model ("needs 42 GB"),
typed into ``content/`` or into the catalog's prose (benchmarks aside: their numbers are the
measurements) fails the build. When the sentence names a model and hardware (or sits in a
combo's or stack's file), the message says whether the figure contradicts the engine and the
measurements, and what they give instead; either way the fix is the same: let a template or
``{{ estimate(...) }}`` insert the figure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from site_builder.catalog import Catalog
from site_builder.engine import Estimate
from site_builder.engine.evidence import band
from site_builder.engine.names import short_gpu_name
from site_builder.errors import Problem, display_path
from site_builder.schema import Combo
from site_builder.site import fmt
from site_builder.site.claims import Claim, find_claims, mentioned, without_templates
from site_builder.site.picks import best
from site_builder.site.results import HEADLINE_CONTEXT, is_runnable
from site_builder.site.sitedata import SiteData

BITS_WORD = re.compile(r"\bq(\d)\b|\b(\d)[- ]?bit\b|\bint(\d)\b", re.IGNORECASE)
PROSE_KINDS = ("gpus", "interconnects", "models", "quants", "runtimes", "combos", "stacks")


@dataclass(frozen=True)
class Passage:
    """One file of editorial text and the combos and models it is about by default."""

    shown: str
    text: str
    combos: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    in_catalog: bool = False
    """A catalog file (shown as typed) rather than content Markdown (rendered by Jinja)."""


@dataclass(frozen=True)
class Span:
    """What the engine and the measurements give for the configurations a sentence names."""

    low: float
    high: float
    subject: str


def problems(data: SiteData, catalog_dir: Path) -> list[Problem]:
    """One problem per hand-typed engine figure in content and catalog prose."""
    names = Names.of(data.catalog)
    return [
        Problem(passage.shown, claim.line, claim.column, "", message)
        for passage in passages(data.catalog, data.content, catalog_dir)
        for claim in find_claims(passage.text)
        if (message := problem(data, names, passage, claim))
    ]


def combos_of(catalog: Catalog, names: Names, passage: Passage) -> set[str]:
    """The combos whose results :func:`problems` reads for ``passage``'s claims (every combo
    for a memory need naming a model and no hardware)."""
    found: set[str] = set()
    for claim in find_claims(passage.text):
        cell = asked(catalog, names, passage, claim)
        if cell is not None:
            found |= cell[0]
    return found


def passages(catalog: Catalog, content: Path, catalog_dir: Path) -> Iterator[Passage]:
    """Editorial Markdown (template expressions blanked) and catalog files with prose."""
    if content.is_dir():
        for path in sorted(content.rglob("*.md")):
            text = without_templates(path.read_text(encoding="utf-8"))
            yield Passage(display_path(path), text)
    for kind in PROSE_KINDS:
        for slug in getattr(catalog, kind):
            text = (catalog_dir / kind / f"{slug}.yaml").read_text(encoding="utf-8")
            combos, models = _defaults(catalog, kind, slug)
            yield Passage(catalog.paths[(kind, slug)], text, combos, models, in_catalog=True)


def _defaults(catalog: Catalog, kind: str, slug: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A combo's file is about that combo; a stack's about its combo and workload models."""
    if kind == "combos":
        return (slug,), ()
    if kind == "stacks":
        stack = catalog.stacks[slug]
        workloads = [stack.workload, *(v.workload for v in stack.variations)]
        return (stack.combo,), tuple(sorted({w.model for w in workloads}))
    return (), ()


FIX_CONTENT = "let the engine insert it ({{ estimate(...) }} in this Markdown)"
FIX_CATALOG = (
    "remove it: the page shows the engine's figure for the setup beside the text (catalog data "
    "is shown as typed; templates do not run in it)"
)


def problem(data: SiteData, names: Names, passage: Passage, claim: Claim) -> str | None:
    """Why ``claim`` fails the build, with the engine's figures when it can find them; None
    for a memory figure whose sentence names no model (a card's or a host's size)."""
    typed = f"'{claim.figure}' is typed by hand"
    fix = FIX_CATALOG if passage.in_catalog else FIX_CONTENT
    if claim.metric == "aggregate":
        return f"{typed}; speeds of several requests depend on the concurrency: {fix}"
    if claim.memory and not mentioned(claim.sentence, names.models):
        return None
    cell = asked(data.catalog, names, passage, claim)
    if cell is None:
        return f"{typed} and names no model and hardware combo the build can check: {fix}"
    combos, models = cell
    span = expected(data, names, claim, sorted(combos), sorted(models))
    if span is None:
        return f"{typed}, but the engine runs none of the configurations it names: {fix}"
    shown = SHOWN[claim.metric]
    given = f"{shown(span.low)}–{shown(span.high)} {UNITS[claim.metric]} for {span.subject}"
    if claim.high < span.low or claim.low > span.high:
        return f"{typed} and contradicts the engine and measurements ({given}): {fix}"
    return f"{typed} (the engine gives {given}): {fix}, so it stays true as the catalog changes"


def asked(
    catalog: Catalog, names: Names, passage: Passage, claim: Claim
) -> tuple[set[str], set[str]] | None:
    """The combos and models whose results ``claim`` is checked against: those its sentence
    names, else its passage's; None when it is checked against none (a speed of several
    requests, a memory figure naming no model, or no combo or model to check)."""
    if claim.metric == "aggregate":
        return None
    models = mentioned(claim.sentence, names.models)
    if claim.memory and not models:
        return None
    combos = mentioned(claim.sentence, names.combos) or set(passage.combos)
    models = models or set(passage.models)
    if claim.memory and not combos:
        combos = set(catalog.combos)  # a memory need holds on any hardware
    if not combos or not models:
        return None
    return combos, models


SHOWN = {
    "decode": fmt.tok_s,
    "prefill": fmt.tok_s,
    "aggregate": fmt.tok_s,
    "memory": fmt.gib,
    "ttft": fmt.ms,
}
"""How each metric's figures read in a message."""
UNITS = {
    "ttft": "ms time to first token",
    "decode": "tok/s decode",
    "prefill": "tok/s prefill",
    "memory": "GiB in all (cards and system RAM)",
}
MEMORY_TOLERANCE = 0.1
"""A typed memory need may round: within 10% of the engine's total it agrees (the engine's
own error against measured memory reports is a few percent, see the methodology page)."""


def expected(
    data: SiteData, names: Names, claim: Claim, combos: list[str], models: list[str]
) -> Span | None:
    """The lowest and highest figure the engine (with its range) and the measured benchmarks
    give for ``combos`` x ``models``: every configuration of the quants the sentence names, or,
    when it names none, the configuration the site shows (the best of the runtimes it names)."""
    runtimes = mentioned(claim.sentence, names.runtimes)
    quants = mentioned(claim.sentence, names.quants) | _bit_quants(data.catalog, claim.sentence)
    values: list[float] = []
    for combo in combos:
        for model in models:
            candidates = [
                (query, est)
                for query, est in data.results.for_cell(combo, model, HEADLINE_CONTEXT)
                if (not runtimes or query.runtime in runtimes)
                and (not quants or query.quant in quants)
                and is_runnable(est)
            ]
            if not quants:
                pick = best(data.catalog, candidates)
                candidates = [(pick.query, pick.estimate)] if pick else []
            for _, est in candidates:
                values += _estimated(est, claim.metric)
            values += _measured(data.catalog, combo, model, claim.metric)
    if not values:
        return None
    subject = " / ".join(data.catalog.models[m].name for m in models) + " on "
    subject += (
        " / ".join(data.catalog.combos[c].name for c in combos)
        if len(combos) < len(data.catalog.combos)
        else "any combo"
    )
    return Span(min(values), max(values), subject)


def _estimated(est: Estimate, metric: str) -> list[float]:
    """The engine's figure as its low/high band (prefill: the engine's
    :func:`~site_builder.engine.evidence.band`; memory: cards plus system RAM, within
    :data:`MEMORY_TOLERANCE`)."""
    if metric == "memory":
        total = est.memory.total_gib + est.memory.offload_gib
        return [total * (1 - MEMORY_TOLERANCE), total * (1 + MEMORY_TOLERANCE)]
    if est.decode_tok_s is None:
        return []
    if metric == "ttft":
        return list(est.ttft_ms_range or ([est.ttft_ms] if est.ttft_ms is not None else []))
    if metric == "decode":
        return list(est.decode_tok_s_range or (est.decode_tok_s, est.decode_tok_s))
    found = band(est, "prefill_tok_s")
    if found is None:
        return [est.prefill_tok_s] if est.prefill_tok_s is not None else []
    return list(found)


def _measured(catalog: Catalog, combo: str, model: str, metric: str) -> list[float]:
    wanted = {"memory": "vram_used_gib", "ttft": "ttft_ms"}.get(metric, f"{metric}_tok_s")
    return [
        result.value
        for bench in catalog.benchmarks.values()
        if bench.combo == combo and bench.model == model
        for result in bench.results
        if result.metric == wanted and result.concurrency == 1
    ]


def _bit_quants(catalog: Catalog, sentence: str) -> set[str]:
    """Quants of the bit width a sentence names ("Q4", "4-bit", "INT4")."""
    widths = {int(next(g for g in m.groups() if g)) for m in BITS_WORD.finditer(sentence)}
    return {
        slug
        for slug, quant in catalog.quants.items()
        if any(w <= quant.bits_per_weight < w + 1.2 for w in widths)
    }


@dataclass(frozen=True)
class Names:
    """What each model, combo, runtime and quant can be called in a sentence."""

    models: dict[str, list[str]]
    combos: dict[str, list[str]]
    runtimes: dict[str, list[str]]
    quants: dict[str, list[str]]

    @classmethod
    def of(cls, catalog: Catalog) -> Names:
        return cls(
            models={s: [s, *_variants(m.name)] for s, m in catalog.models.items()},
            combos={
                s: [s, *_variants(c.name), *_card_names(catalog, c)]
                for s, c in catalog.combos.items()
            },
            runtimes={s: [s, r.name] for s, r in catalog.runtimes.items()},
            quants={s: [s] for s in catalog.quants},
        )


SUFFIXES = (" instruct", " it", " chat")
COUNT_WORDS = {
    1: ("one", "a single", "single"),
    2: ("two", "dual", "2x", "2×", "2 x"),
    3: ("three", "triple", "3x", "3×"),
    4: ("four", "quad", "4x", "4×"),
    8: ("eight", "8x", "8×"),
}
"""How a sentence counts a combo's cards ("two RTX 4090s", "2x 3090", "a single 5090")."""


def _card_names(catalog: Catalog, combo: Combo) -> list[str]:
    """A one-GPU-model combo as a sentence counts its cards: "two RTX 4090s", "dual 4090",
    "2x RTX 4090", "a pair of 3090s", "a single RTX 5090" (the card's short name, with and
    without its series word)."""
    if len(combo.gpus) != 1:
        return []
    total = combo.gpus[0].count * combo.machines
    short = re.sub(r"\s*\([^)]*\)", "", short_gpu_name(catalog.gpus[combo.gpus[0].gpu].name))
    forms = {short, short.split(" ", 1)[-1]}
    out = []
    for word in COUNT_WORDS.get(total, ()):
        out += [f"{word} {form}{'s' if total > 1 else ''}" for form in forms]
        out += [f"{word} {form}" for form in forms]
    if total == 2:
        out += [f"pair of {form}s" for form in forms] + [f"{form} pair" for form in forms]
    return out


def _variants(name: str) -> list[str]:
    """A display name, without its parenthesis, maker prefix or chat-tuning suffix."""
    out = [name]
    bare = re.sub(r"\s*\([^)]*\)", "", name).strip()
    bare = re.sub(r"\s+v\d+(\.\d+)*$", "", bare)
    for suffix in SUFFIXES:
        if bare.lower().endswith(suffix):
            bare = bare[: -len(suffix)]
    out += [bare, bare.removeprefix("Meta ")]
    return out
