"""The machine-readable site: ``/api/*.json`` and ``/schema/*.schema.json``.

- ``/api/index.json``: what exists (kinds, counts, endpoints, contexts of the grid);
- ``/api/<kind>.json``: every catalog entry of a kind, by slug, exactly as validated;
- ``/api/estimates/<combo>.json``: the engine's results for the combo's standard grid, as a
  table (``fields`` + ``rows``) to stay small; ``/api/matrix.json``: the will-it-run picks;
- ``/assets/data/<combo>.js``: the same estimates as a script, so the configurator also works
  when the site is opened from disk (``file://`` forbids fetch);
- ``/schema/<kind>.schema.json``: the JSON Schema editors validate catalog files against.

Every file is serialised with sorted keys and fixed separators, so two builds are identical.
"""

from __future__ import annotations

import json
from typing import Any

from site_builder.engine import Estimate, prepare
from site_builder.schema import KINDS
from site_builder.site import custom
from site_builder.site.pages import SiteData
from site_builder.site.picks import best_per_model, precision
from site_builder.site.results import CONTEXTS, HEADLINE_CONTEXT, Query

FIELDS = (
    "model",
    "quant",
    "bits_per_weight",
    "runtime",
    "context",
    "verdict",
    "decode_tok_s",
    "decode_low",
    "decode_high",
    "prefill_tok_s",
    "ttft_ms",
    "aggregate_decode_tok_s",
    "max_context",
    "power_w",
    "joules_per_token",
    "split",
    "memory_total_gib",
    "per_gpu",
    "reasons",
    "launch_command",
)
"""Columns of ``/api/estimates/<combo>.json`` rows; ``per_gpu`` rows are
[gpu, capacity, weights, kv_cache, buffers, overhead, total] in GiB; ``bits_per_weight`` is
the model's effective bits per parameter in that quant (what the site's picks rank by)."""


def files(data: SiteData) -> dict[str, str | bytes]:
    """The API's index, entity, matrix and schema files, by site-relative path."""
    out: dict[str, str | bytes] = {"api/index.json": dump(index(data))}
    for kind in KINDS:
        entries = getattr(data.catalog, kind)
        out[f"api/{kind}.json"] = dump({s: e.model_dump(mode="json") for s, e in entries.items()})
    out["api/matrix.json"] = dump(matrix(data))
    out.update(schemas())
    return out


def estimate_files(data: SiteData) -> dict[str, str | bytes]:
    """The per-combo estimate tables, as JSON and as scripts (the bulk of the API)."""
    out: dict[str, str | bytes] = {}
    for combo in data.catalog.combos:
        table = dump(estimates(data, combo))
        out[f"api/estimates/{combo}.json"] = table
        out[f"assets/data/{combo}.js"] = script(combo, table)
    return out


def build_files(data: SiteData) -> dict[str, str | bytes]:
    """The configurator's build-your-own tables (:mod:`~site_builder.site.custom`), in the estimate
    tables' format: the best quant of each runtime for each model, at the headline context."""
    out: dict[str, str | bytes] = {}
    lookups = prepare(data.catalog)
    for build in custom.builds(data.catalog):
        picks = custom.best_results(data.catalog, build, lookups)
        table = dump(
            {
                "combo": build.key,
                "gpus": [list(card) for card in build.cards],
                "contexts": [HEADLINE_CONTEXT],
                "fields": list(FIELDS),
                "rows": [row(p.query, p.estimate, precision(data.catalog, p.query)) for p in picks],
            }
        )
        out[f"api/estimates/{build.key}.json"] = table
        out[f"assets/data/{build.key}.js"] = script(build.key, table)
    return out


def dump(value: Any) -> str:
    """Deterministic JSON."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def index(data: SiteData) -> dict[str, Any]:
    return {
        "kinds": {kind: len(getattr(data.catalog, kind)) for kind in KINDS},
        "endpoints": [f"/api/{kind}.json" for kind in KINDS]
        + ["/api/matrix.json"]
        + [f"/api/estimates/{combo}.json" for combo in data.catalog.combos],
        "builds": [f"/api/estimates/{b.key}.json" for b in custom.builds(data.catalog)],
        "schemas": [f"/schema/{kind}.schema.json" for kind in KINDS],
        "contexts": list(CONTEXTS),
        "headline_context": HEADLINE_CONTEXT,
    }


def estimates(data: SiteData, combo: str) -> dict[str, Any]:
    """The combo's grid as a table."""
    return {
        "combo": combo,
        "contexts": list(CONTEXTS),
        "fields": list(FIELDS),
        "rows": [
            row(query, estimate, precision(data.catalog, query))
            for query, estimate in data.results.for_combo(combo)
        ],
    }


def row(query: Query, estimate: Estimate, bits_per_weight: float) -> list[Any]:
    """One grid result as a row of :data:`FIELDS`."""
    low, high = estimate.decode_tok_s_range or (None, None)
    per_gpu = [
        [
            c.gpu,
            _r(c.capacity_gib),
            _r(c.weights_gib),
            _r(c.kv_cache_gib),
            _r(c.buffers_gib),
            _r(c.overhead_gib),
            _r(c.total_gib),
        ]
        for c in estimate.memory.per_gpu
    ]
    return [
        query.model,
        query.quant,
        bits_per_weight,
        query.runtime,
        query.context,
        estimate.verdict,
        _r(estimate.decode_tok_s),
        _r(low),
        _r(high),
        _r(estimate.prefill_tok_s),
        _r(estimate.ttft_ms),
        _r(estimate.aggregate_decode_tok_s),
        estimate.max_context,
        _r(estimate.power_w),
        _r(estimate.joules_per_token),
        estimate.split,
        _r(estimate.memory.total_gib),
        per_gpu,
        list(estimate.reasons),
        estimate.launch_command,
    ]


def matrix(data: SiteData) -> dict[str, Any]:
    """Combo -> model -> the will-it-run pick at the headline context."""
    out: dict[str, Any] = {}
    for combo in data.catalog.combos:
        picks = best_per_model(data.catalog, data.results, combo)
        out[combo] = {
            model: {
                "quant": p.query.quant,
                "runtime": p.query.runtime,
                "context": p.query.context,
                "estimate": p.estimate.to_json(),
            }
            for model, p in picks.items()
        }
    return out


def script(combo: str, table_json: str) -> str:
    """The estimates table (JSON text) as a script defining ``window.SITE_ESTIMATES[combo]``."""
    return (
        "window.SITE_ESTIMATES = window.SITE_ESTIMATES || {};\n"
        f"window.SITE_ESTIMATES[{json.dumps(combo)}] = {table_json.strip()};\n"
    )


def schemas() -> dict[str, str | bytes]:
    """``schema/<kind>.schema.json`` from the lead's schema export, when present."""
    try:
        from site_builder.schema_export import json_schemas, render_schema, schema_file_name
    except ImportError:  # pragma: no cover - the export module ships with the package
        return {}
    return {
        f"schema/{schema_file_name(kind)}": render_schema(schema)
        for kind, schema in json_schemas().items()
    }


def _r(value: float | None) -> float | None:
    """Round as ``site-builder estimate --json`` does (two decimals)."""
    return None if value is None else round(value, 2)
