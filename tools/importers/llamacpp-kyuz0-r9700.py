"""Write tools/measurements/llamacpp-kyuz0-r9700-<commit7>.yaml from kyuz0/amd-r9700-ai-toolboxes.

Same author and log format as ``llamacpp-kyuz0-strix-halo.py`` (whose log parser this reuses),
but on a workstation with two AMD Radeon AI PRO R9700 cards. ``benchmark/run_benchmarks.sh``
runs every model with ``-fa 1`` on one card (``__single``, ``HIP_VISIBLE_DEVICES=0``) or, for
models over about 30 GiB, on both (``__dual``, ``HIP_VISIBLE_DEVICES=0,1``, llama.cpp's default
layer split), plus long-context runs (``-p 2048 -n 32 -d 16384|32768``).

Kept, as published: ROCm toolboxes only (``TOOLBOXES``), default hipBLASLt (no ``__hblt0``), no
rocWMMA rebuilds. Vulkan logs are left out: the Vulkan runs are not restricted to one device
and their logs list both R9700s (and the CPU's iGPU), so which cards did the work is not
stated. ``pp512`` -> ``prefill_tok_s``, ``tg128`` and ``tgN @ dM`` -> ``decode_tok_s``;
``ppN @ dM`` rows are skipped.

Usage::

    .venv/bin/python tools/importers/llamacpp-kyuz0-r9700.py \
        /work/.mirror/kyuz0+amd-r9700-ai-toolboxes/repo <40-hex commit>
    .venv/bin/python tools/import_measurements.py \
        tools/measurements/llamacpp-kyuz0-r9700-<commit7>.yaml
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
UPSTREAM = "https://github.com/kyuz0/amd-r9700-ai-toolboxes"
GPU = "radeon-ai-pro-r9700"

_spec = importlib.util.spec_from_file_location(
    "strix", Path(__file__).with_name("llamacpp-kyuz0-strix-halo.py")
)
strix = importlib.util.module_from_spec(_spec)
assert _spec.loader is not None
_spec.loader.exec_module(strix)

MODELS = {
    "gpt-oss-20b-mxfp4": ("gpt-oss-20b", "MXFP4"),
    "gpt-oss-120b-mxfp4-00001-of-00003": ("gpt-oss-120b", "MXFP4"),
}
TOOLBOXES = {
    "rocm6_4_4": "ROCm 6.4.4",
    "rocm7.1.1": "ROCm 7.1.1",
    "rocm-7.9": "ROCm 7.9",
}
CARDS = {"single": 1, "dual": 2}

# Results far from the engine (site_builder/site/outliers.py), keyed by (pinned commit, upstream
# log, llama-bench test): why they differ, as far as the logs say.
_ROCM_PP = (
    "Measured as published, no cause stated by the source; the engine over-predicts gpt-oss "
    "prefill with llama.cpp's ROCm backend on this RDNA 4 card (see /methodology/)."
)
_ROCM_PP_DUAL = (
    "Measured as published, no cause stated by the source; the engine over-predicts gpt-oss "
    "prefill with llama.cpp's ROCm backend on these RDNA 4 cards split by layers (see "
    "/methodology/)."
)
REASONS = {
    ("2d90fc1", "gpt-oss-20b-mxfp4__rocm6_4_4__fa1__single.log", "pp512"): _ROCM_PP,
    ("2d90fc1", "gpt-oss-20b-mxfp4__rocm7.1.1__fa1__single.log", "pp512"): _ROCM_PP,
    ("2d90fc1", "gpt-oss-120b-mxfp4-00001-of-00003__rocm6_4_4__fa1__dual.log", "pp512"): (
        _ROCM_PP_DUAL
    ),
    ("2d90fc1", "gpt-oss-120b-mxfp4-00001-of-00003__rocm7.1.1__fa1__dual.log", "pp512"): (
        _ROCM_PP_DUAL
    ),
}


def _name(path: str) -> tuple[str, str, str | None, int] | None:
    stem = path.rsplit("/", 1)[-1].removesuffix(".log")
    parts = stem.split("__")
    if len(parts) < 3 or parts[0] not in MODELS or parts[1] not in TOOLBOXES:
        return None
    extra = parts[2:]
    if extra[-1] not in CARDS or "fa1" not in extra:
        return None
    if any(e not in ("fa1",) and e not in CARDS and not e.startswith("longctx") for e in extra):
        return None  # __hblt0 and anything unknown
    longctx = next((e for e in extra if e.startswith("longctx")), None)
    return parts[0], parts[1], longctx, CARDS[extra[-1]]


def build_doc(gitdir: str, commit: str) -> dict[str, Any]:
    commit = strix._git(gitdir, "rev-parse", "--verify", f"{commit}^{{commit}}").strip()
    date = strix._git(gitdir, "show", "-s", "--format=%cs", commit).strip()
    script = strix._git(gitdir, "show", f"{commit}:benchmark/run_benchmarks.sh")
    expected = ('-ngl 99 -m "$MODEL_PATH"', "CTX_REPS=3", "CTX_REPS=1", "-d 32768", "-ub 2048")
    if "HIP_VISIBLE_DEVICES=$GPU_DEVICES" not in script or not all(e in script for e in expected):
        raise SystemExit("unknown run_benchmarks.sh at this commit: check the commands")
    paths = strix._git(gitdir, "ls-tree", "-r", "--name-only", commit, "benchmark/results").split()
    groups: dict[tuple[str, str, int], dict[str, Any]] = {}
    for path in sorted(paths):
        named = _name(path)
        if named is None:
            continue
        stem, toolbox, longctx, cards = named
        rows, build, _ = strix.parse_log(strix._git(gitdir, "show", f"{commit}:{path}"))
        if not rows or build is None or {r["fa"] for r in rows} != {"1"}:
            continue
        # the log must list exactly the cards the file name says
        text = strix._git(gitdir, "show", f"{commit}:{path}")
        if len(re.findall(r"Device \d+: AMD Radeon AI PRO R9700", text)) != cards:
            continue
        group = groups.setdefault(
            (stem, toolbox, cards), {"build": build, "rows": [], "depths": []}
        )
        if group["build"] != build:
            continue
        if longctx:
            group["depths"].append(int(longctx.removeprefix("longctx")))
        group["rows"].extend({**r, "file": path.rsplit("/", 1)[-1]} for r in rows)
    benchmarks = []
    for (stem, toolbox, cards), group in sorted(groups.items()):
        model, quant = MODELS[stem]
        devices = "0" if cards == 1 else "0,1"
        env = f"HIP_VISIBLE_DEVICES={devices} ROCBLAS_USE_HIPBLASLT=1"
        runs = [f"{env} llama-bench -ngl 99 -m {stem}.gguf -fa 1 -r 3"] + [
            f"{env} llama-bench -ngl 99 -m {stem}.gguf -fa 1 -p 2048 -n 32 -d {d} -ub 2048 -r 1"
            for d in sorted(group["depths"])
        ]
        results = []
        for row in group["rows"]:
            result = strix._result(row)
            if result is not None:
                result["notes"] += f" Upstream log {row['file']}."
                reason = REASONS.get((commit[:7], row["file"], strix._test(row)))
                if reason:
                    result["outlier_reason"] = reason
                results.append(result)
        if not results:
            continue
        split = (
            "Two cards split by layers (llama.cpp's default) over PCIe; "
            if cards == 2
            else "One card; "
        )
        bench: dict[str, Any] = {
            "gpus": [{"gpu": GPU, "count": cards}],
            "model": model,
            "quant": quant,
            "runtime_version": f"{group['build']}, {TOOLBOXES[toolbox]}",
            "flash_attention": True,
            "command": "; ".join(runs),
            "rationale": (
                f"{split}RDNA 4 workstation card with 640 GB/s GDDR6 and llama.cpp's ROCm "
                f"({TOOLBOXES[toolbox]}) backend, flash attention on. Anchors MoE decode and "
                "prefill on AMD's current discrete generation, and how decode falls as the "
                "context grows."
            ),
            "results": results,
        }
        if cards == 2:
            bench["split"] = "layer"
        benchmarks.append(bench)
    return {
        "source_id": f"llamacpp-kyuz0-r9700-{commit[:7]}",
        "source": f"{UPSTREAM}/tree/{commit}/benchmark/results",
        "measured_on": date,
        "publisher": "kyuz0 (Donato Capitella)",
        "runtime": "llama-cpp",
        "rationale": "R9700 llama.cpp baseline.",  # every benchmark sets its own
        "defaults": {"kv_cache": "f16"},
        "extra_sources": [f"{UPSTREAM}/blob/{commit}/benchmark/run_benchmarks.sh"],
        "benchmarks": benchmarks,
    }


def main(argv: list[str]) -> int:
    return strix.run(argv, build_doc, "llamacpp-kyuz0-r9700.py", UPSTREAM, __doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
