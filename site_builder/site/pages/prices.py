"""Price observations as pages list them: what was priced, the price, its date and source
(combo Cost sections, GPU pages' street and rental prices, model pages' API prices)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from site_builder.schema import Gpu, Model
from site_builder.schema.price import ApiPrice, Observed
from site_builder.site import fmt


@dataclass(frozen=True)
class Seen:
    """One price observation: what, the price, its date and source."""

    what: str
    price: str
    as_of: str
    source: str
    host: str


def seen(what: str, price: str, observed: Observed) -> Seen:
    """The row of ``observed`` (its note follows ``what`` in brackets)."""
    host = urlsplit(observed.source).netloc.removeprefix("www.")
    return Seen(f"{what} ({observed.note})", price, str(observed.as_of), observed.source, host)


def gpu_prices(gpu: Gpu) -> list[Seen]:
    """Every street and rental price of one card, newest first."""
    rows = [(p.as_of, seen(p.condition, fmt.usd(p.usd), p)) for p in gpu.street_prices]
    rows += [
        (p.as_of, seen(f"rented from {p.provider}", f"{fmt.usd(p.usd_per_gpu_hour)} per hour", p))
        for p in gpu.rental_prices
    ]
    return [row for _, row in sorted(rows, key=lambda r: r[0], reverse=True)]


def api_prices(model: Model) -> list[Seen]:
    """Every hosted-API price of one model, newest first."""
    newest = sorted(model.api_prices, key=lambda p: p.as_of, reverse=True)
    return [seen(p.provider, api_price(p), p) for p in newest]


def api_price(price: ApiPrice) -> str:
    """Input and output price per million tokens."""
    tokens = f"{fmt.usd(price.usd_per_mtok_input)} in, {fmt.usd(price.usd_per_mtok_output)} out"
    return f"{tokens} per million tokens"
