"""Write tools/measurements/dasllama-records-<commit7>.yaml from GaijinEntertainment/daScript.

daScript's dasLLAMA module (Boris Batkin) keeps benchmark records per machine under
``modules/dasLLAMA/performance/records/<box>.json``: a list of GGUF files, each with its runs.
Besides its own engine, every record holds "reference" runs of stock llama.cpp built from a
pinned commit (``"engine": "llama.cpp"``, ``"flavor": "stock"``, ``"sha"``), with the exact
``llama-bench`` command, the run date, the machine (chip, GPU cores, memory, model id) and the
GGUF file's name, size and SHA-256; ``tests`` holds llama-bench's mean tokens per second and
its standard deviation over the ``-r`` repetitions.

This parser keeps, as published:

* llama.cpp runs on the Metal back-end (``-ngl 99``) with a llama.cpp commit, on the machines
  in ``MACHINES`` (the catalog's GPU of that chip, GPU core count and memory);
* GGUF files in ``MODELS`` (catalog model and quant; the MTP variants, which carry extra
  multi-token-prediction layers and an Unsloth dynamic mix, and models the catalog does not
  hold are left out);
* the ``pp512`` test as ``prefill_tok_s`` (512-token prompt, empty cache) and the ``tg128``
  test as ``decode_tok_s`` (128 generated tokens, empty cache); image tests are left out.

The commands set no ``-fa`` and no ``-ub``: llama-bench's defaults at that commit, so flash
attention is left unstated (the engine's default for llama.cpp), as the records do not print
it.

Usage::

    .venv/bin/python tools/importers/dasllama-records.py \
        /work/.mirror/GaijinEntertainment+daScript/repo <40-hex commit>
    .venv/bin/python tools/import_measurements.py tools/measurements/dasllama-records-<commit7>.yaml

The first argument is a fetched bare snapshot (git dir); the commit must exist in it and is the
pin cited in every generated file.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from pinned import git

REPO = Path(__file__).resolve().parents[2]
UPSTREAM = "https://github.com/GaijinEntertainment/daScript"
RECORDS = "modules/dasLLAMA/performance/records"

# (hardware.gpu, hardware.ram_gb) of a record -> catalog GPU
MACHINES = {
    ("Apple M1 Max (32-core)", 64): "apple-m1-max",
    ("Apple M4 Pro (20-core)", 64): "apple-m4-pro",
    ("Apple M5 Max (40-core)", 128): "apple-m5-max",  # records/m5.json, from 77dfc24 on
}
# GGUF file -> (catalog model, catalog quant, what the mapping assumes)
MODELS = {
    "gpt-oss-20b-mxfp4.gguf": ("gpt-oss-20b", "MXFP4", ""),
    "Qwen3-30B-A3B-Instruct-2507-Q4_K_M.gguf": (
        "qwen3-30b-a3b",
        "Q4_K_M",
        " Weights are Qwen3-30B-A3B-Instruct-2507, the same architecture and size as the "
        "catalog's Qwen3-30B-A3B.",
    ),
    "gemma-4-26B-A4B-it-Q4_K_M.gguf": ("gemma-4-26b-a4b-it", "Q4_K_M", ""),
    "gemma-4-E4B-it-Q8_0.gguf": ("gemma-4-e4b-it", "Q8_0", ""),
    "gemma-4-E2B-it-Q8_0.gguf": ("gemma-4-e2b-it", "Q8_0", ""),
    "Mistral-Small-3.1-24B-Instruct-2503-Q4_K_M.gguf": (
        "mistral-small-24b-instruct",
        "Q4_K_M",
        " Weights are the text model of Mistral-Small-3.1-24B-Instruct-2503, the same "
        "architecture and size as the catalog's Mistral Small 3 24B (2501).",
    ),
}
TESTS = {
    "pp512": ("prefill_tok_s", 512, 0, "a 512-token prompt from an empty KV cache"),
    "tg128": ("decode_tok_s", 0, 128, "generating 128 tokens from an empty KV cache, one sequence"),
}
# Results far from the engine (site_builder/site/outliers.py), keyed by (record file, GGUF,
# llama-bench test): why they differ, as far as the records and the catalog say.
REASONS = {
    ("m1.json", "gpt-oss-20b-mxfp4.gguf", "tg128"): (
        "Measured as published, no cause stated by the source; llama.cpp's Metal decode of "
        "gpt-oss at this 2026 commit reads well above the Metal MoE decode factor, which rests "
        "mostly on the M2 Ultra's gpt-oss runs at b6123 (August 2025, a week after gpt-oss "
        "support landed): per GB/s of bandwidth this M1 Max decodes gpt-oss-20b 1.46x as fast as "
        "that M2 Ultra did (84.45 tok/s on 400 GB/s against 116.08 on 800)."
    ),
    ("m5.json", "gpt-oss-20b-mxfp4.gguf", "tg128"): (
        "Measured as published, no cause stated by the source; as on the M1 Max at llama.cpp "
        "ebd048f, llama.cpp's Metal decode of gpt-oss at this 2026 commit reads well above the "
        "Metal MoE decode factor, which rests mostly on the M2 Ultra's gpt-oss runs at b6123 "
        "(August 2025): per GB/s of bandwidth this M5 Max decodes gpt-oss-20b 1.67x as fast as "
        "that M2 Ultra did (148.97 tok/s on 614 GB/s against 116.08 on 800)."
    ),
}
BOX_FILE = re.compile(r"^[a-z0-9]+\.json$")
PATH_ARG = re.compile(r'"?/\S*/(?P<name>[^/\s"]+)"?')


def command(cmd: str) -> str:
    """The record's command without the machine's folders (``llama-bench -m X.gguf ...``)."""
    return PATH_ARG.sub(lambda m: m["name"], cmd).strip()


def kept_runs(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's llama.cpp Metal runs with a pinned commit and llama-bench's text tests."""
    return [
        run
        for run in record.get("runs", [])
        if run.get("engine") == "llama.cpp"
        and run.get("backend") == "metal"
        and run.get("sha")
        and any(t in TESTS for t in run.get("tests", {}))
    ]


def benchmark(
    record: dict[str, Any], run: dict[str, Any], gpu: str, path: str, commit: str
) -> dict[str, Any]:
    """One catalog benchmark of a kept run (``path``: its record file at ``commit``)."""
    model, quant, assumed = MODELS[record["gguf"]]
    hardware = run["hardware"]
    size = next((f["bytes"] for f in run.get("files", []) if f.get("role") == "weights"), None)
    chip = str(hardware["gpu"]).replace("-core)", "-core GPU)")
    machine = f"{chip}, {hardware['ram_gb']} GB, {hardware.get('model_id', 'model id not given')}"
    results = []
    for test, found in sorted(run["tests"].items()):
        if test not in TESTS or not isinstance(found, dict) or "tok_s" not in found:
            continue
        metric, prompt, gen, what = TESTS[test]
        reason = REASONS.get((path.rsplit("/", 1)[-1], record["gguf"], test))
        results.append(
            {
                "metric": metric,
                "value": round(float(found["tok_s"]), 2),
                "prompt_tokens": prompt,
                "gen_tokens": gen,
                "notes": (
                    f"llama-bench {test}: {what}; mean of {run_count(run['cmd'])} runs, "
                    f"standard deviation {float(found['stddev']):.2f}. {machine}, "
                    f"{hardware.get('os', '')}; GGUF {record['gguf']}"
                    + (f" ({size:,} bytes)" if size else "")
                    + f". Upstream {path}, run of {run['date']}.{assumed}"
                ),
                **({"outlier_reason": reason} if reason else {}),
            }
        )
    return {
        "gpus": [{"gpu": gpu, "count": 1}],
        "model": model,
        "quant": quant,
        "runtime_version": f"{run['sha']} (llama.cpp commit; the record gives no build number)",
        "command": command(run["cmd"]),
        "measured_on": run["date"],
        "source": f"{UPSTREAM}/blob/{commit}/{path}",
        "rationale": (
            "Stock llama.cpp on Apple silicon, every layer on the Metal GPU, run by daScript's "
            "dasLLAMA benchmarks as the reference its own engine is measured against: unified "
            "memory, so decode is bound by the chip's memory bus and prefill by its GPU cores. "
            "It adds Apple chips and 2026 models, MoE among them, at a pinned llama.cpp commit."
        ),
        "results": results,
    }


def build_doc(gitdir: str, commit: str) -> dict[str, Any]:
    commit = git(gitdir, "rev-parse", "--verify", f"{commit}^{{commit}}").strip()
    names = git(gitdir, "ls-tree", "--name-only", commit, f"{RECORDS}/").split()
    benchmarks = []
    for path in sorted(names):
        if not BOX_FILE.match(path.rsplit("/", 1)[-1]):
            continue
        for record in json.loads(git(gitdir, "show", f"{commit}:{path}")):
            if record.get("gguf") not in MODELS:
                continue
            for run in kept_runs(record):
                hardware = run.get("hardware", {})
                gpu = MACHINES.get((hardware.get("gpu"), hardware.get("ram_gb")))
                if gpu is not None:
                    benchmarks.append(benchmark(record, run, gpu, path, commit))
    return {
        "source_id": f"dasllama-records-{commit[:7]}",
        "source": f"{UPSTREAM}/tree/{commit}/{RECORDS}",
        "measured_on": min(b["measured_on"] for b in benchmarks),
        "publisher": "Boris Batkin (borisbat), daScript's dasLLAMA benchmark records",
        "runtime": "llama-cpp",
        "rationale": "Stock llama.cpp reference runs on Apple silicon.",  # each sets its own
        "defaults": {"kv_cache": "f16"},
        "benchmarks": benchmarks,
    }


def run_count(cmd: str) -> str:
    """llama-bench's repetitions (``-r N``; 5 when the command does not say)."""
    found = re.search(r"(?:^|\s)-r\s+(\d+)", cmd)
    return found.group(1) if found else "5"


def main(argv: list[str]) -> int:
    if len(argv) != 3 or not re.fullmatch(r"[0-9a-f]{40}", argv[2]):
        print(__doc__)
        return 2
    doc = build_doc(argv[1], argv[2])
    out = REPO / "tools" / "measurements" / f"{doc['source_id']}.yaml"
    header = (
        f"# Generated by tools/importers/dasllama-records.py from {UPSTREAM} at {argv[2]};\n"
        "# each benchmark's measured_on is its run's date in the record.\n"
    )
    out.write_text(header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100))
    print(f"{out.relative_to(REPO)}: {sum(len(b['results']) for b in doc['benchmarks'])} results")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
