"""Context pieces shared by several page families: links, fit rows, card memory rows."""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.catalog import Catalog
from site_builder.engine import Estimate
from site_builder.site import evidence, fmt, urls
from site_builder.site.evidence import Shown
from site_builder.site.picks import Pick, floor_note
from site_builder.site.results import Query, Results


@dataclass(frozen=True)
class Link:
    """Link text (raw, escaped by the template) and its Markdown target."""

    text: str
    href: str


@dataclass(frozen=True)
class FitRow:
    """One model on one combo in a will-it-run table."""

    model: Link
    size: str
    quant: str
    runtime: Link
    split: str
    warning: str
    verdict: str
    decode: Shown
    memory: str
    max_context: str
    detail: Link
    reason: str


def model_size(catalog: Catalog, slug: str) -> str:
    """``71B``, ``8B`` or ``31B (3.3B active)``."""
    model = catalog.models[slug]
    active = f" ({fmt.params(model.params_active_b)} active)" if model.params_active_b else ""
    return f"{fmt.params(model.params_total_b)}{active}"


def runtime_link(catalog: Catalog, slug: str) -> Link:
    return Link(catalog.runtimes[slug].name, urls.link(urls.runtime(slug)))


def model_link(catalog: Catalog, slug: str) -> Link:
    return Link(catalog.models[slug].name, urls.link(urls.model(slug)))


def gpu_link(catalog: Catalog, slug: str) -> Link:
    return Link(catalog.gpus[slug].name, urls.link(urls.gpu(slug)))


def combo_link(catalog: Catalog, slug: str) -> Link:
    return Link(catalog.combos[slug].name, urls.link(urls.combo(slug)))


def per_card(estimate: Estimate) -> str:
    """Memory used on each card, ``21.3 + 21.0 GiB`` (a dash when nothing was placed)."""
    cards = estimate.memory.per_gpu
    if not cards:
        return fmt.DASH
    return " + ".join(fmt.gib(card.total_gib) for card in cards) + " GiB"


def reason(estimate: Estimate) -> str:
    """The engine's first reason, or an empty string."""
    return estimate.reasons[0] if estimate.reasons else ""


def fit_row(results: Results, pick: Pick) -> FitRow:
    """The will-it-run row of a chosen configuration."""
    query, estimate, catalog = pick.query, pick.estimate, results.catalog
    return FitRow(
        model=model_link(catalog, query.model),
        size=model_size(catalog, query.model),
        quant=query.quant,
        runtime=runtime_link(catalog, query.runtime),
        split=split_words(estimate.split, catalog.combos[query.combo].cards()),
        warning=floor_note(catalog, pick),
        verdict=estimate.verdict,
        decode=decode_shown(results, query, estimate),
        memory=per_card(estimate),
        max_context=fmt.tokens(estimate.max_context) if estimate.max_context else fmt.DASH,
        detail=Link("details", urls.link(urls.matrix(query.combo), urls.anchor(query.model))),
        reason=reason(estimate),
    )


def split_words(split: str, gpus: tuple[tuple[str, int], ...]) -> str:
    """``tensor split`` on several cards, empty on one."""
    return f"{split} split" if sum(n for _, n in gpus) > 1 else ""


def decode_shown(results: Results, query: Query, estimate: Estimate) -> Shown:
    """The decode figure of a result with its evidence label."""
    return evidence.decode(results, query, estimate)
