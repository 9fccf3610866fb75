"""The hardware sections of a combo page: header facts, topology, usable VRAM per card,
the interconnect and its measured-by-the-engine consequences, and cost figures."""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.engine import Estimate, power
from site_builder.engine.config import DEFAULT_USD_PER_KWH
from site_builder.engine.evidence import estimated_label
from site_builder.engine.names import short_gpu_name
from site_builder.engine.plan import network_of, slowest_slot
from site_builder.schema import Combo
from site_builder.schema.combo import Slot
from site_builder.site import fmt
from site_builder.site.context import Link, gpu_link, reason, runtime_link
from site_builder.site.picks import Pick
from site_builder.site.sitedata import SiteData
from site_builder.site.svg.topology import Card, Topology, topology_chart

PRICE_PER_KWH_USD = DEFAULT_USD_PER_KWH
"""Electricity price of running costs: the engine's (stated on the methodology page)."""


@dataclass(frozen=True)
class CardRow:
    """Capacity, engine reserve (CUDA context and runtime overhead) and usable memory."""

    index: int
    gpu: Link
    capacity: str
    reserve: str
    usable: str


@dataclass(frozen=True)
class SplitResult:
    """The headline model's best configuration under one split strategy."""

    split: str
    runtime: Link
    quant: str
    verdict: str
    decode: str
    prefill: str
    reason: str
    label: str = "estimated"
    """Evidence label of the decode figure (estimated or uncalibrated)."""
    prefill_label: str = "estimated"
    """Evidence label of the prefill figure."""


@dataclass(frozen=True)
class Fact:
    """A label and a formatted value."""

    label: str
    value: str
    evidence: str = "estimated"
    """The figure's evidence label where it is an engine figure (see :mod:`engine.evidence`)."""


def cards(data: SiteData, combo: Combo) -> list[str]:
    """GPU slug of each card, card 0 first."""
    return list(combo.card_slugs())


def cards_text(data: SiteData, combo: Combo) -> str:
    """``2× NVIDIA GeForce RTX 4090``; across machines ``2 machines, each 8× NVIDIA H100``."""
    one = " + ".join(f"{e.count}× {data.catalog.gpus[e.gpu].name}" for e in combo.gpus)
    return one if combo.machines == 1 else f"{combo.machines} machines, each {one}"


def usable_gib(data: SiteData, combo: Combo, headline: Estimate | None) -> list[float | None]:
    """Usable VRAM of each card: capacity minus the engine's per-card reserve."""
    per_gpu = headline.memory.per_gpu if headline else ()
    return [
        per_gpu[i].capacity_gib - per_gpu[i].overhead_gib if i < len(per_gpu) else None
        for i in range(len(cards(data, combo)))
    ]


def card_rows(data: SiteData, combo: Combo, headline: Estimate | None) -> list[CardRow]:
    """One row per card: capacity, reserve and usable VRAM."""
    per_gpu = headline.memory.per_gpu if headline else ()
    usable = usable_gib(data, combo, headline)
    rows = []
    for i, slug in enumerate(cards(data, combo)):
        reserve = per_gpu[i].overhead_gib if i < len(per_gpu) else None
        capacity = fmt.gib(data.catalog.gpus[slug].vram_gib)
        link = gpu_link(data.catalog, slug)
        rows.append(CardRow(i, link, capacity, fmt.gib(reserve), fmt.gib(usable[i])))
    return rows


def total(values: list[float | None]) -> float | None:
    """Sum of the values, or None if any is unknown."""
    known = [v for v in values if v is not None]
    return sum(known) if values and len(known) == len(values) else None


def topology(data: SiteData, slug: str, combo: Combo) -> str:
    """The topology SVG of a combo."""
    link = data.catalog.interconnects[combo.interconnect]
    slot = link.name if link.kind == "pcie" else None
    one = [e.gpu for e in combo.gpus for _ in range(e.count)]
    slots = [_slot(data, s) for s in combo.slots] if combo.slots else [slot] * len(one)
    drawn = [_card(data, gpu, wired) for gpu, wired in zip(one, slots, strict=True)]
    fact = network_fact(data, combo)
    network = fact.label if fact else ""
    name, speed = link.name, link.bandwidth_gb_s
    slowest = slowest_slot(data.catalog, combo) if link.kind == "pcie" else None
    if slowest is not None:
        name, speed = f"slowest slot {slowest[0]}", slowest[1]
    topo = Topology(
        combo.host.platform,
        drawn,
        link.kind,
        name,
        speed,
        combo.pcie_p2p,
        combo.machines,
        network,
    )
    return topology_chart(f"topology-{slug}", f"Topology of {combo.name}", topo)


def network_fact(data: SiteData, combo: Combo) -> Fact | None:
    """The link between the combo's machines and its speed, as the engine sees it
    (:func:`~site_builder.engine.plan.network_of`), when it spans several."""
    net = network_of(data.catalog, combo)
    if net is None:
        return None
    speed = f"{net.bandwidth_gb_s:g} GB/s per direction"
    return Fact(net.name, f"{speed}, {net.latency_us:g} µs latency")


def _slot(data: SiteData, slot: Slot) -> str:
    """A card's slot as drawn: ``PCIe 4.0 x4 · chipset``."""
    return f"{data.catalog.interconnects[slot.link].name} · {slot.via}"


def _card(data: SiteData, slug: str, slot: str | None) -> Card:
    """A card as drawn; its host link is the combo's PCIe slot wiring when that is the link."""
    gpu = data.catalog.gpus[slug]
    native = f"PCIe {gpu.pcie_gen}.0 x{gpu.pcie_lanes}" if gpu.pcie_gen and gpu.pcie_lanes else ""
    return Card(short_gpu_name(gpu.name), gpu.vram_gib, slot or native or "on-package")


def split_results(data: SiteData, slug: str, combo: Combo, pick: Pick | None) -> list[SplitResult]:
    """The worked example's model under each split strategy the combo lists: the recommender's
    headline rule among its candidates of that split (worked out in the evaluate stage,
    :func:`~site_builder.site.picks.split_choices`)."""
    if pick is None or len(cards(data, combo)) < 2:
        return []
    chosen_by_split = data.results.splits[slug]
    rows = []
    for note in combo.split_strategies:
        chosen = chosen_by_split.get(note.split)
        if chosen is None:
            continue
        estimate = chosen.estimate
        rows.append(
            SplitResult(
                note.split,
                runtime_link(data.catalog, chosen.config.runtime),
                chosen.config.quant,
                estimate.verdict,
                fmt.tok_s(estimate.decode_tok_s),
                fmt.tok_s(estimate.prefill_tok_s),
                "" if estimate.verdict in ("fits", "tight") else reason(estimate),
                estimated_label(estimate, "decode_tok_s"),
                estimated_label(estimate, "prefill_tok_s"),
            )
        )
    return rows


def running_costs(data: SiteData, combo: Combo, headline: Estimate | None) -> list[Fact]:
    """Power and electricity of the headline configuration, and the cards' idle draw."""
    return _running_facts(headline) + _idle_facts(data, combo)


def _running_facts(headline: Estimate | None) -> list[Fact]:
    if headline is None or headline.power_w is None:
        return []
    hourly = power.energy_cost_usd(headline.power_w, 1, PRICE_PER_KWH_USD)
    facts = [
        Fact("GPU power at load (headline configuration)", f"{fmt.watts(headline.power_w)} W"),
        Fact(
            f"Electricity per hour at load (at {fmt.usd(PRICE_PER_KWH_USD)}/kWh)", fmt.usd(hourly)
        ),
    ]
    if headline.cost_per_million_tokens_usd is not None:
        per_million = fmt.usd(headline.cost_per_million_tokens_usd)
        facts.append(Fact("Electricity per million generated tokens", per_million))
    return facts


def _idle_facts(data: SiteData, combo: Combo) -> list[Fact]:
    watts = power.idle_power_w([data.catalog.gpus[g] for g in cards(data, combo)])
    yearly = fmt.usd(power.energy_cost_usd(watts, power.HOURS_PER_YEAR, PRICE_PER_KWH_USD))
    return [Fact("Idle draw of the cards", f"{fmt.watts(watts)} W ({yearly} per year)")]
