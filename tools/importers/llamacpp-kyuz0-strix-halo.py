"""Write tools/measurements/llamacpp-kyuz0-strix-halo-<commit7>.yaml
from kyuz0/amd-strix-halo-toolboxes.

The upstream repository (Donato Capitella, "kyuz0") publishes raw ``llama-bench`` logs of one
AMD Ryzen AI Max+ 395 ("Strix Halo", Radeon 8060S iGPU, 128 GB) machine under
``benchmark/results/<model>__<toolbox>[__hblt0][__fa1][__longctxN].log``; each toolbox is a
container with its own llama.cpp build (the log's ``build:`` line) and backend (ROCm/HIP or
Vulkan with the RADV or AMDVLK driver). ``benchmark/run_benchmarks.sh`` at the same commit runs
``llama-bench -ngl 99 -mmp 0 -m <model>`` once without and once with ``-fa 1``.

This parser keeps, as published:

* models that are in the catalog (``MODELS``), at the quant the GGUF file name states;
* the plain toolboxes in ``TOOLBOXES`` (rocWMMA rebuilds and ``__hblt0`` reruns are left out:
  they repeat the same build with one library switch);
* the ``pp512`` row as ``prefill_tok_s`` (512-token prompt, empty cache) and the ``tg128`` row
  as ``decode_tok_s`` (128 generated tokens, empty cache); ``tgN @ dM`` rows of long-context
  logs become ``decode_tok_s`` with ``prompt_tokens`` M; ``ppN @ dM`` rows are skipped.

One catalog benchmark per (model, toolbox, flash attention). Values are the published means;
the ``±`` spread goes into the notes. BF16 results of Vulkan logs whose device line says
``bf16: 0`` carry an ``outlier_reason`` (the build had no BF16 shaders for this GPU).

Usage::

    .venv/bin/python tools/importers/llamacpp-kyuz0-strix-halo.py \
        /work/.mirror/kyuz0+amd-strix-halo-toolboxes/repo <40-hex commit>
    .venv/bin/python tools/import_measurements.py \
        tools/measurements/llamacpp-kyuz0-strix-halo-<commit7>.yaml

The first argument is a fetched bare snapshot (git dir); the commit must exist in it and is the
pin cited in every generated file.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml
from pinned import git

REPO = Path(__file__).resolve().parents[2]
UPSTREAM = "https://github.com/kyuz0/amd-strix-halo-toolboxes"
GPU = "ryzen-ai-max-plus-395"

# upstream GGUF stem -> (catalog model, catalog quant)
MODELS = {
    "gpt-oss-20b-mxfp4": ("gpt-oss-20b", "MXFP4"),
    "gpt-oss-120b-mxfp4-00001-of-00003": ("gpt-oss-120b", "MXFP4"),
    "Qwen3-30B-A3B-BF16-00001-of-00002": ("qwen3-30b-a3b", "BF16"),
}
# upstream toolbox -> reader-language backend
TOOLBOXES = {
    "rocm6_4_4": "ROCm 6.4.4 (HIP) backend",
    "rocm7_rc": "ROCm 7.0 RC (HIP) backend",
    "rocm-7_2_3": "ROCm 7.2.3 (HIP) backend",
    "vulkan_radv": "Vulkan backend, Mesa RADV driver",
    "vulkan_amdvlk": "Vulkan backend, AMDVLK driver",
}
ROW = re.compile(r"^\|(?P<cells>.*)\|\s*$")
TEST = re.compile(r"^(?P<kind>pp|tg)(?P<n>\d+)(?: @ d(?P<d>\d+))?$")
VALUE = re.compile(r"^(?P<mean>[0-9.]+) ± (?P<sd>[0-9.]+)$")
BUILD = re.compile(r"^build: (?P<commit>[0-9a-f]+) \((?P<number>\d+)\)")


def _name(path: str) -> tuple[str, str, bool, str | None] | None:
    """(model stem, toolbox, flash attention, long-context tag) of a kept log, else None."""
    stem = path.rsplit("/", 1)[-1].removesuffix(".log")
    parts = stem.split("__")
    if len(parts) < 2 or parts[0] not in MODELS or parts[1] not in TOOLBOXES:
        return None
    extra = parts[2:]
    if "hblt0" in extra or any(e not in ("fa1",) and not e.startswith("longctx") for e in extra):
        return None
    longctx = next((e for e in extra if e.startswith("longctx")), None)
    return parts[0], parts[1], "fa1" in extra, longctx


def _command(stem: str, toolbox: str, fa_flag: str, files: list[str], script: str) -> str:
    """The llama-bench invocation benchmark/run_benchmarks.sh at this commit used."""
    reps = " -r 5" if "CTX_REPS=5" in script else ""
    base = f"llama-bench -ngl 99 -mmp 0 -m {stem}.gguf{fa_flag}{reps}"
    depths = sorted(
        int(f.rsplit("longctx", 1)[1].removesuffix(".log")) for f in files if "longctx" in f
    )
    if not depths:
        return base
    if "-p 2048 -n 32 -d" not in script:
        raise SystemExit("long-context logs but an unknown run_benchmarks.sh: check the command")
    ub = "512" if toolbox.startswith("vulkan") else "2048"
    runs = "; ".join(
        f"llama-bench -ngl 99 -mmp 0 -m {stem}.gguf{fa_flag} -p 2048 -n 32 -d {d} -ub {ub} -r 3"
        for d in depths
    )
    return f"{base}; {runs}"


def parse_log(text: str) -> tuple[list[dict[str, Any]], str | None, str]:
    """Result rows, build string and device line of one llama-bench log."""
    header: list[str] | None = None
    rows: list[dict[str, Any]] = []
    build = None
    device = ""
    for line in text.splitlines():
        if line.startswith("ggml_vulkan: 0 =") or line.strip().startswith("Device 0:"):
            device = line.strip()
        if (m := BUILD.match(line)) is not None:
            build = f"b{m['number']} ({m['commit']})"
        if (m := ROW.match(line)) is None:
            continue
        cells = [c.strip() for c in m["cells"].split("|")]
        if cells[0] == "model":
            header = cells
            continue
        if header is None or set(cells[0]) <= {"-", ":"}:
            continue
        cell = dict(zip(header, cells, strict=False))
        test = TEST.match(cell.get("test", ""))
        value = VALUE.match(cell.get("t/s", ""))
        if test is None or value is None:
            continue
        rows.append(
            {
                "kind": test["kind"],
                "n": int(test["n"]),
                "depth": int(test["d"]) if test["d"] else 0,
                "mean": float(value["mean"]),
                "sd": value["sd"],
                "fa": cell.get("fa"),
                "backend": cell.get("backend"),
                "model": cell.get("model"),
            }
        )
    return rows, build, device


# Further results far from the engine (site_builder/site/outliers.py), keyed by (pinned commit,
# upstream log, llama-bench test): why they differ, as far as the logs say.
_ROCM_BF16 = (
    "Measured as published, no cause stated by the source; the engine over-predicts prefill of "
    "BF16 weights on llama.cpp's ROCm backend on this chip (see /methodology/)."
)
REASONS = {
    ("765cc5c", "Qwen3-30B-A3B-BF16-00001-of-00002__rocm6_4_4.log", "pp512"): (
        "The log prints the rocBLAS warning 'hipBlasLT failed, falling back to tensile', so BF16 "
        "matrix products ran on rocBLAS's fallback kernels; the engine over-predicts prefill of "
        "BF16 weights on llama.cpp's ROCm backend on this chip (see /methodology/)."
    ),
    ("765cc5c", "Qwen3-30B-A3B-BF16-00001-of-00002__rocm6_4_4__fa1.log", "pp512"): _ROCM_BF16,
    ("765cc5c", "Qwen3-30B-A3B-BF16-00001-of-00002__rocm7_rc.log", "pp512"): _ROCM_BF16,
    ("765cc5c", "Qwen3-30B-A3B-BF16-00001-of-00002__rocm7_rc__fa1.log", "pp512"): _ROCM_BF16,
    ("765cc5c", "gpt-oss-120b-mxfp4-00001-of-00003__vulkan_radv.log", "pp512"): (
        "Measured as published, no cause stated by the source; with the RADV Vulkan driver and "
        "flash attention off, prefill here sits well below the same repository's AMDVLK run of "
        "this model, and the engine does not model the driver (see /methodology/)."
    ),
}


def _test(row: dict[str, Any]) -> str:
    """The llama-bench test name of a parsed row (pp512, tg32 @ d32768)."""
    return f"{row['kind']}{row['n']}" + (f" @ d{row['depth']}" if row["depth"] else "")


def _result(row: dict[str, Any]) -> dict[str, Any] | None:
    spread = f"± {row['sd']} over llama-bench's repetitions"
    if row["kind"] == "pp" and row["depth"] == 0:
        return {
            "metric": "prefill_tok_s",
            "value": row["mean"],
            "prompt_tokens": row["n"],
            "gen_tokens": 0,
            "notes": f"llama-bench pp{row['n']}: a {row['n']}-token prompt from an empty KV "
            f"cache, default ubatch 512; mean {spread}.",
        }
    if row["kind"] == "tg":
        depth = row["depth"]
        where = (
            f"after a {depth}-token context (tg{row['n']} @ d{depth})"
            if depth
            else ("from an empty KV cache")
        )
        return {
            "metric": "decode_tok_s",
            "value": row["mean"],
            "prompt_tokens": depth,
            "gen_tokens": row["n"],
            "notes": f"llama-bench tg{row['n']}: generating {row['n']} tokens {where}, one "
            f"sequence; mean {spread}.",
        }
    return None  # ppN @ dM rows are not transcribed


def build_doc(gitdir: str, commit: str) -> dict[str, Any]:
    commit = git(gitdir, "rev-parse", "--verify", f"{commit}^{{commit}}").strip()
    date = git(gitdir, "show", "-s", "--format=%cs", commit).strip()
    paths = git(gitdir, "ls-tree", "-r", "--name-only", commit, "benchmark/results").split()
    script = git(gitdir, "show", f"{commit}:benchmark/run_benchmarks.sh")
    groups: dict[tuple[str, str, bool], dict[str, Any]] = {}
    for path in sorted(paths):
        named = _name(path)
        if named is None:
            continue
        stem, toolbox, fa, _longctx = named
        rows, build, device = parse_log(git(gitdir, "show", f"{commit}:{path}"))
        if not rows or build is None:
            continue
        fa_cells = {r["fa"] for r in rows}
        # the log must agree with its file name about flash attention
        if fa and fa_cells != {"1"}:
            continue
        if not fa and fa_cells - {None, "0"}:
            continue
        key = (stem, toolbox, fa)
        group = groups.setdefault(key, {"build": build, "device": device, "files": [], "rows": []})
        if group["build"] != build:
            continue  # a rerun with another build: keep the first
        group["files"].append(path)
        group["rows"].extend({**row, "file": path.rsplit("/", 1)[-1]} for row in rows)
    benchmarks = []
    for (stem, toolbox, fa), group in sorted(groups.items()):
        model, quant = MODELS[stem]
        results = []
        for row in group["rows"]:
            result = _result(row)
            if result is not None:
                result["notes"] += f" Upstream log {row['file']}."
                if quant == "BF16" and "bf16: 0" in group["device"]:
                    result["outlier_reason"] = (
                        "The Vulkan device line reports bf16: 0 (no BF16 shader support at "
                        "this build), so BF16 weights run through a slow conversion path; the "
                        "result measures that fallback, not the chip's compute or memory limit."
                    )
                elif (commit[:7], row["file"], _test(row)) in REASONS:
                    result["outlier_reason"] = REASONS[(commit[:7], row["file"], _test(row))]
                results.append(result)
        if not results:
            continue
        fa_flag = " -fa 1" if fa else ""
        benchmarks.append(
            {
                "gpus": [{"gpu": GPU, "count": 1}],
                "model": model,
                "quant": quant,
                "runtime_version": group["build"],
                **({"backend": "vulkan"} if toolbox.startswith("vulkan") else {}),
                "flash_attention": fa,
                "command": _command(stem, toolbox, fa_flag, group["files"], script),
                "title": None,
                "rationale": (
                    f"Strix Halo iGPU with its {TOOLBOXES[toolbox]}, flash attention "
                    f"{'on' if fa else 'off'}: unified LPDDR5X memory shared with the CPU, so "
                    "decode is bound by a 256 GB/s bus and prefill by a 40-CU RDNA 3.5 GPU. "
                    "The same chip measured across backends (and, where published, with flash "
                    "attention on and off) shows how much the software stack moves it."
                ),
                "results": results,
            }
        )
    for bench in benchmarks:
        bench.pop("title")
    return {
        "source_id": f"llamacpp-kyuz0-strix-halo-{commit[:7]}",
        "source": f"{UPSTREAM}/tree/{commit}/benchmark/results",
        "measured_on": date,
        "publisher": "kyuz0 (Donato Capitella)",
        "runtime": "llama-cpp",
        "rationale": "Strix Halo llama.cpp baseline.",  # every benchmark sets its own
        "defaults": {"kv_cache": "f16"},
        "extra_sources": [f"{UPSTREAM}/blob/{commit}/benchmark/run_benchmarks.sh"],
        "benchmarks": benchmarks,
    }


def run(argv: list[str], doc_of: Any, script: str, upstream: str, usage: str | None) -> int:
    """The command line of a kyuz0 log parser: check ``<git dir> <40-hex commit>``, build the
    transcription with ``doc_of(git_dir, commit)`` and write it under tools/measurements/ with a
    header naming ``script`` and the pinned ``upstream`` commit (shared by the R9700 and P100
    parsers, which read the same log format)."""
    if len(argv) != 3 or not re.fullmatch(r"[0-9a-f]{40}", argv[2]):
        print(usage)
        return 2
    doc = doc_of(argv[1], argv[2])
    out = REPO / "tools" / "measurements" / f"{doc['source_id']}.yaml"
    header = (
        f"# Generated by tools/importers/{script} from {upstream} at {argv[2]};\n"
        "# measured_on is that commit's date (the logs carry no run date).\n"
    )
    out.write_text(header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100))
    print(f"{out.relative_to(REPO)}: {sum(len(b['results']) for b in doc['benchmarks'])} results")
    return 0


def main(argv: list[str]) -> int:
    return run(argv, build_doc, "llamacpp-kyuz0-strix-halo.py", UPSTREAM, __doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
