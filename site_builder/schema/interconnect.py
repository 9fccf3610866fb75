"""Links between cards (``catalog/interconnects/<slug>.yaml``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from site_builder.schema.base import Entity, plausible


class Interconnect(Entity):
    """A card-to-card link class: a PCIe slot configuration, an NVLink bridge, unified memory."""

    name: str = Field(min_length=1, description="Display name, e.g. 'PCIe 4.0 x16'.")
    kind: Literal["pcie", "nvlink", "unified-memory"] = Field(description="Link family.")
    generation: str = Field(
        min_length=1, description="PCIe generation ('4.0') or NVLink generation ('3.0')."
    )
    lanes: int | None = Field(
        default=None, ge=1, le=32, description="PCIe lanes per card, or NVLink links per bridge."
    )
    bandwidth_gb_s: Annotated[float, plausible(1, 2000, "GB/s")] = Field(
        description="Theoretical bandwidth per direction between two cards, decimal GB/s."
    )
    description: str = Field(min_length=1, description="What this link is and where it occurs.")
