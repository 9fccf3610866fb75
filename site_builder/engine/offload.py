"""System RAM when the model does not fit on the cards: llama.cpp's partial offload.

Whole layers (``-ngl N``: :func:`offload_layout`), or for a mixture-of-experts model only the
routed experts of the first N layers (``--n-cpu-moe N``: :func:`expert_layout`,
:func:`expert_offload`). Each layout is monotone in the context, so the largest context that
still runs is a bisection over the verdict's own test (:func:`offload_max_context`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from site_builder.engine import memory as mem
from site_builder.engine.fit import Fit
from site_builder.engine.names import card_label, plural
from site_builder.engine.placement import (
    Placement,
    Request,
    card_buffers,
    card_load,
    embed_in_host,
    kv_of,
    layer_split,
)
from site_builder.engine.result import Verdict
from site_builder.engine.shapes import GIB


class Offload(NamedTuple):
    """llama.cpp partial offload at one context: layers per card and what system RAM holds."""

    counts: tuple[int, ...]
    """Whole layers on each card (the rest run from system RAM)."""
    host_bytes: float
    """System RAM: offloaded layers and their KV cache (window-capped for sliding-window
    layers), the output layer with its f32 logits, llama.cpp's token embedding."""
    blocked: int | None
    """A card that cannot hold its compute buffers and overhead even without layers."""


def offload_layout(req: Request, context: int) -> Offload:
    """Layers per card when the model does not fit: each card takes as many whole layers
    (weights + their KV at ``context``, sliding-window layers capped at the window) as its free
    memory holds, in card order (llama.cpp ``-ngl`` below the layer count; the output layer then
    stays in system RAM). Mirrors :func:`placement.layer_split` with ``output_on_gpu=False``.

    Monotone in ``context`` by construction (the per-layer bytes grow, every card's room
    shrinks, so fewer layers stay on the GPUs and ``host_bytes`` grows), which makes the largest
    context that still runs a clean threshold (:func:`offload_max_context`)."""
    s = req.shape
    n = s.n_layers
    layer_kv = req.slots * mem.kv_at(*kv_of(req, 1.0 / n, 1.0), context, s.window)
    per_layer = s.per_layer_bytes + layer_kv
    fixed, per_token = card_buffers(req, 1.0, False, 1)
    embed_on_gpu = not embed_in_host(req)
    counts: list[int] = []
    left, blocked = n, None
    for i, (capacity, overhead) in enumerate(req.caps):
        base = capacity - overhead - fixed - (s.embed_bytes if embed_on_gpu and i == 0 else 0.0)
        if base < 0 and blocked is None:
            blocked = i
        room = base - per_token * context
        fit = int(room // per_layer) if room > 0 and per_layer > 0 else 0
        counts.append(min(max(fit, 0), left))
        left -= counts[-1]
    host = left * per_layer + s.head_bytes + req.ubatch * s.vocab * 4.0
    if not embed_on_gpu:
        host += s.embed_bytes
    return Offload(tuple(counts), host, blocked)


def offload_runs(req: Request, context: int, host_room: float, experts: bool = False) -> bool:
    """Whether llama.cpp's partial offload runs at ``context`` with ``host_room`` bytes of
    system RAM (the verdict ``estimate`` gives when the model does not fit in VRAM): whole
    layers, or with ``experts`` also the routed experts alone (:func:`expert_runs`). Either
    test is monotone in the context, so their union is too."""
    if experts and expert_runs(req, context, host_room):
        return True
    layout = offload_layout(req, context)
    return layout.blocked is None and layout.host_bytes <= host_room


def offload_max_context(req: Request, host_room: float, limit: int, experts: bool = False) -> int:
    """Largest window (at most ``limit``) at which the partial offload still runs, 0 if none:
    a bisection over :func:`offload_runs`, the same test the verdict uses (monotone in the
    context, see :func:`offload_layout`), so the advertised window runs, whole-layer
    granularity, the sliding-window cap and the compute buffers included."""
    if limit < 1 or not offload_runs(req, 1, host_room, experts):
        return 0
    if offload_runs(req, limit, host_room, experts):
        return limit
    lo, hi = 1, limit
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if offload_runs(req, mid, host_room, experts):
            lo = mid
        else:
            hi = mid
    return lo


class ExpertLayout(NamedTuple):
    """llama.cpp expert offload at one context: how many layers keep their routed experts in
    system RAM, each card's layers, and what system RAM then holds."""

    cpu_layers: int
    """Layers whose routed experts are in system RAM (``--n-cpu-moe``): the first ones."""
    counts: tuple[int, ...]
    """Layers on each card, in card order (llama.cpp ``--tensor-split`` by these counts)."""
    host_bytes: float
    """System RAM: those experts and llama.cpp's token embedding."""
    runs_on_cards: bool
    """The cards hold everything else (attention, shared experts, KV cache, the output layer,
    buffers); False when they cannot even with every expert in system RAM."""

    def runs_in(self, host_room: float) -> bool:
        """Whether this layout runs with ``host_room`` bytes of system RAM."""
        return self.runs_on_cards and self.host_bytes <= host_room


def expert_layout(req: Request, context: int) -> ExpertLayout:
    """Expert offload of a mixture-of-experts model (llama.cpp ``-ngl 99 --n-cpu-moe N``, PR
    15077; ``-ot exps=CPU`` before it): every layer runs on a card and the routed experts of the
    first N layers live in system RAM, N as small as the cards allow. The layers go to the cards
    in order, each taking as many as its free memory holds after its compute buffers (and, on
    the last, the output layer): a layer weighs its dense part and KV cache at ``context``, plus
    its experts from layer N on. Experts are taken to weigh the same in every layer.

    Monotone in ``context`` like :func:`offload_layout` (the KV grows, the rooms shrink, N and
    ``host_bytes`` grow), so the largest context that runs is a clean threshold."""
    s = req.shape
    n = s.n_layers
    expert = s.expert_bytes / n
    rooms = _expert_rooms(req, context)
    kv = req.slots * mem.kv_at(*kv_of(req, 1.0 / n, 1.0), context, s.window)
    dense = s.dense_block_bytes / n + kv
    lo, hi = 1, n
    if _fill(rooms, n, n, dense, expert) is None:
        return ExpertLayout(n, (0,) * len(rooms), n * expert + _host_embed(req), False)
    while lo < hi:  # the fewest layers whose experts leave the cards (monotone in N)
        mid = (lo + hi) // 2
        if _fill(rooms, n, mid, dense, expert) is None:
            lo = mid + 1
        else:
            hi = mid
    counts = _fill(rooms, n, lo, dense, expert) or ()
    return ExpertLayout(lo, counts, lo * expert + _host_embed(req), True)


def _expert_rooms(req: Request, context: int) -> list[float]:
    """Each card's bytes left for layers under expert offload: capacity less overhead, compute
    buffers at ``context``, the output layer on the last card and, where the runtime keeps it
    on a card, the token embedding on the first."""
    s, last = req.shape, len(req.caps) - 1
    rooms = []
    for i, (capacity, overhead) in enumerate(req.caps):
        fixed, per_token = card_buffers(req, 1.0, i == last, 1)
        room = capacity - overhead - fixed - per_token * context
        room -= s.head_bytes if i == last else 0.0
        room -= s.embed_bytes if i == 0 and not embed_in_host(req) else 0.0
        rooms.append(room)
    return rooms


def _fill(
    rooms: Sequence[float], n: int, cpu_layers: int, dense: float, expert: float
) -> tuple[int, ...] | None:
    """Layers per card, filled in card order with layer ``j`` weighing ``dense`` plus, from
    layer ``cpu_layers`` on, ``expert``; None when they do not all fit (contiguous blocks in
    order: filling each card as far as it goes places them whenever any order-keeping split
    does)."""
    counts, layer = [], 0
    for room in rooms:
        taken = 0
        while layer < n:
            weight = dense + (expert if layer >= cpu_layers else 0.0)
            if weight > room:
                break
            room -= weight
            taken += 1
            layer += 1
        counts.append(taken)
    return tuple(counts) if layer == n else None


def expert_runs(req: Request, context: int, host_room: float) -> bool:
    """Whether expert offload runs at ``context`` with ``host_room`` bytes of system RAM."""
    return expert_layout(req, context).runs_in(host_room)


def expert_offload(req: Request, cpu_layers: int, counts: Sequence[int]) -> Placement:
    """The model on the cards, ``counts`` layers each, with the routed experts of the first
    ``cpu_layers`` layers in system RAM (:func:`expert_layout`). A decoded token reads those
    layers' top-k experts from system RAM, where llama.cpp multiplies them on the CPU, and
    everything else from VRAM, the cards taking turns as in :func:`placement.layer_split`; the
    KV cache and the output layer stay on the cards."""
    s = req.shape
    n = s.n_layers
    expert, active = s.expert_bytes / n, s.active_expert_bytes / n
    last = max((i for i, c in enumerate(counts) if c), default=len(counts) - 1)
    cards, start = [], 0
    for i, count in enumerate(counts):
        kept = max(0, start + count - max(start, cpu_layers))  # its layers from cpu_layers on
        share = count / n
        head = s.head_bytes if i == last else 0.0
        embed = s.embed_bytes if i == 0 and not embed_in_host(req) else 0.0
        weights = share * s.dense_block_bytes + kept * expert + head + embed
        read = share * s.dense_block_bytes + kept * active + head
        buffers = card_buffers(req, share, i == last, 1)
        kv = kv_of(req, share, 1.0)
        card = card_load(req, i, weights, buffers, kv, read, share, share, count, i == last)
        cards.append(card._replace(expert_bytes=kept * expert))
        start += count
    off = cpu_layers / n
    return Placement(
        "layer",
        tuple(cards),
        False,
        n,
        off * s.expert_bytes + _host_embed(req),
        off * s.active_expert_bytes,
        0.0,
        kv_copies=req.slots,
        cpu_block_bytes=off * s.expert_bytes,
        cpu_moe_layers=cpu_layers,
        cpu_expert_bytes=off * s.expert_bytes,
    )


def _host_embed(req: Request) -> float:
    """The token embedding's bytes in system RAM (llama.cpp's), else 0."""
    return req.shape.embed_bytes if embed_in_host(req) else 0.0


def verdict(
    req: Request,
    context: int,
    host_room: float,
    experts: bool,
    gpu_fit: Fit,
    cpu_moe_layers: int | None = None,
) -> tuple[Placement, Fit]:
    """llama.cpp partial offload when the model does not fit in VRAM: a mixture-of-experts
    model's routed experts alone where llama.cpp can keep them in system RAM (``experts``) and
    that runs (:func:`experts_verdict`; ``cpu_moe_layers``: how many layers' experts the
    question keeps there), else whole layers on the GPUs as far as they go and the rest in RAM.
    The verdict is :func:`offload_runs`' test, so ``max_context`` (its bisection) and the
    verdict agree. The placement is the layer offload layout whether or not it runs."""
    if experts:
        found = expert_layout(req, context)
        if found.runs_in(host_room):
            return experts_verdict(req, context, host_room, gpu_fit, found, cpu_moe_layers)
    layout = offload_layout(req, context)
    pl = layer_split(req, layout.counts, output_on_gpu=False)
    ram = layout.host_bytes
    n = req.shape.n_layers
    if layout.blocked is not None:
        card = pl.cards[layout.blocked]
        fixed = card.weights + card.buffers + card.overhead
        return _judged(
            pl,
            gpu_fit,
            f"{card_label(layout.blocked, card.gpu)}: compute buffers and overhead need "
            f"{fixed / GIB:.1f} GiB of {card.capacity / GIB:.1f} GiB even with every layer in "
            "system RAM",
        )
    if ram > host_room:
        return _judged(
            pl,
            gpu_fit,
            f"offloading {n - pl.gpu_layers} of {n} layers needs {ram / GIB:.1f} GiB of system "
            f"RAM, {host_room / GIB:.1f} GiB available",
        )
    return _judged(
        pl,
        gpu_fit,
        f"partial offload: {pl.gpu_layers} of {n} layers on {_cards(pl)}; "
        f"{plural(n - pl.gpu_layers, 'layer')} and the output layer ({ram / GIB:.1f} GiB) "
        "in system RAM",
        "offload",
    )


def experts_verdict(
    req: Request,
    context: int,
    host_room: float,
    gpu_fit: Fit,
    layout: ExpertLayout,
    cpu_layers: int | None = None,
) -> tuple[Placement, Fit]:
    """The expert offload ``layout`` that runs at ``context`` (:func:`expert_layout`), with the
    experts of as few layers in system RAM as fit, or of ``cpu_layers`` where the question says
    how many (``--cpu-moe-layers``, a measured run's ``--n-cpu-moe``): the placement and the
    verdict, no-fit when that many leave the cards too full or system RAM too small."""
    n = req.shape.n_layers
    layers = min(cpu_layers or layout.cpu_layers, n)
    pl = expert_offload(req, layers, layout.counts)
    ram = pl.host_at(context, req.shape.window)
    if layers < layout.cpu_layers:
        return _judged(
            pl,
            gpu_fit,
            f"the routed experts of {layers} of {n} layers in system RAM leave too much on "
            f"{_cards(pl)}: it takes at least {layout.cpu_layers}",
        )
    if ram > host_room:
        return _judged(
            pl,
            gpu_fit,
            f"the routed experts of {layers} of {n} layers need {ram / GIB:.1f} GiB of system "
            f"RAM, {host_room / GIB:.1f} GiB available",
        )
    return _judged(
        pl,
        gpu_fit,
        f"expert offload: the routed experts of {layers} of {n} layers "
        f"({pl.cpu_block_bytes / GIB:.1f} GiB) in system RAM; attention, the KV cache and the "
        f"output layer on {_cards(pl)}",
        "offload",
    )


def _judged(
    pl: Placement, gpu_fit: Fit, why: str, verdict: Verdict = "no-fit"
) -> tuple[Placement, Fit]:
    """The offload placement with its verdict: the GPU-only reasons, then ``why``."""
    return pl, Fit(verdict, (*gpu_fit.reasons, why), 0)


def _cards(pl: Placement) -> str:
    return "the GPU" if len(pl.cards) == 1 else "the GPUs"
