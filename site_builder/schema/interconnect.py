"""Links between cards (``catalog/interconnects/<slug>.yaml``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from site_builder.schema.base import Entity, plausible


class Interconnect(Entity):
    """A link class: between the cards of one machine (a PCIe slot configuration, an NVLink
    bridge, unified memory) or between machines (a network: Ethernet, InfiniBand, Thunderbolt)."""

    name: str = Field(min_length=1, description="Display name, e.g. 'PCIe 4.0 x16'.")
    kind: Literal["pcie", "nvlink", "unified-memory", "network"] = Field(
        description="Link family; `network` links machines, the others cards in one machine."
    )
    generation: str = Field(
        min_length=1,
        description="PCIe generation ('4.0'), NVLink generation ('3.0'), or the network's "
        "standard and transport ('Thunderbolt 5, RDMA').",
    )
    lanes: int | None = Field(
        default=None, ge=1, le=32, description="PCIe lanes per card, or NVLink links per bridge."
    )
    bandwidth_gb_s: Annotated[float, plausible(1, 2000, "GB/s")] = Field(
        description="Theoretical bandwidth per direction between two cards, decimal GB/s."
    )
    latency_us: Annotated[float, plausible(0.1, 1000, "us")] | None = Field(
        default=None,
        description="One-way latency of a small message over the link's transport, in "
        "microseconds (network links need it: it is paid at every crossing between machines).",
    )
    description: str = Field(min_length=1, description="What this link is and where it occurs.")
