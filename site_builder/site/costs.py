"""Each combo's money figures, computed in the evaluate stage from its worked example (the
headline pick): prices, price per GiB and per decode tok/s, owning against renting and an API.
``site-builder cost`` prints the same figures for a combo and model."""

from __future__ import annotations

import datetime

from site_builder.catalog import Catalog
from site_builder.engine.config import DEFAULT_USD_PER_KWH
from site_builder.engine.cost import Costs, costs
from site_builder.engine.evidence import as_shown
from site_builder.engine.result import Estimate
from site_builder.site.picks import Pick, headline_pick
from site_builder.site.results import Results, in_vram
from site_builder.site.tables import sheet_price


def combo_costs(results: Results, combo: str) -> tuple[Pick | None, Costs]:
    """The combo's worked example and its costs at the engine's electricity price."""
    catalog = results.catalog
    pick = headline_pick(results, combo)
    model = catalog.models[pick.query.model] if pick else None
    setup = shown(results, combo, pick.query.model) if pick else None
    sold = [
        (catalog.models[slug], found)
        for slug in catalog.models
        if catalog.models[slug].api_prices
        and (found := shown(results, combo, slug)) is not None
        and in_vram(found)
    ]
    return pick, costs(catalog.combos[combo], catalog.gpus, model, setup, DEFAULT_USD_PER_KWH, sold)


def shown(results: Results, combo: str, model: str) -> Estimate | None:
    """The headline answer's result with the decode speed pages show (a measurement where
    there is one: :func:`~site_builder.engine.evidence.as_shown`), which the money figures
    divide by; None when nothing runs."""
    answer = results.headline(combo, model)
    return None if answer is None else as_shown(answer.estimate, answer.evidence)


def headline_price(found: Costs) -> tuple[float | None, str]:
    """The price a page leads with: the cheapest current one with its condition and date, else
    the launch price; (USD, text)."""
    return sheet_price(found.sheet)


def price_dates(catalog: Catalog) -> list[datetime.date]:
    """Every price observation's date in the catalog."""
    dates = [p.as_of for c in catalog.combos.values() for p in c.prices]
    for gpu in catalog.gpus.values():
        dates += [p.as_of for p in gpu.street_prices] + [p.as_of for p in gpu.rental_prices]
    return dates + [p.as_of for m in catalog.models.values() for p in m.api_prices]
