"""``/will-it-run/`` (models x combos) and ``/will-it-run/<combo>/`` (models x quants x context).

Each cell names its verdict in words and colour and links to its details: global cells to the
model's section on the combo's matrix, combo cells to the configurator preset to that cell.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from site_builder.engine import effective_bits_per_weight
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
from site_builder.site.picks import Pick, best_for_quant, floor_note, headlines
from site_builder.site.results import CONTEXTS, HEADLINE_CONTEXT
from site_builder.site.sitedata import Page, SiteData


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
    combos: list[Link]
    rows: list[MatrixRow]
    context: str
    table: str
    """Placeholder of the matrix table fragment."""


@dataclass(frozen=True)
class QuantRow:
    quant: str
    bits: str
    runtime: Link | None
    cells: list[Cell]


@dataclass(frozen=True)
class ModelBlock:
    slug: str
    anchor: str
    model: Link
    size: str
    best: str
    reason: str
    table: str
    """Placeholder of the block's table fragment (empty when no runtime loads the model)."""


@dataclass(frozen=True)
class MatrixTable:
    """The context of one model's quant x context table (an HTML fragment)."""

    contexts: list[str]
    rows: list[QuantRow]
    unsupported: list[str]
    """Quants of the model that no runtime on this hardware loads (named under the table)."""


@dataclass(frozen=True)
class ComboMatrix:
    slug: str
    name: str
    combo: Link
    contexts: list[str]
    models: list[ModelBlock]


GLOBAL_TABLE = "will-it-run/index"
"""Fragment key of the models x combos table."""


def pages(data: SiteData) -> Iterator[Page]:
    yield Page(urls.index("will-it-run"), "matrix.md.j2", global_context(data))
    for slug in data.catalog.combos:
        yield Page(urls.matrix(slug), "matrix_combo.md.j2", combo_context(data, slug))


def fragments(data: SiteData) -> Iterator[Fragment]:
    """The matrices' tables; the per-combo ones read every context of the complete grid."""
    yield Fragment(GLOBAL_TABLE, "matrix_global.html.j2", global_context(data))
    contexts = [fmt.tokens(c) for c in CONTEXTS]
    for slug in data.catalog.combos:
        for model in _models_by_size(data):
            quants = _quants(data, slug, model)
            if quants:
                rows = [_quant_row(data, slug, model, quant) for quant in quants]
                table = MatrixTable(contexts, rows, _unsupported(data, slug, model))
                yield Fragment(_table_key(slug, model), "matrix_table.html.j2", table)


def global_context(data: SiteData) -> GlobalMatrix:
    """Models (largest first) x combos, each cell the model's best configuration."""
    picks = {c: headlines(data.results, c) for c in data.catalog.combos}
    here = urls.index("will-it-run")
    rows = []
    for model in _models_by_size(data):
        cells = [_global_cell(data, combo, model, picks[combo].get(model)) for combo in picks]
        link = Link(data.catalog.models[model].name, urls.relative(here, urls.model(model)))
        rows.append(MatrixRow(link, model_size(data.catalog, model), cells))
    combos = [
        Link(data.catalog.combos[c].name, urls.relative(here, urls.combo(c)))
        for c in data.catalog.combos
    ]
    placeholder = Fragment(GLOBAL_TABLE, "", None).placeholder
    return GlobalMatrix(combos, rows, fmt.tokens(HEADLINE_CONTEXT), placeholder)


def combo_context(data: SiteData, slug: str) -> ComboMatrix:
    """Every model on one combo; each model's quant x context table is a fragment."""
    picks = headlines(data.results, slug)
    blocks = []
    for model in _models_by_size(data):
        pick = picks.get(model)
        has_table = bool(_quants(data, slug, model))
        placeholder = Fragment(_table_key(slug, model), "", None).placeholder
        blocks.append(
            ModelBlock(
                slug=model,
                anchor=urls.anchor(model),
                model=model_link(data.catalog, model),
                size=model_size(data.catalog, model),
                best=_best_text(data, pick),
                reason=reason(pick.estimate)
                if pick
                else data.results.recommendation(slug, model).reason,
                table=placeholder if has_table else "",
            )
        )
    combo = data.catalog.combos[slug]
    contexts = [fmt.tokens(c) for c in CONTEXTS]
    return ComboMatrix(slug, combo.name, combo_link(data.catalog, slug), contexts, blocks)


def _table_key(combo: str, model: str) -> str:
    return f"will-it-run/{combo}/{model}"


def _global_cell(data: SiteData, combo: str, model: str, pick: Pick | None) -> Cell:
    href = urls.relative(urls.index("will-it-run"), urls.matrix(combo)) + "#" + urls.anchor(model)
    if pick is None:
        why = data.results.recommendation(combo, model).reason
        return Cell("no-fit", "", href, why)
    shown = decode_shown(data.results, pick.query, pick.estimate)
    speed = f"{shown.text} tok/s" if shown.is_known else ""
    note = floor_note(data.catalog, pick)
    tip = "; ".join(t for t in (reason(pick.estimate), note) if t)
    quant = f"{pick.query.quant} ⚠" if note else pick.query.quant
    return Cell(pick.estimate.verdict, speed, href, tip, quant, shown.label)


def _quant_row(data: SiteData, combo: str, model: str, quant: str) -> QuantRow:
    cells = []
    runtime = None
    for context in CONTEXTS:
        pick = best_for_quant(data.results, combo, model, quant, context)
        if pick is None:
            cells.append(_missing(data, combo, model, quant, context))
            continue
        runtime = runtime or pick.query.runtime
        speed = fmt.tok_s(pick.estimate.decode_tok_s) if pick.estimate.decode_tok_s else ""
        href = _configure_href(combo, pick) if speed else ""
        cells.append(Cell(pick.estimate.verdict, speed, href, reason(pick.estimate)))
    bits = effective_bits_per_weight(data.catalog.models[model], data.catalog.quants[quant])
    link = None
    if runtime is not None:
        href = urls.relative(urls.matrix(combo), urls.runtime(runtime))
        link = Link(data.catalog.runtimes[runtime].name, href)
    return QuantRow(quant, f"{bits:.3g}", link, cells)


def _missing(data: SiteData, combo: str, model: str, quant: str, context: int) -> Cell:
    """A cell the sweep skipped: beyond the model's context, or failing at a shorter one."""
    if context > data.catalog.models[model].max_context_tokens:
        return Cell("", "", "", "beyond the model's longest context")
    head = best_for_quant(data.results, combo, model, quant, HEADLINE_CONTEXT)
    if head is None:
        return Cell("unsupported", "", "", "no runtime on this back-end loads this quant")
    verdict = head.estimate.verdict
    words = fmt.verdict_words(verdict)
    tip = f"{words} already at {fmt.tokens(HEADLINE_CONTEXT)}: {reason(head.estimate)}"
    return Cell(verdict, "", "", tip)


def _configure_href(combo: str, pick: Pick) -> str:
    """The configurator preset to this cell (catalog IDs are URL-safe: the loader checks them)."""
    q = pick.query
    query = f"combo={combo}&model={q.model}&quant={q.quant}&runtime={q.runtime}&context={q.context}"
    return urls.relative(urls.matrix(combo), "configure.md", query)


def _best_text(data: SiteData, pick: Pick | None) -> str:
    """The recommended setup in words: ``Recommended: vLLM AWQ-INT4, 32.2 tok/s (estimated)``."""
    if pick is None:
        return "Nothing runs here"
    q = pick.query
    shown = decode_shown(data.results, q, pick.estimate)
    speed = f", {shown.text} tok/s ({shown.label})" if shown.is_known else ""
    runtime = data.catalog.runtimes[q.runtime].name
    note = floor_note(data.catalog, pick)
    warning = f" ({note})" if note else ""
    verdict = fmt.verdict_words(pick.estimate.verdict)
    return f"Recommended: {runtime} {q.quant}, {verdict}{speed}{warning}"


def _models_by_size(data: SiteData) -> list[str]:
    return sorted(data.catalog.models, key=lambda m: (-data.catalog.models[m].params_total_b, m))


def _quants(data: SiteData, combo: str, model: str) -> list[str]:
    """The model's quants that some runtime on this hardware loads (each a matrix row), most
    precise first."""
    return [q for q in _swept(data, combo, model) if _loads(data, combo, model, q)]


def _unsupported(data: SiteData, combo: str, model: str) -> list[str]:
    """The model's swept quants that no runtime on this hardware loads."""
    return [q for q in _swept(data, combo, model) if not _loads(data, combo, model, q)]


def _loads(data: SiteData, combo: str, model: str, quant: str) -> bool:
    pick = best_for_quant(data.results, combo, model, quant, HEADLINE_CONTEXT)
    return pick is not None and pick.estimate.verdict != "unsupported"


def _swept(data: SiteData, combo: str, model: str) -> list[str]:
    quants = {q.quant for q, _ in data.results.for_cell(combo, model, HEADLINE_CONTEXT)}
    spec = data.catalog.models[model]
    return sorted(
        quants, key=lambda q: (-effective_bits_per_weight(spec, data.catalog.quants[q]), q)
    )
