"""Hardware combos: the GPUs of one machine and how they are linked (``catalog/combos/``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from site_builder.schema.base import (
    Entity,
    FailureMode,
    Id,
    Prose,
    Rating,
    SplitMode,
    Strict,
    plausible,
)
from site_builder.schema.price import StreetPrice


class GpuCount(Strict):
    """How many cards of one GPU model a machine holds."""

    gpu: Id = Field(description="GPU ID (file name under catalog/gpus/).")
    count: int = Field(ge=1, le=16, description="Number of cards of this model.")


class Slot(Strict):
    """The PCIe slot one card sits in."""

    link: Id = Field(
        description="Interconnect ID of the slot's PCIe link as the card trains in it "
        "(e.g. pcie-4.0-x4 for a x16-sized slot wired x4)."
    )
    via: Literal["cpu", "chipset"] = Field(
        description="Where the slot's lanes come from: the CPU, or the chipset (traffic then "
        "shares the chipset's own uplink to the CPU)."
    )


class Host(Strict):
    """The machine around the cards; it matters when layers spill to system RAM."""

    system_ram_gib: Annotated[float, plausible(4, 4096, "GiB")] = Field(
        description="System RAM in GiB of the reference build."
    )
    ram_bandwidth_gb_s: Annotated[float, plausible(10, 2000, "GB/s")] = Field(
        description="Peak system-RAM bandwidth in GB/s (channels x transfer rate x 8 bytes)."
    )
    platform: str = Field(min_length=1, description="Reference platform, e.g. 'AM5 X670E'.")


class RuntimeRating(Strict):
    """How well one runtime works on this combo, in the editors' judgement."""

    runtime: Id = Field(description="Runtime ID.")
    rating: Rating = Field(description="Editorial rating.")
    notes: Prose = Field(description="Why, and what to watch for.")


class SplitNote(Strict):
    """A partitioning strategy that applies to this combo."""

    split: SplitMode = Field(description="The strategy.")
    notes: Prose = Field(description="When to use it here and what it costs.")


class RelatedCombo(Strict):
    """A link to a combo readers compare this one with."""

    combo: Id = Field(description="Combo ID.")
    note: Prose = Field(description="How it differs, in one sentence.")


class Combo(Entity):
    """A machine's GPUs, their link, and the editorial review of running LLMs on it."""

    name: str = Field(min_length=1, description="Display name, e.g. 'Dual RTX 4090'.")
    summary: Prose = Field(description="One-paragraph verdict; no hand-typed speeds.")
    gpus: list[GpuCount] = Field(min_length=1, description="The cards, by model and count.")
    interconnect: Id = Field(description="Interconnect ID linking the cards of one machine.")
    machines: int = Field(
        default=1,
        ge=1,
        le=16,
        description="Identical machines the combo spans, each holding `gpus` and `host`; more "
        "than one needs `network`.",
    )
    network: Id | None = Field(
        default=None,
        description="Interconnect ID (a `network` link) joining the machines, when there are "
        "several.",
    )
    network_ports: int = Field(
        default=1,
        ge=1,
        le=16,
        description="Ports of `network` each machine uses together (an HGX node has one "
        "InfiniBand port per GPU: 8); the link's bandwidth counts once per port.",
    )
    slots: list[Slot] | None = Field(
        default=None,
        description="Each card's PCIe slot, one per card of one machine in the order of `gpus` "
        "(x8/x8/x4, CPU or chipset lanes); card-to-card PCIe traffic then runs at the slowest "
        "slot's rate. Without it, every card is taken to sit on `interconnect`.",
    )
    pcie_p2p: bool = Field(
        description="Peer-to-peer DMA between cards is available (off on GeForce 40/50-series "
        "drivers; NVLink implies it)."
    )
    host: Host = Field(description="Reference host machine.")
    psu_w: Annotated[float, plausible(100, 20000, "W")] = Field(
        description="Recommended power-supply rating in watts (for SoC systems, the built-in "
        "supply or adapter rating)."
    )
    os: list[str] = Field(min_length=1, description="Operating systems known to work.")
    runtimes: list[RuntimeRating] = Field(min_length=1, description="Runtime compatibility.")
    split_strategies: list[SplitNote] = Field(
        min_length=1, description="Partitioning strategies that apply."
    )
    topology_notes: Prose = Field(description="How the cards are connected and what it implies.")
    pros: list[Prose] = Field(min_length=1, description="The honest case for this combo.")
    cons: list[Prose] = Field(min_length=1, description="The honest case against it.")
    who_should_avoid: list[Prose] = Field(min_length=1, description="Readers it is wrong for.")
    failure_modes: list[FailureMode] = Field(min_length=1, description="What breaks and why.")
    power_notes: Prose = Field(description="PSU sizing, transients, connectors.")
    thermal_notes: Prose = Field(description="Cooling, slot spacing, noise.")
    reliability_notes: Prose = Field(description="Known reliability issues.")
    related: list[RelatedCombo] = Field(default_factory=list, description="Combos to compare.")
    prices: list[StreetPrice] = Field(
        default_factory=list,
        description="Dated prices of one whole machine (a Mac, a DGX Spark, a server), new or "
        "used. Builds of separate cards leave this out: their price is the sum of the cards' "
        "newest street prices.",
    )

    def cards(self) -> tuple[tuple[str, int], ...]:
        """(GPU ID, count) pairs in card order, as the engine's ``Config.gpus`` takes them: every
        machine's cards, machine by machine."""
        return tuple((e.gpu, e.count) for _ in range(self.machines) for e in self.gpus)

    def card_slugs(self) -> tuple[str, ...]:
        """The GPU ID of every card, card 0 first, machine by machine."""
        return tuple(gpu for gpu, count in self.cards() for _ in range(count))
