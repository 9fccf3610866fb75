"""Card-to-card links: latency and effective bandwidth per link class, and collective costs.

Link classes (club-3090 docs/PCIE_P2P.md, NCCL transports): an NVLink bridge; PCIe with
peer-to-peer DMA; PCIe without P2P, where NCCL stages every transfer through host memory (SHM
transport: two copies and a CPU-side handshake, the usual state of GeForce 40/50 cards); and
unified memory (one chip). Times are seconds, bandwidths decimal bytes per second.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

LinkClass = Literal["single", "nvlink", "pcie-p2p", "pcie-host", "unified"]

LATENCY_S: dict[str, float] = {
    "single": 0.0,
    "unified": 0.0,
    "nvlink": 4e-6,
    "pcie-p2p": 5e-6,
    "pcie-host": 6e-6,
}
"""One step of a collective (alpha). GenZ uses 1.9 us link latency + 5 us launch; llm-analysis
floors an all-reduce at 8 us; AIConfigurator's RTX 5090 PCIe file uses p2p_latency 10 us.
With the bandwidth term below, a 16 KB decode all-reduce costs ~8 us over an NVLink bridge and
~16 us host-staged over PCIe 4.0 x8, which reproduces club-3090 PR #702 (vLLM 2x3090 TP=2:
NVLink + custom all-reduce decodes 3-5 % faster than NCCL_P2P_DISABLE=1)."""

BANDWIDTH_EFFICIENCY: dict[str, float] = {
    "single": 1.0,
    "unified": 1.0,
    "nvlink": 0.9,
    "pcie-p2p": 0.8,
    "pcie-host": 0.25,
}
"""Fraction of the catalog's per-direction link bandwidth a large transfer reaches. PCIe
reaches ~80 % of its raw rate after protocol overhead (TLP headers, 128b/130b); NVLink ~90 %;
host-staged copies cross PCIe twice and wait on the CPU: NCCL's SHM transport reaches ~25 % of
the raw rate (about 8 GB/s all-reduce bus bandwidth on PCIe 4.0 x16 with NCCL_P2P_DISABLE=1),
which reproduces club-3090 PR #702's +35-49 % prefill for NVLink on 2x3090 TP=2."""


NETWORK_EFFICIENCY = 0.94
"""Fraction of a network link's line rate that large RDMA transfers reach: 189.85 of 200 Gb/s
between two DGX Sparks (NVIDIA dgx-spark-playbooks connect-two-sparks performance guide,
ib_write_bw) and 75.0 of 80 Gb/s over Thunderbolt 5 (hellas-ai/thunderbolt-ibverbs PR 27,
ib_send_bw)."""


class Network(NamedTuple):
    """The network between the machines of a multi-machine configuration (identical machines,
    cards numbered machine by machine)."""

    machines: int
    bandwidth_gb_s: float
    """Raw per-direction bandwidth from the catalog interconnect."""
    latency_us: float
    """One-way small-message latency of the link's transport (catalog)."""
    name: str = "a network"
    """The link's display name."""

    @property
    def latency_s(self) -> float:
        return self.latency_us * 1e-6

    @property
    def bytes_per_s(self) -> float:
        """Effective bandwidth of large transfers."""
        return self.bandwidth_gb_s * 1e9 * NETWORK_EFFICIENCY


class Link(NamedTuple):
    """The link between the cards of a configuration, and the network between its machines
    when it spans several."""

    klass: LinkClass
    bandwidth_gb_s: float
    """Raw per-direction bandwidth from the catalog interconnect."""
    network: Network | None = None
    name: str = ""
    """The catalog interconnect's name ("AMD Infinity Fabric (MI300X platform)"); empty for the
    engine's default link, which its class names."""

    @property
    def latency_s(self) -> float:
        return LATENCY_S[self.klass]

    @property
    def bytes_per_s(self) -> float:
        """Effective bandwidth of large transfers."""
        return self.bandwidth_gb_s * 1e9 * BANDWIDTH_EFFICIENCY[self.klass]


def link_class(kind: str | None, p2p: bool, n_cards: int) -> LinkClass:
    """Classify a link from the interconnect kind and the P2P flag."""
    if n_cards <= 1:
        return "single"
    if kind == "nvlink":
        return "nvlink"
    if kind == "unified-memory":
        return "unified"
    return "pcie-p2p" if p2p else "pcie-host"


def allreduce_s(n: int, message_bytes: float, link: Link) -> float:
    """Ring all-reduce of ``message_bytes`` over ``n`` ranks (alpha-beta model):
    ``2 (n-1) alpha + 2 (n-1)/n x bytes / beta`` (GenZ collective_times.py; Thakur et al. 2005).
    Across ``m`` machines, ``2 (m-1)`` of the steps also cross the network, adding its latency
    (NCCL's own model, src/graph/tuning.cc, counts ``nInterSteps`` network hops), and the ring
    moves at the slower link's rate."""
    if n <= 1:
        return 0.0
    steps = 2 * (n - 1)
    net = link.network
    if net is None or net.machines <= 1:
        return steps * link.latency_s + steps / n * message_bytes / link.bytes_per_s
    latency = steps * link.latency_s + 2 * (net.machines - 1) * net.latency_s
    return latency + steps / n * message_bytes / min(link.bytes_per_s, net.bytes_per_s)


def transfer_s(message_bytes: float, link: Link) -> float:
    """One point-to-point transfer (layer-split activation hop): alpha + bytes / beta."""
    if link.klass == "single":
        return 0.0
    return link.latency_s + message_bytes / link.bytes_per_s


def boundaries_s(n: int, message_bytes: float, link: Link) -> float:
    """Layer split over ``n`` cards: the activation crosses each card boundary once per pass
    (:func:`transfer_s`); a boundary between machines is a request and a reply over the network
    instead (llama.cpp's RPC back-end: the first machine sends each remote one its input and
    waits for the output, tools/rpc/README.md; a pipeline of two machines also sends the
    result back to the first)."""
    if n <= 1:
        return 0.0
    net = link.network
    machines = 1 if net is None else min(net.machines, n)
    inside = (n - machines) * transfer_s(message_bytes, link)
    if net is None or machines <= 1:
        return inside
    return inside + 2 * (machines - 1) * (net.latency_s + message_bytes / net.bytes_per_s)


ROW_SPLIT_MATMULS = 7
"""Weight matrices per transformer layer that llama.cpp ``-sm row`` splits: Q, K, V, O, gate,
up, down (src/llama-model.cpp ``buft_list_row``)."""

ROW_SYNC_S = 2e-5
"""Cost of one row-split gather (cudaMemcpyPeer of the partial result, event wait, launches on
every card; no CUDA graphs across devices). Sized so that -sm row on a 2x RTX 3090 NVLink pair
lands near 1.5x -sm layer for a 70B model (ollama/ollama#2191: layer gave ~60 % of row's
tok/s on 2x A6000 + NVLink; ggml-org/llama.cpp PR #3776: 18.9 tok/s 70B on 2x3090 NVLink);
host-staged PCIe doubles it."""


def row_gathers_s(n_layers: int, message_bytes: float, link: Link) -> float:
    """llama.cpp row split: one gather per split matrix per layer, each a synchronisation plus
    the partial result over the link."""
    sync = ROW_SYNC_S * (2.0 if link.klass == "pcie-host" else 1.0)
    return n_layers * ROW_SPLIT_MATMULS * (sync + transfer_s(message_bytes, link))


def bandwidth_ratio(memory_gb_s: Sequence[float], link_gb_s: float) -> float:
    """How many times slower the link is than the slowest card's own memory: min(memory GB/s)
    / link GB/s per direction (both vendor figures). A split that moves weights or activations
    over the link pays this factor against reading them from VRAM."""
    return min(memory_gb_s) / link_gb_s
