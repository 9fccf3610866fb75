"""Dated, sourced prices: what hardware sells for, what renting it costs by the hour, and what a
hosted API charges for a model's tokens. Each observation is one figure on one day from one
source; the engine reads the newest (:mod:`site_builder.engine.cost`)."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import Field

from site_builder.schema.base import URL_PATTERN, Strict, plausible

Condition = Literal["new", "used"]


class Observed(Strict):
    """When and where a price was seen."""

    as_of: datetime.date = Field(description="Date the source shows for the price (YYYY-MM-DD).")
    source: str = Field(pattern=URL_PATTERN, description="URL of the page showing the price.")
    note: str = Field(
        min_length=1,
        description="Exactly what was priced, e.g. 'Founders Edition at NVIDIA's store' or "
        "'eBay sold listings average, October 2026'.",
    )


class StreetPrice(Observed):
    """What one card, or one whole machine, sold for."""

    usd: Annotated[float, plausible(20, 1_000_000, "USD")] = Field(
        description="Price in US dollars, taxes and shipping excluded."
    )
    condition: Condition = Field(description="new (retail or vendor store) or used (resale).")


class RentalPrice(Observed):
    """What a cloud charges to rent one card by the hour."""

    provider: str = Field(min_length=1, description="Cloud provider, e.g. 'RunPod'.")
    usd_per_gpu_hour: Annotated[float, plausible(0.01, 200, "USD per GPU-hour")] = Field(
        description="On-demand price of one card for one hour in US dollars (for an offer of "
        "several cards, the offer's price divided by its cards)."
    )


class ApiPrice(Observed):
    """What a hosted API charges for this model's tokens."""

    provider: str = Field(min_length=1, description="API provider, e.g. 'DeepInfra'.")
    usd_per_mtok_input: Annotated[float, plausible(0, 1000, "USD per million tokens")] = Field(
        description="Price of a million input (prompt) tokens in US dollars."
    )
    usd_per_mtok_output: Annotated[float, plausible(0.001, 1000, "USD per million tokens")] = Field(
        description="Price of a million output (generated) tokens in US dollars."
    )
