"""``site-builder new benchmarks <id> --from-llama-bench output``: one llama-bench run of one
configuration as a measured llama.cpp benchmark.

Each ``ppN`` run becomes a ``prefill_tok_s`` result with N prompt tokens, each ``tgN`` run a
``decode_tok_s`` result generating N tokens (``tgN @ dD``: after a D-token context, so D prompt
tokens), the mean t/s rounded to llama-bench's two decimals. The build gives
``runtime_version`` (``b4404 (0827b2c1)``), the first run's test_time ``measured_on``, the GGUF
type in model_type the quant, and the settings (-ngl, -sm, -fa, -ctk/-ctv, -b, -ub, -p, -n,
-d) the reconstructed command. Settings must be the same in every run: one file, one
configuration.
"""

from __future__ import annotations

import datetime
import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from site_builder.catalog.importers import entry_text
from site_builder.catalog.importers.llama_bench_read import FORMAT_NAMES, read, unsupported_test
from site_builder.catalog.messages import did_you_mean
from site_builder.errors import UsageError
from site_builder.schema.base import URL_PATTERN

GGUF_TYPES = {
    "all F32": "F32",
    "F16": "F16",
    "BF16": "BF16",
    "Q4_0": "Q4_0",
    "Q4_1": "Q4_1",
    "Q5_0": "Q5_0",
    "Q5_1": "Q5_1",
    "Q8_0": "Q8_0",
    "MXFP4 MoE": "MXFP4",
    "Q2_K - Medium": "Q2_K",
    "Q2_K - Small": "Q2_K_S",
    "Q3_K - Small": "Q3_K_S",
    "Q3_K - Medium": "Q3_K_M",
    "Q3_K - Large": "Q3_K_L",
    "Q4_K - Small": "Q4_K_S",
    "Q4_K - Medium": "Q4_K_M",
    "Q5_K - Small": "Q5_K_S",
    "Q5_K - Medium": "Q5_K_M",
    "Q6_K": "Q6_K",
    "TQ1_0 - 1.69 bpw ternary": "TQ1_0",
    "TQ2_0 - 2.06 bpw ternary": "TQ2_0",
    "IQ1_S - 1.5625 bpw": "IQ1_S",
    "IQ1_M - 1.75 bpw": "IQ1_M",
    "IQ2_XXS - 2.0625 bpw": "IQ2_XXS",
    "IQ2_XS - 2.3125 bpw": "IQ2_XS",
    "IQ2_S - 2.5 bpw": "IQ2_S",
    "IQ2_M - 2.7 bpw": "IQ2_M",
    "IQ3_XXS - 3.0625 bpw": "IQ3_XXS",
    "IQ3_XS - 3.3 bpw": "IQ3_XS",
    "IQ3_S - 3.4375 bpw": "IQ3_S",
    "IQ3_S mix - 3.66 bpw": "IQ3_M",
    "IQ4_NL - 4.5 bpw": "IQ4_NL",
    "IQ4_XS - 4.25 bpw": "IQ4_XS",
}
"""llama.cpp's file-type names (``llama_model_ftype_name``, the last part of model_type, as in
'llama 70B Q4_K - Medium') -> quant IDs."""
MODEL_TYPE = re.compile(r"\S+ \S+ (.+?)(?: \(guessed\))?")
"""model_type is '<architecture> <size> <file type>' (llama_model_desc)."""
SETUP = (
    "build_commit",
    "build_number",
    "model_filename",
    "model_type",
    "n_gpu_layers",
    "n_cpu_moe",
    "split_mode",
    "main_gpu",
    "tensor_split",
    "flash_attn",
    "type_k",
    "type_v",
    "no_kv_offload",
    "n_batch",
    "n_ubatch",
)
"""Run settings that define the configuration: every run of one import shares them."""
SPLITS = {"layer": "layer", "row": "tensor"}
KV_CACHE = ("f16", "q8_0", "q4_0")
FLAGS = {"1": True, "true": True, "on": True, "0": False, "false": False, "off": False}


@dataclass(frozen=True)
class BenchOptions:
    """What llama-bench does not print, from the command line."""

    combo: str
    model: str
    source: str
    quant: str | None = None
    version: str | None = None
    date: datetime.date | None = None


@dataclass(frozen=True)
class CatalogFacts:
    """What the benchmark takes from the catalog entries it names."""

    combo_name: str
    cards: tuple[tuple[str, int], ...]
    model_name: str
    quants: frozenset[str]


@dataclass(frozen=True)
class Configuration:
    """What the runs share, as the catalog names it."""

    quant: str
    version: str
    split: str | None
    kv_cache: str
    flash_attention: bool | None


def benchmark_text(output: str, options: BenchOptions, facts: CatalogFacts) -> str:
    """The measured benchmark for the llama-bench output ``output``."""
    if not re.fullmatch(URL_PATTERN, options.source):
        raise UsageError(f"--source {options.source!r} is not a URL: give the raw output's URL")
    found = read(output)
    setup = shared_setup(found.records)
    conf = configuration(setup, options, facts)
    results = [result(record) for record in found.records]  # checks every run's fields first
    entry: dict[str, Any] = {
        "status": "measured",
        "title": title(conf, facts),
        "combo": options.combo,
        "gpus": [{"gpu": gpu, "count": count} for gpu, count in facts.cards],
        "model": options.model,
        "quant": conf.quant,
        "runtime": "llama-cpp",
        "runtime_version": conf.version,
        **({"split": conf.split} if conf.split else {}),
        "kv_cache": conf.kv_cache,
        **({"flash_attention": conf.flash_attention} if conf.flash_attention is not None else {}),
        "command": command(found.records, setup, found.format),
        "measured_on": options.date or measured_on(found.records),
        "result_source": options.source,
        "rationale": rationale(conf, facts, found.format),
        "results": results,
        "sources": [options.source],
    }
    return entry_text("benchmarks", entry)


def configuration(
    setup: Mapping[str, Any], options: BenchOptions, facts: CatalogFacts
) -> Configuration:
    """The quant (--quant, else the GGUF type), build (--version, else the output's), split,
    KV cache and flash attention of the runs."""
    quant = options.quant or quant_of(setup.get("model_type"))
    if quant not in facts.quants:
        raise UsageError(
            f"quant {quant!r} is not in the catalog{did_you_mean(quant, facts.quants)}: pass "
            f"--quant with a catalog quant ID, or add catalog/quants/{quant}.yaml first"
        )
    version = options.version or build_version(setup)
    split = split_of(setup, sum(count for _, count in facts.cards))
    return Configuration(quant, version, split, kv_cache(setup), flag(setup.get("flash_attn")))


def shared_setup(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The settings of the runs (``SETUP``), which must agree across them."""
    if not records:
        raise UsageError("the llama-bench output holds no runs")
    setup: dict[str, Any] = {}
    for key in SETUP:
        values = _unique(record[key] for record in records if key in record)
        if len(values) > 1:
            shown = ", ".join(str(v) for v in values)
            raise UsageError(
                f"the llama-bench runs differ in {key} ({shown}): import one configuration per "
                "benchmark (split the output)"
            )
        setup.update({key: values[0]} if values else {})
    return setup


def quant_of(model_type: Any) -> str:
    """The quant ID of the GGUF file type that ends llama-bench's model_type."""
    found = MODEL_TYPE.fullmatch(model_type) if isinstance(model_type, str) else None
    file_type = found[1] if found else None
    if file_type not in GGUF_TYPES:
        raise UsageError(
            f"unknown GGUF type {file_type!r} in model {model_type!r}: pass --quant with the "
            "catalog's quant ID"
        )
    return GGUF_TYPES[file_type]


def build_version(setup: Mapping[str, Any]) -> str:
    """runtime_version as llama.cpp names its builds: ``b4404 (0827b2c1)``."""
    if "build_number" not in setup or "build_commit" not in setup:
        raise UsageError(
            "the llama-bench output names no build (a Markdown table without its `build:` "
            "line): pass --version, e.g. --version 'b4404 (0827b2c1)'"
        )
    return f"b{setup['build_number']} ({setup['build_commit']})"


def measured_on(records: list[dict[str, Any]]) -> datetime.date:
    """The day of the first run (test_time, UTC)."""
    times = [str(record["test_time"]) for record in records if record.get("test_time")]
    try:
        return min(datetime.date.fromisoformat(time[:10]) for time in times)
    except ValueError:
        raise UsageError(
            "the llama-bench output has no test_time (Markdown carries no date): pass "
            "--date YYYY-MM-DD, the day of the run"
        ) from None


def split_of(setup: Mapping[str, Any], cards: int) -> str | None:
    """The catalog's split mode for llama-bench's -sm (layer, row -> tensor); none on one card."""
    mode = str(setup.get("split_mode", "layer"))
    if cards == 1:
        return None
    if mode not in SPLITS:
        raise UsageError(
            f"llama-bench split_mode {mode!r} on a combo of {cards} cards: import runs with "
            "-sm layer or -sm row, or name a single-card combo"
        )
    return SPLITS[mode]


def kv_cache(setup: Mapping[str, Any]) -> str:
    """The KV-cache type (-ctk, which -ctv must match)."""
    key, value = (
        str(setup.get("type_k", "f16")),
        str(setup.get("type_v", setup.get("type_k", "f16"))),
    )
    if key != value or key not in KV_CACHE:
        raise UsageError(
            f"KV cache type_k {key!r}, type_v {value!r}: the catalog models one type for both, "
            f"one of {', '.join(KV_CACHE)}"
        )
    return key


def flag(value: Any) -> bool | None:
    """A llama-bench on/off setting (true, 1, on ...); None when unknown or 'auto'."""
    return value if isinstance(value, bool) else FLAGS.get(str(value).lower())


def result(record: Mapping[str, Any]) -> dict[str, Any]:
    """One run as a result: ppN -> prefill, tgN -> decode."""
    prompt, gen, depth = (_count(record, key) for key in ("n_prompt", "n_gen", "n_depth"))
    label = (f"pp{prompt}" if prompt else f"tg{gen}") + (f" @ d{depth}" if depth else "")
    if (prompt > 0) == (gen > 0) or (prompt and depth):
        raise unsupported_test(label if not (prompt and gen) else f"pp{prompt}+tg{gen}")
    mean, spread = _speed(record, "avg_ts"), _speed(record, "stddev_ts")
    samples = record.get("samples_ts")
    runs = f" of {len(samples)} runs" if isinstance(samples, list) and samples else ""
    return {
        "metric": "prefill_tok_s" if prompt else "decode_tok_s",
        "value": round(mean, 2),
        "prompt_tokens": prompt or depth,
        "gen_tokens": gen,
        "concurrency": 1,
        "notes": f"llama-bench {label}: mean{runs} (standard deviation {spread:.2f} tok/s).",
    }


def command(records: list[dict[str, Any]], setup: Mapping[str, Any], fmt: str) -> str:
    """The llama-bench command line that reproduces the runs."""
    prompts = _unique(r.get("n_prompt") for r in records if r.get("n_prompt"))
    gens = _unique(r.get("n_gen") for r in records if r.get("n_gen"))
    depths = _unique(r.get("n_depth", 0) for r in records)
    parts = ["llama-bench", "-m", str(setup.get("model_filename", "model.gguf"))]
    parts += ["-p", _csv(prompts) or "0", "-n", _csv(gens) or "0"]
    parts += ["-d", _csv(depths)] if any(depths) else []
    parts += ["-ngl", str(setup["n_gpu_layers"])] if "n_gpu_layers" in setup else []
    parts += ["-sm", str(setup["split_mode"])] if "split_mode" in setup else []
    flash = flag(setup.get("flash_attn"))
    parts += ["-fa", "1" if flash else "0"] if flash is not None else []
    kv = kv_cache(setup)
    parts += ["-ctk", kv, "-ctv", kv] if kv != "f16" else []
    for option, key, default in (("-b", "n_batch", 2048), ("-ub", "n_ubatch", 512)):
        parts += [option, str(setup[key])] if setup.get(key, default) != default else []
    return shlex.join(parts + (["-o", fmt] if fmt != "md" else []))


def title(conf: Configuration, facts: CatalogFacts) -> str:
    build = conf.version.split()[0]
    head = f"llama.cpp {build}: {facts.combo_name}, {facts.model_name} {conf.quant}"
    return head + (f", {conf.split} split" if conf.split else "")


def rationale(conf: Configuration, facts: CatalogFacts, fmt: str) -> str:
    details = [f"{conf.split} split"] if conf.split else []
    details.append(f"{conf.kv_cache} KV cache")
    if conf.flash_attention is not None:
        details.append(f"flash attention {'on' if conf.flash_attention else 'off'}")
    return (
        f"{facts.model_name} {conf.quant} on {facts.combo_name} with llama.cpp {conf.version}: "
        f"{', '.join(details)}. Imported from llama-bench's {FORMAT_NAMES[fmt]} output, these "
        "single-stream prefill and decode speeds check the engine's llama.cpp estimates for "
        "this hardware."
    )


def _unique(values: Iterable[Any]) -> list[Any]:
    """The distinct values in first-seen order (compared as text: JSON may hold lists)."""
    return list({repr(value): value for value in values}.values())


def _csv(values: list[Any]) -> str:
    return ",".join(str(value) for value in values)


def _count(record: Mapping[str, Any], key: str) -> int:
    value = record.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise UsageError(f"llama-bench run field {key} is {value!r}; expected a token count")
    return value


def _speed(record: Mapping[str, Any], key: str) -> float:
    value = record.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise UsageError(f"llama-bench run field {key} is {value!r}; expected tokens per second")
    return float(value)
