"""``/hardware-combos/<slug>/``: the combo review, with every figure from the engine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from site_builder.engine import links
from site_builder.schema import Combo
from site_builder.schema.base import FailureMode
from site_builder.site import fmt, urls
from site_builder.site.context import FitRow, Link, combo_link, fit_row, runtime_link
from site_builder.site.costs import headline_price
from site_builder.site.guides import guides
from site_builder.site.pages import bench_rows, charts, combo_cost, combo_derived, combo_hardware
from site_builder.site.pages.combo_cost import CostSection
from site_builder.site.pages.combo_hardware import CardRow, Fact, SplitResult
from site_builder.site.pages.recommended import AnswerBlock, answer_blocks
from site_builder.site.picks import Pick, headlines
from site_builder.site.sitedata import Page, SiteData, combo_reads, named_only


@dataclass(frozen=True)
class RuntimeRow:
    runtime: Link
    rating: str
    notes: str


@dataclass(frozen=True)
class Related:
    combo: Link
    note: str
    compare: Link


@dataclass(frozen=True)
class ComboPage:
    """Everything the combo template shows."""

    slug: str
    name: str
    summary: str
    facts: list[Fact]
    topology_svg: str
    topology_notes: str
    cards: list[CardRow]
    interconnect: Fact
    interconnect_text: str
    network: Fact | None
    """The link between the machines, when the combo spans several."""
    network_text: str
    machines: int
    bandwidth_ratio: str
    p2p: bool
    splits: list[SplitResult]
    split_notes: list[tuple[str, str]]
    runtimes: list[RuntimeRow]
    pros: list[str]
    cons: list[str]
    classes: list[combo_derived.ClassRow]
    weaknesses: list[combo_derived.Weakness]
    who_should_avoid: list[str]
    power_notes: str
    thermal_notes: str
    reliability_notes: str
    psu: str
    os: list[str]
    failure_modes: list[FailureMode]
    answers: list[AnswerBlock]
    fits: list[FitRow]
    matrix: Link
    configure: str
    """The configurator preset to this combo (relative URL)."""
    headline: str
    split_subject: str
    memory_svg: str
    speed_svg: str
    measured: list[bench_rows.MeasuredRow]
    pending: list[bench_rows.PendingRow]
    related: list[Related]
    stacks: list[Link]
    guides: list[Link]
    cost: CostSection
    sources: list[str]


def pages(data: SiteData) -> Iterator[Page]:
    for slug, combo in data.catalog.combos.items():
        made = partial(get_context, data, slug, combo)
        reads, names = combo_reads(data.catalog, slug), named_only(data.catalog, slug)
        yield Page(urls.combo(slug), "combo.md.j2", made, reads, text=(slug,), names=names)


def get_context(data: SiteData, slug: str, combo: Combo) -> ComboPage:
    """Assemble the combo page from the catalog entry and the engine's results."""
    picks = headlines(data.results, slug)
    headline = data.results.worked_example(slug)
    estimate = headline.estimate if headline else None
    usable = combo_hardware.usable_gib(data, combo, estimate)
    link = data.catalog.interconnects[combo.interconnect]
    return ComboPage(
        slug=slug,
        name=combo.name,
        summary=combo.summary,
        facts=_facts(data, slug, combo_hardware.total(usable)),
        topology_svg=combo_hardware.topology(data, slug, combo),
        topology_notes=combo.topology_notes,
        cards=combo_hardware.card_rows(data, combo, estimate),
        interconnect=Fact(link.name, f"{link.bandwidth_gb_s:g} GB/s per direction"),
        interconnect_text=link.description,
        network=combo_hardware.network_fact(data, combo),
        network_text=data.catalog.interconnects[combo.network].description if combo.network else "",
        machines=combo.machines,
        bandwidth_ratio=_bandwidth_ratio(data, combo),
        p2p=combo.pcie_p2p,
        splits=combo_hardware.split_results(data, slug, combo, headline),
        split_notes=[(note.split, note.notes) for note in combo.split_strategies],
        runtimes=[
            RuntimeRow(runtime_link(data.catalog, r.runtime), r.rating, r.notes)
            for r in combo.runtimes
        ],
        pros=list(combo.pros),
        cons=list(combo.cons),
        classes=combo_derived.size_classes(data, slug),
        weaknesses=combo_derived.weaknesses(data, slug),
        who_should_avoid=list(combo.who_should_avoid),
        power_notes=combo.power_notes,
        thermal_notes=combo.thermal_notes,
        reliability_notes=combo.reliability_notes,
        psu=f"{fmt.watts(combo.psu_w)} W",
        os=list(combo.os),
        failure_modes=list(combo.failure_modes),
        answers=answer_blocks(data, slug, _asked_about(data, slug, headline)),
        fits=[fit_row(data.results, pick) for pick in _by_size(data, picks)],
        matrix=Link(f"Will it run on {combo.name}?", urls.link(urls.matrix(slug))),
        configure=urls.relative(urls.combo(slug), "configure.md", f"combo={slug}"),
        headline=_describe(data, headline),
        split_subject=_split_subject(data, headline),
        memory_svg=charts.memory(data, headline) if headline else "",
        speed_svg=charts.speed(data, headline) if headline else "",
        measured=bench_rows.measured_rows(data, slug),
        pending=bench_rows.pending_rows(data, slug),
        related=_related(data, slug, combo),
        stacks=[
            Link(stack.name, urls.link(urls.stack(s)))
            for s, stack in data.catalog.stacks.items()
            if stack.combo == slug
        ],
        guides=[
            Link(g.title, urls.link(g.relative)) for g in guides(data.content) if g.mentions(slug)
        ],
        cost=combo_cost.section(data, slug, combo_hardware.running_costs(data, combo, estimate)),
        sources=list(combo.sources),
    )


def _split_subject(data: SiteData, pick: Pick | None) -> str:
    if pick is None:
        return ""
    model = data.catalog.models[pick.query.model].name
    return f"{model} at {fmt.tokens(pick.query.context)} of context"


def _asked_about(data: SiteData, slug: str, headline: Pick | None) -> list[str]:
    """The models readers ask about on this combo: the worked example, then the models of its
    stacks and measured benchmarks (largest first), at most four."""
    catalog = data.catalog
    named = [s.workload.model for s in catalog.stacks.values() if s.combo == slug]
    named += [b.model for b in catalog.benchmarks.values() if b.combo == slug]
    ordered = sorted(set(named), key=lambda m: (-catalog.models[m].params_total_b, m))
    first = [headline.query.model] if headline else []
    return list(dict.fromkeys(first + ordered))[:4]


def _facts(data: SiteData, slug: str, usable: float | None) -> list[Fact]:
    combo = data.catalog.combos[slug]
    total = sum(data.catalog.gpus[g].vram_gib for g in combo.card_slugs())
    link = data.catalog.interconnects[combo.interconnect]
    each = " per machine" if combo.machines > 1 else ""
    facts = [
        Fact("Cards", combo_hardware.cards_text(data, combo)),
        Fact("VRAM", f"{fmt.gib(total)} GiB total, {fmt.gib(usable)} GiB usable"),
        Fact("Interconnect", f"{link.name} ({link.bandwidth_gb_s:g} GB/s per direction)"),
        Fact("Peer-to-peer", "yes" if combo.pcie_p2p else "no"),
        Fact("Board power", _power_text(data, combo)),
        Fact("Host", f"{combo.host.platform}, {combo.host.system_ram_gib:g} GiB RAM{each}"),
    ]
    network = combo_hardware.network_fact(data, combo)
    if network is not None:
        facts.insert(3, Fact("Network", f"{network.label} ({network.value})"))
    usd, text = headline_price(data.results.costs[slug][1])
    if usd is not None:
        facts.append(Fact("Price", text))
    return facts


def _board_power(data: SiteData, combo: Combo) -> float:
    """The cards' board power of one machine."""
    return sum(data.catalog.gpus[e.gpu].board_power_w * e.count for e in combo.gpus)


def _power_text(data: SiteData, combo: Combo) -> str:
    """The cards' board power and the PSU: of each machine, and of all of them when there are
    several (the figure the compare page and the power at load count)."""
    board, psu = fmt.watts(_board_power(data, combo)), fmt.watts(combo.psu_w)
    if combo.machines == 1:
        return f"{board} W; PSU {psu} W"
    total = fmt.watts(_board_power(data, combo) * combo.machines)
    return f"{board} W per machine, {total} W in all; PSU {psu} W per machine"


def _bandwidth_ratio(data: SiteData, combo: Combo) -> str:
    link = data.catalog.interconnects[combo.interconnect]
    memory = [data.catalog.gpus[e.gpu].mem_bandwidth_gb_s for e in combo.gpus]
    return f"{links.bandwidth_ratio(memory, link.bandwidth_gb_s):.0f}×"


def _by_size(data: SiteData, picks: dict[str, Pick]) -> list[Pick]:
    return sorted(
        picks.values(),
        key=lambda p: (-data.catalog.models[p.query.model].params_total_b, p.query.model),
    )


def _describe(data: SiteData, pick: Pick | None) -> str:
    if pick is None:
        return ""
    q = pick.query
    model, runtime = data.catalog.models[q.model].name, data.catalog.runtimes[q.runtime].name
    return f"{model} at {q.quant} on {runtime}, {fmt.tokens(q.context)} context"


def _related(data: SiteData, slug: str, combo: Combo) -> list[Related]:
    return [
        Related(
            combo=combo_link(data.catalog, r.combo),
            note=r.note,
            compare=Link(
                f"{combo.name} vs {data.catalog.combos[r.combo].name}",
                urls.link(urls.compare(slug, r.combo)),
            ),
        )
        for r in combo.related
    ]
