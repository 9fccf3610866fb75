"""``/will-it-run/`` (the hardware groups), ``/will-it-run/hardware/<group>/`` (models x the
group's combos) and ``/will-it-run/<combo>/`` (models x context).

Combos are grouped by kind (one card, several cards, datacenter servers, unified memory,
several machines) in tables of at most :data:`GROUP_SIZE` combos, so a table stays readable on
a phone and no page grows with the number of combos.

Each cell names its verdict in words and colour and links to its details: global cells to the
model's row on the combo's matrix, combo cells to the configurator preset to that cell. A
combo's matrix leads with what runs: each model at the engine's recommended setup at every
context length, every other runtime, quant and split one click away in the configurator.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial

from site_builder.catalog import Catalog
from site_builder.engine import names
from site_builder.site import fmt, urls
from site_builder.site.context import (
    Link,
    combo_link,
    decode_shown,
    model_link,
    model_size,
    reason,
)
from site_builder.site.fragments import Fragment
from site_builder.site.picks import Pick, floor_note, headline_contexts, headlines
from site_builder.site.results import CONTEXTS, HEADLINE_CONTEXT, Query, Results, in_vram, rank
from site_builder.site.sitedata import Page, SiteData, combo_reads, named_only


@dataclass(frozen=True)
class Cell:
    """One matrix cell: verdict, speed text, a link, a tooltip, the quant and the evidence."""

    verdict: str
    text: str
    href: str
    tip: str
    quant: str = ""
    label: str = "estimated"


@dataclass(frozen=True)
class MatrixRow:
    model: Link
    size: str
    cells: list[Cell]


@dataclass(frozen=True)
class GlobalMatrix:
    title: str
    combos: list[Link]
    rows: list[MatrixRow]
    context: str
    table: str
    """Placeholder of the matrix table fragment."""


@dataclass(frozen=True)
class GroupPage:
    """A group's page around its table (the fragment of :func:`group_context`)."""

    title: str
    context: str
    table: str
    """Placeholder of the matrix table fragment."""


def group_page(group: Group) -> GroupPage:
    placeholder = Fragment(table_key(group), "", None).placeholder
    return GroupPage(group.title, fmt.tokens(HEADLINE_CONTEXT), placeholder)


@dataclass(frozen=True)
class Group:
    """Combos of one kind, shown in one table."""

    slug: str
    title: str
    combos: tuple[str, ...]


@dataclass(frozen=True)
class GroupEntry:
    """A group on the will-it-run index: its table, and each combo's own matrix."""

    table: Link
    combos: list[Link]


@dataclass(frozen=True)
class MatrixIndex:
    groups: list[GroupEntry]
    context: str


GROUP_SIZE = 16
"""Most combos one will-it-run table shows."""
KINDS = (
    ("one-card", "One card"),
    ("several-cards", "Several cards in one machine"),
    ("servers", "Datacenter cards"),
    ("unified-memory", "Apple and other unified memory"),
    ("several-machines", "Several machines"),
)
"""The kinds of hardware, in the order the index lists them."""


def kind(catalog: Catalog, slug: str) -> str:
    """The kind of hardware a combo is (:data:`KINDS`)."""
    combo = catalog.combos[slug]
    gpus = [catalog.gpus[e.gpu] for e in combo.gpus]
    if combo.machines > 1:
        return "several-machines"
    if any(g.unified_memory for g in gpus):
        return "unified-memory"
    if any(g.segment == "datacenter" for g in gpus):
        return "servers"
    return "one-card" if sum(e.count for e in combo.gpus) == 1 else "several-cards"


def groups(catalog: Catalog) -> list[Group]:
    """Every combo in one group: by kind, in catalog order, at most :data:`GROUP_SIZE` each."""
    found = []
    for key, title in KINDS:
        members = [c for c in catalog.combos if kind(catalog, c) == key]
        chunks = [members[i : i + GROUP_SIZE] for i in range(0, len(members), GROUP_SIZE)]
        for n, chunk in enumerate(chunks):
            suffix = "" if n == 0 else f"-{n + 1}"
            named = title if len(chunks) == 1 else f"{title} ({n + 1} of {len(chunks)})"
            found.append(Group(key + suffix, named, tuple(chunk)))
    return found


@dataclass(frozen=True)
class ComboRow:
    """One model on a combo's matrix: the recommended setup at every context length."""

    anchor: str
    model: Link
    size: str
    setup: str
    warning: str
    label: str
    """The setup's evidence at the headline context (estimated, uncalibrated, measured...)."""
    cells: list[Cell]
    more: str
    """The configurator preset to this combo and model (every runtime, quant and split)."""


@dataclass(frozen=True)
class Absent:
    """A model that runs nowhere on the combo, with the engine's reason."""

    anchor: str
    model: Link
    reason: str


@dataclass(frozen=True)
class ComboMatrix:
    slug: str
    name: str
    combo: Link
    contexts: list[str]
    rows: list[ComboRow]
    absent: list[Absent]


def table_key(group: Group) -> str:
    """Fragment key of a group's models x combos table."""
    return urls.matrix_group(group.slug).removesuffix(".md")


def pages(data: SiteData) -> Iterator[Page]:
    found = groups(data.catalog)
    yield Page(urls.index("will-it-run"), "matrix.md.j2", index_context(data, found))
    for group in found:
        yield Page(urls.matrix_group(group.slug), "matrix_group.md.j2", group_page(group))
    for slug in data.catalog.combos:
        made = partial(combo_context, data, slug)
        reads, names = combo_reads(data.catalog, slug), named_only(data.catalog, slug)
        yield Page(urls.matrix(slug), "matrix_combo.md.j2", made, reads, text=(), names=names)


def fragments(data: SiteData) -> Iterator[Fragment]:
    """Each group's models x combos table (the per-combo matrices are their pages' asides)."""
    for group in groups(data.catalog):
        made = partial(group_context, data, group)
        yield Fragment(table_key(group), "matrix_global.html.j2", made, tuple(group.combos))


def planned(results: Results, combos: Iterable[str]) -> Iterator[Query]:
    """The recommended setup of every model on each of ``combos`` at the matrices' other
    context lengths (up to the model's longest)."""
    for combo in combos:
        yield from headline_contexts(results, combo)


def index_context(data: SiteData, found: list[Group]) -> MatrixIndex:
    """The groups, each with its table and its combos' own matrices."""
    entries = [
        GroupEntry(
            Link(g.title, urls.link(urls.matrix_group(g.slug))),
            [Link(data.catalog.combos[c].name, urls.link(urls.matrix(c))) for c in g.combos],
        )
        for g in found
    ]
    return MatrixIndex(entries, fmt.tokens(HEADLINE_CONTEXT))


def group_context(data: SiteData, group: Group) -> GlobalMatrix:
    """Models (largest first) x the group's combos, each cell the model's best configuration."""
    picks = {c: headlines(data.results, c) for c in group.combos}
    here = urls.matrix_group(group.slug)
    rows = []
    for model in _models_by_size(data):
        cells = [_global_cell(data, here, c, model, picks[c].get(model)) for c in group.combos]
        link = Link(data.catalog.models[model].name, urls.relative(here, urls.model(model)))
        rows.append(MatrixRow(link, model_size(data.catalog, model), cells))
    combos = [
        Link(data.catalog.combos[c].name, urls.relative(here, urls.combo(c))) for c in group.combos
    ]
    placeholder = Fragment(table_key(group), "", None).placeholder
    return GlobalMatrix(group.title, combos, rows, fmt.tokens(HEADLINE_CONTEXT), placeholder)


def combo_context(data: SiteData, slug: str) -> ComboMatrix:
    """Every model on one combo: those that run first (in VRAM, then with offload, largest
    first), each at its recommended setup and every context length; then those that do not."""
    picks = headlines(data.results, slug)
    order = _models_by_size(data)
    running = sorted(
        (m for m in order if m in picks), key=lambda m: (rank(picks[m].estimate), order.index(m))
    )
    rows = [_combo_row(data, slug, picks[m]) for m in running]
    absent = [
        Absent(urls.anchor(m), model_link(data.catalog, m), _why_not(data, slug, m))
        for m in order
        if m not in picks
    ]
    combo = data.catalog.combos[slug]
    contexts = [fmt.tokens(c) for c in CONTEXTS]
    return ComboMatrix(slug, combo.name, combo_link(data.catalog, slug), contexts, rows, absent)


def _combo_row(data: SiteData, combo: str, pick: Pick) -> ComboRow:
    q = pick.query
    runtime = data.catalog.runtimes[q.runtime].name
    split = f", {names.split(pick.estimate.split)}" if _shows_split(data, combo) else ""
    note = floor_note(data.catalog, pick)
    return ComboRow(
        anchor=urls.anchor(q.model),
        model=model_link(data.catalog, q.model),
        size=model_size(data.catalog, q.model),
        setup=f"{q.quant} on {runtime}{split}",
        warning=note,
        label=decode_shown(data.results, q, pick.estimate).label,
        cells=[_context_cell(data, combo, pick, c) for c in CONTEXTS],
        more=urls.relative(urls.matrix(combo), "configure.md", f"combo={combo}&model={q.model}"),
    )


def _context_cell(data: SiteData, combo: str, pick: Pick, context: int) -> Cell:
    """The recommended setup at ``context``: verdict, decode with its evidence, a link to it."""
    if context > data.catalog.models[pick.query.model].max_context_tokens:
        return Cell("", "", "", "beyond the model's longest context")
    query = pick.query._replace(context=context)
    estimate = data.results.get(query)
    shown = decode_shown(data.results, query, estimate)
    speed = f"{shown.text} tok/s" if shown.is_known else ""
    href = _configure_href(combo, Pick(query, estimate)) if speed else ""
    tip = "" if in_vram(estimate) else reason(estimate)  # memory per card is a click away
    return Cell(estimate.verdict, speed, href, tip, label=shown.label)


def _why_not(data: SiteData, combo: str, model: str) -> str:
    return data.results.row(combo, model).reason


def _shows_split(data: SiteData, combo: str) -> bool:
    return len(data.catalog.combos[combo].card_slugs()) > 1


def _global_cell(data: SiteData, here: str, combo: str, model: str, pick: Pick | None) -> Cell:
    href = urls.relative(here, urls.matrix(combo)) + "#" + urls.anchor(model)
    if pick is None:
        row = data.results.row(combo, model)
        return Cell(row.verdict, "", href, row.reason)
    shown = decode_shown(data.results, pick.query, pick.estimate)
    speed = f"{shown.text} tok/s" if shown.is_known else ""
    note = floor_note(data.catalog, pick)
    tip = "; ".join(t for t in (reason(pick.estimate), note) if t)
    quant = f"{pick.query.quant} ⚠" if note else pick.query.quant
    return Cell(pick.estimate.verdict, speed, href, tip, quant, shown.label)


def _configure_href(combo: str, pick: Pick) -> str:
    """The configurator preset to this cell (catalog IDs are URL-safe: the loader checks them)."""
    q = pick.query
    query = (
        f"combo={combo}&model={q.model}&quant={q.quant}&runtime={q.runtime}"
        f"&split={pick.estimate.split}&context={q.context}"
    )
    return urls.relative(urls.matrix(combo), "configure.md", query)


def _models_by_size(data: SiteData) -> list[str]:
    return sorted(data.catalog.models, key=lambda m: (-data.catalog.models[m].params_total_b, m))
