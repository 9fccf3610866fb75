"""``/compare/<a>-vs-<b>/``: two related combos side by side, and the ``/compare/`` index with
its picker (any two hardware choices of the configurator, one model).

The pages read the frozen results only: each side's candidates of the recommendation (every
runtime x quant x split the recommender weighed) hold the full engine result, so prefill, time
to first token, the largest context, power and energy come with the decode figure. The picker
(``assets/compare.js``) reads the configurator's ``/api/estimates/<key>.json`` tables.
"""

from __future__ import annotations

import collections
import dataclasses
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

from site_builder.catalog import Catalog
from site_builder.engine import Config, Estimate, Verdict
from site_builder.engine.config import DEFAULT_PROMPT_TOKENS
from site_builder.engine.cost import usd_per_tok_s
from site_builder.engine.evidence import as_shown, estimated_label
from site_builder.engine.names import short_gpu_name
from site_builder.engine.recommend import (
    IN_VRAM,
    Answer,
    Candidate,
    passes_floor,
    precision_class,
)
from site_builder.site import cells, custom, fmt, paging, urls
from site_builder.site.context import Link, combo_link, decode_shown
from site_builder.site.costs import headline_price
from site_builder.site.evidence import Shown, decode_evidence
from site_builder.site.fragments import Fragment
from site_builder.site.pages import combo_hardware, configure
from site_builder.site.pages.configure import Option
from site_builder.site.picks import FLOOR_NOTE
from site_builder.site.results import HEADLINE_CONTEXT, query_of
from site_builder.site.sitedata import Page, SiteData, combo_reads
from site_builder.site.store import recently

PICKER_A = ("dual-rtx-3090",)
"""The picker's first hardware when a link names none (the first that exists)."""
PICKER_B = ("single-rtx-4090", "any-rtx-4090-x1")
"""The picker's second hardware when a link names none: one newer card."""


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
class Figure:
    """One figure of one setup, formatted; ``uncalibrated`` when too few measurements
    calibrate the runtime for that metric (the page labels it)."""

    text: str
    uncalibrated: bool = False


@dataclass(frozen=True)
class FigureRow:
    """A figure beyond decode for the four setups of a model row: the same quant on each
    combo, then each combo's fastest answer (each cell's HTML, :func:`cells.compare_figure`)."""

    label: str
    values: tuple[str, str, str, str]


@dataclass(frozen=True)
class ModelRow:
    """A model on both combos: at one shared quant, then each side's fastest answer; under it
    prefill, time to first token, largest context, power and energy of the same four setups
    (none when nothing runs on either combo)."""

    model: Link
    quant: str
    sides: tuple[str, str, str, str]
    """The cells' HTML (:func:`cells.compare_side`): a and b at ``quant``, then each one's
    fastest answer."""
    figures: list[FigureRow]


@dataclass(frozen=True)
class ComparePage:
    a: Link
    b: Link
    notes: list[str]
    specs: list[SpecRow]
    table: str
    """Placeholder of the models table fragment (:func:`fragments`)."""
    prompt_tokens: int
    """The prompt of the time-to-first-token figures."""


@dataclass(frozen=True)
class ModelsTable:
    """The context of a compare page's models table (an HTML fragment: a large table that
    needs no Markdown); links are relative to the page."""

    a: Link
    b: Link
    models: list[ModelRow]
    """The models that run on at least one combo, largest first."""
    neither: list[tuple[str, list[Link]]]
    """The models that run on neither combo at any quant, for the same reason on both (does
    not fit, or not supported), each reason's named under the table, largest first: a row of
    four such cells each would push the answers down the page."""


@dataclass(frozen=True)
class Choice:
    """A hardware choice of the picker: its key, its name in the list and its short name in
    the table's first column (``2× RTX 3090``)."""

    value: str
    label: str
    short: str


@dataclass(frozen=True)
class CompareIndex:
    pairs: Sequence[tuple[Link, str]]
    combos: list[Choice]
    builds: list[Choice]
    """Any GPU in one, two or four cards (the configurator's build-your-own keys)."""
    mixes: list[Choice]
    """Two different consumer cards."""
    models: list[Option]
    default_a: str
    default_b: str
    default_model: str
    headline_context: int
    prompt_tokens: int
    verdict_words: str
    """Verdict code -> words, as JSON."""
    runtimes: str
    """Runtime ID -> name, as JSON (the tables hold IDs)."""
    default_splits: str
    """Runtime ID -> its default split on several cards, as JSON: the rows the picker compares
    (a table also holds recommended setups on other splits)."""
    build_prefix: str
    """How build-your-own keys start: their tables hold each runtime's recommended quant only."""
    below_floor: str = "{}"
    """Model ID -> the catalog quants below its quality floor, as JSON (the picker flags a side
    at one as the static pages do)."""
    floor_note: str = FLOOR_NOTE
    floor_title: str = cells.FLOOR_TITLE
    parts: paging.Parts = paging.WHOLE
    """Where the pairs continue when the catalog has many combos."""


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
    catalog = data.catalog
    for a, b in pairs(data):
        names = f"{catalog.combos[a].name} vs {catalog.combos[b].name}"
        index.append((Link(names, urls.link(urls.compare(a, b))), ""))
        reads = tuple(dict.fromkeys([*combo_reads(catalog, a), *combo_reads(catalog, b)]))
        made = partial(get_context, data, a, b)
        yield Page(urls.compare(a, b), "compare.md.j2", made, reads, text=(a, b))
    path = urls.index("compare")
    shown, parts, more = paging.continued(
        path,
        index,
        "Pairs of combos",
        "_pairs_list.md.j2",
        "Pairs of hardware combos that buyers weigh against each other, each compared for every "
        "catalog model.",
    )
    page = dataclasses.replace(index_context(data, shown), parts=parts)
    yield Page(path, "compare_index.md.j2", page)
    yield from more


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
        combo_link(catalog, a),
        combo_link(catalog, b),
        notes,
        _specs(data, a, b),
        placeholder,
        DEFAULT_PROMPT_TOKENS,
    )


def index_context(data: SiteData, pairs_found: Sequence[tuple[Link, str]]) -> CompareIndex:
    """The index: the static pairs, and the picker's choices (the configurator's hardware and
    models, so both pages offer the same keys as ``/api/index.json``)."""
    catalog = data.catalog
    offered = configure.get_context(data)
    cards = {b.key: b.cards for b in custom.builds(catalog)}

    def short(build: tuple[tuple[str, int], ...]) -> str:
        return " + ".join(f"{n}× {short_gpu_name(catalog.gpus[g].name)}" for g, n in build)

    def choices(options: list[Option]) -> list[Choice]:
        return [
            Choice(o.value, o.label, short(cards[o.value]) if o.value in cards else o.label)
            for o in options
        ]

    hardware = [o.value for o in (*offered.combos, *offered.builds, *offered.mixes)]
    return CompareIndex(
        pairs=pairs_found,
        combos=choices(offered.combos),
        builds=choices(offered.builds),
        mixes=choices(offered.mixes),
        models=offered.models,
        default_a=_first(PICKER_A, hardware, 0),
        default_b=_first(PICKER_B, hardware, 1),
        default_model=offered.default_model,
        headline_context=HEADLINE_CONTEXT,
        prompt_tokens=DEFAULT_PROMPT_TOKENS,
        verdict_words=offered.verdict_words,
        runtimes=json.dumps({s: r.name for s, r in catalog.runtimes.items()}, sort_keys=True),
        default_splits=json.dumps(
            {s: r.default_split for s, r in catalog.runtimes.items()}, sort_keys=True
        ),
        build_prefix=custom.PREFIX,
        below_floor=json.dumps(_below_floor(catalog), sort_keys=True),
    )


def _below_floor(catalog: Catalog) -> dict[str, list[str]]:
    """Each model's catalog quants below its quality floor (models with none left out)."""

    def below(model: str, quant: str) -> bool:
        return not passes_floor(catalog, Config((), model, quant, ""))  # reads model and quant

    found = {m: [q for q in sorted(catalog.quants) if below(m, q)] for m in catalog.models}
    return {model: quants for model, quants in found.items() if quants}


def _first(preferred: Sequence[str], offered: list[str], fallback: int) -> str:
    """The first of ``preferred`` on offer, else the offer at ``fallback`` (or the last)."""
    found = next((key for key in preferred if key in offered), None)
    if found is not None:
        return found
    return offered[min(fallback, len(offered) - 1)] if offered else ""


def fragments(data: SiteData) -> Iterator[Fragment]:
    """Each compare page's models table."""
    catalog = data.catalog
    by_size = sorted(catalog.models, key=lambda m: (-catalog.models[m].params_total_b, m))
    sides = _Sides(data)
    for a, b in pairs(data):
        made = partial(_models_table, sides, a, b, by_size)
        yield Fragment(_table_key(a, b), "compare_table.html.j2", made, (a, b))


def _models_table(sides: _Sides, a: str, b: str, by_size: list[str]) -> ModelsTable:
    page = urls.compare(a, b)
    table: list[ModelRow] = []
    neither: dict[str, list[Link]] = {"no-fit": [], "unsupported": []}
    for model in by_size:
        row = _model_row(sides, a, b, model, page)
        why = set() if row.figures else {sides.data.results.nothing_runs(s, model) for s in (a, b)}
        if len(why) == 1:
            neither[why.pop()].append(row.model)
        else:
            table.append(row)
    catalog = sides.data.catalog
    first, second = (
        Link(catalog.combos[s].name, urls.relative(page, urls.combo(s))) for s in (a, b)
    )
    return ModelsTable(first, second, table, [(v, ms) for v, ms in neither.items() if ms])


def _table_key(a: str, b: str) -> str:
    return f"compare/{a}-vs-{b}"


BEST = "best"
"""The key of a side's own fastest answer among :class:`_Sides`' (quants are the others)."""


KEPT_SIDES = 16
"""How many combos' sides :class:`_Sides` keeps worked out (the pairs come sorted, so a
combo's pairs are mostly together; keeping them all would hold every combo's candidates)."""


@dataclass
class _Worked:
    """One combo's sides worked out so far (see :class:`_Sides`)."""

    chosen: dict[tuple[str, str | None], Candidate | None] = field(default_factory=dict)
    cells: dict[tuple[str, str | None, str], str] = field(default_factory=dict)
    figures: dict[tuple[str, str | None], list[str]] = field(default_factory=dict)


class _Sides:
    """One combo's side of a model's row, worked out once (a combo sits in several pairs):
    the quants it runs, the headline rule at a quant, the side's cell, its figures' cells (HTML,
    :mod:`site_builder.site.cells`: made once, not once a pair). Keys are
    (model, quant or :data:`BEST`) within the combo's :class:`_Worked`, of the last
    :data:`KEPT_SIDES` combos asked."""

    def __init__(self, data: SiteData) -> None:
        self.data = data
        self._grades: dict[tuple[str, str], tuple[bool, float]] = {}
        self._worked: collections.OrderedDict[str, _Worked] = collections.OrderedDict()

    def _of(self, slug: str) -> _Worked:
        return recently(self._worked, slug, _Worked, KEPT_SIDES)

    def runs(self, slug: str, model: str) -> dict[str, Verdict]:
        """The quants the combo runs, each with the verdict of its last candidate that runs."""
        picks = self.data.results.quant_picks(slug, model)
        return {quant: verdict for quant, (verdict, _) in picks.items()}

    def grade(self, model: str, quant: str) -> tuple[bool, float]:
        """Whether the quant passes the quality floor, and its precision class."""
        key = (model, quant)
        if key not in self._grades:
            catalog = self.data.catalog
            config = Config((), model, quant, "")  # the floor and precision read these two
            self._grades[key] = (passes_floor(catalog, config), precision_class(catalog, config))
        return self._grades[key]

    def chosen(self, slug: str, model: str, quant: str | None) -> Candidate | None:
        """The combo's answer: the headline rule at ``quant``, or its own fastest (``BEST``)."""
        worked = self._of(slug)
        key = (model, quant)
        if key not in worked.chosen:
            if quant == BEST:
                worked.chosen[key] = _answer(self.data.results.headline(slug, model))
            else:
                picks = self.data.results.quant_picks(slug, model)
                worked.chosen[key] = picks[quant][1] if quant in picks else None
        return worked.chosen[key]

    def cell(self, slug: str, model: str, quant: str | None, page: str) -> str:
        """The side's cell on ``page``: the quant is named for a side's fastest answer; a dash
        at the shared quant when there is none but the combo runs the model (at a quant the
        other does not run); why nothing runs when nothing does."""
        chosen = self.chosen(slug, model, quant)
        if chosen is None and quant is None and self.chosen(slug, model, BEST) is not None:
            return fmt.DASH
        runtime = "" if chosen is None else urls.relative(page, urls.runtime(chosen.config.runtime))
        worked = self._of(slug)
        key = (model, quant, runtime)
        if key not in worked.cells:
            side = _side(self.data, chosen, page, self.data.results.nothing_runs(slug, model))
            worked.cells[key] = cells.compare_side(side, with_quant=quant == BEST)
        return worked.cells[key]

    def figures(self, slug: str, model: str, quant: str | None) -> list[str] | None:
        """The chosen answer's figures' cells (None where nothing runs)."""
        chosen = self.chosen(slug, model, quant)
        if chosen is None:
            return None
        worked = self._of(slug)
        key = (model, quant)
        if key not in worked.figures:
            price = headline_price(self.data.results.costs[slug][1])[0]
            found = as_shown(chosen.estimate, decode_evidence(self.data.results, chosen))
            shown = _figures(found, price)
            worked.figures[key] = [cells.compare_figure(f.text, f.uncalibrated) for f in shown]
        return worked.figures[key]


def _model_row(sides: _Sides, a: str, b: str, model: str, page: str) -> ModelRow:
    quant = shared_quant(sides, a, b, model)
    keys = ((a, quant), (b, quant), (a, BEST), (b, BEST))
    a_same, b_same, a_best, b_best = (sides.cell(s, model, q, page) for s, q in keys)
    link = Link(sides.data.catalog.models[model].name, urls.relative(page, urls.model(model)))
    figures = [sides.figures(s, model, q) for s, q in keys]
    return ModelRow(link, quant or "", (a_same, b_same, a_best, b_best), _figure_rows(figures))


def shared_quant(sides: _Sides, a: str, b: str, model: str) -> str | None:
    """The quant both combos are compared at: one both run, preferring a quant at or above the
    quality floor, then one both hold in VRAM, then the most precise."""
    runs = [sides.runs(a, model), sides.runs(b, model)]
    both = sorted(set(runs[0]) & set(runs[1]))
    if not both:
        return None

    def key(quant: str) -> tuple[bool, int, float]:
        vram = sum(verdict in IN_VRAM for verdict in (runs[0][quant], runs[1][quant]))
        floor, precision = sides.grade(model, quant)
        return floor, vram, precision

    return max(both, key=key)


def _answer(answer: Answer | None) -> Candidate | None:
    return Candidate(answer.config, answer.estimate) if answer else None


def _side(data: SiteData, chosen: Candidate | None, page: str, missing: Verdict) -> Side:
    """A side's cell: ``chosen``'s verdict, decode, runtime and quant, or ``missing`` alone."""
    if chosen is None:
        return Side(missing, None, None, "")
    query = query_of(chosen.config)
    decode = decode_shown(data.results, query, chosen.estimate)
    slug = chosen.config.runtime
    runtime = Link(data.catalog.runtimes[slug].name, urls.relative(page, urls.runtime(slug)))
    note = "" if passes_floor(data.catalog, chosen.config) else FLOOR_NOTE
    return Side(chosen.estimate.verdict, decode, runtime, chosen.config.quant, note)


FIGURE_LABELS = (
    "Prefill",
    "Time to first token",
    "Largest context",
    "GPU power at load",
    "Energy per token",
    "Price per decode tok/s",
)
"""The figures under each model's decode row, in order (:func:`_figures`); the page's text
says what they measure (the prompt of the time to first token, the generated tokens)."""


def _figure_rows(columns: Sequence[list[str] | None]) -> list[FigureRow]:
    """The figures of the four setups (``columns``, :meth:`_Sides.figures`: a dash where a
    setup does not run), or none when nothing runs on either combo."""
    if all(c is None for c in columns):
        return []
    none = [cells.compare_figure(fmt.DASH, False)] * len(FIGURE_LABELS)
    shown = [c or none for c in columns]
    return [
        FigureRow(label, (shown[0][i], shown[1][i], shown[2][i], shown[3][i]))
        for i, label in enumerate(FIGURE_LABELS)
    ]


def _figures(e: Estimate, price_usd: float | None) -> list[Figure]:
    """Prefill, TTFT, largest context, power, energy per token and price per decode tok/s of
    one result, formatted as every page formats them; prefill and TTFT say when they are
    uncalibrated. Power and energy carry no label: no measurement calibrates them, and the page
    says they are modelled."""

    def speed(value: float | None, text: str, metric: str) -> Figure:
        if value is None:
            return Figure(fmt.DASH)
        return Figure(text, estimated_label(e, metric) == "uncalibrated")

    def modelled(value: float | None, text: str) -> Figure:
        return Figure(fmt.DASH if value is None else text)

    return [
        speed(e.prefill_tok_s, f"{fmt.tok_s(e.prefill_tok_s)} tok/s", "prefill_tok_s"),
        speed(e.ttft_ms, f"{fmt.ms(e.ttft_ms)} ms", "ttft_ms"),
        Figure(fmt.tokens(e.max_context) if e.max_context else fmt.DASH),
        modelled(e.power_w, f"{fmt.watts(e.power_w)} W"),
        modelled(e.joules_per_token, f"{fmt.num(e.joules_per_token, 2)} J"),
        Figure(fmt.usd(usd_per_tok_s(price_usd, e.decode_tok_s))),
    ]


def _specs(data: SiteData, a: str, b: str) -> list[SpecRow]:
    columns = [_spec_values(data, slug) for slug in (a, b)]
    labels = list(columns[0])
    return [SpecRow(label, columns[0][label], columns[1][label]) for label in labels]


def _spec_values(data: SiteData, slug: str) -> dict[str, str]:
    combo = data.catalog.combos[slug]
    pick = data.results.worked_example(slug)
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
        "Price": headline_price(data.results.costs[slug][1])[1],
    }
