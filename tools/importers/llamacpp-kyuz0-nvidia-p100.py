"""Write tools/measurements/llamacpp-kyuz0-nvidia-p100-<commit7>.yaml
from kyuz0/nvidia-p100-ai-toolboxes.

Same author and ``llama-bench`` log format as ``llamacpp-kyuz0-strix-halo.py`` (whose log parser
this reuses), on a machine with four NVIDIA Tesla P100 PCIe 16GB cards. At the pinned commit
``benchmark/run_benchmarks.sh`` runs every GGUF with ``-ngl 99 -fa 1`` (``-r 3``) and a long-context
pass (``-p 2048 -n 32 -d 32768 -ub 2048 -r 1``) in the ``llama-p100-cuda`` toolbox (llama.cpp built
with CUDA 12.2 for ``sm_60``, ``toolboxes/Dockerfile.cuda-12``) and a Vulkan toolbox, restricting
the run to 1, 2, 3 or 4 cards with ``CUDA_VISIBLE_DEVICES`` by file size (``__single`` ...
``__quad`` in the log name); several cards use llama.cpp's default layer split.

Kept, as published: models in the catalog at a catalog quant (``MODELS``; the Unsloth ``UD-*_XL``
files are not a catalog quant), CUDA logs whose device lines list exactly the cards the file
name says (the Vulkan logs at this commit are empty). ``pp512`` -> ``prefill_tok_s``,
``tg128`` and ``tg32 @ d32768`` -> ``decode_tok_s``; ``pp2048 @ d32768`` rows are skipped.

Usage::

    .venv/bin/python tools/importers/llamacpp-kyuz0-nvidia-p100.py \
        /work/.mirror/kyuz0+nvidia-p100-ai-toolboxes/repo <40-hex commit>
    .venv/bin/python tools/import_measurements.py \
        tools/measurements/llamacpp-kyuz0-nvidia-p100-<commit7>.yaml
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
UPSTREAM = "https://github.com/kyuz0/nvidia-p100-ai-toolboxes"
GPU = "tesla-p100-16gb"
DEVICE = re.compile(r"Device \d+: Tesla P100-PCIE-16GB, compute capability 6\.0")

_spec = importlib.util.spec_from_file_location(
    "strix", Path(__file__).with_name("llamacpp-kyuz0-strix-halo.py")
)
strix = importlib.util.module_from_spec(_spec)
assert _spec.loader is not None
_spec.loader.exec_module(strix)

MODELS = {
    "gpt-oss-20b-mxfp4": ("gpt-oss-20b", "MXFP4"),
    "gpt-oss-120b-mxfp4-00001-of-00003": ("gpt-oss-120b", "MXFP4"),
    "Qwen3.5-122B-A10B-Q3_K_M-00001-of-00003": ("qwen3.5-122b-a10b", "Q3_K_M"),
}
TOOLBOXES = {"p100": "CUDA 12.2"}
CARDS = {"single": 1, "dual": 2, "triple": 3, "quad": 4}

# Results far from the engine (site_builder/site/outliers.py), keyed by (upstream log, llama-bench
# test): why they differ, as far as the logs and the card's documented features say.
_NO_DP4A = (
    "Pascal P100 (compute capability 6.0, as the log's device lines print) has no INT8 "
    "dot-product instruction (dp4a needs 6.1), so llama.cpp's quantized matrix-vector kernels "
    "run slower than the engine's bandwidth model assumes; no other cause is stated by the source."
)
REASONS = {
    (
        "Qwen3.5-122B-A10B-Q3_K_M-00001-of-00003__p100__fa1__longctx32768__quad.log",
        "tg32 @ d32768",
    ): _NO_DP4A,
    ("Qwen3.5-122B-A10B-Q3_K_M-00001-of-00003__p100__fa1__quad.log", "tg128"): _NO_DP4A,
}


def _test(row: dict[str, Any]) -> str:
    """The llama-bench test name of a parsed row (pp512, tg32 @ d32768)."""
    return f"{row['kind']}{row['n']}" + (f" @ d{row['depth']}" if row["depth"] else "")


def _name(path: str) -> tuple[str, str, bool, int] | None:
    """(model stem, toolbox, long-context log, cards) of a kept log, else None."""
    stem = path.rsplit("/", 1)[-1].removesuffix(".log")
    parts = stem.split("__")
    if len(parts) < 4 or parts[0] not in MODELS or parts[1] not in TOOLBOXES:
        return None
    extra = parts[2:]
    if extra[0] != "fa1" or extra[-1] not in CARDS:
        return None
    middle = extra[1:-1]
    if middle not in ([], ["longctx32768"]):
        return None
    return parts[0], parts[1], bool(middle), CARDS[extra[-1]]


def build_doc(gitdir: str, commit: str) -> dict[str, Any]:
    commit = strix._git(gitdir, "rev-parse", "--verify", f"{commit}^{{commit}}").strip()
    date = strix._git(gitdir, "show", "-s", "--format=%cs", commit).strip()
    script = strix._git(gitdir, "show", f"{commit}:benchmark/run_benchmarks.sh")
    expected = (
        '-ngl 99 -m "$MODEL_PATH"',
        "EXTRA_ARGS=( -fa 1 )",
        "CTX_ARGS=( -p 2048 -n 32 -d 32768 )",
        "CTX_ARGS+=( -ub 2048 )",
        "CTX_REPS=3",
        "CTX_REPS=1",
        "CUDA_VISIBLE_DEVICES=$GPU_DEVICES",
        '[p100]="toolbox run -c llama-p100-cuda',
    )
    if not all(e in script for e in expected):
        raise SystemExit("unknown run_benchmarks.sh at this commit: check the commands")
    dockerfile = strix._git(gitdir, "show", f"{commit}:toolboxes/Dockerfile.cuda-12")
    if (
        "nvidia/cuda:12.2.2-devel" not in dockerfile
        or "CMAKE_CUDA_ARCHITECTURES=60" not in dockerfile
    ):
        raise SystemExit("unknown CUDA toolbox at this commit: check the CUDA version")
    paths = strix._git(
        gitdir, "ls-tree", "-r", "--name-only", commit, "benchmark/results_llamacpp"
    ).split()
    groups: dict[tuple[str, str, int], dict[str, Any]] = {}
    for path in sorted(paths):
        named = _name(path)
        if named is None:
            continue
        stem, toolbox, longctx, cards = named
        text = strix._git(gitdir, "show", f"{commit}:{path}")
        rows, build, _ = strix.parse_log(text)
        if not rows or build is None or {r["fa"] for r in rows} != {"1"}:
            continue
        if {r["backend"] for r in rows} != {"CUDA"} or len(DEVICE.findall(text)) != cards:
            continue
        group = groups.setdefault(
            (stem, toolbox, cards), {"build": build, "rows": [], "long": False}
        )
        if group["build"] != build:
            continue
        group["long"] = group["long"] or longctx
        group["rows"].extend({**r, "file": path.rsplit("/", 1)[-1]} for r in rows)
    benchmarks = []
    for (stem, toolbox, cards), group in sorted(groups.items()):
        model, quant = MODELS[stem]
        env = f"CUDA_VISIBLE_DEVICES={','.join(str(i) for i in range(cards))}"
        runs = [f"{env} llama-bench -ngl 99 -m {stem}.gguf -fa 1 -r 3"]
        if group["long"]:
            runs.append(
                f"{env} llama-bench -ngl 99 -m {stem}.gguf -fa 1"
                " -p 2048 -n 32 -d 32768 -ub 2048 -r 1"
            )
        results = []
        for row in group["rows"]:
            result = strix._result(row)
            if result is not None:
                result["notes"] += f" Upstream log {row['file']}."
                reason = REASONS.get((row["file"], _test(row)))
                if reason:
                    result["outlier_reason"] = reason
                results.append(result)
        if not results:
            continue
        split = (
            f"{cards} cards split by layers (llama.cpp's default) over PCIe 3.0; "
            if cards > 1
            else "One card; "
        )
        bench: dict[str, Any] = {
            "gpus": [{"gpu": GPU, "count": cards}],
            "model": model,
            "quant": quant,
            "runtime_version": f"{group['build']}, {TOOLBOXES[toolbox]} (sm_60)",
            "flash_attention": True,
            "command": "; ".join(runs),
            "rationale": (
                f"{split}a 2016 Pascal datacenter card with 732 GB/s HBM2 but no tensor cores, "
                "on llama.cpp's CUDA backend with flash attention on. Anchors how far a cheap used "
                "HBM card gets on MoE decode and prefill, and how decode holds up after a 32K "
                "context."
            ),
            "results": results,
        }
        if cards > 1:
            bench["split"] = "layer"
        benchmarks.append(bench)
    return {
        "source_id": f"llamacpp-kyuz0-nvidia-p100-{commit[:7]}",
        "source": f"{UPSTREAM}/tree/{commit}/benchmark/results_llamacpp",
        "measured_on": date,
        "publisher": "kyuz0 (Donato Capitella)",
        "runtime": "llama-cpp",
        "rationale": "P100 llama.cpp baseline.",  # every benchmark sets its own
        "defaults": {"kv_cache": "f16"},
        "extra_sources": [
            f"{UPSTREAM}/blob/{commit}/benchmark/run_benchmarks.sh",
            f"{UPSTREAM}/blob/{commit}/toolboxes/Dockerfile.cuda-12",
        ],
        "benchmarks": benchmarks,
    }


def main(argv: list[str]) -> int:
    return strix.run(argv, build_doc, "llamacpp-kyuz0-nvidia-p100.py", UPSTREAM, __doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
