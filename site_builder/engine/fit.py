"""Fit verdicts with reasons that name the card and the numbers, and the largest context."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from site_builder.engine.memory import max_tokens
from site_builder.engine.names import card_label
from site_builder.engine.placement import CardLoad, Placement
from site_builder.engine.result import Verdict
from site_builder.engine.shapes import GIB

TIGHT_FRACTION = 0.05
"""A card is tight below 5 % headroom ..."""
TIGHT_GIB = 1.0
"""... or below 1 GiB: allocator fragmentation and driver growth eat that much in practice."""
POOL_TIGHT_SLACK = 1.10
"""Pool runtimes are tight when their KV pool holds less than 1.1x the requested window."""


class Fit(NamedTuple):
    """A memory verdict."""

    verdict: Verdict
    reasons: tuple[str, ...]
    max_context: int


def label(index: int, card: CardLoad) -> str:
    """``card 1 (RTX 3090)`` for the card at 0-based ``index``."""
    return card_label(index, card.gpu)


def _gib(n_bytes: float) -> str:
    return f"{n_bytes / GIB:.1f} GiB"


def card_problem(index: int, card: CardLoad, context: int, window: int) -> str | None:
    """Why one card cannot hold its share at ``context`` tokens, or None."""
    if card.pool:
        if card.pool + card.display > card.capacity:
            return (
                f"{label(index, card)}: the {_gib(card.pool)} memory pool and the "
                f"{_gib(card.display)} desktop reserve exceed {_gib(card.capacity)}"
            )
        need = card.kv_at(context, window)
        fixed = card.weights + card.buffers + card.overhead
        if card.kv_space <= 0:
            return (
                f"{label(index, card)}: weights and buffers need {_gib(fixed)} of the "
                f"{_gib(card.pool)} memory pool, leaving nothing for the KV cache"
            )
        if need > card.kv_space:
            return (
                f"{label(index, card)}: KV cache for {context:,} tokens needs {_gib(need)}, "
                f"{_gib(card.kv_space)} left in the {_gib(card.pool)} pool after {_gib(fixed)} "
                "of weights and buffers"
            )
        return None
    total = card.total_at(context, window)
    if total > card.capacity:
        return f"{label(index, card)}: needs {_gib(total)} of {_gib(card.capacity)}"
    return None


def card_tight(index: int, card: CardLoad, context: int, window: int, total: float) -> str | None:
    """Why a card that fits (holding ``total`` bytes) is tight, or None."""
    if card.pool:
        need = card.kv_at(context, window)
        if need * POOL_TIGHT_SLACK > card.kv_space:
            return (
                f"{label(index, card)}: the {_gib(card.kv_space)} left for KV cache barely holds "
                f"{context:,} tokens ({_gib(need)})"
            )
        return None
    headroom = card.capacity - total
    if headroom < max(TIGHT_FRACTION * card.capacity, TIGHT_GIB * GIB):
        return (
            f"{label(index, card)}: {_gib(total)} of "
            f"{_gib(card.capacity)}, only {_gib(headroom)} of headroom"
        )
    return None


def card_max_context(card: CardLoad, window: int) -> int:
    """Largest window this card's share allows: the closed form of :func:`memory.max_tokens`,
    checked against the card's own totals (the test :func:`assess` applies) so float rounding
    never advertises a token that does not fit. 0 if no window fits (a pool runtime whose pool
    and desktop reserve exceed the card, or fixed bytes above capacity)."""
    swa = card.kv_copies * card.kv_swa_per_token
    if card.pool:
        if card.pool + card.display > card.capacity:
            return 0
        room = card.kv_space
        per_token = card.kv_copies * card.kv_per_token
    else:
        room = card.capacity - card.weights - card.buffers - card.overhead
        per_token = card.kv_copies * card.kv_per_token + card.buffer_per_token
    if per_token <= 0 and swa <= 0:
        return UNBOUNDED if room >= 0 else 0
    best = max_tokens(room, per_token, swa, window)
    while best > 0 and not _holds(card, best, window):
        best -= 1
    return best


UNBOUNDED = 1 << 30
"""A card whose memory does not grow with the context bounds nothing."""


def _holds(card: CardLoad, context: int, window: int) -> bool:
    """Whether ``card`` holds its share at ``context`` tokens (as :func:`assess` decides)."""
    if card.pool:
        return card.kv_alloc_at(context, window) <= card.kv_space
    return card.total_at(context, window) <= card.capacity


def max_context(pl: Placement, window: int, model_max: int, host_room: float) -> int:
    """Largest context that fits on every card (and in RAM for offloaded layers, sliding-window
    KV capped at the window), capped at the model's maximum: for a GPU-only placement, the
    largest window :func:`assess` keeps in VRAM. Every card counts, as in :func:`assess`."""
    best = model_max
    for card in pl.cards:
        best = min(best, card_max_context(card, window))
    if pl.cpu_kv_per_token > 0 or pl.cpu_kv_swa_per_token > 0:
        room = host_room - pl.cpu_weights
        full, swa = pl.kv_copies * pl.cpu_kv_per_token, pl.kv_copies * pl.cpu_kv_swa_per_token
        best = min(best, max_tokens(room, full, swa, window))
    return max(best, 0)


def assess(pl: Placement, context: int, window: int, totals: list[float] | None = None) -> Fit:
    """Verdict of a GPU-only placement: fits, tight or no-fit (offload is decided by the
    caller, which knows the runtime and the host). ``totals``: each card's bytes, if known."""
    totals = totals or [c.total_at(context, window) for c in pl.cards]
    over = [
        i
        for i, c in enumerate(pl.cards)
        if (c.pool and (c.kv_at(context, window) > c.kv_space or c.pool + c.display > c.capacity))
        or (not c.pool and totals[i] > c.capacity)
    ]
    if over:
        problems = (card_problem(i, pl.cards[i], context, window) for i in over)
        return Fit("no-fit", tuple(p for p in problems if p), 0)
    tight = [
        t for i, c in enumerate(pl.cards) if (t := card_tight(i, c, context, window, totals[i]))
    ]
    if tight:
        return Fit("tight", tuple(tight), 0)
    return Fit("fits", (usage(pl.cards, totals),), 0)


def usage(cards: Sequence[CardLoad], totals: Sequence[float]) -> str:
    """What each card holds: ``card 1 (RTX 4090) holds 21.6 GiB of 24.0 GiB``; a run of
    identical cards holding the same reads once (``cards 1-8 (H200 SXM) hold 124.1 GiB of
    141.0 GiB each``)."""
    lines = [
        (label(i, c), f"{totals[i] / GIB:.1f} GiB of {c.capacity / GIB:.1f} GiB")
        for i, c in enumerate(cards)
    ]
    runs: list[list[int]] = []
    for i, (_, held) in enumerate(lines):
        last = runs[-1][-1] if runs else -1
        if runs and cards[last].gpu.name == cards[i].gpu.name and lines[last][1] == held:
            runs[-1].append(i)
        else:
            runs.append([i])
    return ", ".join(_run_usage(run, lines) for run in runs)


def _run_usage(run: list[int], lines: list[tuple[str, str]]) -> str:
    first, held = lines[run[0]]
    if len(run) == 1:
        return f"{first} holds {held}"
    name = first.split(" ", 2)[2]
    numbers = f"{run[0] + 1} and {run[-1] + 1}" if len(run) == 2 else f"{run[0] + 1}-{run[-1] + 1}"
    return f"cards {numbers} {name} hold {held} each"
