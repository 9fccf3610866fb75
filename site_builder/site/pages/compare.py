"""``/compare/<a>-vs-<b>/``: two related combos side by side, and the ``/compare/`` index."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from site_builder.site import fmt, urls
from site_builder.site.context import Link, combo_link, decode_shown, model_link
from site_builder.site.evidence import Shown
from site_builder.site.pages import Page, SiteData, combo_hardware
from site_builder.site.pages.combo import headline_pick
from site_builder.site.picks import best_per_model


@dataclass(frozen=True)
class SpecRow:
    label: str
    a: str
    b: str


@dataclass(frozen=True)
class ModelRow:
    model: Link
    a_verdict: str
    a_decode: Shown | None
    a_quant: str
    b_verdict: str
    b_decode: Shown | None
    b_quant: str


@dataclass(frozen=True)
class ComparePage:
    a: Link
    b: Link
    notes: list[str]
    specs: list[SpecRow]
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
    picks_a = best_per_model(catalog, data.results, a)
    picks_b = best_per_model(catalog, data.results, b)
    models = []
    for model in sorted(catalog.models, key=lambda m: (-catalog.models[m].params_total_b, m)):
        pa, pb = picks_a.get(model), picks_b.get(model)
        models.append(
            ModelRow(
                model_link(catalog, model),
                pa.estimate.verdict if pa else "unsupported",
                decode_shown(data.results, pa.query, pa.estimate) if pa else None,
                pa.query.quant if pa else "",
                pb.estimate.verdict if pb else "unsupported",
                decode_shown(data.results, pb.query, pb.estimate) if pb else None,
                pb.query.quant if pb else "",
            )
        )
    return ComparePage(
        combo_link(catalog, a), combo_link(catalog, b), notes, _specs(data, a, b), models
    )


def _specs(data: SiteData, a: str, b: str) -> list[SpecRow]:
    columns = [_spec_values(data, slug) for slug in (a, b)]
    labels = list(columns[0])
    return [SpecRow(label, columns[0][label], columns[1][label]) for label in labels]


def _spec_values(data: SiteData, slug: str) -> dict[str, str]:
    combo = data.catalog.combos[slug]
    pick = headline_pick(data, best_per_model(data.catalog, data.results, slug))
    estimate = pick.estimate if pick else None
    usable = combo_hardware.total(combo_hardware.usable_gib(data, combo, estimate))
    gpus = combo_hardware.cards(data, combo)
    link = data.catalog.interconnects[combo.interconnect]
    return {
        "Cards": " + ".join(f"{e.count}× {data.catalog.gpus[e.gpu].name}" for e in combo.gpus),
        "Total VRAM": f"{fmt.gib(sum(data.catalog.gpus[g].vram_gib for g in gpus))} GiB",
        "Usable VRAM": f"{fmt.gib(usable)} GiB",
        "Interconnect": f"{link.name}, {link.bandwidth_gb_s:g} GB/s",
        "Peer-to-peer": "yes" if combo.pcie_p2p else "no",
        "Board power": f"{fmt.watts(sum(data.catalog.gpus[g].board_power_w for g in gpus))} W",
        "Price": fmt.usd(combo.price.total_usd) if combo.price else fmt.DASH,
    }
