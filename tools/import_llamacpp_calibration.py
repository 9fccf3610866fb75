"""Generate measured benchmark entries from the llama.cpp calibration CSV.

Reads ``../shared/calibration/llama-cpp-measured.csv`` (or the path given as the first argument)
and writes one ``catalog/benchmarks/llamacpp-<build>-<n>x-<gpu>-<model>-<quant>.yaml`` per
(hardware, GPU count, model, quant), with every metric row of that group as a ``results`` entry.

Idempotent: running it again rewrites the same files with the same content; files it did not
generate are never touched. The CSV rows come from XiongjieDai/GPU-Benchmarks-on-LLM-Inference
at commit aa72e0e (see the calibration README for how they were checked).

Usage: ``.venv/bin/python tools/import_llamacpp_calibration.py [path/to/llama-cpp-measured.csv]``
"""

from __future__ import annotations

import csv
import datetime
import sys
from collections import defaultdict
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CSV = REPO.parent / "shared" / "calibration" / "llama-cpp-measured.csv"
OUT = REPO / "catalog" / "benchmarks"
HEADER = "# yaml-language-server: $schema=../../schema/benchmarks.schema.json\n"

GPU_IDS = {
    "RTX 3070 8GB": ("rtx-3070", "RTX 3070"),
    "RTX 3080 10GB": ("rtx-3080", "RTX 3080"),
    "RTX 3080 Ti 12GB": ("rtx-3080-ti", "RTX 3080 Ti"),
    "RTX 4070 Ti 12GB": ("rtx-4070-ti", "RTX 4070 Ti"),
    "RTX 4080 16GB": ("rtx-4080", "RTX 4080"),
    "RTX 3090 24GB": ("rtx-3090", "RTX 3090"),
    "RTX 4090 24GB": ("rtx-4090", "RTX 4090"),
    "A100 80GB PCIe": ("a100-80gb-pcie", "A100 80GB PCIe"),
    "H100 80GB PCIe": ("h100-pcie", "H100 PCIe"),
    "Apple M1 (7-core GPU) 8GB": ("apple-m1", "Apple M1 (7-core GPU)"),
    "Apple M1 Max (32-core GPU) 64GB": ("apple-m1-max", "Apple M1 Max (32-core GPU)"),
    "Apple M2 Ultra (76-core GPU) 192GB": ("apple-m2-ultra", "Apple M2 Ultra (76-core GPU)"),
}
MODELS = {
    "Meta-Llama-3-8B (base)": ("llama-3-8b", "Llama 3 8B", "8B-v3"),
    "Meta-Llama-3-70B (base)": ("llama-3-70b", "Llama 3 70B", "70B-v3"),
}
GGUF_FILE = {"Q4_K_M": "ggml-model-Q4_K_M.gguf", "F16": "ggml-model-f16.gguf"}

# Combos whose GPU set matches a cloud pod and whose link cannot be NVLink (4090s have none) or is
# PCIe by definition. The dual-3090 combo is the NVLink build, which the pods were not known to be.
COMBOS = {
    ("rtx-3090", 1): "single-rtx-3090",
    ("rtx-4090", 1): "single-rtx-4090",
    ("rtx-4090", 2): "dual-rtx-4090",
    ("rtx-3090", 4): "quad-rtx-3090",
    ("a100-80gb-pcie", 1): "single-a100-80gb-pcie",
    ("h100-pcie", 1): "single-h100-pcie",
}

# Dates: the nvidia-smi banner at the top of each NVIDIA notebook prints the run date. Runs on
# builds b2824 and b2833 are stamped 2024-05-09 (3070, 2x4090, 2x3090, 4x3090 notebooks), b2836
# and b2843 runs 2024-05-10 (A100, 4x H100 notebooks). The Mac notebooks print no date; the
# README dates the Apple snapshot to May 2024, so the first of the month is used and flagged.
MEASURED_ON = {
    "b2824": datetime.date(2024, 5, 9),
    "b2833": datetime.date(2024, 5, 9),
    "b2836": datetime.date(2024, 5, 10),
    "b2843": datetime.date(2024, 5, 10),
    "b2796": datetime.date(2024, 5, 1),
    "b2797": datetime.date(2024, 5, 1),
}
UNDATED_BUILDS = {"b2796", "b2797"}


class _Dumper(yaml.SafeDumper):
    pass


def _slugify(text: str) -> str:
    out = "".join(c if c.isalnum() or c == "." else "-" for c in text.lower())
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


def _four_card_long_prompt(hardware: str, speed: str) -> dict[tuple[str, ...], str]:
    """Why a 4-card layer split's 4,096-token prompt of Llama 3 70B Q4_K_M is far from the
    engine (``speed``: how it compares with the 512-token one)."""
    key = (hardware, "4", "Meta-Llama-3-70B (base)", "Q4_K_M (39.59 GiB)", "prefill_tok_s", "4096")
    return {
        key: "Measured as published, no cause stated by the source; on this May 2024 build "
        f"(flash attention off) a 4,096-token prompt runs {speed}, while the engine expects the "
        "four layer-split cards to overlap micro-batches on longer prompts (see /methodology/)."
    }


# Results far from the engine (site_builder/site/outliers.py), keyed by CSV (hardware, gpu_count,
# model, quant, metric, context_or_prompt_len): why they differ, as far as the source says.
REASONS = {
    **_four_card_long_prompt("RTX 4090 24GB", "no faster than a 512-token one"),
    **_four_card_long_prompt(
        "RTX 3090 24GB", "only 1.22x as fast as a 512-token one (367.75 against 300.79 tok/s)"
    ),
    **{
        (
            "Apple M1 Max (32-core GPU) 64GB",
            "1",
            "Meta-Llama-3-70B (base)",
            "Q4_K_M (39.59 GiB)",
            "decode_tok_s",
            span,
        ): (
            "Measured as published, no cause stated by the source; predicted from the other "
            "Apple chips (leave-one-GPU-out), every M1 Max decode run of this source is slower "
            "than the engine expects (8B about 24 %, 70B about 29 %): this first-generation "
            "chip streams a smaller share of its 400 GB/s than the later chips do."
        )
        for span in ("0-512", "0-4096")
    },
}


def _result(row: dict[str, str]) -> dict[str, object]:
    metric = row["metric"]
    span = row["context_or_prompt_len"]
    value = float(row["value"])
    extra = ""
    if "README table shows" in row["notes"]:
        extra = " " + row["notes"][row["notes"].index("README table shows") :]
    if "Measured in a separate run" in row["notes"]:
        extra = " " + row["notes"][row["notes"].index("Measured in a separate run") :]
    if metric == "decode_tok_s":
        gen = int(span.split("-")[1])
        return {
            "metric": "decode_tok_s",
            "value": value,
            "prompt_tokens": 0,
            "gen_tokens": gen,
            "concurrency": 1,
            "notes": f"llama-bench tg{gen}: mean speed generating {gen} tokens from an empty "
            f"KV cache, mean of 5 repetitions.{extra}",
        }
    if metric == "prefill_tok_s":
        prompt = int(span)
        return {
            "metric": "prefill_tok_s",
            "value": value,
            "prompt_tokens": prompt,
            "gen_tokens": 0,
            "concurrency": 1,
            "notes": f"llama-bench pp{prompt}: a {prompt}-token prompt from an empty KV cache, "
            f"ubatch 512, mean of 5 repetitions.{extra}",
        }
    if metric == "vram_used_gb":
        return {
            "metric": "vram_used_gib",
            "value": value,
            "prompt_tokens": 0,
            "gen_tokens": 0,
            "concurrency": 1,
            "context_tokens": 8192,
            "notes": "Measured with ./main at n_ctx 8192 (n_batch 2048, n_ubatch 512), not "
            "llama-bench. " + row["notes"],
        }
    raise ValueError(f"unknown metric {metric!r}")


def _rationale(gpu_id: str, count: int, model_id: str, quant: str, build: str) -> str:
    parts = []
    big = model_id == "llama-3-70b"
    if count == 1:
        parts.append(
            f"Single-card baseline for {quant} {'70B' if big else '8B'} on this GPU: it "
            "anchors the engine's decode (memory-bandwidth bound) and prefill (compute bound) "
            "efficiency for llama.cpp on this architecture."
        )
    elif big:
        parts.append(
            f"A 70B model split by layers over {count} cards (llama.cpp -sm layer). Single-stream "
            "decode runs the cards one after another, so it shows the layer-split cost model: "
            "more cards add capacity, not single-stream speed; longer prompts overlap the cards."
        )
    else:
        parts.append(
            f"An 8B model that fits on one card, split by layers over {count} cards anyway: the "
            "result isolates the overhead of the split itself, not a benefit."
        )
    if quant == "F16":
        parts.append(
            "F16 weights are about 3.3x the size of Q4_K_M, so each token reads about 3.3x the "
            "bytes, which separates bandwidth-bound decode from quantization kernel costs."
        )
    if gpu_id.startswith("apple"):
        parts.append("Metal backend on unified memory; the GPU working-set limit applies.")
    if count > 1:
        parts.append(
            "Measured on a RunPod cloud pod whose PCIe generation, lane width and any "
            "NVLink were not reported, so the interconnect is left unset."
        )
    parts.append(
        f"llama.cpp build {build} from May 2024 (flash attention off, f16 KV cache); "
        "current builds are faster, prefill especially."
    )
    if build.split()[0] in UNDATED_BUILDS:
        parts.append(
            "The notebook records no run date; measured_on is the first day of the "
            "month the README gives (May 2024)."
        )
    else:
        parts.append(
            "measured_on is the date nvidia-smi printed at the start of the notebook run "
            "for this build."
        )
    return " ".join(parts)


def _with_reason(row: dict[str, str]) -> dict[str, object]:
    result = _result(row)
    key = (
        row["hardware"],
        row["gpu_count"],
        row["model"],
        row["quant"],
        row["metric"],
        row["context_or_prompt_len"],
    )
    if key in REASONS:
        result["outlier_reason"] = REASONS[key]
    return result


def build_entries(rows: list[dict[str, str]]) -> dict[str, dict[str, object]]:
    groups: dict[tuple[str, str, str, str], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        groups[(row["hardware"], row["gpu_count"], row["model"], row["quant"])].append(row)
    entries: dict[str, dict[str, object]] = {}
    for (hardware, count_s, model, quant_s), group in groups.items():
        gpu_id, gpu_name = GPU_IDS[hardware]
        model_id, model_name, model_dir = MODELS[model]
        quant = quant_s.split()[0]
        count = int(count_s)
        versions = {r["runtime_version"] for r in group}
        if len(versions) != 1:
            raise ValueError(f"mixed llama.cpp builds in one group: {sorted(versions)}")
        version = versions.pop()
        build = version.split()[0]
        sources = {r["source_url"] for r in group}
        if len(sources) != 1:
            raise ValueError(f"mixed sources in one group: {sorted(sources)}")
        source = sources.pop()
        slug = _slugify(f"llamacpp-{build}-{count}x-{gpu_id}-{model_id}-{quant}")
        split_word = f", layer split over {count} cards" if count > 1 else ""
        entry: dict[str, object] = {
            "status": "measured",
            "title": f"llama.cpp {build}: {count}x {gpu_name}, {model_name} {quant}{split_word}",
        }
        combo = COMBOS.get((gpu_id, count))
        if combo:
            entry["combo"] = combo
        entry["gpus"] = [{"gpu": gpu_id, "count": count}]
        entry.update(
            {"model": model_id, "quant": quant, "runtime": "llama-cpp", "runtime_version": version}
        )
        if count > 1:
            entry["split"] = "layer"
        entry.update(
            {
                "kv_cache": "f16",
                "flash_attention": False,
                "command": (
                    "./llama-bench -p 512,1024,4096,8192 -n 512,1024,4096,8192 "
                    f"-m ./models/{model_dir}/{GGUF_FILE[quant]}"
                ),
                "measured_on": MEASURED_ON[build],
                "result_source": source,
                "rationale": _rationale(gpu_id, count, model_id, quant, version),
                "results": [_with_reason(r) for r in group],
                "sources": [source],
            }
        )
        entries[slug] = entry
    return entries


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_CSV
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    entries = build_entries(rows)
    OUT.mkdir(parents=True, exist_ok=True)
    for slug, entry in sorted(entries.items()):
        text = yaml.dump(entry, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
        (OUT / f"{slug}.yaml").write_text(HEADER + text)
    print(f"wrote {len(entries)} benchmark files from {len(rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
