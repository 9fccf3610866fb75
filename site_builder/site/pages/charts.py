"""Charts of one chosen configuration: memory per card and decode speed by context length."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from site_builder.catalog import Catalog
from site_builder.engine.names import short_gpu_name
from site_builder.site.picks import Pick
from site_builder.site.results import Query, Results, is_runnable
from site_builder.site.sitedata import SiteData
from site_builder.site.svg.memory import CardBar, memory_chart
from site_builder.site.svg.speed import SpeedPoint, speed_chart

SPEED_CONTEXTS: tuple[int, ...] = (512, 2048, 8192, 16384, 32768, 65536, 131072)
"""Tokens already in context before decoding, for the speed-by-context chart."""


def memory(data: SiteData, pick: Pick) -> str:
    """Memory per card of ``pick`` against each card's capacity."""
    q = pick.query
    bars = [
        CardBar(f"Card {i + 1} · {short_gpu_name(data.catalog.gpus[card.gpu].name)}", card)
        for i, card in enumerate(pick.estimate.memory.per_gpu)
    ]
    if not bars:
        return ""
    title = (
        f"Memory per card: {data.catalog.models[q.model].name} {q.quant}, "
        f"{data.catalog.runtimes[q.runtime].name}, {q.context:,} tokens of context"
    )
    return memory_chart(f"memory-{q.combo}-{q.model}", title, bars)


def planned(results: Results, combos: Iterable[str]) -> Iterator[Query]:
    """The speed curves' queries: the headline pick of each of ``combos``."""
    for combo in combos:
        pick = results.worked_example(combo)
        if pick is not None:
            yield from curve(results.catalog, pick.query)


def curve(catalog: Catalog, q: Query) -> list[Query]:
    """One query per point of the speed curve of ``q``: ``tokens`` of prompt already in
    context, in a window of the prompt plus the generated tokens rounded up to 1,024 (never
    smaller than ``q``'s), so each point is exactly ``site-builder estimate --context W
    --prompt T``."""
    limit = catalog.models[q.model].max_context_tokens
    return [
        q._replace(context=max(q.context, _round_up(tokens + q.gen)), prompt=tokens)
        for tokens in SPEED_CONTEXTS
        if _round_up(tokens + q.gen) <= limit
    ]


def speed(data: SiteData, pick: Pick) -> str:
    """Decode speed of ``pick`` after 512 to 128K tokens of context."""
    q = pick.query
    points = []
    for point in curve(data.catalog, q):
        tokens = point.prompt
        estimate = data.results.get(point)
        runs = is_runnable(estimate) and estimate.decode_tok_s is not None
        low, high = estimate.decode_tok_s_range or (None, None)
        points.append(
            SpeedPoint(
                tokens,
                estimate.decode_tok_s if runs else None,
                low if runs else None,
                high if runs else None,
                runs and estimate.verdict == "offload",
            )
        )
    title = (
        f"Decode speed by context length: {data.catalog.models[q.model].name} {q.quant}, "
        f"{data.catalog.runtimes[q.runtime].name}"
    )
    return speed_chart(f"speed-{q.combo}-{q.model}", title, points)


def _round_up(tokens: int) -> int:
    """``tokens`` rounded up to a multiple of 1,024."""
    return -(-tokens // 1024) * 1024
