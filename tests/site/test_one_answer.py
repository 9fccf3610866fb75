"""One answer per question: every page that names a recommended setup shows exactly what
``site-builder recommend`` prints for that machine and model (runtime, quant, figures)."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest

from site_builder.catalog import Catalog, load_catalog
from site_builder.cli import main
from site_builder.engine import Config, Estimate, estimate, prepare
from site_builder.engine.recommend import Recommendation, passes_floor, recommend
from site_builder.site import fmt, urls
from site_builder.site.picks import FLOOR_NOTE
from site_builder.site.results import CONTEXTS, base_config
from tests.site.conftest import ROOT, Built
from tests.site.pagetext import table_after, text

CATALOG = load_catalog(ROOT / "catalog")
LOOKUPS = prepare(CATALOG)


def estimated(catalog: Catalog, config: Config) -> Estimate:
    """``estimate`` with one memo of shapes and plans for every answer here (the engine is
    pure, so it answers as the command's memo-less call does, in a fraction of the time)."""
    return estimate(catalog, config, LOOKUPS)


@cache
def answer(combo: str, model: str) -> Recommendation:
    """What ``site-builder recommend --combo C --model M`` computes (the same function)."""
    return recommend(CATALOG, base_config(CATALOG, combo, model), "chat", estimated)


def expected(combo: str, model: str) -> tuple[str, str, str, str] | None:
    """(verdict words, runtime name, quant, decode text) of the headline answer; the quant
    carries the page's quality warning when it is below the floor."""
    headline = answer(combo, model).headline
    if headline is None:
        return None
    value = headline.evidence.value
    decode = f"{fmt.tok_s(value)} tok/s" if value is not None else fmt.DASH
    runtime = CATALOG.runtimes[headline.config.runtime].name
    quant = headline.config.quant
    if not passes_floor(CATALOG, headline.config):
        assert any("quality" in w for w in headline.warnings)
        quant = f"{quant} {FLOOR_NOTE}"
    return fmt.verdict_words(headline.estimate.verdict), runtime, quant, decode


def cases() -> list[tuple[str, str]]:
    return [(c, m) for c in CATALOG.combos for m in CATALOG.models]


def test_the_cli_prints_the_function_the_tests_use(capsys: pytest.CaptureFixture[str]) -> None:
    for combo, model in [
        ("dual-rtx-4090", "llama-3.3-70b-instruct"),
        ("single-rtx-4080", "qwen3-32b"),
    ]:
        capsys.readouterr()
        args = ["recommend", "--catalog", str(ROOT / "catalog"), "--combo", combo, "--model", model]
        assert main([*args, "--json"]) == 0
        printed: dict[str, Any] = json.loads(capsys.readouterr().out)
        assert printed == json.loads(json.dumps(answer(combo, model).to_json()))


def test_combo_pages_show_the_recommendation(shipped: Built) -> None:
    checked = 0
    for combo in CATALOG.combos:
        rows = {
            r[0]: r for r in table_after(shipped.html(f"hardware-combos/{combo}/"), "will-it-run")
        }
        for model in CATALOG.models:
            want = expected(combo, model)
            row = rows.get(CATALOG.models[model].name)
            if want is None:
                assert row is None, (combo, model)
                continue
            assert row is not None, (combo, model)
            verdict, runtime, quant, decode = want
            assert row[1] == verdict, (combo, model, row)
            bare = quant.removesuffix(f" {FLOOR_NOTE}")
            assert row[3].startswith(f"{bare} on {runtime}"), (combo, model, row)
            assert row[3].endswith(FLOOR_NOTE) == (bare != quant), (combo, model, row)
            assert row[2].startswith(decode), (combo, model, row)
            checked += 1
    assert checked > 100


def test_combo_matrices_name_the_recommendation(shipped: Built) -> None:
    """Each model's row on a combo's matrix: the recommended quant on its runtime, and at the
    headline context (the third cell) its verdict and decode figure."""
    checked = 0
    for combo in CATALOG.combos:
        page = shipped.html(f"will-it-run/{combo}/")
        rows = {
            anchor: [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
            for anchor, row in re.findall(r'<tr id="([^"]+)">(.*?)</tr>', page, re.DOTALL)
        }
        for model in CATALOG.models:
            want = expected(combo, model)
            if want is None:
                assert urls.anchor(model) not in rows, (combo, model)
                continue
            verdict, runtime, quant, decode = want
            row = rows[urls.anchor(model)]
            bare = quant.removesuffix(f" {FLOOR_NOTE}")
            assert row[1].startswith(f"{bare} on {runtime}"), (combo, model, row)
            assert (FLOOR_NOTE in row[1]) == (bare != quant), (combo, model, row)
            headline = answer(combo, model).headline
            assert headline is not None
            cell = row[2 + CONTEXTS.index(headline.config.context_tokens)]
            assert cell.startswith(f"{verdict} {decode}"), (combo, model, row)
            checked += 1
    assert checked > 1000


def test_model_pages_show_the_recommendation(shipped: Built) -> None:
    for model in CATALOG.models:
        rows = {r[0]: r for r in table_after(shipped.html(f"models/{model}/"), "where-it-runs")}
        for combo in CATALOG.combos:
            row = rows[CATALOG.combos[combo].name]
            want = expected(combo, model)
            if want is None:
                nothing = fmt.verdict_words(answer(combo, model).verdict)
                assert row[1] == nothing, (combo, model, row)
                continue
            verdict, runtime, quant, decode = want
            assert row[1:4] == [verdict, runtime, quant], (combo, model, row)
            assert row[4].startswith(decode), (combo, model, row)


def test_compare_pages_show_each_sides_recommendation(shipped: Built) -> None:
    for a, b in pairs_of(CATALOG):
        page = shipped.html(f"compare/{a}-vs-{b}/")
        rows = table_after(page, "models")
        by_name = {r[0]: r for r in rows}
        neither = neither_named(page)
        for model in CATALOG.models:
            name = CATALOG.models[model].name
            why = {answer(combo, model).verdict for combo in (a, b)}
            if expected(a, model) is None and expected(b, model) is None and len(why) == 1:
                assert name in neither.get(why.pop(), []) and name not in by_name, (a, b, model)
                continue
            assert all(name not in names for names in neither.values()), (a, b, model)
            row = by_name[name]
            for column, combo in ((2, a), (3, b)):
                if row[1] == fmt.DASH:  # no quant both run: a dash where the combo runs it
                    nothing = fmt.verdict_words(answer(combo, model).verdict)
                    runs = expected(combo, model) is not None
                    assert row[column] == fmt.DASH if runs else row[column] == nothing, row
            for column, combo in ((4, a), (5, b)):
                want = expected(combo, model)
                if want is None:
                    nothing = fmt.verdict_words(answer(combo, model).verdict)
                    assert row[column].startswith(nothing), row
                    continue
                verdict, runtime, quant, decode = want
                assert row[column].startswith(f"{verdict} {decode}"), (combo, model, row)
                assert row[column].endswith(f"{runtime} {quant}"), (combo, model, row)


def test_stack_pages_show_the_recommendation(shipped: Built) -> None:
    for slug, stack in CATALOG.stacks.items():
        want = expected(stack.combo, stack.workload.model)
        page = text(shipped.html(f"stacks/{slug}/"))
        assert want is not None, slug
        _, runtime, quant, decode = want
        bare = quant.removesuffix(f" {FLOOR_NOTE}")
        assert f"Fastest: {decode}" in page, slug
        assert f"with {runtime} {bare}" in page, slug
        assert (f"Warning: {bare} loses more quality" in page) == (bare != quant), slug


def test_configurator_default_state_is_the_recommendation(shipped: Built) -> None:
    for combo in CATALOG.combos:
        table = json.loads((shipped.site / "api" / "estimates" / f"{combo}.json").read_text())
        index = {name: i for i, name in enumerate(table["fields"])}
        for model in CATALOG.models:
            headline = answer(combo, model).headline
            default = table["defaults"].get(model)
            if headline is None:
                assert default is None
                continue
            key = (headline.config.runtime, headline.config.quant, headline.estimate.split)
            assert (default["runtime"], default["quant"], default["split"]) == key
            value = headline.evidence.value
            assert default["evidence"] == [
                headline.evidence.label,
                round(value, 2) if value else None,
            ]
            rows = [
                r
                for r in table["rows"]
                if (r[index["model"]], r[index["runtime"]], r[index["quant"]], r[index["split"]])
                == (model, *key)
                and r[index["context"]] == headline.config.context_tokens
            ]
            assert len(rows) == 1, (combo, model)
            assert rows[0][index["decode_tok_s"]] == headline.estimate.to_json()["decode_tok_s"]


def neither_named(page: str) -> dict[str, list[str]]:
    """The models a compare page names under its table as running on neither combo, by the
    verdict the paragraph opens with (``no-fit``, ``unsupported``)."""
    found: dict[str, list[str]] = {}
    for paragraph in re.findall(r'<p class="compare-neither">(.*?)</p>', page, re.DOTALL):
        verdict = re.search(r'class="verdict verdict-([a-z-]+)"', paragraph)
        assert verdict is not None, paragraph
        words = fmt.verdict_words(verdict.group(1))
        assert text(paragraph).startswith(f"{words} on either combo, at any quant: ")
        names = re.findall(r"<a [^>]*>(.*?)</a>", paragraph, re.DOTALL)
        found[verdict.group(1)] = [text(n) for n in names]
    return found


def pairs_of(catalog: Catalog) -> list[tuple[str, str]]:
    related = {
        tuple(sorted((slug, r.combo)))
        for slug, combo in catalog.combos.items()
        for r in combo.related
        if r.combo != slug
    }
    return sorted((a, b) for a, b in related)


def test_compare_dual_vs_single_4090_uses_one_quant_and_two_cards_are_not_slower(
    shipped: Built,
) -> None:
    rows = table_after(shipped.html("compare/dual-rtx-4090-vs-single-rtx-4090/"), "models")
    row = next(r for r in rows if r[0] == CATALOG.models["llama-3.3-70b-instruct"].name)
    quant = row[1]
    assert quant and quant != fmt.DASH

    def decode(cell: str) -> float:
        number = cell.split(" tok/s")[0].rsplit(" ", 1)[-1]
        return float(number.replace(",", ""))

    dual, single = row[2], row[3]
    assert decode(dual) >= decode(single), row
    assert answer("dual-rtx-4090", "llama-3.3-70b-instruct").headline is not None


def test_guides_name_the_recommendation(shipped: Built) -> None:
    page = text(shipped.html("guides/multi-gpu-buying-guide/"))
    headline = answer("dual-rtx-4090", "llama-3.3-70b-instruct").headline
    assert headline is not None
    runtime = CATALOG.runtimes[headline.config.runtime].name
    value = fmt.tok_s(headline.evidence.value)
    split = headline.estimate.split
    assert (
        f"is {runtime} at {headline.config.quant} ({split} split), {value} tok/s "
        f"({headline.evidence.label})"
    ) in page


def test_guide_and_stack_agree_on_the_moe_concurrency_figure(shipped: Built) -> None:
    guide = text(shipped.html("guides/multi-gpu-buying-guide/"))
    stack = text(shipped.html("stacks/dual-4090-workstation/"))
    figure = guide.split("serves eight concurrent requests at ", 1)[1].split(" tok/s", 1)[0]
    assert f"Aggregate decode, 8 concurrent {figure} tok/s" in stack
