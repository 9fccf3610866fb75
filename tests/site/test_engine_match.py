"""Pages show the numbers ``site-builder estimate`` prints for the same configuration."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from site_builder.catalog import load_catalog, snapshot
from site_builder.cli import main
from site_builder.engine.config import DEFAULT_CONTEXT_TOKENS
from site_builder.site import fmt
from site_builder.site.cells import evidence
from site_builder.site.in_browser import Engine
from tests.site.conftest import Built
from tests.site.pagetext import table_after


def estimate(capsys: pytest.CaptureFixture[str], catalog: Path, *args: str) -> dict[str, Any]:
    """Run ``site-builder estimate --json`` and parse what it prints."""
    capsys.readouterr()
    assert main(["estimate", "--catalog", str(catalog), "--json", *args]) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def runtime_ids(built: Built) -> dict[str, str]:
    """Runtime display name -> ID, from the built API."""
    runtimes = json.loads((built.site / "api" / "runtimes.json").read_text(encoding="utf-8"))
    return {entry["name"]: slug for slug, entry in runtimes.items()}


def model_ids(built: Built) -> dict[str, str]:
    models = json.loads((built.site / "api" / "models.json").read_text(encoding="utf-8"))
    return {entry["name"]: slug for slug, entry in models.items()}


SETUP = re.compile(
    r"^(?P<quant>\S+) on (?P<runtime>.+?) ?(?:, (?P<split>\w+) split)?"
    r"(?: below the quality floor)?$"
)
VERDICTS = {fmt.verdict_words(v): v for v in ("fits", "tight", "offload", "no-fit", "unsupported")}


def estimate_batch(
    capsys: pytest.CaptureFixture[str], tmp: Path, catalog: Path, lines: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Run ``site-builder estimate --batch`` once over ``lines`` (option-named fields); one
    parsed result per line, in order (the CLI's own answers, one catalog load)."""
    batch = tmp / "batch.jsonl"
    batch.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    capsys.readouterr()
    assert main(["estimate", "--catalog", str(catalog), "--batch", str(batch)]) == 0
    out = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    assert len(out) == len(lines)
    return out


def headline_context(catalog: Path, model: str) -> str:
    """The headline window of ``model``: the chat workload's, capped at the model's maximum."""
    limit = load_catalog(catalog).models[model].max_context_tokens
    return str(min(DEFAULT_CONTEXT_TOKENS, limit))


def check_combo_page(built: Built, capsys: pytest.CaptureFixture[str], combo: str) -> int:
    """Every will-it-run row of a combo page equals the engine's result; returns rows checked."""
    rows = table_after(built.html(f"hardware-combos/{combo}/"), "will-it-run")
    models, runtimes = model_ids(built), runtime_ids(built)
    limits = {m: e.max_context_tokens for m, e in load_catalog(built.layout.catalog).models.items()}
    lines = []
    for model, _verdict, _decode, setup, _size, _memory, _ctx in rows:
        found = SETUP.match(setup)
        assert found is not None, setup
        line = {
            "combo": combo,
            "model": models[model],
            "quant": found["quant"],
            "runtime": runtimes[found["runtime"]],
            "context": min(DEFAULT_CONTEXT_TOKENS, limits[models[model]]),
        }
        if found["split"]:
            line["split"] = found["split"]
        lines.append(line)
    results = estimate_batch(capsys, built.layout.work, built.layout.catalog, lines)
    for (_model, verdict, decode, _setup, _size, memory, _ctx), result in zip(
        rows, results, strict=True
    ):
        assert VERDICTS[verdict] == result["verdict"]
        cards = " + ".join(fmt.gib(card["total_gib"]) for card in result["memory"]["per_gpu"])
        assert memory == f"{cards} GiB"
        if "estimated" in decode or "uncalibrated" in decode:
            assert decode.startswith(f"{fmt.tok_s(result['decode_tok_s'])} tok/s")
            low, high = result["decode_tok_s_range"]
            assert f"({fmt.tok_s(low)}–{fmt.tok_s(high)})" in decode
    return len(rows)


def test_fixture_combo_page_matches_the_engine(
    built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check_combo_page(built, capsys, "dual-rtx-4090") == 2


def test_fixture_guide_inserts_engine_figures(
    built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    result = estimate(
        capsys,
        built.layout.catalog,
        "--combo",
        "dual-rtx-4090",
        "--model",
        "llama-3.3-70b-instruct",
        "--quant",
        "AWQ-INT4",
        "--runtime",
        "vllm",
    )
    page = built.html("guides/fixture-guide/")
    assert f"at {fmt.tok_s(result['decode_tok_s'])} tok/s" in page
    assert f"{fmt.gib(result['memory']['total_gib'])} GiB in total" in page
    small = estimate(
        capsys,
        built.layout.catalog,
        *("--combo", "dual-rtx-4090", "--model", "llama-3.1-8b-instruct"),
        *("--quant", "Q4_K_M", "--runtime", "llama-cpp"),
    )

    def label(metric: str) -> str:  # a guide's label() is the pages' evidence label
        return evidence("estimated" if metric in small["calibrated"] else "uncalibrated")

    assert f"prefill {fmt.tok_s(small['prefill_tok_s'])} tok/s {label('prefill_tok_s')}" in page
    assert f"after {fmt.ms(small['ttft_ms'])} ms {label('ttft_ms')}" in page


@pytest.mark.parametrize(
    ("key", "cards", "gpus"),
    [
        ("any-rtx-4090-x2", [["rtx-4090", 2]], ["rtx-4090:2"]),
        (
            "any-rtx-3090-x1-and-rtx-4090-x1",
            [["rtx-3090", 1], ["rtx-4090", 1]],
            ["rtx-3090", "rtx-4090"],
        ),
    ],
)
def test_build_your_own_tables_equal_the_cli(
    built: Built,
    capsys: pytest.CaptureFixture[str],
    key: str,
    cards: list[list[object]],
    gpus: list[str],
) -> None:
    """The any-GPU tables the engine in the browser works out hold what ``estimate --gpu
    gpu:count`` prints, in the format of the combos' estimate tables."""
    engine = Engine((built.site / "assets" / "engine" / "catalog.json").read_text("utf-8"))
    table = json.loads(engine.table(key))
    assert table["gpus"] == cards and table["rows"]
    index = {name: i for i, name in enumerate(table["fields"])}
    gpu_args = [arg for g in gpus for arg in ("--gpu", g)]
    for row in table["rows"]:
        result = estimate(
            capsys,
            built.layout.catalog,
            *gpu_args,
            "--model",
            row[index["model"]],
            "--quant",
            row[index["quant"]],
            "--runtime",
            row[index["runtime"]],
        )
        assert row[index["verdict"]] == result["verdict"]
        assert row[index["decode_tok_s"]] == result["decode_tok_s"]
        assert row[index["launch_command"]] == result["launch_command"]


def test_build_your_own_choices(built: Built) -> None:
    """Every GPU in 1, 2 and 4 cards, unified-memory systems once, and every pair of different
    consumer CUDA cards (ordered by name), offered by the configurator; no file holds their
    tables (the browser works out the one a reader picks)."""
    page = built.html("configure/")
    keys = set(re.findall(r'<option value="(any-[^"]+)"', page))
    index = json.loads((built.site / "api" / "gpus.json").read_text(encoding="utf-8"))
    gpus = {
        slug: json.loads((built.site / entry["file"].lstrip("/")).read_text(encoding="utf-8"))
        for slug, entry in index.items()
    }
    expected = {
        f"any-{slug}-x{n}"
        for slug, gpu in gpus.items()
        for n in ((1,) if gpu["unified_memory"] else (1, 2, 4))
    } | {
        "any-rtx-3090-x1-and-rtx-4090-x1",
        "any-rtx-3090-x1-and-rtx-5090-x1",
        "any-rtx-4090-x1-and-rtx-5090-x1",
    }
    assert keys == expected
    assert not list((built.site / "api" / "estimates").glob("any-*"))
    assert not (built.site / "assets" / "data").exists()  # each table is written once
    assert (
        json.loads(Engine(snapshot.dump(load_catalog(built.layout.catalog))).table("any-x"))[
            "error"
        ]
        == "no build-your-own hardware 'any-x'"
    )
