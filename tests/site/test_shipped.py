"""The shipped catalog's site: built once; its key pages agree with ``site-builder estimate``."""

from __future__ import annotations

import datetime
import html
import json
import re
from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.cli import main
from site_builder.site import fmt
from site_builder.site.pages import matrix
from tests.site.conftest import Built
from tests.site.pagetext import header_after, table_after, text
from tests.site.test_engine_match import check_combo_page, estimate, estimate_batch, model_ids


def test_every_catalog_entry_has_a_page(shipped: Built) -> None:
    catalog = load_catalog(shipped.layout.catalog)
    folders = {
        "combos": "hardware-combos",
        "stacks": "stacks",
        "gpus": "gpus",
        "models": "models",
        "runtimes": "runtimes",
    }
    for kind, folder in folders.items():
        for slug in getattr(catalog, kind):
            assert (shipped.site / folder / slug / "index.html").is_file(), (kind, slug)
    for slug in catalog.combos:
        assert (shipped.site / "will-it-run" / slug / "index.html").is_file()


def test_dual_4090_page_matches_the_engine(
    shipped: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check_combo_page(shipped, capsys, "dual-rtx-4090") >= 20


def test_stack_outcome_matches_the_engine(
    shipped: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = load_catalog(shipped.layout.catalog).stacks["dual-4090-workstation"]
    work = stack.workload
    args = [
        "--combo",
        stack.combo,
        "--model",
        work.model,
        "--quant",
        work.quant,
        "--runtime",
        work.runtime,
        "--context",
        str(work.context_tokens),
        "--concurrency",
        str(work.concurrency),
        "--kv-cache",
        work.kv_cache,
    ]
    if work.split:
        args += ["--split", work.split]
    result = estimate(capsys, shipped.layout.catalog, *args)
    rows = dict(table_after(shipped.html("stacks/dual-4090-workstation/"), "expected-outcome"))
    assert rows["Prefill (512-token prompt)"].startswith(
        f"{fmt.tok_s(result['prefill_tok_s'])} tok/s"
    )
    assert rows["Time to first token (512-token prompt)"].startswith(
        f"{fmt.ms(result['ttft_ms'])} ms"
    )
    cards = " + ".join(fmt.gib(card["total_gib"]) for card in result["memory"]["per_gpu"])
    assert rows["Memory per card"].startswith(f"{cards} GiB")
    assert rows["GPU power at load"].startswith(f"{fmt.watts(result['power_w'])} W")
    decode = rows["Decode, single stream"]
    if "estimated" in decode or "uncalibrated" in decode:
        assert decode.startswith(f"{fmt.tok_s(result['decode_tok_s'])} tok/s")


def test_global_matrix_matches_the_engine(
    shipped: Built, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = shipped.html("will-it-run/hardware/several-cards/")
    heading = "will-it-run-several-cards-in-one-machine"
    index = json.loads((shipped.site / "api" / "matrix.json").read_text(encoding="utf-8"))
    (kind,) = [k for k in index["kinds"].values() if "dual-rtx-4090" in k["combos"]]
    brief = {
        "headline": json.loads((shipped.site / kind["file"].lstrip("/")).read_text("utf-8")),
        "files": index["files"],
    }
    picks = {
        "dual-rtx-4090": json.loads(
            (shipped.site / brief["files"]["dual-rtx-4090"].lstrip("/")).read_text(encoding="utf-8")
        )
    }
    for model, short in brief["headline"]["dual-rtx-4090"].items():  # the brief, the full file
        answers = picks["dual-rtx-4090"][model]["answers"]
        top = answers.get("fastest") or answers.get("offload")
        assert (short is None) == (top is None), model
        if top is not None:
            for key in ("runtime", "quant", "split", "verdict", "decode_tok_s"):
                assert short[key] == top[key], (model, key)
    assert "Dual RTX 4090" in header_after(page, heading)
    column = header_after(page, heading).index("Dual RTX 4090")
    models = model_ids(shipped)
    rows = table_after(page, heading)
    assert len(rows) == len(models)
    checks, lines = [], []
    for row in rows:
        model = models[row[0]]
        answers = picks["dual-rtx-4090"][model]["answers"]
        pick = answers.get("fastest") or answers.get("offload")
        cell = row[column]
        if pick is None:
            assert cell.startswith(fmt.verdict_words("no-fit")), cell
            continue
        checks.append((cell, pick))
        lines.append(
            {
                "combo": "dual-rtx-4090",
                "model": model,
                "quant": pick["quant"],
                "runtime": pick["runtime"],
                "split": pick["split"],
                "context": pick["context"],
            }
        )
    results = estimate_batch(capsys, tmp_path, shipped.layout.catalog, lines)
    for (cell, pick), result in zip(checks, results, strict=True):
        assert cell.startswith(fmt.verdict_words(result["verdict"])), cell
        assert pick["quant"] in cell
        if result["decode_tok_s"] is not None and "measured" not in cell:
            assert f"{fmt.tok_s(result['decode_tok_s'])} tok/s" in cell


def test_combo_matrices_stay_small_and_list_no_unloadable_setups(shipped: Built) -> None:
    for combo in ("dual-rtx-4090", "8x-h200", "dual-8x-h100-sxm-infiniband"):
        page = shipped.html(f"will-it-run/{combo}/")
        assert len(page.encode("utf-8")) <= 150_000, combo
        assert 'class="cell-unsupported"' not in page, combo


def test_model_index_groups_families_newest_first(shipped: Built) -> None:
    catalog = load_catalog(shipped.layout.catalog)
    page = shipped.html("models/")
    headings = re.findall(r'<h2 id="[^"]*">([^<]+)<a class="headerlink"', page)
    newest: dict[str, datetime.date] = {}
    for model in catalog.models.values():
        if model.release_date:
            newest[model.family] = max(
                newest.get(model.family, model.release_date), model.release_date
            )
    dated = [h for h in headings if h in newest]
    assert dated == sorted(dated, key=lambda family: newest[family], reverse=True)
    assert set(headings) == {m.family for m in catalog.models.values()}
    home = shipped.html("")
    latest = max(catalog.models.values(), key=lambda m: m.release_date or datetime.date.min)
    assert home.index("New models") < home.index(html.escape(latest.name))


@pytest.mark.parametrize(
    "combo", ["dual-rtx-4090", "single-rtx-5090", "dgx-spark", "mac-studio-m3-ultra-96gb"]
)
def test_cost_section_is_what_the_cost_command_prints(
    shipped: Built, combo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The combo page's prices, own-vs-rent rows and break-even sentences are the figures
    ``site-builder cost`` prints for the page's worked example."""
    catalog = load_catalog(shipped.layout.catalog)
    page = text(shipped.html(f"hardware-combos/{combo}/"))
    named = re.search(r"What the worked example \((.+?) with ", page)
    assert named is not None
    model = next(s for s, m in catalog.models.items() if m.name == named.group(1))
    capsys.readouterr()
    args = ["cost", "--catalog", str(shipped.layout.catalog), "--combo", combo, "--model", model]
    assert main(args) == 0
    printed = capsys.readouterr().out.splitlines()
    facts = [line.split(": ", 1)[1] for line in printed[2:] if ": " in line and line[0] != "-"]
    sentences = [line for line in printed if line.startswith("Against ")]
    assert facts
    assert sentences or combo != "dual-rtx-4090"  # the one of these with a rental price
    for shown in facts + sentences:
        assert shown in page, shown


def test_every_combo_sits_in_one_will_it_run_table_of_bounded_width(shipped: Built) -> None:
    catalog = load_catalog(shipped.layout.catalog)
    found = matrix.groups(catalog)
    placed = [c for g in found for c in g.combos]
    assert sorted(placed) == sorted(catalog.combos)  # each combo once
    assert all(0 < len(g.combos) <= matrix.GROUP_SIZE for g in found)
    for g in found:
        assert (shipped.site / "will-it-run" / "hardware" / g.slug / "index.html").is_file()


@pytest.mark.parametrize(
    ("combo", "expected"),
    [
        ("dual-rtx-3090", "700 W; PSU 1,200 W"),
        (
            "dual-8x-h100-sxm-infiniband",
            "5,600 W per machine, 11,200 W in all; PSU 10,200 W per machine",
        ),
    ],
)
def test_board_power_counts_every_machine(shipped: Built, combo: str, expected: str) -> None:
    """A combo of several machines says its cards' board power per machine and in all (what
    its power at load and the compare pages count)."""
    page = text(shipped.html(f"hardware-combos/{combo}/"))
    assert f"Board power {expected}" in page
