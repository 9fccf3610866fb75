"""The API's table rows read an estimate field by field; they must hold exactly what
``estimate --json`` (:meth:`Estimate.to_json`) prints for it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from site_builder.catalog import Catalog, load_catalog
from site_builder.engine import Estimate, estimate
from site_builder.engine.evidence import estimated_label
from site_builder.engine.recommend import candidates
from site_builder.engine.result import LABELLED
from site_builder.site.results import base_config, query_of
from site_builder.site.tables import (
    DETAILS,
    FIELDS,
    FIGURES,
    Bits,
    Rows,
    details_text,
    dump,
    table_text,
)
from tests.site.conftest import ROOT

CATALOG = load_catalog(ROOT / "catalog")


def from_json(bits: Bits, estimate: Estimate, model: str, quant: str) -> list[Any]:
    """The row as the JSON contract states it (what the API rows were built from before)."""
    data = estimate.to_json()
    low, high = data["decode_tok_s_range"] or (None, None)
    cards: list[list[Any]] = []
    for c in data["memory"]["per_gpu"]:
        values = [c["gpu"], c["capacity_gib"], c["weights_gib"], c["kv_cache_gib"]]
        values += [c["buffers_gib"], c["overhead_gib"], c["total_gib"]]
        if cards and cards[-1][:-1] == values:
            cards[-1][-1] += 1
        else:
            cards.append([*values, 1])
    return [
        data["verdict"],
        data["decode_tok_s"],
        low,
        high,
        data["prefill_tok_s"],
        data["ttft_ms"],
        data["aggregate_decode_tok_s"],
        data["max_context"],
        data["power_w"],
        data["joules_per_token"],
        data["split"],
        data["memory"]["total_gib"],
        cards,
        data["reasons"],
        data["launch_command"],
        estimated_label(estimate, "decode_tok_s"),
        sum(1 << at for at, metric in enumerate(LABELLED) if metric in data["calibrated"]),
    ]


@pytest.mark.parametrize(
    ("combo", "model"),
    [
        ("dual-rtx-4090", "llama-3.3-70b-instruct"),
        ("single-rtx-3060", "qwen3-30b-a3b"),
        ("mac-studio-m2-ultra", "deepseek-v3"),
        ("8x-h200", "deepseek-r1"),
        ("dual-dgx-spark", "gpt-oss-120b"),
    ],
)
def test_rows_hold_what_estimate_json_prints(combo: str, model: str) -> None:
    catalog: Catalog = CATALOG
    assert combo in catalog.combos and model in catalog.models
    rows = Rows(catalog)
    bits = rows.bits
    verdicts: set[str] = set()
    for config in candidates(catalog, base_config(catalog, combo, model)):
        found = estimate(catalog, config)
        verdicts.add(found.verdict)
        query = query_of(config)
        got = rows.row(query, found)
        figures, details = rows.text(query, found)
        assert json.loads(figures) == [got[FIELDS.index(f)] for f in FIGURES]
        assert json.loads(details) == [got[FIELDS.index(f)] for f in DETAILS]
        head = [model, config.quant, bits[(model, config.quant)], config.runtime]
        assert got[:5] == [*head, config.context_tokens]
        assert got[5:] == from_json(bits, found, model, config.quant), config
    assert "unsupported" in verdicts and len(verdicts) >= 2


@pytest.mark.parametrize(
    ("head", "rows"),
    [
        ({"combo": "a", "fields": ["x"]}, []),
        ({"combo": "a", "price": None}, [["q", 1.5, None]]),
        ({"combo": 'x|<script>"\\', "gpu_names": {"é": "ü"}}, [["<b>|", 2, [1, 2]], ["z", 0.1]]),
        ({"contexts": [8192], "defaults": {"b": 1, "a": 2}}, [[1e-07, -0.0, 12345678901234]]),
    ],
)
def test_a_table_is_written_as_one_dump_of_it_writes_it(
    head: dict[str, Any], rows: list[list[Any]]
) -> None:
    texts = [json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in rows]
    assert table_text(head, texts) == dump({**head, "rows": rows})


def test_a_table_key_after_rows_is_refused() -> None:
    with pytest.raises(ValueError, match="sort before 'rows'"):
        table_text({"combo": "a", "zone": 1}, [])


def test_the_details_split_off_every_field_once() -> None:
    assert DETAILS == ("per_gpu", "reasons", "launch_command")
    assert sorted([*FIGURES, *DETAILS]) == sorted(FIELDS)
    assert [f for f in FIELDS if f in FIGURES] == list(FIGURES)  # the table's order kept


def test_a_details_file_is_one_dump_of_its_rows() -> None:
    rows = [[[["rtx-4090", 23.99, 1]], ["no <fit>|"], "llama-server -m x"], [[], [], ""]]
    texts = [json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in rows]
    expected = dump({"combo": "c", "fields": list(DETAILS), "rows": rows})
    assert details_text("c", texts) == expected
