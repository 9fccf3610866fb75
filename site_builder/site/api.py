"""The machine-readable site: ``/api/*.json`` and ``/schema/*.schema.json``.

- ``/api/index.json``: what exists (kinds, counts, endpoints, contexts of the grid);
- ``/api/<kind>.json``: the index of a kind: each entry's name and file, by slug;
  ``/api/<kind>/<slug>.json``: one catalog entry, exactly as validated (no file grows with the
  catalog beyond its index);
- ``/api/estimates/<combo>.json``: the engine's results for the combo's standard grid, as a
  table (``fields`` + ``rows``) to stay small, which the configurator and the compare picker
  read too; ``/api/estimates/<combo>.details.json`` the columns only the configurator shows
  (each card's memory, the reasons, the launch command), row by row;
  ``/api/matrix.json``: the kinds of hardware and their files, ``/api/matrix/hardware/<kind>.json``
  the will-it-run picks in brief, ``/api/matrix/<combo>.json`` the full
  recommendations of one combo;
- ``/schema/<kind>.schema.json``: the JSON Schema editors validate catalog files against.

Every file is serialised with sorted keys and fixed separators, so two builds are identical.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from site_builder.catalog import Catalog
from site_builder.engine import Estimate
from site_builder.engine.evidence import near_ratio
from site_builder.engine.recommend import Candidate, Recommendation
from site_builder.engine.result import LABELLED
from site_builder.schema import KINDS
from site_builder.schema_export import json_schemas, render_schema, schema_file_name
from site_builder.site.memo import answers_only
from site_builder.site.pages import matrix as matrix_page
from site_builder.site.picks import headline_contexts
from site_builder.site.results import CONTEXTS, order, query_of
from site_builder.site.sitedata import SiteData
from site_builder.site.tables import (
    FIGURES,
    HEADLINE_CONTEXT,
    Default,
    Query,
    Rows,
    RowText,
    defaults_json,
    details_text,
    dump,
    gpu_names,
    price,
    table_text,
)


def catalog_files(catalog: Catalog) -> dict[str, str | bytes]:
    """The files that read the catalog only: the index, every entity, the matrix's index and
    the schemas (the build writes them while the engine runs)."""
    out: dict[str, str | bytes] = {"api/index.json": dump(index(catalog))}
    for kind in KINDS:
        entries = getattr(catalog, kind)
        out[f"api/{kind}.json"] = dump({s: entry_summary(kind, s, e) for s, e in entries.items()})
        for slug, entry in entries.items():
            out[f"api/{kind}/{slug}.json"] = dump(entry.model_dump(mode="json"))
    out["api/matrix.json"] = dump(matrix_index(catalog))
    out.update(schemas(catalog))
    return out


def brief_files(data: SiteData) -> Iterator[tuple[str, str | bytes]]:
    """The will-it-run briefs of each kind of hardware (from the results' rows)."""
    memo = data.results.recall
    for group in matrix_page.groups(data.catalog):
        path = brief_path(group).lstrip("/")
        yield (
            path,
            answers_only(memo, (path,), group.combos, partial(_brief_file, data, group.combos)),
        )


def _combo_matrix(data: SiteData, combo: str) -> dict[str, str | bytes]:
    path = f"api/matrix/{combo}.json"
    return {
        path: answers_only(
            data.results.recall, (path,), [combo], partial(_matrix_file, data, combo)
        )
    }


def combo_stream(
    data: SiteData, folder: Path | None = None
) -> Iterator[tuple[str, str | bytes | None]]:
    """Each combo's recommendations file and estimate tables, made one combo at a time (a
    build writes each as it is made: the tables were about 1.2 GB of text at 3,000 pages, and
    a build that stores its results reads each combo back once for both). A build writing into
    ``folder`` keeps the files the last build wrote there of the combos unchanged since
    (:meth:`SiteData.carries`): None instead of their text."""
    rows = Rows(data.catalog)  # the same for every combo
    memo = data.results.recall
    for combo in data.catalog.combos:
        files = [f"api/matrix/{combo}.json", *table_files(combo)]
        there = folder is not None and all((folder / file).is_file() for file in files)
        if there and data.carries([combo]):
            yield from ((file, None) for file in files)
            continue
        yield from _combo_matrix(data, combo).items()
        made = answers_only(
            memo, ("estimates", combo), [combo], partial(_tables, data, combo, rows)
        )
        yield from made.items()
        rows.forget()


def _brief_file(data: SiteData, combos: Sequence[str]) -> str:
    return dump(matrix_brief(data, combos))


def _matrix_file(data: SiteData, combo: str) -> str:
    return dump(matrix(data, combo))


def table_files(combo: str) -> tuple[str, str]:
    """The files of ``combo``'s configurator table: its figures, and its details."""
    return f"api/estimates/{combo}.json", f"api/estimates/{combo}.details.json"


def _tables(data: SiteData, combo: str, rows: Rows) -> dict[str, str | bytes]:
    """The combo's configurator table as ``/api/estimates/<combo>.json`` and its details (the
    API, the configurator and the compare picker read the same files)."""
    return dict(zip(table_files(combo), estimates(data, combo, rows), strict=True))


def entry_summary(kind: str, slug: str, entry: Any) -> dict[str, str]:
    """An entry in its kind's index: the name readers know it by (or its title) and the file
    holding it."""
    name = getattr(entry, "name", None) or getattr(entry, "title", None) or slug
    return {"name": str(name), "file": entity_path(kind, slug)}


def entity_path(kind: str, slug: str) -> str:
    return f"/api/{kind}/{slug}.json"


def index(catalog: Catalog) -> dict[str, Any]:
    return {
        "kinds": {kind: len(getattr(catalog, kind)) for kind in KINDS},
        "endpoints": [f"/api/{kind}.json" for kind in KINDS]
        + ["/api/matrix.json"]
        + [brief_path(g) for g in matrix_page.groups(catalog)]
        + [f"/api/matrix/{combo}.json" for combo in catalog.combos]
        + [f"/{file}" for combo in catalog.combos for file in table_files(combo)],
        "entities": entity_path("<kind>", "<id>"),
        "schemas": [f"/schema/{kind}.schema.json" for kind in KINDS],
        "contexts": list(CONTEXTS),
        "headline_context": HEADLINE_CONTEXT,
    }


def estimates(data: SiteData, combo: str, rows: Rows) -> tuple[str, str]:
    """The combo's grid as a table's JSON and its details file's (``rows``: the row maker,
    shared by every combo): the grid's rows as the results hold them made
    (:meth:`Results.table_rows`), then the answers' and the headline setups' at every
    context."""
    found = data.results.table_rows(combo, rows)
    defaults: dict[str, Default] = {}
    nothing: dict[str, dict[str, str]] = {}
    for model in data.catalog.models:
        recommendation = data.results.recommendation(combo, model)
        found.update((q, rows.text(q, e)) for q, e in _answer_rows(recommendation).items())
        default = _default(data, recommendation)
        if default is not None:
            defaults[model] = default
        else:
            nothing[model] = {"verdict": recommendation.verdict, "reason": recommendation.reason}
    for query in headline_contexts(data.results, combo):
        found[query] = rows.text(query, data.results.get(query))
    head = {
        "combo": combo,
        "contexts": list(CONTEXTS),
        "fields": list(FIGURES),
        "calibrated_bits": list(LABELLED),
        "defaults": defaults_json(defaults),
        "nothing": nothing,
        "gpu_names": gpu_names(data.catalog, data.catalog.combos[combo].cards()),
        "price": price(data.results.costs[combo][1].sheet),
    }
    texts: list[RowText] = [found[q] for q in sorted(found, key=order)]
    return table_text(head, (t[0] for t in texts)), details_text(combo, (t[1] for t in texts))


def _answer_rows(recommendation: Recommendation) -> dict[Query, Estimate]:
    """Rows the configurator needs beyond the grid: answers and per-runtime picks on a split
    other than the runtime's default."""
    picked = [*recommendation.per_runtime.values()]
    picked += [Candidate(a.config, a.estimate) for a in recommendation.answers.values()]
    return {query_of(c.config): c.estimate for c in picked}


def _default(data: SiteData, recommendation: Recommendation) -> Default | None:
    top = recommendation.headline
    if top is None:
        return None
    # every measurement's own conditions are evaluated with the benchmarks (accuracy points)
    estimator, catalog = data.results.estimator, data.catalog
    near = near_ratio(catalog, top.config, "decode_tok_s", estimator)
    per_runtime = {
        r: (c.config.quant, c.estimate.split) for r, c in recommendation.per_runtime.items()
    }
    value = None if top.evidence.value is None else round(top.evidence.value, 2)
    evidence = (top.evidence.label, value)
    setup = top.config.runtime, top.config.quant, top.estimate.split
    return Default(*setup, per_runtime, evidence, near)


def matrix(data: SiteData, combo: str) -> dict[str, Any]:
    """Model -> the recommender's answers on ``combo`` at the headline workload (the same JSON
    as ``site-builder recommend --json``)."""
    return {
        model: data.results.recommendation(combo, model).to_json() for model in data.catalog.models
    }


def matrix_index(catalog: Catalog) -> dict[str, Any]:
    """The will-it-run matrix's index: each kind of hardware (as ``/will-it-run/`` groups
    them, at most 16 combos each) with its brief, and each combo's full file; no file here
    grows with combos x models."""
    return {
        "kinds": {
            g.slug: {"title": g.title, "combos": list(g.combos), "file": brief_path(g)}
            for g in matrix_page.groups(catalog)
        },
        "files": {combo: f"/api/matrix/{combo}.json" for combo in catalog.combos},
    }


def brief_path(group: matrix_page.Group) -> str:
    return f"/api/matrix/hardware/{group.slug}.json"


def matrix_brief(data: SiteData, combos: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Combo -> model -> the headline answer's setup, verdict and decode (None when nothing
    runs)."""
    brief: dict[str, dict[str, Any]] = {}
    for combo in combos:
        brief[combo] = {}
        for model in data.catalog.models:
            top = data.results.headline(combo, model)
            brief[combo][model] = (
                None
                if top is None
                else {
                    "answer": top.name,
                    "runtime": top.config.runtime,
                    "quant": top.config.quant,
                    "split": top.estimate.split,
                    "verdict": top.estimate.verdict,
                    "decode_tok_s": top.estimate.to_json()["decode_tok_s"],
                }
            )
    return brief


def schemas(catalog: Catalog) -> dict[str, str | bytes]:
    """``schema/<kind>.schema.json``, every reference listing the catalog's IDs (the files
    ``make schema`` writes into ``schema/`` for editors)."""
    ids = {kind: sorted(getattr(catalog, kind)) for kind in KINDS}
    return {
        f"schema/{schema_file_name(kind)}": render_schema(schema)
        for kind, schema in json_schemas(ids).items()
    }
