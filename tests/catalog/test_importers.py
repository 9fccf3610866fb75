"""``site-builder new`` importers and the MoE skeleton, as an editor uses them.

Fixtures (``fixtures/``):

- ``hf/*.config.json``: the public config.json of Qwen/Qwen3-30B-A3B and
  meta-llama/Llama-3.3-70B-Instruct (the latter states no head_dim: it is derived).
- ``llama-bench/b2824-2x-rtx-4090-llama-3-70b-q4-k-m.{md,json}``: the shipped benchmark
  ``llamacpp-b2824-2x-rtx-4090-llama-3-70b-q4-k-m`` as llama-bench printed it. The Markdown is
  the notebook output its result_source links (``LLaMA 3/Gaming GPUs/4090_2_v3.ipynb``), cut to
  the four runs the catalog keeps; the JSON holds the same runs in b2824's ``-o json`` fields:
  build, model file, GPUs and CPU from the notebook, settings at llama-bench's defaults of that
  build (-ngl 99, -sm layer, -fa 0, f16 KV), test_time the notebook's nvidia-smi clock; the
  per-repetition samples and timings, which the notebook does not show, are left out.

Validating the shipped catalog takes about 17 s, so it runs twice: each copy swaps the shipped
benchmark for one import of it (the catalog's measurements stay the same set; a duplicate would
move the outlier check's tolerances for every other llama.cpp result).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from site_builder.catalog.importers import entry_text
from site_builder.cli import main

from .conftest import edited

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = "llamacpp-b2824-2x-rtx-4090-llama-3-70b-q4-k-m"
SOURCE = (
    "https://github.com/XiongjieDai/GPU-Benchmarks-on-LLM-Inference/tree/"
    "aa72e0ec86c356c41f8281c9733e9a13c3675800"
)

MODELS = {
    "qwen3-30b-a3b": [
        "--from-config",
        str(FIXTURES / "hf" / "qwen3-30b-a3b.config.json"),
        "--repo",
        "Qwen/Qwen3-30B-A3B",
        "--license",
        "Apache 2.0",
        "--capabilities",
        "chat,reasoning,tool-use",
    ],
    "llama-3.3-70b-instruct": [
        "--from-config",
        str(FIXTURES / "hf" / "llama-3.3-70b-instruct.config.json"),
        "--repo",
        "meta-llama/Llama-3.3-70B-Instruct",
        "--license",
        "Llama 3.3 Community License",
        "--family",
        "Llama 3.3",
        "--capabilities",
        "chat,tool-use",
    ],
}
"""Shipped model ID -> the import options that rebuild it from its config.json."""
BENCH = ["--combo", "dual-rtx-4090", "--model", "llama-3-70b", "--source", SOURCE]
BENCHMARKS = {
    "json": ["--from-llama-bench", str(FIXTURES / "llama-bench" / f"{SHIPPED[9:]}.json"), *BENCH],
    "md": [
        "--from-llama-bench",
        str(FIXTURES / "llama-bench" / f"{SHIPPED[9:]}.md"),
        *BENCH,
        "--date",
        "2024-05-09",
    ],
}
"""llama-bench format -> the import options that rebuild the shipped benchmark."""
COMMANDS = {
    "json": "llama-bench -m ./models/70B-v3/ggml-model-Q4_K_M.gguf -p 512,4096 -n 512,4096 "
    "-ngl 99 -sm layer -fa 0 -o json",
    "md": "llama-bench -m model.gguf -p 512,4096 -n 512,4096 -ngl 99",  # Markdown names no file
}
"""The command each import reconstructs (the shipped file's ran the runs the catalog dropped)."""
NOT_COPIED = ("name", "family", "hf_repo", "license", "capabilities", "sources")
"""Model fields the import takes from the command line (or defaults), not from config.json."""


def new(kind: str, slug: str, catalog: Path, options: list[str]) -> dict[str, Any]:
    """Run ``site-builder new`` and return the written entry."""
    assert main(["new", kind, slug, "--catalog", str(catalog), *options]) == 0
    text = (catalog / kind / f"{slug}.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    assert entry_text(kind, data) == text  # values round-trip: rewriting gives the same bytes
    return data


def shipped(kind: str, slug: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "catalog" / kind / f"{slug}.yaml").read_text())
    return data


@pytest.fixture
def refs_catalog(tmp_path: Path) -> Path:
    """The entries a benchmark import reads: its combo, model and quant."""
    for rel in ("combos/dual-rtx-4090", "models/llama-3-70b", "quants/Q4_K_M"):
        target = tmp_path / "catalog" / f"{rel}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "catalog" / f"{rel}.yaml", target)
    return tmp_path / "catalog"


@pytest.mark.parametrize("slug", list(MODELS))
def test_config_json_gives_the_shipped_architecture_and_params(tmp_path: Path, slug: str) -> None:
    imported = new("models", f"{slug}-imported", tmp_path, MODELS[slug])
    reference = shipped("models", slug)
    assert ("params_active_b" in imported) == ("params_active_b" in reference)
    for key in ("params_total_b", "params_active_b") if "moe" in reference else ("params_total_b",):
        assert imported[key] == pytest.approx(reference[key], rel=0.005), key
    for key, value in imported.items():
        if key not in NOT_COPIED and not key.startswith("params_"):
            assert value == reference[key], key
    assert imported["sources"] == [reference["sources"][0]]


def test_param_counts_are_pinned(tmp_path: Path) -> None:
    """Qwen3-30B-A3B: 30.532 B total, 3.353 B active (8 of 128 experts); Llama 3.3: 70.554 B."""
    qwen = new("models", "qwen-pinned", tmp_path, MODELS["qwen3-30b-a3b"])
    llama = new("models", "llama-pinned", tmp_path, MODELS["llama-3.3-70b-instruct"])
    assert (qwen["params_total_b"], qwen["params_active_b"]) == (30.532, 3.353)
    assert (llama["params_total_b"], "params_active_b" in llama) == (70.554, False)
    assert (qwen["name"], qwen["family"], llama["family"]) == (
        "Qwen3 30B A3B",
        "Qwen3",
        "Llama 3.3",
    )


@pytest.mark.parametrize("fmt", list(BENCHMARKS))
def test_llama_bench_output_gives_the_shipped_benchmark(refs_catalog: Path, fmt: str) -> None:
    imported = new("benchmarks", f"imported-{fmt}", refs_catalog, BENCHMARKS[fmt])
    reference = shipped("benchmarks", SHIPPED)
    same = ("status", "combo", "gpus", "model", "quant", "runtime", "runtime_version", "split")
    for key in (*same, "kv_cache", "measured_on", "result_source"):
        assert imported[key] == reference[key], key
    assert imported.get("flash_attention") == (False if fmt == "json" else None)  # md: no fa column
    assert results(imported) == results(reference)
    assert imported["command"] == COMMANDS[fmt]


def results(benchmark: dict[str, Any]) -> set[tuple[Any, ...]]:
    keys = ("metric", "value", "prompt_tokens", "gen_tokens", "concurrency")
    return {tuple(result[key] for key in keys) for result in benchmark["results"]}


def test_imports_pass_validate_unchanged(tmp_path: Path) -> None:
    """Every model import and both llama-bench formats, in one catalog (one validate run: it
    runs the engine over the whole catalog)."""
    catalog = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", catalog)
    (catalog / "benchmarks" / f"{SHIPPED}.yaml").unlink()
    for slug in MODELS:
        new("models", f"{slug}-imported", catalog, MODELS[slug])
    for fmt in BENCHMARKS:
        new("benchmarks", f"{SHIPPED}-imported-{fmt}", catalog, BENCHMARKS[fmt])
    assert main(["validate", "--catalog", str(catalog), "--content", str(REPO / "content")]) == 0


def test_quant_option_stands_for_the_gguf_type(refs_catalog: Path, tmp_path: Path) -> None:
    (tmp_path / "bench.json").write_text(_json_with_model_type("llama 70B Q4_0_4_4"))
    options = ["--from-llama-bench", str(tmp_path / "bench.json"), *BENCH, "--quant", "Q4_K_M"]
    assert new("benchmarks", "named-quant", refs_catalog, options)["quant"] == "Q4_K_M"


def test_imports_are_deterministic(refs_catalog: Path) -> None:
    texts = []
    for run in ("a", "b"):
        new("benchmarks", f"same-{run}", refs_catalog, BENCHMARKS["json"])
        new("models", f"same-{run}", refs_catalog, MODELS["qwen3-30b-a3b"])
        texts.append(
            [(refs_catalog / k / f"same-{run}.yaml").read_text() for k in ("benchmarks", "models")]
        )
    assert texts[0] == texts[1]


DEEPSEEK_V3 = {
    "model_type": "deepseek_v3",
    "num_hidden_layers": 61,
    "hidden_size": 7168,
    "intermediate_size": 18432,
    "num_attention_heads": 128,
    "num_key_value_heads": 128,
    "vocab_size": 129280,
    "max_position_embeddings": 163840,
    "tie_word_embeddings": False,
    "n_routed_experts": 256,
    "n_shared_experts": 1,
    "num_experts_per_tok": 8,
    "moe_intermediate_size": 2048,
    "first_k_dense_replace": 3,
    "moe_layer_freq": 1,
    "kv_lora_rank": 512,
    "q_lora_rank": 1536,
    "qk_nope_head_dim": 128,
    "qk_rope_head_dim": 64,
    "v_head_dim": 128,
    "torch_dtype": "bfloat16",
    "quantization_config": {"quant_method": "fp8", "fmt": "e4m3"},
}
"""deepseek-ai/DeepSeek-V3 config.json (the keys the importer reads): latent attention."""


def test_latent_attention_config_with_given_params(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(DEEPSEEK_V3))
    options = ["--from-config", str(path), "--repo", "deepseek-ai/DeepSeek-V3", "--license", "MIT"]
    given = ["--params-b", "671.026", "--params-active-b", "37.552"]
    imported = new("models", "deepseek-v3-imported", tmp_path, [*options, *given])
    reference = shipped("models", "deepseek-v3")
    for key in ("params_total_b", "params_active_b", "head_dim", "moe", "mla", "native_dtype"):
        assert imported[key] == reference[key], key


def _md_without_build() -> str:
    text = (FIXTURES / "llama-bench" / f"{SHIPPED[9:]}.md").read_text()
    return text.replace("build: 4426e298 (2824)\n", "")


def _json_with_model_type(model_type: str) -> str:
    runs = json.loads((FIXTURES / "llama-bench" / f"{SHIPPED[9:]}.json").read_text())
    return json.dumps([{**run, "model_type": model_type} for run in runs])


ERRORS = [
    (
        "latent-attention-without-params",
        {"config.json": json.dumps(DEEPSEEK_V3)},
        [
            "models",
            "new-model",
            "--from-config",
            "{tmp}/config.json",
            "--repo",
            "a/b",
            "--license",
            "MIT",
        ],
        "the parameter formula does not cover multi-head latent attention (kv_lora_rank): pass "
        "--params-b and --params-active-b (billions, from the model card)",
    ),
    (
        "markdown-without-build",
        {"bench.md": _md_without_build()},
        [
            "benchmarks",
            "new-bench",
            "--from-llama-bench",
            "{tmp}/bench.md",
            *BENCH,
            "--date",
            "2024-05-09",
        ],
        "the llama-bench output names no build (a Markdown table without its `build:` line): "
        "pass --version, e.g. --version 'b4404 (0827b2c1)'",
    ),
    (
        "markdown-without-date",
        {},
        ["benchmarks", "new-bench", "--from-llama-bench", BENCHMARKS["md"][1], *BENCH],
        "the llama-bench output has no test_time (Markdown carries no date): pass --date "
        "YYYY-MM-DD, the day of the run",
    ),
    (
        "unknown-gguf-type",
        {"bench.json": _json_with_model_type("llama 70B Q4_0_4_4")},
        ["benchmarks", "new-bench", "--from-llama-bench", "{tmp}/bench.json", *BENCH],
        "unknown GGUF type 'Q4_0_4_4' in model 'llama 70B Q4_0_4_4': pass --quant with the "
        "catalog's quant ID",
    ),
    (
        "quant-not-in-catalog",
        {},
        ["benchmarks", "new-bench", *BENCHMARKS["json"], "--quant", "Q4_K_X"],
        "quant 'Q4_K_X' is not in the catalog (did you mean 'Q4_K_M'?): pass --quant with a "
        "catalog quant ID, or add catalog/quants/Q4_K_X.yaml first",
    ),
    (
        "existing-file",
        {},
        ["benchmarks", "existing", *BENCHMARKS["json"]],
        "{catalog}/benchmarks/existing.yaml already exists: choose another ID (new never "
        "overwrites)",
    ),
    (
        "unknown-combo",
        {},
        [
            "benchmarks",
            "new-bench",
            *BENCHMARKS["json"][:2],
            "--combo",
            "dual-rtx-4009",
            *BENCH[2:],
        ],
        "unknown combo 'dual-rtx-4009' in {catalog} (did you mean 'dual-rtx-4090'?)",
    ),
    (
        "option-without-its-import",
        {},
        ["models", "new-model", "--repo", "a/b"],
        "--repo goes with --from-config",
    ),
    (
        "import-of-another-kind",
        {},
        ["gpus", "new-gpu", *MODELS["qwen3-30b-a3b"]],
        "--from-config writes models, not gpus",
    ),
    (
        "import-without-a-needed-option",
        {},
        ["benchmarks", "new-bench", *BENCHMARKS["json"][:-2]],
        "--from-llama-bench needs --source",
    ),
    (
        "moe-with-another-kind",
        {},
        ["gpus", "new-gpu", "--moe"],
        "--moe goes with `new models` alone (--from-config reads the experts from config.json)",
    ),
]


@pytest.mark.parametrize(
    ("files", "argv", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_import_errors_name_the_fix(
    refs_catalog: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    argv: list[str],
    message: str,
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (refs_catalog / "benchmarks").mkdir()
    (refs_catalog / "benchmarks" / "existing.yaml").write_text("kept\n")
    before = sorted(refs_catalog.rglob("*"))
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in argv]
    assert main(["new", *args, "--catalog", str(refs_catalog)]) == 2
    expected = message.replace("{catalog}", str(refs_catalog))
    assert capsys.readouterr().err == f"site-builder new: error: {expected}\n"
    assert sorted(refs_catalog.rglob("*")) == before
    assert (refs_catalog / "benchmarks" / "existing.yaml").read_text() == "kept\n"


def test_moe_skeleton_fails_until_edited(
    catalog_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "models", "brand-new-moe", "--moe", "--catalog", str(catalog_dir)]) == 0
    path = catalog_dir / "models" / "brand-new-moe.yaml"
    text = path.read_text()
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../../schema/models.schema.json"
    assert yaml.safe_load(text)["moe"]["num_experts"] == 128
    capsys.readouterr()
    assert main(["validate", "--catalog", str(catalog_dir)]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert [line.split(": ", 2)[1] for line in errors[:-1]] == [
        "hf_repo",
        "checkpoints[0].repo",
        "sources[0]",
        "sources[1]",
    ]
    path.write_text(edited(text))
    assert main(["validate", "--catalog", str(catalog_dir)]) == 0
