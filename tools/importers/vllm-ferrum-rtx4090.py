"""Write tools/measurements/vllm-ferrum-rtx4090.yaml from sizzlecar/ferrum-infer-rs.

That project benchmarks its own engine against vLLM on one rented RTX 4090 and commits the raw
``vllm bench serve --save-result`` JSON of every vLLM cell, with the vLLM server's log beside
them. This parser reads the two vLLM sweeps of the pinned commit (``SWEEPS`` below): three
models (``MODELS``, by the sweep's own tag -> Hugging Face repo list ``models.txt``), at 1, 4,
16 and 32 concurrent requests, three repeats each, greedy (``--temperature 0``), prefix
caching off, no speculative decoding. Only raw files are read: the project's README tables are
not (they state output lengths the runs did not use).

For each run file: at concurrency 1, ``decode_tok_s`` = 1000 / ``median_tpot_ms`` (median time
per output token after the first) and ``ttft_ms`` = ``median_ttft_ms``; above 1,
``output_tok_s`` = ``output_throughput`` (generated tokens over the run's wall time,
prefill included). Prompt and generated tokens are the run's totals over its requests (the
prompts are a ShareGPT subset of varying length; vLLM's default 256-token output cap, stopped
early at end of sequence), rounded to whole tokens. vLLM's version, weight dtype and
quantization come from each sweep's server log and must agree with ``MODELS``; a run that
failed any request is not kept. Each repeat is its own result: values are copied, never
averaged. One catalog benchmark per (sweep, model).

Usage::

    .venv/bin/python tools/importers/vllm-ferrum-rtx4090.py \
        /work/.mirror/sizzlecar+ferrum-infer-rs/repo 35d186c91e775fa49713b3c76eea2e7390f1e127
    .venv/bin/python tools/import_measurements.py tools/measurements/vllm-ferrum-rtx4090.yaml

The first argument is a fetched bare snapshot (git dir); the commit must exist in it and is the
pin cited in every generated file.
"""

from __future__ import annotations

import datetime
import json
import re
import sys
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from pinned import git

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tools" / "measurements" / "vllm-ferrum-rtx4090.yaml"
UPSTREAM = "https://github.com/sizzlecar/ferrum-infer-rs"
SOURCE_ID = "vllm-ferrum-rtx4090"


class Model(NamedTuple):
    """A sweep tag's model as the catalog knows it, and what vLLM must report loading."""

    repo: str
    model: str
    quant: str
    dtype: str
    quantization: str


MODELS = {
    "M1": Model("unsloth/Meta-Llama-3.1-8B-Instruct", "llama-3.1-8b-instruct", "BF16",
                "torch.bfloat16", "None"),
    "M2": Model("hugging-quants/Meta-Llama-3.1-8B-Instruct-GPTQ-INT4", "llama-3.1-8b-instruct",
                "GPTQ-INT4", "torch.float16", "gptq_marlin"),
    "M3": Model("Qwen/Qwen3-30B-A3B-GPTQ-Int4", "qwen3-30b-a3b", "GPTQ-INT4", "torch.float16",
                "gptq_marlin"),
}  # fmt: skip
SWEEPS = {
    "bench/v0.2-cuda/results": "bench/v0.2-cuda/status-2026-05-04.md",
    "docs/bench/cuda-rtx4090-2026-05-07/results": "docs/bench/cuda-rtx4090-2026-05-07/README.md",
}
"""Each sweep's results folder -> the document that names its hardware (an RTX 4090 pod)."""
SCRIPTS = (
    "bench/v0.2-cuda/run_sweep.sh",
    "bench/v0.2-cuda/run_cell.sh",
    "bench/v0.2-cuda/models.txt",
)
# Results far from the engine (site_builder/site/outliers.py): why they differ, by metric and
# by (sweep folder, model tag) or run file.
_TTFT = (
    "Kept as published: a mixture-of-experts prompt. Each layer routes the 196 prompt tokens "
    "to 8 of 128 experts, so vLLM's fused-MoE kernel runs 128 small matrix products of about "
    "12 tokens each; the engine prices them as one read of every expert's weights at the "
    "rate decode reads them, which is about 1.9x too fast here, while the dense Llama 3.1 8B "
    "runs of this sweep (same card, server and client) are predicted within about 15 %. Small "
    "per-expert "
    "prefill batches are not modelled yet (see /methodology/)."
)
_SHARED_EXPERTS = (
    "Kept as published: at 32 requests the engine prices each batched decode step of this "
    "mixture-of-experts model as reading the experts uniform routing would touch (about 87 % of "
    "the 128 per layer), but the measured steps are shorter than reading even that share at the "
    "card's peak bandwidth, so these requests' tokens share experts more than uniform routing "
    "assumes (the same gap as the sanity-vllm-ferrum-rtx4090 runs of this model and card at 16 "
    "and 32 requests)."
)
REASONS: dict[tuple[str, str, str], str] = {
    **{("ttft_ms", folder, "M3"): _TTFT for folder in SWEEPS},
    **{
        ("output_tok_s", "bench/v0.2-cuda/results", f"vllm__M3__c32__r{rep}.json"): _SHARED_EXPERTS
        for rep in (1, 2, 3)
    },
}
RUN = re.compile(r"vllm__(M\d)__c(\d+)__r(\d+)\.json")


def _server(log: str, tag: str) -> tuple[str, dict[str, Any]]:
    """vLLM's version and its non-default arguments, checked against ``MODELS``."""
    engine = re.search(r"Initializing a V1 LLM engine \(v([^)]+)\) with config: (.*)", log)
    args = re.search(r"non-default args: (\{.*\})", log)
    if engine is None or args is None:
        raise SystemExit(f"{tag}: the server log has no engine banner or arguments")
    config, want = engine.group(2), MODELS[tag]
    for key, value in (("dtype", want.dtype), ("quantization", want.quantization)):
        if f"{key}={value}," not in config:
            raise SystemExit(f"{tag}: the server log does not say {key}={value}")
    if "speculative_config=None" not in config or "enable_prefix_caching=False" not in config:
        raise SystemExit(f"{tag}: speculative decoding or prefix caching in the server log")
    parsed = dict(re.findall(r"'(\w+)': ('[^']*'|[^,}]+)", args.group(1)))
    return engine.group(1), parsed


def _command(tag: str, args: dict[str, Any], concurrencies: list[int]) -> str:
    """The server's launch line (its non-default arguments as logged) and one client line per
    concurrency, as ``run_cell.sh`` runs them (4 prompts per concurrent slot)."""
    quant = args.get("quantization", "").strip("'")
    lines = [
        f"vllm serve {MODELS[tag].repo} --max-model-len {args['max_model_len']} "
        f"--max-num-seqs {args['max_num_seqs']} --no-enable-prefix-caching"
        + (f" --quantization {quant}" if quant else "")
    ]
    lines += [
        "vllm bench serve --backend openai-chat --endpoint /v1/chat/completions "
        f"--dataset-name custom --dataset-path prompts.jsonl --num-prompts {4 * c} "
        f"--max-concurrency {c} --request-rate inf --temperature 0 --top-p 1 --save-result"
        for c in concurrencies
    ]
    return (
        "\n".join(lines)
        + "\n# prompts.jsonl: the sweep's ShareGPT subset; vLLM's default 256-token output cap"
    )


def _results(tag: str, run: dict[str, Any], path: str, repeat: int) -> list[dict[str, Any]]:
    done = int(run["completed"])
    base = {
        "prompt_tokens": round(run["total_input_tokens"] / done),
        "gen_tokens": round(run["total_output_tokens"] / done),
        "concurrency": int(run["max_concurrency"]),
    }
    where = (
        f"{path} (repeat {repeat} of 3, {done} requests: {run['total_input_tokens']} prompt and "
        f"{run['total_output_tokens']} generated tokens in all, {run['duration']:.2f} s)"
    )
    if base["concurrency"] > 1:
        note = f"output_throughput {run['output_throughput']} tok/s of {where}; prefill included"
        return [{"metric": "output_tok_s", "value": round(run["output_throughput"], 2),
                 **base, "notes": note}]  # fmt: skip
    tpot, ttft = run["median_tpot_ms"], run["median_ttft_ms"]
    return [
        {"metric": "decode_tok_s", "value": round(1000 / tpot, 2), **base,
         "notes": f"1000 / median_tpot_ms {tpot} of {where}"},
        {"metric": "ttft_ms", "value": round(ttft, 2), **base,
         "notes": f"median_ttft_ms {ttft} of {where}; through vLLM's HTTP server"},
    ]  # fmt: skip


def build(gitdir: str, commit: str) -> dict[str, Any]:
    if not re.fullmatch(r"[0-9a-f]{40}", commit):
        raise SystemExit("commit must be 40 lowercase hex digits")
    if git(gitdir, "cat-file", "-t", commit).strip() != "commit":
        raise SystemExit(f"{commit} is not a commit in {gitdir}")
    benches = []
    for folder in SWEEPS:
        names = git(gitdir, "ls-tree", "--name-only", f"{commit}:{folder}").split()
        runs: dict[str, list[tuple[int, int, str]]] = {}
        for name in names:
            found = RUN.fullmatch(name)
            if found and found.group(1) in MODELS:
                tag, conc, rep = found.group(1), int(found.group(2)), int(found.group(3))
                runs.setdefault(tag, []).append((conc, rep, name))
        for tag in sorted(runs):
            log = git(gitdir, "show", f"{commit}:{folder}/vllm__{tag}__server.log")
            version, args = _server(log, tag)
            results, dates = [], set()
            for _conc, rep, name in sorted(runs[tag]):
                run = json.loads(git(gitdir, "show", f"{commit}:{folder}/{name}"))
                if run["failed"] != 0:
                    continue
                dates.add(datetime.datetime.strptime(run["date"], "%Y%m%d-%H%M%S").date())
                for result in _results(tag, run, f"{folder}/{name}", rep):
                    metric = result["metric"]
                    reason = REASONS.get((metric, folder, tag)) or REASONS.get(
                        (metric, folder, name)
                    )
                    results.append(result | ({"outlier_reason": reason} if reason else {}))
            benches.append(
                {
                    "gpus": [{"gpu": "rtx-4090", "count": 1}],
                    "model": MODELS[tag].model,
                    "quant": MODELS[tag].quant,
                    "source": f"{UPSTREAM}/tree/{commit}/{folder}",
                    "runtime_version": version,
                    "measured_on": min(dates),
                    "command": _command(tag, args, sorted({c for c, _, _ in runs[tag]})),
                    "results": results,
                }
            )
    return {
        "source_id": SOURCE_ID,
        "source": f"{UPSTREAM}/tree/{commit}/bench/v0.2-cuda",
        "measured_on": min(b["measured_on"] for b in benches),
        "publisher": "ferrum-infer-rs project (sizzlecar), vLLM baseline sweeps",
        "runtime": "vllm",
        "rationale": (
            "The vLLM baselines another inference project swept on one rented RTX 4090 with "
            "vLLM 0.20: Llama 3.1 8B in BF16 and in 4-bit GPTQ, and Qwen3 30B-A3B in 4-bit "
            "GPTQ, one request at a time and then 4, 16 and 32 at once, short chat prompts, "
            "prefix caching off, three repeats of every cell saved as raw JSON. They anchor "
            "single-stream decode and batched throughput of vLLM's current engine on a "
            "consumer card."
        ),
        "extra_sources": [
            f"{UPSTREAM}/blob/{commit}/{path}" for path in (*SWEEPS.values(), *SCRIPTS)
        ],
        "defaults": {"kv_cache": "f16"},
        "benchmarks": benches,
    }


class _Dumper(yaml.SafeDumper):
    """Writes equal dates out in full (no YAML anchors and aliases)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__)
        return 2
    doc = build(argv[1], argv[2])
    header = (
        f"# generated by tools/importers/vllm-ferrum-rtx4090.py from {UPSTREAM} at {argv[2]}; "
        "rerun it, do not edit by hand\n"
    )
    OUT.write_text(
        header + yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    )
    n = sum(len(b["results"]) for b in doc["benchmarks"])
    print(f"{OUT.name}: {len(doc['benchmarks'])} benchmarks, {n} results")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
