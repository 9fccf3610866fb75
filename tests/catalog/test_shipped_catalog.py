"""The shipped catalog: complete, sourced, and every mutation of it is caught at its line."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from site_builder.catalog import Catalog, load_catalog
from site_builder.errors import CatalogError

REPO = Path(__file__).resolve().parents[2]
PRODUCT = REPO.parent / "shared" / "PRODUCT.md"

# The IDs PRODUCT.md fixes (copied here so the suite also runs without ../shared).
REQUIRED = {
    "gpus": """rtx-3070 rtx-3080 rtx-3080-ti rtx-3090 rtx-3090-ti rtx-4070-ti rtx-4070-ti-super
        rtx-4080 rtx-4090 rtx-5070-ti rtx-5080 rtx-5090 rtx-a6000 rtx-4000-ada rtx-5000-ada
        rtx-6000-ada a40 l40s a100-40gb-pcie a100-80gb-pcie a100-80gb-sxm h100-pcie h100-sxm
        h200 mi300x rx-7900-xtx apple-m1 apple-m1-max apple-m2-ultra apple-m3-max apple-m4-max
        dgx-spark""",
    "models": """llama-3-8b llama-3-70b llama-3.1-8b-instruct llama-3.1-70b-instruct
        llama-3.3-70b-instruct llama-3.1-405b-instruct qwen2.5-7b-instruct qwen2.5-14b-instruct
        qwen2.5-32b-instruct qwen2.5-72b-instruct qwq-32b qwen3-8b qwen3-32b qwen3-30b-a3b
        qwen3-235b-a22b mixtral-8x7b-instruct mixtral-8x22b-instruct
        deepseek-r1-distill-llama-70b deepseek-r1-distill-qwen-32b gemma-3-27b-it
        mistral-small-24b-instruct phi-4 gpt-oss-20b gpt-oss-120b deepseek-v3""",
    "quants": """F16 BF16 Q8_0 Q6_K Q5_K_M Q4_K_M Q4_0 Q3_K_M Q2_K IQ4_XS IQ3_XXS IQ2_XXS IQ1_S
        AWQ-INT4 GPTQ-INT4 GPTQ-INT8 FP8 MXFP4 EXL2-4.0 NF4 MLX-4BIT""",
    "runtimes": "llama-cpp vllm sglang exllamav2 ollama tensorrt-llm lm-studio mlx-lm transformers",
    "interconnects": """pcie-3.0-x8 pcie-3.0-x16 pcie-4.0-x4 pcie-4.0-x8 pcie-4.0-x16
        pcie-5.0-x8 pcie-5.0-x16 nvlink-3.0-bridge nvlink-a100 nvlink-h100 unified-memory""",
    "combos": """dual-rtx-4090 dual-rtx-3090 single-rtx-4090 single-rtx-5090 single-rtx-a6000
        single-l40s single-h100-pcie rtx-4090-plus-rtx-3090 dual-rtx-5090 quad-rtx-3090""",
    "stacks": "dual-4090-workstation dual-3090-workstation",
}


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return load_catalog(REPO / "catalog")


@pytest.mark.parametrize("kind", list(REQUIRED))
def test_every_product_id_exists(shipped: Catalog, kind: str) -> None:
    missing = set(REQUIRED[kind].split()) - set(getattr(shipped, kind))
    assert not missing


def test_required_ids_match_product_spec() -> None:
    if not PRODUCT.exists():
        pytest.skip("../shared/PRODUCT.md is not beside this checkout")
    text = PRODUCT.read_text()
    for kind in ("gpus", "runtimes", "interconnects"):
        for slug in REQUIRED[kind].split():
            assert f"`{slug}`" in text, slug


def test_every_entity_has_a_source(shipped: Catalog) -> None:
    for kind in REQUIRED:
        for slug, entity in getattr(shipped, kind).items():
            assert entity.sources, f"{kind}/{slug}"


def test_measured_benchmarks_carry_their_provenance(shipped: Catalog) -> None:
    measured = [b for b in shipped.benchmarks.values() if b.status == "measured"]
    assert len(measured) >= 20
    for bench in measured:
        assert bench.runtime_version and bench.command and bench.result_source and bench.results


ALIAS_BOMB = (
    '\nlol: &a ["x","x","x","x","x","x","x","x","x"]\nlols: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
)

# (file, regex of the line to change, replacement line, line offset of the error from it)
MUTATIONS = [
    ("combos/dual-rtx-4090.yaml", r"^interconnect: .*$", "interconnect: [pcie", 0),
    ("gpus/rtx-4090.yaml", r"^vram_gib: .*$", "vram_gb: 24", 0),
    ("combos/dual-rtx-3090.yaml", r"^- gpu: rtx-3090$", "- gpu: rtx-3009", 0),
    ("gpus/rtx-3090.yaml", r"^mem_bandwidth_gb_s: .*$", "mem_bandwidth_gb_s: fast", 0),
    ("interconnects/pcie-4.0-x16.yaml", r"^bandwidth_gb_s: .*$", "bandwidth_gb_s: -31.5", 0),
    ("models/llama-3.3-70b-instruct.yaml", r"^sources:$", "sources: []\nold_sources:", 0),
    ("runtimes/vllm.yaml", r"^name: .*$", 'name: !!python/object/apply:os.system ["false"]', 0),
    ("stacks/dual-4090-workstation.yaml", r"^name: .*$", r"\g<0>" + ALIAS_BOMB, 2),
    ("benchmarks/", r"^title: .*$", "title: caf\udcff", 0),
    ("quants/Q4_K_M.yaml", None, "", 0),
]


def _apply(root: Path, rel: str, pattern: str | None, new: str) -> tuple[Path, int]:
    path = root / rel
    if rel.endswith("/"):
        path = sorted(path.glob("*.yaml"))[0]
    if pattern is None:
        path.write_text("")
        return path, 1
    text = path.read_text()
    match = re.search(pattern, text, flags=re.MULTILINE)
    assert match, f"{pattern} not found in {rel}"
    line = text.count("\n", 0, match.start()) + 1
    changed = text[: match.start()] + match.expand(new) + text[match.end() :]
    path.write_bytes(changed.encode("utf-8", "surrogateescape"))
    return path, line


def test_ten_mutations_in_ten_shipped_files_give_ten_located_errors(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", root)
    expected = {}
    for rel, pattern, new, offset in MUTATIONS:
        path, line = _apply(root, rel, pattern, new)
        expected[os.path.relpath(path)] = line + offset
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    found: dict[str, list[int]] = {}
    for problem in info.value.problems:
        found.setdefault(problem.path, []).append(problem.line)
    assert set(found) == set(expected)
    for path, line in expected.items():
        assert line in found[path], (path, line, found[path])
