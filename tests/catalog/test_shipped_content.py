"""Data tests for the shipped combos, stacks and benchmarks: honest prose and faithful imports."""

from __future__ import annotations

import csv
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from site_builder.catalog import load_catalog
from site_builder.engine import estimate
from site_builder.site.results import config_for, workload_query

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "catalog"
CSV_PATH = REPO.parent / "shared" / "calibration" / "llama-cpp-measured.csv"
EDITORIAL_KINDS = ("combos", "stacks", "benchmarks")

# Speeds, TTFT and "VRAM needed" figures come from the engine or from measured results, never
# from editorial prose. These patterns catch the forms the seed articles used.
_NUM = r"~?\d+(?:[.,]\d+)?"
_SPEED_UNIT = r"(?:tok/s|tokens?/s(?:ec)?|t/s|tokens? per second|tps)\b"
FORBIDDEN = [
    re.compile(rf"{_NUM}\s*(?:-|–|to)\s*{_NUM}\s*{_SPEED_UNIT}", re.IGNORECASE),
    re.compile(rf"{_NUM}\+?\s*{_SPEED_UNIT}", re.IGNORECASE),
    re.compile(rf"TTFT[^.\n]{{0,40}}?{_NUM}\s*ms", re.IGNORECASE),
    re.compile(
        rf"\b(?:needs?|requires?|takes)\s+(?:about\s+|approximately\s+|roughly\s+)?{_NUM}\s*GB",
        re.IGNORECASE,
    ),
]


def _load(kind: str) -> dict[str, dict[str, Any]]:
    return {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((CATALOG / kind).glob("*.yaml"))
    }


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "results":  # measured values live here, by design
                continue
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")


def test_no_hand_typed_speed_or_vram_figures_in_prose() -> None:
    offences = []
    for kind in EDITORIAL_KINDS:
        for slug, data in _load(kind).items():
            for where, text in _strings(data, f"{kind}/{slug}"):
                for pattern in FORBIDDEN:
                    match = pattern.search(text)
                    if match:
                        offences.append(f"{where}: {match.group(0)!r}")
    assert not offences, "\n".join(offences)


@pytest.mark.parametrize(
    "text",
    [
        "expect 25-30 tok/s",
        "~28-35 tok/s decode",
        "at 40 tokens/s",
        "TTFT (1K prompt): 200-280 ms",
        "Llama 3.1 70B needs ~42GB",
        "50–60 t/s",
    ],
)
def test_forbidden_patterns_catch_seed_claims(text: str) -> None:
    assert any(pattern.search(text) for pattern in FORBIDDEN)


def test_every_schema_comment_points_at_its_kind() -> None:
    for kind in EDITORIAL_KINDS:
        for path in (CATALOG / kind).glob("*.yaml"):
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert first == f"# yaml-language-server: $schema=../../schema/{kind}.schema.json", path


def test_pending_benchmarks_have_no_results_and_a_command() -> None:
    for slug, data in _load("benchmarks").items():
        if data["status"] == "pending":
            assert not data.get("results"), slug
            assert data.get("command"), slug


def test_stack_variations_each_carry_a_workload() -> None:
    for slug, data in _load("stacks").items():
        names = [variation["name"] for variation in data.get("variations", [])]
        assert len(names) == len(set(names)), slug
        for variation in data.get("variations", []):
            assert variation["workload"]["model"], (slug, variation["name"])


def test_known_vram_figure_imported_unchanged() -> None:
    bench = _load("benchmarks")["llamacpp-b2824-1x-rtx-4090-llama-3-8b-q4-k-m"]
    vram = [r for r in bench["results"] if r["metric"] == "vram_used_gib"]
    assert len(vram) == 1
    assert vram[0]["value"] == 5.85
    assert vram[0]["context_tokens"] == 8192


@pytest.mark.skipif(
    not CSV_PATH.exists(), reason="../shared/calibration is not beside this checkout"
)
def test_measured_benchmarks_match_the_calibration_csv() -> None:
    spec = importlib.util.spec_from_file_location(
        "import_llamacpp_calibration", REPO / "tools" / "import_llamacpp_calibration.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with CSV_PATH.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected = module.build_entries(rows)
    shipped = {
        slug: data for slug, data in _load("benchmarks").items() if slug.startswith("llamacpp-b")
    }
    assert set(shipped) == set(expected)
    assert sum(len(entry["results"]) for entry in expected.values()) == len(rows)
    for slug, entry in expected.items():
        assert shipped[slug] == entry, slug


LAUNCH_FLAG = re.compile(r"(--[a-z][a-z-]*)[ =]([^\s\\]+)")


@pytest.mark.parametrize("slug", sorted(load_catalog(REPO / "catalog").stacks))
def test_stack_commands_use_the_engines_launch_flags(slug: str) -> None:
    """A flag the engine's launch command sets for the stack's workload (memory share, tensor
    parallel size, context length) has the same value in the stack's own setup commands, so
    the expected outcome describes what the reader actually runs."""
    catalog = load_catalog(REPO / "catalog")
    stack = catalog.stacks[slug]
    query = workload_query(stack.combo, stack.workload)
    launch = estimate(catalog, config_for(catalog, query)).launch_command
    engine_flags = dict(LAUNCH_FLAG.findall(launch))
    commands = "\n".join(step.commands or "" for step in stack.steps)
    for flag, value in LAUNCH_FLAG.findall(commands):
        if flag in engine_flags:
            want = engine_flags[flag]
            assert same_setting(value, want), f"{slug}: {flag} {value} vs {want}"


def same_setting(stack_value: str, engine_value: str) -> bool:
    """A stack's value of a launch flag says what the engine's does: equal, a concrete address
    where the engine names a machine (``machine-2:50052``: it knows no addresses), or a local
    copy of the engine's checkpoint (``~/models/Kimi-K2-Instruct-4bit`` for
    ``mlx-community/Kimi-K2-Instruct-4bit``)."""
    if stack_value == engine_value:
        return True
    if re.fullmatch(r"machine-\d+(:\d+)?", engine_value):
        port = engine_value.partition(":")[2]
        return not port or stack_value.endswith(f":{port}")
    name = engine_value.rsplit("/", 1)[-1]
    return "/" in engine_value and stack_value.rstrip("/").endswith(f"/{name}")
