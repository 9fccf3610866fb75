"""``Estimate.to_json`` (the one serialiser) equals the generic rounding of every field: floats
to 2 decimals, energy to 3, cost to 4, tuples as lists, nested dataclasses as objects;
``Estimate.finite`` finds every number strict JSON cannot write; a batch line is compact strict
JSON of the same value."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import asdict
from itertools import islice
from typing import Any

import pytest

from site_builder.catalog import Catalog
from site_builder.commands.batch import json_line
from site_builder.engine import Estimate, estimate
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


def _poisoned(result: Estimate, where: str) -> Estimate:
    """``result`` with NaN or infinity in one of the places ``to_json`` writes numbers."""
    card = result.memory.per_gpu[0]
    if where == "field":
        return dataclasses.replace(result, ttft_ms=math.inf)
    if where == "range":
        return dataclasses.replace(result, prefill_tok_s_range=(1.0, math.nan))
    if where == "memory total":
        return dataclasses.replace(
            result, memory=dataclasses.replace(result.memory, total_gib=-math.inf)
        )
    cards = (dataclasses.replace(card, kv_cache_gib=math.nan), *result.memory.per_gpu[1:])
    return dataclasses.replace(result, memory=dataclasses.replace(result.memory, per_gpu=cards))


@pytest.mark.parametrize("where", ["field", "range", "memory total", "card"])
def test_finite_finds_a_non_finite_number_wherever_to_json_writes_one(
    catalog: Catalog, where: str
) -> None:
    query = next(q for q in headline_queries(catalog) if q.runtime == "llama-cpp")
    result = estimate(catalog, config_for(catalog, query))
    assert result.verdict != "unsupported" and result.finite()
    poisoned = _poisoned(result, where)
    assert not poisoned.finite()
    with pytest.raises(ValueError, match="Out of range float"):
        json.dumps(poisoned.to_json(), allow_nan=False)


@pytest.mark.parametrize(
    "value",
    [
        {"verdict": "fits", "decode_tok_s": 12.34, "reasons": ["a \u00d7 b \u2014 c"], "x": None},
        {"error": "unknown model 'caf\u00e9\t\"q\"'"},
        {
            "error": "lone surrogate \ud800 in a line"
        },  # orjson refuses it: the json module writes it
    ],
)
def test_a_batch_line_is_compact_strict_json_of_the_same_value(value: dict[str, Any]) -> None:
    line = json_line(value)
    assert b"\n" not in line and b"\r" not in line and b'": ' not in line
    assert json.loads(line.decode("utf-8")) == value


def test_finite_holds_numbers_whose_sum_overflows(catalog: Catalog) -> None:
    """``finite`` sums first; huge finite numbers overflowing that sum are still finite."""
    query = next(q for q in headline_queries(catalog) if q.runtime == "llama-cpp")
    result = estimate(catalog, config_for(catalog, query))
    huge = dataclasses.replace(result, ttft_ms=1.7e308, prefill_tok_s_range=(1.7e308, 1.7e308))
    assert huge.finite()
    json.dumps(huge.to_json(), allow_nan=False)
