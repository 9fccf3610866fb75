"""Write tools/measurements/consumer-4x3090-llm-benchmarks.yaml
from LottoLottoLotto/4x3090-llm-benchmarks.

The upstream repository publishes every measurement of one home rig (4x RTX 3090, PCIe 3.0 x16,
220 W default power limit) as one JSON object per line in ``data/benchmarks.jsonl`` (schema v2:
model, checkpoint, quant, engine and version, TP, prompt/generated tokens, concurrency,
``output_tok_s`` with its definition in ``output_tps_kind``, TTFT/ITL percentiles, power limit,
launch argv). This parser keeps only rows the catalog can hold as published:

* vLLM rows of models that are in the catalog (``MODELS`` below), BF16 weights, TP = 1 on one
  card (TP > 1 rows of these models do not exist upstream);
* no speculative decoding (``spec_decode`` null), stated prompt and generated token counts and
  concurrency, and an ``output_tps_kind`` whose meaning is documented upstream
  (``aggregate_output`` = generated tokens per second summed over the concurrent streams;
  ``single_stream_wall`` = generated tokens / end-to-end time of one stream).

Concurrency 1 becomes ``decode_tok_s`` (one stream; its 512-token prompt is inside the wall time,
which the notes say), concurrency > 1 becomes ``output_tok_s``; a published median TTFT
becomes ``ttft_ms``. Values are copied unchanged. Rows are grouped into one catalog benchmark per
(model, upstream results file).

Usage::

    .venv/bin/python tools/importers/consumer-4x3090-llm-benchmarks.py \
        /work/.mirror/LottoLottoLotto+4x3090-llm-benchmarks/repo <40-hex commit>
    .venv/bin/python tools/import_measurements.py \
        tools/measurements/consumer-4x3090-llm-benchmarks.yaml

The first argument is a fetched bare snapshot (git dir); the commit must exist in it and is the
pin cited in every generated file.
"""

from __future__ import annotations

import datetime
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from pinned import git

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tools" / "measurements" / "consumer-4x3090-llm-benchmarks.yaml"
UPSTREAM = "https://github.com/LottoLottoLotto/4x3090-llm-benchmarks"
SOURCE_ID = "consumer-4x3090-llm-benchmarks"

# upstream checkpoint_ref -> catalog model id
MODELS = {"Mistral-7B-v0.3": "mistral-7b-v0.3", "Qwen3-4B": "qwen3-4b"}
QUANTS = {"bf16": "BF16"}
# Results far from the engine (site_builder/site/outliers.py), keyed by upstream run_id: why
# they differ, as far as the upstream repository says.
_POWER_CAP = (
    "Card power-limited to 220 W by its owner (HARDWARE.md; the RTX 3090's stock board power is "
    "350 W); the engine models stock board power."
)
_POWER_CAP_C1 = (
    "Card power-limited to 220 W by its owner (HARDWARE.md; the RTX 3090's stock board power is "
    "350 W), and the 512-token prompt's prefill is inside the timed interval; the engine models "
    "stock board power and pure decode."
)
REASONS = {
    "tli-synth/baseline-no-spec/repetitive/c8": _POWER_CAP,
    "tli-synth-ext/mistral7b--no-spec-rerun/code/c1": _POWER_CAP_C1,
    "tli-synth-ext/mistral7b--no-spec-rerun/code/c8": _POWER_CAP,
    "tli-synth-ext/mistral7b--no-spec-rerun/prose/c1": _POWER_CAP_C1,
    "tli-synth-ext/mistral7b--no-spec-rerun/prose/c8": _POWER_CAP,
}
KINDS = {
    "aggregate_output": "generated tokens per second summed over all concurrent streams "
    "(upstream output_tps_kind aggregate_output)",
    "single_stream_wall": "generated tokens divided by end-to-end time of the stream "
    "(upstream output_tps_kind single_stream_wall)",
}


def _command(row: dict[str, Any]) -> str:
    argv = row.get("launch_argv") or []
    parts = [a for a in argv if a != "-c"]
    return " ".join(parts) if parts else str(row.get("launch_cmd") or "")


def _keep(row: dict[str, Any]) -> bool:
    return (
        row.get("record_kind") == "measurement"
        and row.get("engine") == "vllm"
        and row.get("checkpoint_ref") in MODELS
        and row.get("quant") in QUANTS
        and row.get("tp") == 1
        and row.get("spec_decode") is None
        and row.get("prompt_tokens") is not None
        and row.get("gen_tokens") is not None
        and row.get("concurrency") is not None
        and row.get("output_tps_kind") in KINDS
        and row.get("output_tok_s") is not None
    )


def _results(row: dict[str, Any]) -> list[dict[str, Any]]:
    conc = int(row["concurrency"])
    knobs = row.get("knobs") or {}
    kind = knobs.get("prompt_kind")
    prompt = f"{kind} synthetic prompt" if kind else "synthetic prompt"
    reps = knobs.get("tok_s_all")
    rep_text = f"; per-repeat values {reps}" if reps else ""
    base = {
        "prompt_tokens": int(row["prompt_tokens"]),
        "gen_tokens": int(row["gen_tokens"]),
        "concurrency": conc,
    }
    metric = "decode_tok_s" if conc == 1 else "output_tok_s"
    note = (
        f"upstream run {row['run_id']}: output_tok_s, {KINDS[row['output_tps_kind']]}; "
        f"{prompt} of {row['prompt_tokens']} tokens, {row['gen_tokens']} generated, "
        f"{conc} concurrent stream(s), mean of the repeats{rep_text}. "
        f"Card power-limited to {row.get('power_limit_w')} W."
    )
    if conc == 1:
        note += " The prompt's prefill is inside the measured time."
    out = [{"metric": metric, "value": row["output_tok_s"], **base, "notes": note}]
    if row["run_id"] in REASONS:
        out[0]["outlier_reason"] = REASONS[row["run_id"]]
    if row.get("ttft_p50_ms") is not None:
        out.append(
            {
                "metric": "ttft_ms",
                "value": row["ttft_p50_ms"],
                **base,
                "notes": f"upstream run {row['run_id']}: median (p50) time to first token.",
            }
        )
    return out


def build(gitdir: str, commit: str) -> dict[str, Any]:
    if not re.fullmatch(r"[0-9a-f]{40}", commit):
        raise SystemExit("commit must be 40 lowercase hex digits")
    if git(gitdir, "cat-file", "-t", commit).strip() != "commit":
        raise SystemExit(f"{commit} is not a commit in {gitdir}")
    text = git(gitdir, "show", f"{commit}:data/benchmarks.jsonl")
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if _keep(row):
            key = (row["checkpoint_ref"], row.get("source_path") or row["run_id"])
            groups.setdefault(key, []).append(row)
    source = f"{UPSTREAM}/blob/{commit}/data/benchmarks.jsonl"
    benches = []
    for (ckpt, path), rows in sorted(groups.items()):
        rows.sort(key=lambda r: (str((r.get("knobs") or {}).get("prompt_kind")), r["concurrency"]))
        first = rows[0]
        versions = {r.get("engine_version") for r in rows}
        dates = {r.get("date") for r in rows}
        limits = {r.get("power_limit_w") for r in rows}
        if len(versions) != 1 or len(dates) != 1 or len(limits) != 1:
            raise SystemExit(f"mixed versions, dates or power limits in {path}")
        arm = Path(path).name.replace(".results.json", "")
        benches.append(
            {
                "gpus": [{"gpu": "rtx-3090", "count": 1}],
                "model": MODELS[ckpt],
                "quant": QUANTS[first["quant"]],
                "runtime_version": str(first["engine_version"]),
                "measured_on": datetime.date.fromisoformat(str(first["date"])),
                "kv_cache": "f16" if first.get("kv_cache_dtype") in (None, "auto") else None,
                "power_limit_w": first.get("power_limit_w"),
                "command": _command(first)
                + f"\n# client: {first['prompt_tokens']}-token prompt, {first['gen_tokens']} "
                "generated tokens, concurrency as in each result (upstream harness "
                f"'{first.get('source')}', results file {path}, arm '{arm}')",
                "results": [res for r in rows for res in _results(r)],
            }
        )
    for b in benches:
        for key in ("kv_cache", "power_limit_w"):
            if b[key] is None:
                del b[key]
    return {
        "source_id": SOURCE_ID,
        "source": source,
        "measured_on": benches[0]["measured_on"] if benches else None,
        "publisher": "LottoLottoLotto",
        "runtime": "vllm",
        "rationale": (
            "Plain vLLM (no speculative decoding) with 16-bit weights on one RTX 3090 whose "
            "power limit was set to 220 W, at one to eight concurrent streams: these rows are "
            "the no-speculation baselines of a speculative-decoding study, so they anchor how "
            "single-stream decode and batched throughput scale on a power-capped Ampere card."
        ),
        "extra_sources": [
            f"{UPSTREAM}/blob/{commit}/HARDWARE.md",
            f"{UPSTREAM}/blob/{commit}/METHODOLOGY.md",
        ],
        "benchmarks": benches,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__)
        return 2
    doc = build(argv[1], argv[2])
    header = (
        f"# generated by tools/importers/consumer-4x3090-llm-benchmarks.py from {UPSTREAM} "
        f"at {argv[2]}; rerun it, do not edit by hand\n"
    )
    OUT.write_text(header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100))
    n = sum(len(b["results"]) for b in doc["benchmarks"])
    print(f"{OUT.name}: {len(doc['benchmarks'])} benchmarks, {n} results")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
