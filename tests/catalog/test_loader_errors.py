"""Every kind of bad input is reported as ``path:line:col: field: message``, all at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.errors import CatalogError

from .conftest import Mutate


def problems(root: Path) -> list[str]:
    """The loader's problems, with paths relative to the catalog folder."""
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    prefix = os.path.relpath(root) + os.sep
    return [str(p).removeprefix(prefix) for p in info.value.problems]


def test_minimal_catalog_from_skeletons_is_valid(catalog_dir: Path) -> None:
    catalog = load_catalog(catalog_dir)
    assert list(catalog.gpus) == ["rtx-3090", "rtx-4090", "rtx-5090"]
    assert catalog.combos["dual-rtx-4090"].gpus[0].count == 2


CASES = [
    pytest.param(
        "combos/dual-rtx-4090.yaml",
        "summary: Written by the editor.",
        "summary: Replace with a one-paragraph verdict.",
        "combos/dual-rtx-4090.yaml:3:10: summary: the skeleton's placeholder text is still "
        "here: write the real content",
        id="skeleton-text-left",
    ),
    pytest.param(
        "quants/Q4_K_M.yaml",
        "https://www.techpowerup.com/gpu-specs/",
        "https://www.example.com/replace-with-the-format-documentation",
        "quants/Q4_K_M.yaml:10:5: sources[0]: example.com and example-org are the skeleton's "
        "placeholders: cite the real source or repository",
        id="example-com-source",
    ),
    pytest.param(
        "gpus/rtx-4090.yaml",
        "vram_gib: 24\n",
        'vram_gib: "128GB"\n',
        "gpus/rtx-4090.yaml:8:11: vram_gib: Input should be a valid number (write 128 in "
        "`vram_gib`; the unit is in the field name)",
        id="unit-typed-with-the-number",
    ),
    pytest.param(
        "benchmarks/example-bench.yaml",
        "rationale:",
        "measured_on: 30/11/2026\nrationale:",
        "benchmarks/example-bench.yaml:12:14: measured_on: Input should be a valid date (write "
        "the date as YYYY-MM-DD, e.g. 2026-03-31)",
        id="date-in-another-format",
    ),
    pytest.param(
        "combos/dual-rtx-4090.yaml",
        "summary: Written",
        "summary: Runs at {{ estimate('llama-3.1-8b-instruct') }}. Written",
        "combos/dual-rtx-4090.yaml:3:10: summary: template syntax ({{ ... }} or {% ... %}) is "
        "shown as typed on the page, never run: write plain text (pages insert the engine's "
        "figures themselves)",
        id="template-syntax-in-prose",
    ),
    pytest.param(
        "benchmarks/example-bench.yaml",
        "rationale:",
        "measured_on: 2999-01-01\nrationale:",
        "benchmarks/example-bench.yaml:12:14: measured_on: 2999-01-01 is in the future: give "
        "the day the benchmark ran (YYYY-MM-DD)",
        id="benchmark-dated-in-the-future",
    ),
    pytest.param(
        "benchmarks/example-bench.yaml",
        "    count: 2",
        "    count: 3",
        "benchmarks/example-bench.yaml:6:3: gpus: lists 3x rtx-4090 but combo 'dual-rtx-4090' "
        "has 2x rtx-4090: list the combo's cards, or remove combo: if the benchmark ran on other "
        "hardware",
        id="benchmark-cards-differ-from-its-combo",
    ),
    pytest.param(
        "benchmarks/example-bench.yaml",
        "rationale:",
        "power_limit_w: 300\nrationale:",
        "benchmarks/example-bench.yaml:12:16: power_limit_w: 300 W is not below the NVIDIA "
        "GeForce RTX 0000's stock board power (300 W): leave power_limit_w out for a card at "
        "stock power",
        id="power-limit-not-below-stock",
    ),
    pytest.param(
        "benchmarks/example-bench.yaml",
        "rationale:",
        "cpu_moe_layers: 12\nrationale:",
        "benchmarks/example-bench.yaml:12:17: cpu_moe_layers: Example Model 8B Instruct has no "
        "routed experts: leave cpu_moe_layers out",
        id="cpu-moe-on-a-dense-model",
    ),
    pytest.param(
        "benchmarks/example-bench.yaml",
        "rationale:",
        "ubatch_tokens: 512\nrationale:",
        "benchmarks/example-bench.yaml:12:16: ubatch_tokens: 512 is llama.cpp's default: leave "
        "ubatch_tokens out",
        id="ubatch-at-the-default",
    ),
    pytest.param(
        "benchmarks/example-bench.yaml",
        "rationale:",
        "backend: cuda\nrationale:",
        "benchmarks/example-bench.yaml:12:10: backend: cuda is the NVIDIA GeForce RTX 0000's own "
        "back-end: leave backend out",
        id="backend-is-the-cards-own",
    ),
    pytest.param(
        "benchmarks/example-bench.yaml",
        "rationale:",
        "backend: sycl\nrationale:",
        "benchmarks/example-bench.yaml:12:10: backend: Example Runtime has no sycl back-end; it "
        "runs on cuda",
        id="backend-the-runtime-lacks",
    ),
    pytest.param(
        "combos/dual-rtx-4090.yaml",
        "pcie_p2p: false",
        "machines: 2\npcie_p2p: false",
        "combos/dual-rtx-4090.yaml:2:1: network: 2 machines need the network that joins them",
        id="machines-without-network",
    ),
    pytest.param(
        "combos/dual-rtx-4090.yaml",
        "pcie_p2p: false",
        "network: pcie-4.0-x16\npcie_p2p: false",
        "combos/dual-rtx-4090.yaml:8:10: network: a network joins machines; set machines to 2 "
        "or more",
        id="network-without-machines",
    ),
    pytest.param(
        "interconnects/pcie-4.0-x16.yaml",
        "kind: pcie",
        "kind: network",
        "interconnects/pcie-4.0-x16.yaml:2:1: latency_us: a network link needs its latency",
        id="network-without-latency",
    ),
    pytest.param(
        "runtimes/llama-cpp.yaml",
        "default_split: layer",
        "default_split: layer\nmachine_splits: [tensor]",
        "runtimes/llama-cpp.yaml:10:18: machine_splits[0]: 'tensor' is not in split_modes",
        id="machine-split-not-offered",
    ),
    pytest.param(
        "gpus/rtx-4090.yaml",
        "vram_gib: 24\n",
        "vram_gib: [24\n",
        "gpus/rtx-4090.yaml:8:11: YAML syntax error: did not find expected ',' or ']' "
        "(while parsing a flow sequence that starts here)",
        id="broken-syntax",
    ),
    pytest.param(
        "gpus/rtx-4090.yaml",
        "vram_gib: 24\n",
        "vram_gb: 24\n",
        "gpus/rtx-4090.yaml:8:1: vram_gb: unknown key 'vram_gb' (did you mean 'vram_gib'?)",
        id="unknown-key",
    ),
    pytest.param(
        "combos/dual-rtx-4090.yaml",
        "gpu: rtx-4090",
        "gpu: rtx-4009",
        "combos/dual-rtx-4090.yaml:5:10: gpus[0].gpu: unknown GPU 'rtx-4009' "
        "(did you mean 'rtx-4090'?)",
        id="unknown-gpu-id",
    ),
    pytest.param(
        "gpus/rtx-4090.yaml",
        "vram_gib: 24\n",
        "vram_gib: twenty-four\n",
        "gpus/rtx-4090.yaml:8:11: vram_gib: Input should be a valid number",
        id="string-for-number",
    ),
    pytest.param(
        "gpus/rtx-4090.yaml",
        "vram_gib: 24\n",
        'vram_gib: "24"\n',
        "gpus/rtx-4090.yaml:8:11: vram_gib: Input should be a valid number "
        "(YAML read '24' as text; remove the quotes)",
        id="quoted-number",
    ),
    pytest.param(
        "gpus/rtx-4090.yaml",
        "mem_bandwidth_gb_s: 1000",
        "mem_bandwidth_gb_s: -1000",
        "gpus/rtx-4090.yaml:10:21: mem_bandwidth_gb_s: implausible value -1000 GB/s "
        "(expected 50–10000 GB/s; check the unit)",
        id="negative-bandwidth",
    ),
    pytest.param(
        "gpus/rtx-4090.yaml",
        "vram_gib: 24\n",
        "vram_gib: 24000\n",
        "gpus/rtx-4090.yaml:8:11: vram_gib: implausible value 24000 GiB "
        "(expected 1–1024 GiB; check the unit)",
        id="implausible-unit",
    ),
    pytest.param(
        "quants/Q4_K_M.yaml",
        "sources:\n  - https://www.techpowerup.com/gpu-specs/\n",
        "sources: []\n",
        "quants/Q4_K_M.yaml:9:10: sources: List should have at least 1 item after "
        "validation, not 0",
        id="empty-sources",
    ),
    pytest.param(
        "quants/Q4_K_M.yaml",
        "sources:\n  - https://www.techpowerup.com/gpu-specs/\n",
        "",
        "quants/Q4_K_M.yaml:2:1: sources: required key is missing",
        id="missing-sources",
    ),
    pytest.param(
        "quants/Q4_K_M.yaml",
        "https://www.techpowerup.com/gpu-specs/",
        "www.techpowerup.com/gpu-specs/",
        "quants/Q4_K_M.yaml:10:5: sources[0]: not a web address: write the whole URL, starting "
        "with https://",
        id="source-not-a-url",
    ),
    pytest.param(
        "runtimes/llama-cpp.yaml",
        'version: "1.0.0"',
        "version: 1.10",
        "runtimes/llama-cpp.yaml:5:10: version: Input should be a valid string "
        "(YAML read 1.1 as a float; quote it)",
        id="yaml-float-trap",
    ),
    pytest.param(
        "runtimes/llama-cpp.yaml",
        "cpu_offload: false",
        "cpu_offload: no",
        "runtimes/llama-cpp.yaml:11:14: 'no' is a YAML 1.1 boolean; write true or false, "
        "or quote it if you mean text",
        id="yaml-bool-trap",
    ),
    pytest.param(
        "gpus/rtx-4090.yaml",
        "launch_year: 2024",
        "launch_year: 0x10",
        "gpus/rtx-4090.yaml:7:14: ambiguous number '0x10'; write a plain decimal number, "
        "or quote it if you mean text",
        id="yaml-hex-trap",
    ),
    pytest.param(
        "runtimes/llama-cpp.yaml",
        "default_split: layer",
        "default_split: tensr",
        "runtimes/llama-cpp.yaml:9:16: default_split: Input should be 'layer', 'tensor', "
        "'pipeline' or 'expert' (did you mean 'tensor'?)",
        id="bad-literal",
    ),
    pytest.param(
        "runtimes/llama-cpp.yaml",
        "default_split: layer",
        "default_split: tensor",
        "runtimes/llama-cpp.yaml:9:16: default_split: 'tensor' is not in split_modes",
        id="cross-field-rule",
    ),
    pytest.param(
        "runtimes/llama-cpp.yaml",
        "quant_formats: [float, gguf]",
        "quant_formats: [float, gguf]\nplatform_format_gaps:\n  cuda: [awq]",
        "runtimes/llama-cpp.yaml:9:10: platform_format_gaps.cuda[0]: 'awq' is not in quant_formats",
        id="format-gap-rule",
    ),
    pytest.param(
        "models/llama-3.1-8b-instruct.yaml",
        "num_kv_heads: 8",
        "num_kv_heads: 5",
        "models/llama-3.1-8b-instruct.yaml:12:15: num_kv_heads: num_attention_heads (32) "
        "must be divisible by num_kv_heads (5)",
        id="heads-not-divisible",
    ),
    pytest.param(
        "stacks/example-stack.yaml",
        "quant: Q4_K_M",
        "quant: Q4_K_N",
        "stacks/example-stack.yaml:8:10: workload.quant: unknown quant 'Q4_K_N' "
        "(did you mean 'Q4_K_M'?)",
        id="stack-unknown-quant",
    ),
    pytest.param(
        "benchmarks/example-bench.yaml",
        "status: pending",
        "status: measured",
        "benchmarks/example-bench.yaml:13:10: results: a measured benchmark needs at least "
        "one result",
        id="measured-without-results",
    ),
    pytest.param(
        "gpus/rtx-4090.yaml",
        "vram_gib: 24\nmemory_type",
        "vram_gib: 24\nvram_gib: 48\nmemory_type",
        "gpus/rtx-4090.yaml:9:1: duplicate key 'vram_gib'",
        id="duplicate-key",
    ),
    pytest.param(
        "gpus/rtx-4090.yaml",
        "vendor: nvidia",
        "vendor: nvidia\n\tsegment: x",
        "gpus/rtx-4090.yaml:4:1: YAML syntax error: found a tab character that violates "
        "indentation",
        id="tab",
    ),
]


@pytest.mark.parametrize(("rel", "old", "new", "expected"), CASES)
def test_error_message(
    catalog_dir: Path, mutate: Mutate, rel: str, old: str, new: str, expected: str
) -> None:
    mutate(rel, old, new)
    assert expected in problems(catalog_dir)


def test_measured_benchmark_names_every_missing_field(catalog_dir: Path, mutate: Mutate) -> None:
    mutate("benchmarks/example-bench.yaml", "status: pending", "status: measured")
    found = problems(catalog_dir)
    for name in ("runtime_version", "result_source", "measured_on"):
        assert any(f": {name}: required once status is measured" in p for p in found), name


def test_empty_file(catalog_dir: Path) -> None:
    (catalog_dir / "gpus" / "rtx-4090.yaml").write_text("# only a comment\n")
    assert problems(catalog_dir) == [
        "gpus/rtx-4090.yaml:1:1: file is empty; expected a mapping of keys to values"
    ]


def test_invalid_utf8(catalog_dir: Path) -> None:
    (catalog_dir / "gpus" / "rtx-4090.yaml").write_bytes(b"name: \xff\xfe\n")
    assert problems(catalog_dir) == ["gpus/rtx-4090.yaml:1:7: invalid UTF-8 byte 0xff"]


def test_python_tag_is_refused_and_never_executed(catalog_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    (catalog_dir / "gpus" / "rtx-4090.yaml").write_text(
        f'name: !!python/object/apply:os.system ["touch {marker}"]\n'
    )
    assert problems(catalog_dir) == [
        "gpus/rtx-4090.yaml:1:7: YAML tag '!!python/object/apply:os.system' is not allowed"
    ]
    assert not marker.exists()


def test_alias_bomb_is_refused(catalog_dir: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    (catalog_dir / "gpus" / "rtx-4090.yaml").write_text("\n".join(lines) + "\n")
    assert problems(catalog_dir) == [
        "gpus/rtx-4090.yaml:2:8: YAML aliases (*name) are not allowed; write the value out"
    ]


def test_unknown_folder_and_non_yaml_file(catalog_dir: Path) -> None:
    (catalog_dir / "combo").mkdir()
    (catalog_dir / "gpus" / "notes.txt").write_text("x")
    assert problems(catalog_dir) == [
        "combo:1:1: unexpected folder (did you mean 'combos'?); the catalog holds gpus, "
        "interconnects, models, quants, runtimes, combos, stacks, benchmarks",
        "gpus/notes.txt:1:1: catalog entries are .yaml files",
    ]


def test_invalid_slug(catalog_dir: Path) -> None:
    (catalog_dir / "gpus" / "rtx-4090.yaml").rename(catalog_dir / "gpus" / "RTX_4090.yaml")
    found = problems(catalog_dir)
    assert (
        "gpus/RTX_4090.yaml:1:1: file name 'RTX_4090' is not a valid ID "
        "(^[a-z0-9][a-z0-9.\\-]*[a-z0-9]$)" in found
    )


def test_every_error_in_every_file_in_one_run(catalog_dir: Path, mutate: Mutate) -> None:
    """Ten mutations in ten files give ten errors, each naming its file and line."""
    edits = [
        case.values[:3]
        for case in CASES
        if case.id
        in {
            "broken-syntax",
            "stack-unknown-quant",
            "unknown-gpu-id",
            "missing-sources",
            "yaml-bool-trap",
            "heads-not-divisible",
            "measured-without-results",
        }
    ]
    edits += [
        ("gpus/rtx-3090.yaml", "vram_gib: 24\n", "vram_gb: 24\n"),
        ("gpus/rtx-5090.yaml", "fp16_tflops: 100", "fp16_tflops: lots"),
        ("interconnects/pcie-4.0-x16.yaml", "bandwidth_gb_s: 31.5", "bandwidth_gb_s: -3"),
    ]
    for rel, old, new in edits:
        mutate(str(rel), str(old), str(new))
    found = problems(catalog_dir)
    assert {line.split(":")[0] for line in found} == {str(rel) for rel, _, _ in edits}
    assert len(found) >= 10


def test_a_reload_finds_the_same_problems_and_an_edit_is_read_afresh(
    catalog_dir: Path, mutate: Mutate
) -> None:
    """The loader remembers each file's parse and hygiene check by its text (a live preview
    loads the catalog after every edit): loading again reports the same problems, and an edit
    that removes one is seen."""
    path = mutate("combos/dual-rtx-4090.yaml", "summary: ", "summary: Runs at {{ x }}. ")
    first = problems(catalog_dir)
    assert any("template syntax" in p for p in first)
    assert problems(catalog_dir) == first
    path.write_text(path.read_text(encoding="utf-8").replace("{{ x }}", "x"), encoding="utf-8")
    load_catalog(catalog_dir)
