"""Write tools/measurements/mlx-itsmostafa-speed-tests-<commit7>.yaml
from itsmostafa/inference-speed-tests.

The repository's ``src/main.py`` (added 2026-03-28) loads an MLX model with mlx-lm, formats each
prompt with the model's chat template, runs one 64-token warm-up and then N iterations of
``mlx_lm.stream_generate(..., max_tokens=512)`` and writes one Markdown file per model under
``results/<mac>-<chip>-<ram>-<gpu cores>/``. Per prompt, the summary table gives the mean (± stdev)
over the iterations of mlx-lm's own ``prompt_tps``, ``generation_tps`` and ``peak_memory`` (GB),
plus the script's wall-clock time to the first streamed token and total time. The prompt token
count is printed as an integer below 1024 and as ``tokens // 1024`` followed by ``K`` above.
mlx-lm's version is the one ``uv.lock`` pins at the commit (the script is run with ``uv run``).

Kept, as published, for the models the catalog has (``MODELS``):

- ``prompts/500_word_story.md`` (a 16- to 73-token chat prompt): ``decode_tok_s`` and
  ``vram_used_gib``. Its prefill and TTFT are left out: on a prompt this short they measure
  launch overhead, not prompt processing.
- ``prompts/summarize-turbo-quant.md`` (printed as ``21K``/``22K``, i.e. 21,504-22,527 or
  22,528-23,551 tokens): ``prefill_tok_s``, ``ttft_ms`` (seconds x 1000), ``decode_tok_s`` after
  that prompt, ``vram_used_gib``. ``prompt_tokens`` is the lower bound ``K x 1024``, stated in
  the notes. A row whose prompt tokens are printed ``N/A`` is skipped.

``gen_tokens`` is the 512-token cap: the file does not print how many tokens each iteration
generated. Peak memory is MLX's ``mx.get_peak_memory()`` in GB (10^9 bytes), converted to GiB.

Usage::

    .venv/bin/python tools/importers/mlx-itsmostafa-speed-tests.py \
        /work/.mirror/itsmostafa+inference-speed-tests/repo <40-hex commit>
    .venv/bin/python tools/import_measurements.py \
        tools/measurements/mlx-itsmostafa-speed-tests-<commit7>.yaml
"""

from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from pinned import git

REPO = Path(__file__).resolve().parents[2]
UPSTREAM = "https://github.com/itsmostafa/inference-speed-tests"

# result file stem -> (catalog model, catalog quant, note on the weights)
MODELS = {
    "gpt-oss-20b-MXFP4-Q8": (
        "gpt-oss-20b",
        "MXFP4",
        "MLX conversion with the MoE experts in MXFP4 and the other weights in MLX 8-bit",
    ),
    "gpt-oss-120b-MXFP4-Q8": (
        "gpt-oss-120b",
        "MXFP4",
        "MLX conversion with the MoE experts in MXFP4 and the other weights in MLX 8-bit",
    ),
    "Qwen3-8B-4bit": ("qwen3-8b", "MLX-4BIT", "MLX 4-bit (group 64) conversion"),
    "Qwen3.5-9B-MLX-4bit": ("qwen3.5-9b", "MLX-4BIT", "MLX 4-bit conversion"),
}
# device folder -> catalog GPU
DEVICES = {
    "macbook-pro-m4-max-128gb-40-core-gpu": "apple-m4-max",
    "macbook-pro-m5-max-128gb-40-core-gpu": "apple-m5-max",
}
STORY = "prompts/500_word_story.md"
LONG = "prompts/summarize-turbo-quant.md"
GB_PER_GIB = 2**30 / 1e9

# Results far from the engine (site_builder/site/outliers.py), keyed by (pinned commit, device
# folder, result file stem, prompt file, metric): why they differ, as far as the files say.
REASONS = {
    (
        "6c0ffcc",
        "macbook-pro-m5-max-128gb-40-core-gpu",
        "gpt-oss-120b-MXFP4-Q8",
        LONG,
        "prefill_tok_s",
    ): (
        "Measured as published, no cause stated by the source; the three iterations agree within "
        "about 1.5 % and the run's own time to first token (11.8 s) matches this rate over the "
        "21,504-22,527-token prompt. Over a prompt this long the engine over-predicts mlx-lm "
        "prefill of this mixture-of-experts model: its attention cost for MLX is not calibrated on "
        "long prompts, and the M5 Max is not among the chips it was fitted on (see /methodology/)."
    ),
    (
        "6c0ffcc",
        "macbook-pro-m5-max-128gb-40-core-gpu",
        "Qwen3.5-9B-MLX-4bit",
        LONG,
        "vram_used_gib",
    ): (
        "Measured as published: MLX's peak allocated memory over a prompt of about 22,000 tokens, "
        "which includes temporary buffers of processing that prompt on top of weights and cache; "
        "the same repository's M4 Max run of this model and prompt peaked at the same figure, and "
        "the engine under-counts that peak for this hybrid-attention model (see /methodology/)."
    ),
}


def _mean(cell: str) -> str:
    return cell.split("±")[0].strip()


def _gib(gb: str) -> float:
    return round(float(gb) / GB_PER_GIB, 2)


def parse(text: str) -> dict[str, Any]:
    """Header fields and, per prompt label, the summary row and iteration count."""
    head = dict(re.findall(r"^\*\*(Date|Device|OS|Max tokens)\*\*: (.+)$", text, re.M))
    prompts: dict[str, dict[str, Any]] = {}
    for block in re.split(r"^## Prompt: ", text, flags=re.M)[1:]:
        label = block.split("\n", 1)[0].strip().strip("`")
        iters = re.search(r"^\*\*Iterations\*\*: (\d+)$", block, re.M)
        summary = block.split("### Summary", 1)[1].split("###", 1)[0]
        rows = [
            [c.strip() for c in line.strip().strip("|").split("|")]
            for line in summary.splitlines()
            if line.startswith("|") and not line.startswith("| Model") and "---" not in line
        ]
        if len(rows) != 1 or len(rows[0]) != 8 or iters is None:
            raise SystemExit(f"unexpected summary table for prompt {label!r}")
        keys = (
            "model",
            "ctx",
            "prompt_tokens",
            "prompt_tps",
            "gen_tps",
            "ttft_s",
            "peak_gb",
            "total_s",
        )
        prompts[label] = dict(zip(keys, rows[0], strict=False), iterations=int(iters.group(1)))
    return {"head": head, "prompts": prompts}


def _prompt_tokens(cell: str) -> tuple[int, str] | None:
    if cell == "N/A":
        return None
    if cell.endswith("K"):
        k = int(cell[:-1])
        return k * 1024, (
            f"printed '{cell}' (the script prints tokens // 1024), so {k * 1024:,}-"
            f"{k * 1024 + 1023:,} tokens; the lower bound is given"
        )
    return int(cell), f"{cell} prompt tokens as printed"


def build_doc(gitdir: str, commit: str) -> dict[str, Any]:
    commit = git(gitdir, "rev-parse", "--verify", f"{commit}^{{commit}}").strip()
    script = git(gitdir, "show", f"{commit}:src/main.py")
    expected = (
        "stream_generate(",
        "DEFAULT_MAX_TOKENS = 512",
        "response.generation_tps",
        "response.peak_memory",
        'f"{ctx // 1024}K"',
    )
    if not all(e in script for e in expected):
        raise SystemExit("unknown src/main.py at this commit: check how it measures")
    lock = git(gitdir, "show", f"{commit}:uv.lock")
    versions = dict(re.findall(r'^name = "(mlx|mlx-lm)"\nversion = "([^"]+)"', lock, re.M))
    runtime_version = f"{versions['mlx-lm']} (mlx {versions['mlx']}, as pinned in uv.lock)"
    paths = git(gitdir, "ls-tree", "-r", "--name-only", commit, "results").split()
    benchmarks: list[dict[str, Any]] = []
    dates: set[str] = set()
    for path in sorted(paths):
        parts = path.split("/")
        if len(parts) != 3 or parts[1] not in DEVICES or not parts[2].endswith(".md"):
            continue
        stem = parts[2].removesuffix(".md")
        if stem not in MODELS:
            continue
        model, quant, weights = MODELS[stem]
        parsed = parse(git(gitdir, "show", f"{commit}:{path}"))
        head = parsed["head"]
        if head.get("Max tokens") != "512":
            raise SystemExit(f"{path}: max tokens {head.get('Max tokens')!r}, expected 512")
        dates.add(head["Date"])
        url = f"{UPSTREAM}/blob/{commit}/{path}"
        machine = f"{head['Device']} ({head['OS']})"
        results: list[dict[str, Any]] = []
        for label in (STORY, LONG):
            row = parsed["prompts"].get(label)
            if row is None:
                continue
            if row["model"] != stem:
                raise SystemExit(f"{path}: summary row names {row['model']!r}")
            tokens = _prompt_tokens(row["prompt_tokens"])
            if tokens is None:
                continue
            prompt_tokens, tok_note = tokens
            start = len(results)
            base = (
                f"Prompt {label}, {tok_note}; mean of {row['iterations']} iterations after a "
                f"64-token warm-up, max tokens 512 (the number generated is not printed). "
                f"{machine}; weights: {stem}, {weights}."
            )
            results.append(
                {
                    "metric": "decode_tok_s",
                    "value": float(_mean(row["gen_tps"])),
                    "prompt_tokens": prompt_tokens,
                    "gen_tokens": 512,
                    "notes": f"'Generation tps' {row['gen_tps']} (mlx-lm generation_tps). {base}",
                }
            )
            if label == LONG:
                results.append(
                    {
                        "metric": "prefill_tok_s",
                        "value": float(_mean(row["prompt_tps"])),
                        "prompt_tokens": prompt_tokens,
                        "gen_tokens": 0,
                        "notes": f"'Prompt tps' {row['prompt_tps']} (mlx-lm prompt_tps). {base}",
                    }
                )
                ttft = _mean(row["ttft_s"])
                results.append(
                    {
                        "metric": "ttft_ms",
                        "value": round(float(ttft) * 1000, 1),
                        "prompt_tokens": prompt_tokens,
                        "gen_tokens": 1,
                        "notes": (
                            f"'TTFT (s)' {row['ttft_s']}, x 1000: wall-clock time from the call to "
                            f"the first streamed token, prompt processing included. {base}"
                        ),
                    }
                )
            peak = _mean(row["peak_gb"])
            results.append(
                {
                    "metric": "vram_used_gib",
                    "value": _gib(peak),
                    "prompt_tokens": prompt_tokens,
                    "gen_tokens": 512,
                    "notes": (
                        f"'Peak Memory (GB)' {row['peak_gb']}: MLX peak allocated memory "
                        f"(mx.get_peak_memory, 10^9 bytes), {peak} x 10^9 / 2^30 GiB. {base}"
                    ),
                }
            )
            for result in results[start:]:
                reason = REASONS.get((commit[:7], parts[1], stem, label, result["metric"]))
                if reason:
                    result["outlier_reason"] = reason
        if not results:
            continue
        benchmarks.append(
            {
                "gpus": [{"gpu": DEVICES[parts[1]], "count": 1}],
                "model": model,
                "quant": quant,
                "source": url,
                "measured_on": datetime.date.fromisoformat(head["Date"]),
                "command": (
                    f"uv run src/main.py mlx-community/{stem} --prompt-files {STORY} {LONG} "
                    f"(src/main.py at this commit: max tokens 512, chat template, one 64-token "
                    f"warm-up; the result file records the model's short name only and the "
                    f"README's examples load mlx-community repositories)"
                ),
                "results": results,
            }
        )
    if not benchmarks:
        raise SystemExit("no result files matched")
    return {
        "source_id": f"mlx-itsmostafa-speed-tests-{commit[:7]}",
        "source": f"{UPSTREAM}/tree/{commit}",
        "measured_on": datetime.date.fromisoformat(max(dates)),
        "publisher": "itsmostafa (Mostafa Abdo, inference-speed-tests)",
        "runtime": "mlx-lm",
        "runtime_version": runtime_version,
        "rationale": (
            "An independent mlx-lm run on 128 GB MacBook Pros with the M4 Max and the M5 Max, "
            "with a short chat prompt and a summary prompt of about 21,000 tokens: it anchors "
            "MLX decode, long-prompt prefill and time to first token on Apple's newest laptop "
            "chips, for dense and mixture-of-experts models."
        ),
        "extra_sources": [
            f"{UPSTREAM}/blob/{commit}/src/main.py",
            f"{UPSTREAM}/blob/{commit}/uv.lock",
        ],
        "defaults": {"kv_cache": "f16"},
        "benchmarks": benchmarks,
    }


def main() -> None:
    if len(sys.argv) != 3 or not re.fullmatch(r"[0-9a-f]{40}", sys.argv[2]):
        raise SystemExit(__doc__)
    doc = build_doc(sys.argv[1], sys.argv[2])
    out = REPO / "tools" / "measurements" / f"{doc['source_id']}.yaml"
    out.write_text(
        "# generated by tools/importers/mlx-itsmostafa-speed-tests.py; rerun it, do not edit\n"
        + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    )
    print(f"wrote {out.relative_to(REPO)}: {len(doc['benchmarks'])} configurations")


if __name__ == "__main__":
    main()
