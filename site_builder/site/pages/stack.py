"""``/stacks/<slug>/``: a deployment recipe whose expected outcome is the engine's result for
exactly the stack's workload on its combo (and for each variation)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from site_builder.catalog import Catalog
from site_builder.engine import Estimate
from site_builder.engine.evidence import as_shown, estimated_label
from site_builder.engine.recommend import Candidate
from site_builder.schema import Stack, Workload
from site_builder.schema.base import FailureMode, Troubleshooting
from site_builder.schema.stack import Check, Step
from site_builder.site import evidence, fmt, urls
from site_builder.site.context import Link, combo_link, model_link, per_card, runtime_link
from site_builder.site.evidence import Shown
from site_builder.site.pages import bench_rows, charts
from site_builder.site.pages.combo_hardware import Fact
from site_builder.site.pages.recommended import AnswerBlock, answer_block
from site_builder.site.picks import Pick
from site_builder.site.results import Query, config_for, workload_query
from site_builder.site.sitedata import Page, SiteData, combo_reads, named_only

_COMPONENT_URL = {"hardware": urls.gpu, "runtime": urls.runtime, "model": urls.model}


@dataclass(frozen=True)
class ComponentRow:
    kind: str
    name: str
    link: str | None
    role: str
    notes: str


@dataclass(frozen=True)
class Outcome:
    """The engine's result for one workload, formatted."""

    title: str
    model: Link
    quant: str
    runtime: Link
    split: str
    context: str
    concurrency: int
    verdict: str
    reasons: list[str]
    decode: Shown
    figures: list[Fact]
    launch_command: str
    assumptions: list[str]


@dataclass(frozen=True)
class VariationBlock:
    name: str
    description: str
    outcome: Outcome


@dataclass(frozen=True)
class StackPage:
    slug: str
    name: str
    summary: str
    combo: Link
    matrix: Link
    os: str
    hardware_required: list[str]
    components: list[ComponentRow]
    steps: list[Step]
    verification: list[Check]
    outcome: Outcome
    memory_svg: str
    measured: list[bench_rows.MeasuredRow]
    power_notes: list[str]
    failure_modes: list[FailureMode]
    troubleshooting: list[Troubleshooting]
    variations: list[VariationBlock]
    recommended: AnswerBlock
    who_should_avoid: list[str]
    sources: list[str]


@dataclass(frozen=True)
class StackEntry:
    stack: Link
    combo: Link
    summary: str
    outcome: Outcome


def pages(data: SiteData) -> Iterator[Page]:
    """A page per stack, reading what its combo's page reads (:func:`combo_reads`: the live
    preview keeps it while they are unchanged) but no combo's editorial text, and the index,
    reading those of every stack."""
    catalog = data.catalog
    everyone: dict[str, None] = {}
    for slug, stack in catalog.stacks.items():
        reads, names = combo_reads(catalog, stack.combo), named_only(catalog, stack.combo)
        everyone.update(dict.fromkeys(reads))
        made = partial(get_context, data, slug, stack)
        yield Page(urls.stack(slug), "stack.md.j2", made, reads, text=(), names=names)
    index = partial(_entries, data)
    yield Page(urls.index("stacks"), "stack_index.md.j2", index, tuple(everyone), text=())


def _entries(data: SiteData) -> list[StackEntry]:
    """The index's row of every stack."""
    return [
        StackEntry(
            Link(stack.name, urls.link(urls.stack(slug))),
            combo_link(data.catalog, stack.combo),
            stack.summary,
            outcome(data, stack.combo, stack.workload, "Expected outcome"),
        )
        for slug, stack in data.catalog.stacks.items()
    ]


def planned(catalog: Catalog) -> Iterator[Query]:
    """Every stack's workload and variations, exactly as stated."""
    for stack in catalog.stacks.values():
        for workload in (stack.workload, *(v.workload for v in stack.variations)):
            yield workload_query(stack.combo, workload)


def get_context(data: SiteData, slug: str, stack: Stack) -> StackPage:
    query = workload_query(stack.combo, stack.workload)
    estimate = data.results.get(query)
    return StackPage(
        slug=slug,
        name=stack.name,
        summary=stack.summary,
        combo=combo_link(data.catalog, stack.combo),
        matrix=Link(
            f"Will it run on {data.catalog.combos[stack.combo].name}?",
            urls.link(urls.matrix(stack.combo)),
        ),
        os=stack.os,
        hardware_required=list(stack.hardware_required),
        components=[_component(c.kind, c.ref, c.name, c.role, c.notes) for c in stack.components],
        steps=list(stack.steps),
        verification=list(stack.verification),
        outcome=outcome(data, stack.combo, stack.workload, "Expected outcome"),
        memory_svg=charts.memory(data, Pick(query, estimate)),
        measured=[
            row
            for row in bench_rows.measured_rows(data, stack.combo)
            if _same_setup(data, row.anchor, stack.workload)
        ],
        power_notes=list(stack.power_notes),
        failure_modes=list(stack.failure_modes),
        troubleshooting=list(stack.troubleshooting),
        variations=[
            VariationBlock(v.name, v.description, outcome(data, stack.combo, v.workload, v.name))
            for v in stack.variations
        ],
        recommended=answer_block(data, stack.combo, stack.workload.model),
        who_should_avoid=list(stack.who_should_avoid),
        sources=list(stack.sources),
    )


def outcome(data: SiteData, combo: str, workload: Workload, title: str) -> Outcome:
    """The engine's result for ``workload`` on ``combo``."""
    query = workload_query(combo, workload)
    estimate = data.results.get(query)
    chosen = Candidate(config_for(data.catalog, query), estimate)
    shown = as_shown(estimate, evidence.decode_evidence(data.results, chosen))
    return Outcome(
        title=title,
        model=model_link(data.catalog, workload.model),
        quant=workload.quant,
        runtime=runtime_link(data.catalog, workload.runtime),
        split=estimate.split,
        context=fmt.tokens(workload.context_tokens),
        concurrency=workload.concurrency,
        verdict=estimate.verdict,
        reasons=list(estimate.reasons),
        decode=evidence.decode(data.results, query, estimate),
        figures=_figures(shown, query),  # energy per token over the speed shown
        launch_command=estimate.launch_command,
        assumptions=list(estimate.assumptions),
    )


def _figures(estimate: Estimate, query: Query) -> list[Fact]:
    def kind(metric: str) -> str:
        return estimated_label(estimate, metric)

    prompt, concurrency = f"{query.prompt:,}-token prompt", query.concurrency
    facts = [
        Fact(
            f"Prefill ({prompt})",
            f"{fmt.tok_s(estimate.prefill_tok_s)} tok/s",
            kind("prefill_tok_s"),
        ),
        Fact(f"Time to first token ({prompt})", f"{fmt.ms(estimate.ttft_ms)} ms", kind("ttft_ms")),
    ]
    if concurrency > 1:
        facts += [
            Fact(
                f"Aggregate decode, {concurrency} concurrent",
                f"{fmt.tok_s(estimate.aggregate_decode_tok_s)} tok/s",
                kind("aggregate_decode_tok_s"),
            ),
            Fact(
                "Decode per user",
                f"{fmt.tok_s(estimate.per_user_decode_tok_s)} tok/s",
                kind("aggregate_decode_tok_s"),
            ),
            Fact(
                f"Output over a serving run, prefill included ({concurrency} requests at a "
                f"time, {query.prompt:,} tokens in and {query.gen:,} out each)",
                f"{fmt.tok_s(estimate.output_tok_s)} tok/s",
                kind("output_tok_s"),
            ),
        ]
    facts += [
        Fact("Memory per card", per_card(estimate)),
        Fact(
            "Largest context that fits",
            fmt.tokens(estimate.max_context) if estimate.max_context else fmt.DASH,
        ),
        Fact("GPU power at load", f"{fmt.watts(estimate.power_w)} W", kind("power_w")),
        Fact(
            "Energy per generated token",
            f"{fmt.num(estimate.joules_per_token, 2)} J",
            kind("power_w"),
        ),
    ]
    return facts


def _component(kind: str, ref: str | None, name: str, role: str, notes: str) -> ComponentRow:
    maker = _COMPONENT_URL.get(kind)
    link = urls.link(maker(ref)) if maker and ref else None
    return ComponentRow(kind, name, link, role, notes)


def _same_setup(data: SiteData, anchor: str, workload: Workload) -> bool:
    for slug, bench in data.catalog.benchmarks.items():
        if urls.anchor(slug) == anchor:
            return (bench.model, bench.quant, bench.runtime) == (
                workload.model,
                workload.quant,
                workload.runtime,
            )
    return False
