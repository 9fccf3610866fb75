"""``/compare/<a>-vs-<b>/``: two related combos side by side, and the ``/compare/`` index."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from site_builder.catalog import Catalog
from site_builder.engine.recommend import (
    IN_VRAM,
    Answer,
    Candidate,
    fastest_of,
    passes_floor,
    precision_class,
)
from site_builder.site import fmt, urls
from site_builder.site.context import Link, combo_link, decode_shown
from site_builder.site.evidence import Shown
from site_builder.site.fragments import Fragment
from site_builder.site.pages import combo_hardware
from site_builder.site.picks import FLOOR_NOTE, headline_pick
from site_builder.site.results import query_of
from site_builder.site.sitedata import Page, SiteData

RUNS = ("fits", "tight", "offload")


@dataclass(frozen=True)
class SpecRow:
    label: str
    a: str
    b: str


@dataclass(frozen=True)
class Side:
    """One combo's result for a model: verdict, decode with evidence, runtime and quant."""

    verdict: str
    decode: Shown | None
    runtime: Link | None
    quant: str
    warning: str = ""


@dataclass(frozen=True)
class ModelRow:
    """A model on both combos: at one shared quant, then each side's fastest answer."""

    model: Link
    quant: str
    a_same: Side
    b_same: Side
    a_best: Side
    b_best: Side


@dataclass(frozen=True)
class ComparePage:
    a: Link
    b: Link
    notes: list[str]
    specs: list[SpecRow]
    table: str
    """Placeholder of the models table fragment (:func:`fragments`)."""


@dataclass(frozen=True)
class ModelsTable:
    """The context of a compare page's models table (an HTML fragment: a large table that
    needs no Markdown); links are relative to the page."""

    a: Link
    b: Link
    models: list[ModelRow]


@dataclass(frozen=True)
class CompareIndex:
    pairs: list[tuple[Link, str]]


def pairs(data: SiteData) -> list[tuple[str, str]]:
    """Every related pair once, sorted."""
    found = {
        tuple(sorted((slug, related.combo)))
        for slug, combo in data.catalog.combos.items()
        for related in combo.related
        if related.combo != slug
    }
    return sorted((a, b) for a, b in found)


def pages(data: SiteData) -> Iterator[Page]:
    index = []
    for a, b in pairs(data):
        context = get_context(data, a, b)
        index.append(
            (Link(f"{context.a.text} vs {context.b.text}", urls.link(urls.compare(a, b))), "")
        )
        yield Page(urls.compare(a, b), "compare.md.j2", context)
    yield Page(urls.index("compare"), "compare_index.md.j2", CompareIndex(index))


def get_context(data: SiteData, a: str, b: str) -> ComparePage:
    catalog = data.catalog
    notes = [
        f"{catalog.combos[y].name}: {r.note}"
        for x, y in ((a, b), (b, a))
        for r in catalog.combos[x].related
        if r.combo == y
    ]
    placeholder = Fragment(_table_key(a, b), "", None).placeholder
    return ComparePage(
        combo_link(catalog, a), combo_link(catalog, b), notes, _specs(data, a, b), placeholder
    )


def fragments(data: SiteData) -> Iterator[Fragment]:
    """Each compare page's models table."""
    catalog = data.catalog
    by_size = sorted(catalog.models, key=lambda m: (-catalog.models[m].params_total_b, m))
    for a, b in pairs(data):
        page = urls.compare(a, b)
        models = [_model_row(data, a, b, model, page) for model in by_size]
        first, second = (
            Link(catalog.combos[s].name, urls.relative(page, urls.combo(s))) for s in (a, b)
        )
        table = ModelsTable(first, second, models)
        yield Fragment(_table_key(a, b), "compare_table.html.j2", table)


def _table_key(a: str, b: str) -> str:
    return f"compare/{a}-vs-{b}"


def _model_row(data: SiteData, a: str, b: str, model: str, page: str) -> ModelRow:
    recs = [data.results.recommendation(slug, model) for slug in (a, b)]
    quant = shared_quant(data.catalog, recs[0].candidates, recs[1].candidates)
    same = [_side(data, _at(data, r.candidates, quant), page) for r in recs]
    best = [_side(data, _answer(r.headline), page) for r in recs]
    link = Link(data.catalog.models[model].name, urls.relative(page, urls.model(model)))
    return ModelRow(link, quant or "", same[0], same[1], best[0], best[1])


def shared_quant(catalog: Catalog, a: Sequence[Candidate], b: Sequence[Candidate]) -> str | None:
    """The quant both combos are compared at: one both run, preferring a quant at or above the
    quality floor, then one both hold in VRAM, then the most precise."""
    runs = [{c.config.quant: c for c in side if c.estimate.verdict in RUNS} for side in (a, b)]
    both = sorted(set(runs[0]) & set(runs[1]))
    if not both:
        return None

    def key(quant: str) -> tuple[bool, int, float]:
        pair = (runs[0][quant], runs[1][quant])
        vram = sum(c.estimate.verdict in IN_VRAM for c in pair)
        return passes_floor(catalog, pair[0].config), vram, precision_class(catalog, pair[0].config)

    return max(both, key=key)


def _at(data: SiteData, candidates: Sequence[Candidate], quant: str | None) -> Candidate | None:
    """The headline rule among one side's candidates of ``quant``."""
    pool = [c for c in candidates if c.config.quant == quant]
    return fastest_of(data.catalog, pool)


def _answer(answer: Answer | None) -> Candidate | None:
    return Candidate(answer.config, answer.estimate) if answer else None


def _side(data: SiteData, chosen: Candidate | None, page: str) -> Side:
    if chosen is None:
        return Side("no-fit", None, None, "")
    query = query_of(chosen.config)
    decode = decode_shown(data.results, query, chosen.estimate)
    slug = chosen.config.runtime
    runtime = Link(data.catalog.runtimes[slug].name, urls.relative(page, urls.runtime(slug)))
    note = "" if passes_floor(data.catalog, chosen.config) else FLOOR_NOTE
    return Side(chosen.estimate.verdict, decode, runtime, chosen.config.quant, note)


def _specs(data: SiteData, a: str, b: str) -> list[SpecRow]:
    columns = [_spec_values(data, slug) for slug in (a, b)]
    labels = list(columns[0])
    return [SpecRow(label, columns[0][label], columns[1][label]) for label in labels]


def _spec_values(data: SiteData, slug: str) -> dict[str, str]:
    combo = data.catalog.combos[slug]
    pick = headline_pick(data.results, slug)
    estimate = pick.estimate if pick else None
    usable = combo_hardware.total(combo_hardware.usable_gib(data, combo, estimate))
    gpus = combo_hardware.cards(data, combo)
    link = data.catalog.interconnects[combo.interconnect]
    return {
        "Cards": combo_hardware.cards_text(data, combo),
        "Total VRAM": f"{fmt.gib(sum(data.catalog.gpus[g].vram_gib for g in gpus))} GiB",
        "Usable VRAM": f"{fmt.gib(usable)} GiB",
        "Interconnect": f"{link.name}, {link.bandwidth_gb_s:g} GB/s",
        "Peer-to-peer": "yes" if combo.pcie_p2p else "no",
        "Board power": f"{fmt.watts(sum(data.catalog.gpus[g].board_power_w for g in gpus))} W",
        "Price": fmt.usd(combo.price.total_usd) if combo.price else fmt.DASH,
    }
