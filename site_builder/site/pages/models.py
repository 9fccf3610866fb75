"""``/models/<slug>/`` and the ``/models/`` index."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from site_builder.engine.recommend import FLOOR_QUANT
from site_builder.site import fmt, paging, urls
from site_builder.site.context import Link, combo_link, decode_shown, model_size, runtime_link
from site_builder.site.context_memory import COMPARED_CONTEXT, figures
from site_builder.site.evidence import Shown
from site_builder.site.memo import answers_only
from site_builder.site.pages.attention import layout
from site_builder.site.pages.combo_hardware import Fact
from site_builder.site.pages.prices import Seen, api_prices
from site_builder.site.picks import combos_running, floor_note, headline
from site_builder.site.sitedata import Page, SiteData, combo_reads


@dataclass(frozen=True)
class WhereRow:
    combo: Link
    verdict: str
    quant: str
    runtime: Link | None
    decode: Shown | None
    detail: Link
    warning: str = ""


@dataclass(frozen=True)
class WeightRow:
    quant: str
    bits: str
    weights: str


@dataclass(frozen=True)
class ContextRow:
    context: str
    f16: str
    q8_0: str


@dataclass(frozen=True)
class ModelPage:
    slug: str
    name: str
    facts: list[Fact]
    architecture: list[Fact]
    weights: list[WeightRow]
    context_memory: list[ContextRow]
    where: Sequence[WhereRow]
    sources: list[str]
    api_prices: list[Seen]
    parts: paging.Parts = paging.WHOLE
    """Where the "where it runs" list continues when the catalog has many combos."""


@dataclass(frozen=True)
class ModelIndexRow:
    model: Link
    released: str
    size: str
    context: str
    kv_cache: str
    """One sequence's KV cache at :data:`COMPARED_CONTEXT` (a dash past the longest context)."""
    capabilities: str
    runs_on: int


@dataclass(frozen=True)
class Family:
    """A model family on the index: its models, newest first."""

    name: str
    rows: list[ModelIndexRow]


@dataclass(frozen=True)
class ModelIndex:
    families: list[Family]
    combos: int
    floor: str = FLOOR_QUANT
    compared: str = fmt.tokens(COMPARED_CONTEXT)


def pages(data: SiteData) -> Iterator[Page]:
    combos = tuple(data.catalog.combos)  # a model page reads every combo's answers, no text
    reads = {combo: combo_reads(data.catalog, combo) for combo in combos}
    for slug in data.catalog.models:
        if len(combos) <= paging.ROWS:  # one part: made when rendered, unless the memo has it
            made = partial(get_context, data, slug, reads)
            yield Page(urls.model(slug), "model.md.j2", made, combos, text=())
            continue
        page = get_context(data, slug, reads)
        where, parts, more = paging.continued(
            urls.model(slug),
            page.where,
            f"Where {page.name} runs",
            "_where_table.md.j2",
            f"The engine's recommended setup for {page.name} on each hardware combo.",
            legend=True,
        )
        context = dataclasses.replace(page, where=where, parts=parts)
        yield Page(urls.model(slug), "model.md.j2", context, combos, text=())
        yield from more
    index = partial(_index, data)
    yield Page(urls.index("models"), "model_index.md.j2", index, combos, text=())


def _index(data: SiteData) -> ModelIndex:
    return ModelIndex(families(data), len(data.catalog.combos))


def families(data: SiteData) -> list[Family]:
    """The catalog's models grouped by family; the family with the newest release first, and
    each family's models newest first (undated ones last, then by size)."""
    grouped: dict[str, list[str]] = {}
    for slug in by_release(data):
        grouped.setdefault(data.catalog.models[slug].family, []).append(slug)
    return [Family(name, _index_rows(data, slugs)) for name, slugs in grouped.items()]


def by_release(data: SiteData) -> list[str]:
    """Model IDs, newest release first (undated last), then largest first."""
    models = data.catalog.models

    def key(slug: str) -> tuple[int, float, str]:
        released = models[slug].release_date
        return (-(released.toordinal() if released else 0), -models[slug].params_total_b, slug)

    return sorted(models, key=key)


def released(date: datetime.date | None) -> str:
    """A release date as the index shows it."""
    return date.isoformat() if date else fmt.DASH


def _released(data: SiteData, slug: str) -> str:
    return released(data.catalog.models[slug].release_date)


def _index_rows(data: SiteData, slugs: list[str]) -> list[ModelIndexRow]:
    return [
        ModelIndexRow(
            Link(data.catalog.models[slug].name, urls.link(urls.model(slug))),
            _released(data, slug),
            model_size(data.catalog, slug),
            fmt.tokens(data.catalog.models[slug].max_context_tokens),
            _compared_kv(data, slug),
            ", ".join(data.catalog.models[slug].capabilities),
            combos_running(data.results, slug),
        )
        for slug in slugs
    ]


def _compared_kv(data: SiteData, slug: str) -> str:
    gib = figures(data.results, "f16", slug).get(COMPARED_CONTEXT)
    return fmt.DASH if gib is None else f"{fmt.gib(gib)} GiB"


def get_context(data: SiteData, slug: str, reads: Mapping[str, tuple[str, ...]]) -> ModelPage:
    """The model's page (``reads``: :func:`combo_reads` of every combo, worked out once for
    all the model pages)."""
    model = data.catalog.models[slug]
    facts = [
        Fact("Family", model.family),
        Fact("Parameters", model_size(data.catalog, slug)),
        Fact("Hugging Face", model.hf_repo),
        Fact("Licence", model.license),
        Fact("Released", model.release_date.isoformat() if model.release_date else fmt.DASH),
        Fact("Capabilities", ", ".join(model.capabilities)),
        Fact("Native weights", fmt.native_weights(model.native_dtype)),
    ]
    arch = [
        Fact("Layers", str(model.num_layers)),
        Fact("Hidden size", f"{model.hidden_size:,}"),
        Fact("Attention heads (query / KV)", f"{model.num_attention_heads} / {model.num_kv_heads}"),
        Fact("Head dimension", str(model.head_dim)),
        Fact("Attention layout", layout(model)),
        Fact("Vocabulary", f"{model.vocab_size:,}"),
        Fact("Longest context", fmt.tokens(model.max_context_tokens)),
    ]
    if model.moe:
        arch.append(
            Fact(
                "Experts (active per token)",
                f"{model.moe.num_experts} ({model.moe.experts_per_token})",
            )
        )
    weights = _weights(data, slug)
    context_memory = _context_memory(data, slug)
    sources = list(model.sources)
    prices = api_prices(model)
    where = _where(data, slug, reads)
    return ModelPage(slug, model.name, facts, arch, weights, context_memory, where, sources, prices)


def _weights(data: SiteData, slug: str) -> list[WeightRow]:
    """Weight memory of each evaluated quant, from the engine's results of a setup that holds
    the whole model in VRAM with each weight stored once (one card or a layer split: no
    offloaded layers, no tensor-parallel replicas). The bits column is that memory per
    parameter, so both columns describe the same file (a BF16 copy of gpt-oss is 16-bit
    throughout; the MXFP4 release is about 4.3 bits)."""
    found: dict[str, float] = {}
    memo = data.results.recall
    for combo in data.catalog.combos:
        make = partial(_weights_on, data, combo, slug)
        for quant, gib in answers_only(memo, ("weights", slug, combo), [combo], make).items():
            found.setdefault(quant, gib)
    params = data.catalog.models[slug].params_total_b * 1e9
    bits = {q: gib * 2**30 * 8 / params for q, gib in found.items()}
    ordered = sorted(found, key=lambda q: (-bits[q], q))
    return [WeightRow(q, f"{bits[q]:.3g}", fmt.gib(found[q])) for q in ordered]


def _context_memory(data: SiteData, slug: str) -> list[ContextRow]:
    """One sequence's KV cache at each context (:mod:`site_builder.site.context_memory`)."""
    f16, q8 = figures(data.results, "f16", slug), figures(data.results, "q8_0", slug)
    return [ContextRow(fmt.tokens(c), fmt.gib(f16[c]), fmt.gib(q8[c])) for c in sorted(f16)]


def _weights_on(data: SiteData, combo: str, slug: str) -> dict[str, float]:
    """Each quant's weight memory on ``combo`` (:meth:`~site_builder.site.shelf.Shelf.weights`)."""
    return data.results.row(combo, slug).weights_gib


def _where(data: SiteData, slug: str, reads: Mapping[str, tuple[str, ...]]) -> list[WhereRow]:
    memo = data.results.recall
    return [
        answers_only(
            memo,
            ("where", slug, combo),
            reads[combo],
            partial(_where_row, data, slug, combo),
        )
        for combo in data.catalog.combos
    ]


def _where_row(data: SiteData, slug: str, combo: str) -> WhereRow:
    pick = headline(data.results, combo, slug)
    detail = Link("all quants", urls.link(urls.matrix(combo), urls.anchor(slug)))
    if pick is None:
        verdict = data.results.nothing_runs(combo, slug)
        return WhereRow(combo_link(data.catalog, combo), verdict, "", None, None, detail)
    decode = (
        decode_shown(data.results, pick.query, pick.estimate)
        if pick.estimate.decode_tok_s
        else None
    )
    return WhereRow(
        combo_link(data.catalog, combo),
        pick.estimate.verdict,
        pick.query.quant,
        runtime_link(data.catalog, pick.query.runtime),
        decode,
        detail,
        floor_note(data.catalog, pick),
    )
