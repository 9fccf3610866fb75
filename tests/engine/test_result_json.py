"""``Estimate.to_json`` (the one serialiser) equals the generic rounding of every field: floats
to 2 decimals, energy to 3, cost to 4, tuples as lists, nested dataclasses as objects."""

from __future__ import annotations

from dataclasses import asdict
from itertools import islice
from typing import Any

from site_builder.catalog import Catalog
from site_builder.engine import estimate
from site_builder.site.results import config_for, headline_queries

DIGITS = {"joules_per_token": 3, "cost_per_million_tokens_usd": 4}


def reference(value: Any, digits: int = 2) -> Any:
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: reference(v, DIGITS.get(k, 2)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [reference(v, digits) for v in value]
    return value


def test_to_json_equals_the_generic_rounding(catalog: Catalog) -> None:
    checked = 0
    for query in islice(headline_queries(catalog), 0, None, 7):
        result = estimate(catalog, config_for(catalog, query))
        fast = result.to_json()
        assert fast == reference(asdict(result))
        assert list(fast) == list(asdict(result))
        checked += 1
    assert checked > 500
