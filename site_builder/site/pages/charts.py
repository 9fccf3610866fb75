"""Charts of one chosen configuration: memory per card and decode speed by context length."""

from __future__ import annotations

from dataclasses import replace

from site_builder.site.pages import SiteData
from site_builder.site.picks import Pick
from site_builder.site.results import is_runnable
from site_builder.site.svg.memory import CardBar, memory_chart
from site_builder.site.svg.speed import SpeedPoint, speed_chart

SPEED_CONTEXTS: tuple[int, ...] = (512, 2048, 8192, 16384, 32768, 65536, 131072)
"""Tokens already in context before decoding, for the speed-by-context chart."""


def memory(data: SiteData, pick: Pick) -> str:
    """Memory per card of ``pick`` against each card's capacity."""
    q = pick.query
    bars = [
        CardBar(f"Card {i} · {_short(data, card.gpu)}", card)
        for i, card in enumerate(pick.estimate.memory.per_gpu)
    ]
    if not bars:
        return ""
    title = (
        f"Memory per card: {data.catalog.models[q.model].name} {q.quant}, "
        f"{data.catalog.runtimes[q.runtime].name}, {q.context:,} tokens of context"
    )
    return memory_chart(f"memory-{q.combo}-{q.model}", title, bars)


def speed(data: SiteData, pick: Pick) -> str:
    """Decode speed of ``pick`` after 512 to 128K tokens of context."""
    q = pick.query
    limit = data.catalog.models[q.model].max_context_tokens
    points = []
    for tokens in (t for t in SPEED_CONTEXTS if t + q.gen <= limit):
        window = max(q.context, _round_up(tokens + q.gen))
        estimate = data.results.ask(replace(q, context=window, prompt=tokens))
        runs = is_runnable(estimate) and estimate.decode_tok_s is not None
        low, high = estimate.decode_tok_s_range or (None, None)
        points.append(
            SpeedPoint(
                tokens,
                estimate.decode_tok_s if runs else None,
                low if runs else None,
                high if runs else None,
            )
        )
    title = (
        f"Decode speed by context length: {data.catalog.models[q.model].name} {q.quant}, "
        f"{data.catalog.runtimes[q.runtime].name}"
    )
    return speed_chart(f"speed-{q.combo}-{q.model}", title, points)


def _round_up(tokens: int) -> int:
    """The next power of two at or above ``tokens`` (a context window people would allocate)."""
    window = 1024
    while window < tokens:
        window *= 2
    return window


def _short(data: SiteData, slug: str) -> str:
    return data.catalog.gpus[slug].name.removeprefix("NVIDIA ").removeprefix("GeForce ")
