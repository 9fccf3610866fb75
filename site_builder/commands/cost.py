"""``site-builder cost``: what a combo costs to buy and run, and owning it against renting the
same cards or buying a model's tokens from a hosted API, for the recommended setup of a model
(the figures its combo page shows when that model is the page's worked example).

Exit codes: 0 with the answer (a combo without a current price says so); 1 when the catalog has
errors; 2 with one line naming the bad argument for unknown IDs. ``--json`` is strict JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
from pathlib import Path
from typing import Any

from site_builder.catalog.cache import load_cached
from site_builder.commands.estimate import print_json
from site_builder.engine import Config, estimate
from site_builder.engine.config import DEFAULT_USD_PER_KWH
from site_builder.engine.cost import Costs, costs
from site_builder.engine.evidence import as_shown
from site_builder.engine.recommend import recommend
from site_builder.engine.resolve import lookup
from site_builder.engine.workloads import HEADLINE
from site_builder.site import fmt
from site_builder.site.pages.combo_cost import break_even, observations, price_facts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", type=Path, default=Path("catalog"), help="catalog folder")
    parser.add_argument("--combo", required=True, help="combo ID")
    parser.add_argument("--model", required=True, help="model ID (its recommended setup)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    catalog = load_cached(args.catalog)
    combo = lookup("combo", catalog.combos, args.combo)
    model = lookup("model", catalog.models, args.model)
    base = Config(
        combo.cards(), args.model, "", "", interconnect=combo.interconnect, combo=args.combo
    )
    answer = recommend(catalog, base, HEADLINE, estimate).headline
    setup = as_shown(answer.estimate, answer.evidence) if answer else None  # as pages show it
    found = costs(combo, catalog.gpus, model, setup, DEFAULT_USD_PER_KWH)
    if args.json:
        return print_json(to_json(found), "a cost")
    print(text(f"{combo.name}, {model.name}", found))
    return 0


def text(title: str, found: Costs) -> str:
    """The figures as the combo page words them."""
    lines = [title, ""]
    lines += [f"{f.label}: {f.value}" for f in price_facts(found)] or ["no sourced price yet"]
    own = found.own
    if own is not None:
        lines += ["", f"own vs rent (electricity {fmt.usd(own.usd_per_kwh)}/kWh, resale left out):"]
        lines.append(f"{'use':>10} {'over':>8} {'own':>10} {'rent':>10} {'API':>10}")
        for r in own.rows:
            cells = (fmt.usd(r.own_usd), fmt.usd(r.rent_usd), fmt.usd(r.api_usd))
            row = " ".join(f"{c:>10}" for c in cells)
            lines.append(f"{r.hours_per_day:>6g} h/d {r.years:>6} y {row}")
        lines += ["", *break_even(own)]
    seen = observations(found)
    if seen:
        lines += ["", "prices:", *(f"- {s.what}: {s.price}, {s.as_of}, {s.source}" for s in seen)]
    return "\n".join(lines)


def to_json(found: Costs) -> dict[str, Any]:
    """Every field of the figures; dates in ISO form, observations as the catalog holds them."""
    plain: dict[str, Any] = _plain(dataclasses.asdict(found))
    return plain


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return _plain(value.model_dump())
    return value
