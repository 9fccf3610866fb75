"""``site-builder recommend``: the named answers (fastest, easiest, most precise, offload) for
one machine and model under a workload; each a full ``estimate`` with why and warnings.

Exit codes: 0 whatever the answer (no answer when nothing runs, with the reason); 1 when the
catalog has errors, or when an answer holds a non-finite number (a bug; no output then); 2 with
one line naming the bad argument for unknown IDs or invalid values (``--gpu`` is read by the
estimate command's helpers: COUNT in ASCII digits from 1 to 16). ``--json`` is strict JSON.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from site_builder.catalog.cache import load_cached
from site_builder.commands.estimate import print_json, summary
from site_builder.engine import Config, estimate
from site_builder.engine.recommend import NOTHING_RUNS, Recommendation, answers_of, recommend
from site_builder.engine.request import hardware
from site_builder.engine.resolve import lookup, validate_hardware
from site_builder.engine.workloads import WORKLOADS, WorkloadName


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", type=Path, default=Path("catalog"), help="catalog folder")
    parser.add_argument("--combo", help="combo ID (its cards and interconnect)")
    parser.add_argument("--gpu", action="append", default=[], metavar="SLUG[:COUNT]")
    parser.add_argument("--interconnect", help="interconnect ID between the cards")
    parser.add_argument("--model", required=True)
    parser.add_argument("--workload", choices=list(WORKLOADS), default="chat")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    catalog = load_cached(args.catalog)
    fields = {"combo": args.combo, "gpu": args.gpu, "interconnect": args.interconnect}
    cards, interconnect, combo = hardware(catalog, fields)
    lookup("model", catalog.models, args.model)
    base = Config(cards, args.model, "", "", interconnect=interconnect, combo=combo)
    validate_hardware(catalog, base)
    workload: WorkloadName = args.workload
    result = recommend(catalog, base, workload, estimate)
    if not args.json:
        print(text(catalog.models[args.model].name, result))
        return 0
    return print_json(result.to_json(), "an answer")


def text(model: str, result: Recommendation) -> str:
    """A readable report: each answer's setup, why, warnings, then its estimate."""
    lines = [f"{model}, workload {result.workload}: {WORKLOADS[result.workload].description}"]
    if not result.answers:
        lines.append(f"nothing runs ({NOTHING_RUNS[result.verdict]}): {result.reason}")
    for answer in answers_of(result):
        c = answer.config
        split = f", {answer.estimate.split} split" if len(c.gpus) > 1 or c.gpus[0][1] > 1 else ""
        lines += [
            "",
            f"== {answer.name}: {c.runtime} {c.quant}{split} ({answer.evidence.label})",
            answer.why,
        ]
        lines += [f"warning: {w}" for w in answer.warnings]
        lines += ["", summary(answer.estimate)]
    return "\n".join(lines)
