"""The corpus of editor mistakes: one ``validate`` run reports every one of them, each at its
line with a hint, exit 1; the same corpus fails ``build`` and leaves ``site/`` as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder.cli import main

ROOT = Path(__file__).resolve().parents[2]
GUIDE = "content/guides/multi-gpu-buying-guide.md"
FIRST = "{#- Figures come from the engine"
EDITS = [
    # template syntax in YAML
    (
        "catalog/combos/dual-rtx-4090.yaml",
        "Two Ada-generation flagships in one box.",
        "Two Ada-generation flagships {{ estimate('dual-rtx-4090') }} in one box.",
    ),
    # a benchmark typo, 10x the measured value
    (
        "catalog/benchmarks/llamacpp-b2824-1x-rtx-3090-llama-3-8b-q4-k-m.yaml",
        "value: 115.42",
        "value: 1154.2",
    ),
    # GPU count that does not match the named combo
    (
        "catalog/benchmarks/llamacpp-b2824-1x-rtx-3090-llama-3-8b-f16.yaml",
        "  count: 1",
        "  count: 2",
    ),
    # a measurement dated in the future
    (
        "catalog/benchmarks/llamacpp-b2824-1x-rtx-4090-llama-3-8b-f16.yaml",
        "measured_on: 2024-05-09",
        "measured_on: 2099-03-01",
    ),
    # skeleton text left in
    (
        "catalog/combos/dual-rtx-3060.yaml",
        "power_notes: 'Two 170 W",
        "power_notes: 'Replace with the power notes. Two 170 W",
    ),
    # an example.com source
    (
        "catalog/gpus/rtx-3060.yaml",
        "  - https://holynerdvana.blogspot.com/2022/11/nvidia-geforce-rtx-3060-12gb-specifications.html",
        "  - https://www.example.com/rtx-3060-specs",
    ),
    # a unit typed into a number
    ("catalog/combos/quad-rtx-3090.yaml", "system_ram_gib: 256", 'system_ram_gib: "256GB"'),
    # a misspelled ID and a type error in the same file
    ("catalog/combos/dual-rtx-5090.yaml", "- gpu: rtx-5090", "- gpu: rtx-5009"),
    ("catalog/combos/dual-rtx-5090.yaml", "psu_w: 2000", "psu_w: 2000W"),
    # a wrong speed and a wrong TTFT in prose
    (GUIDE, FIRST, f"Two RTX 4090s run Llama 3.3 70B Instruct at Q4_K_M at 95 tok/s.\n\n{FIRST}"),
    (
        GUIDE,
        FIRST,
        f"On a pair of 4090s, Llama 3.3 70B at Q4_K_M has a TTFT of 9000 ms.\n\n{FIRST}",
    ),
]
EXPECTED = [
    (
        "catalog/benchmarks/llamacpp-b2824-1x-rtx-3090-llama-3-8b-f16.yaml:6:1: gpus:",
        "list the combo's cards",
    ),
    (
        "catalog/benchmarks/llamacpp-b2824-1x-rtx-3090-llama-3-8b-q4-k-m.yaml:23:10: "
        "results[0].value:",
        "check the value against the source",
    ),
    (
        "catalog/benchmarks/llamacpp-b2824-1x-rtx-4090-llama-3-8b-f16.yaml:15:14: measured_on:",
        "give the day the benchmark ran (YYYY-MM-DD)",
    ),
    ("catalog/combos/dual-rtx-3060.yaml:75:14: power_notes:", "write the real content"),
    ("catalog/combos/dual-rtx-4090.yaml:3:10: summary:", "write plain text"),
    ("catalog/combos/dual-rtx-5090.yaml:9:8: gpus[0].gpu:", "(did you mean 'rtx-5090'?)"),
    ("catalog/combos/dual-rtx-5090.yaml:17:8: psu_w:", "write 2000 in `psu_w`"),
    (
        "catalog/combos/quad-rtx-3090.yaml:13:19: host.system_ram_gib:",
        "write 256 in `system_ram_gib`",
    ),
    ("catalog/gpus/rtx-3060.yaml:30:5: sources[1]:", "cite the real source"),
    (f"{GUIDE}:5:55:", "'95 tok/s' is typed by hand and contradicts the engine"),
    (f"{GUIDE}:7:59:", "'9000 ms' is typed by hand and contradicts the engine"),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(ROOT / "catalog", root / "catalog")
    shutil.copytree(ROOT / "content", root / "content")
    for rel, old, new in EDITS:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


def test_validate_reports_every_mistake_in_one_run(
    corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(corpus)
    assert main(["validate"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1] == "error: 9 errors in the catalog and 2 errors in content"
    problems = lines[:-1]
    assert len(problems) == len(EXPECTED), problems
    for (where, hint), line in zip(EXPECTED, problems, strict=True):
        assert line.startswith(where) and hint in line, line


def test_build_fails_on_the_corpus_and_leaves_the_site(corpus: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the previous site", encoding="utf-8")
    code = main(
        ["build", "--root", str(ROOT), "--catalog", str(corpus / "catalog"),
         "--content", str(corpus / "content"), "--site", str(site), "--work", str(tmp_path / "w")]
    )  # fmt: skip
    assert code == 1
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert (site / "index.html").read_text(encoding="utf-8") == "the previous site"
