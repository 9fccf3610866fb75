"""Compare anything: the picker on ``/compare/`` in a real browser (Debian's chromium driven by
playwright, the fixture site served by http.server on 127.0.0.1, as in test_browser.py), and the
figure rows of the static compare pages.

The picker computes nothing: it picks rows of the configurator's tables and formats them. The
browser tests read the same JSON tables and hold the page's figures to them.
"""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from site_builder.catalog import load_catalog
from site_builder.engine import estimate as engine_estimate
from site_builder.engine.cost import usd_per_tok_s
from site_builder.engine.evidence import as_shown
from site_builder.engine.recommend import recommend
from site_builder.site import custom, fmt
from site_builder.site.cells import FLOOR_TITLE
from site_builder.site.pages.compare import FIGURE_LABELS
from site_builder.site.results import base_config
from tests.site.browser import Reader, needs_chromium, served
from tests.site.conftest import Built
from tests.site.pagetext import text

RUNS = ("fits", "tight", "offload")

# --- What the JSON tables say --------------------------------------------------------------


def api(built: Built, name: str) -> Any:
    return json.loads((built.site / "api" / name).read_text(encoding="utf-8"))


class Table:
    """A configurator table (:meth:`Built.table`)."""

    def __init__(self, built: Built, key: str) -> None:
        self.data = built.table(key)
        self.index = {name: i for i, name in enumerate(self.data["fields"])}
        self.context = api(built, "index.json")["headline_context"]
        runtimes = api(built, "runtimes.json")
        self.default_split = {
            s: api(built, f"runtimes/{s}.json")["default_split"] for s in runtimes
        }

    def get(self, row: list[Any], name: str) -> Any:
        return row[self.index[name]]

    def standard(self, model: str) -> list[list[Any]]:
        """The model's rows at the headline context on the runtime's default split."""
        return [
            r
            for r in self.data["rows"]
            if self.get(r, "model") == model
            and self.get(r, "context") == self.context
            and self.get(r, "split") in ("none", self.default_split[self.get(r, "runtime")])
        ]

    def quants(self, model: str) -> dict[str, float]:
        """Quant -> bits per weight of the quants that run."""
        return {
            self.get(r, "quant"): self.get(r, "bits_per_weight")
            for r in self.standard(model)
            if self.get(r, "verdict") in RUNS
        }

    def fastest(self, model: str, quant: str) -> list[Any]:
        """The quant's fastest runtime, in VRAM first."""
        for verdicts in (("fits", "tight"), ("offload",)):
            pool = [
                r
                for r in self.standard(model)
                if self.get(r, "quant") == quant and self.get(r, "verdict") in verdicts
            ]
            if pool:
                return max(pool, key=lambda r: self.get(r, "decode_tok_s") or 0.0)
        raise AssertionError(f"nothing runs {model} at {quant}")

    def recommended_decode(self, model: str) -> float:
        """The recommended setup's decode figure as pages show it."""
        d = self.data["defaults"][model]
        if d["evidence"][1] is not None:
            return float(d["evidence"][1])
        (row,) = [
            r
            for r in self.data["rows"]
            if (self.get(r, "model"), self.get(r, "runtime"), self.get(r, "quant"))
            == (model, d["runtime"], d["quant"])
            and self.get(r, "split") == d["split"]
            and self.get(r, "context") == self.context
        ]
        return float(self.get(row, "decode_tok_s"))


def shared(first: Table, second: Table, model: str) -> list[str]:
    """The quants both run, most precise first (as the picker orders them)."""
    a, b = first.quants(model), second.quants(model)
    return sorted(set(a) & set(b), key=lambda q: (-a[q], q))


def decode_text(value: float | None) -> str:
    return f"{fmt.tok_s(value)} tok/s" if value is not None else fmt.DASH


# --- The picker ----------------------------------------------------------------------------


def shown(page: Any) -> dict[str, dict[str, str]]:
    """Group (a quant, or ``recommended``) -> side -> the decode text the table shows."""
    return page.evaluate(
        """() => {
          const out = {};
          document.querySelectorAll("#compare-result tbody").forEach(body => {
            const name = body.hasAttribute("data-recommended") ? "recommended" : body.dataset.quant;
            out[name] = {};
            body.querySelectorAll("tr[data-side]").forEach(tr => {
              const cell = tr.querySelector("[data-testid=decode]");
              out[name][tr.dataset.side] = cell ? cell.textContent : "";
            });
          });
          return out;
        }"""
    )


def wait_for_model(page: Any, name: str) -> None:
    page.wait_for_function(
        "name => { const s = document.querySelector('[data-testid=summary]');"
        " return s && s.textContent.includes(name); }",
        arg=name,
    )


def near(table: Table, model: str, decode: float | None) -> float | None:
    """A setup's decode as the pages show it when the model's recommended figure on this
    hardware is measured-near: the engine's times the table's ratio, rounded as the browser
    rounds (the static pages round the same product to two decimals)."""
    ratio = table.data["defaults"][model].get("near")
    return math.floor(decode * ratio * 100 + 0.5) / 100 if ratio and decode else decode


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("model", ["llama-3.1-8b-instruct", "llama-3.3-70b-instruct"])
def test_picker_shows_both_sides_from_the_tables_and_its_url_restores_them(
    reader: Reader, built: Built, model: str
) -> None:
    catalog = load_catalog(built.layout.catalog)
    a, b = "dual-rtx-3090", "any-rtx-4090-x1"
    page = reader.open("/compare/")
    page.locator("#compare-result table").wait_for()
    page.select_option("select[name=a]", a)
    page.select_option("select[name=b]", b)
    page.select_option("select[name=model]", model)
    wait_for_model(page, catalog.models[model].name)
    page.wait_for_function("url => location.search.includes(url)", arg=f"a={a}&b={b}&model={model}")

    first, second = Table(built, a), Table(built, b)
    quants = shared(first, second, model)
    assert quants, "the fixture's pair shares a quant"
    sides = (("a", first), ("b", second))
    expected = {
        q: {
            side: decode_text(near(t, model, t.get(t.fastest(model, q), "decode_tok_s")))
            for side, t in sides
        }
        for q in quants
    }
    expected["recommended"] = {
        "a": decode_text(first.recommended_decode(model)),
        "b": decode_text(second.recommended_decode(model)),
    }
    table = shown(page)
    assert table == expected
    assert list(table)[1:] == quants  # recommended first, then the most precise quant first

    # The address the picker wrote opens the same comparison.
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"a": [a], "b": [b], "model": [model]}
    before = page.locator("#compare-result").inner_text()
    again = reader.open(urlsplit(page.url).path + "?" + urlsplit(page.url).query)
    wait_for_model(again, catalog.models[model].name)
    for name, value in (("a", a), ("b", b), ("model", model)):
        assert again.input_value(f"select[name={name}]") == value
    assert shown(again) == expected
    assert again.locator("#compare-result").inner_text() == before
    assert again.locator("[data-testid=preset-note]").count() == 0
    assert reader.errors == []


@pytest.mark.browser
@needs_chromium
def test_picker_figures_are_the_table_figures_formatted(reader: Reader, built: Built) -> None:
    """Every figure of the recommended rows, as configure.js formats it."""
    model = "llama-3.1-8b-instruct"
    page = reader.open(f"/compare/?a=dual-rtx-3090&b=any-rtx-4090-x1&model={model}")
    wait_for_model(page, "Llama 3.1 8B Instruct")
    for side, key in (("a", "dual-rtx-3090"), ("b", "any-rtx-4090-x1")):
        t = Table(built, key)
        d = t.data["defaults"][model]
        row = next(
            r
            for r in t.data["rows"]
            if (t.get(r, "model"), t.get(r, "runtime"), t.get(r, "quant"), t.get(r, "split"))
            == (model, d["runtime"], d["quant"], d["split"])
            and t.get(r, "context") == t.context
        )
        cells = page.locator(f"#compare-result tbody[data-recommended] tr[data-side={side}]")

        def cell(name: str, cells: Any = cells) -> str:
            return str(cells.locator(f"[data-figure={name}]").inner_text())

        def flag(metric: str, t: Table = t, row: list[Any] = row) -> str:
            """The label where the row's bits say uncalibrated, as the static pages flag it
            (rendered text: the theme sets labels in capitals)."""
            at = t.data["calibrated_bits"].index(metric)
            return "" if t.get(row, "calibrated") >> at & 1 else " UNCALIBRATED"

        ttft = t.get(row, "ttft_ms")
        prefill = fmt.tok_s(t.get(row, "prefill_tok_s"))
        assert cell("prefill") == f"{prefill} tok/s{flag('prefill_tok_s')}"
        assert cell("ttft") == f"{fmt.ms(ttft)} ms{flag('ttft_ms')}"
        assert cell("max_context") == f"{t.get(row, 'max_context'):,} tokens"
        assert cell("power") == f"{fmt.watts(t.get(row, 'power_w'))} W"
        assert cell("energy") == f"{fmt.num(t.get(row, 'joules_per_token'), 2)} J"
        price = t.data["price"]
        assert price is not None  # every fixture card has a dated price
        assert cell("price") == price["text"]
        per = usd_per_tok_s(price["usd"], t.get(row, "decode_tok_s"))
        assert cell("usd_per_tok_s") == fmt.usd(per)
        setup = cells.locator("td").nth(1).inner_text()
        runtime = api(built, "runtimes.json")[d["runtime"]]["name"]
        assert f"{d['quant']} on {runtime}" in setup
    assert reader.errors == []


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize(
    ("query", "unknown", "named"),
    [
        ("a=no-such-gpu-x9&b=dual-rtx-4090&model=llama-3.1-8b-instruct", "no-such-gpu-x9", "a"),
        ("a=dual-rtx-4090&b=dual-rtx-3090&model=<b>gpt-9</b>", "<b>gpt-9</b>", "model"),
    ],
    ids=["hardware", "model"],
)
def test_a_link_with_an_unknown_value_says_which(
    reader: Reader, query: str, unknown: str, named: str
) -> None:
    page = reader.open(f"/compare/?{query}")
    note = page.locator("[data-testid=preset-note]")
    note.wait_for()
    said = note.inner_text()
    words = {"a": "hardware A", "model": "model"}[named]
    assert f"{words} “{unknown}”, which this site does not know" in said
    assert page.locator("#compare-result b").count() == 0  # text, never markup
    defaults = {"a": "dual-rtx-3090", "model": "llama-3.3-70b-instruct"}
    assert page.input_value(f"select[name={named}]") == defaults[named]
    assert f"showing {page.locator(f'select[name={named}] option:checked').inner_text()}" in said
    page.locator("#compare-result table").wait_for()
    # The address now names what is shown, so sharing it shows no note.
    assert parse_qs(urlsplit(page.url).query)[named] == [defaults[named]]
    assert reader.errors == []


@pytest.mark.browser
@needs_chromium
def test_the_filter_narrows_the_list_and_picks_a_match(reader: Reader) -> None:
    page = reader.open("/compare/?a=dual-rtx-3090&b=dual-rtx-4090&model=llama-3.1-8b-instruct")
    page.locator("#compare-result table").wait_for()
    page.fill("[data-filter=a]", "5090 x2")
    page.wait_for_function("() => location.search.includes('a=any-rtx-5090-x2')")
    values = page.eval_on_selector_all("select[name=a] option", "os => os.map(o => o.value)")
    assert values == ["any-rtx-5090-x2"]
    wait_for_model(page, "2× NVIDIA GeForce RTX 5090")
    page.fill("[data-filter=a]", "")
    values = page.eval_on_selector_all("select[name=a] option", "os => os.map(o => o.value)")
    assert len(values) > 10 and page.input_value("select[name=a]") == "any-rtx-5090-x2"
    assert reader.errors == []


@pytest.mark.browser
@needs_chromium
def test_phone_scrolls_the_table_in_its_box_with_the_first_column_pinned(
    browser: Any, base_url: str
) -> None:
    phone = Reader(browser, base_url, width=390)
    page = phone.open("/compare/?a=dual-rtx-3090&b=any-rtx-4090-x1&model=llama-3.3-70b-instruct")
    page.locator("#compare-result table").wait_for()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    box = page.locator("#compare-result .md-typeset__scrollwrap")
    wide = box.evaluate("el => el.scrollWidth > el.clientWidth")
    first = page.locator("#compare-result tbody tr[data-side=a] td").first
    before = first.bounding_box()
    edge = box.bounding_box()
    box.evaluate("el => { el.scrollLeft = 200; }")
    after = first.bounding_box()
    style = first.evaluate("el => getComputedStyle(el).position")
    phone.page.close()
    assert overflow <= 0
    assert wide
    assert style == "sticky"
    assert before is not None and after is not None and edge is not None
    # The rest scrolled 200 px; the first column stays at the box's left edge.
    assert edge["x"] <= after["x"] <= before["x"] and after["x"] < edge["x"] + 1
    assert phone.errors == []


# --- The page, without a browser -----------------------------------------------------------


def hardware_keys(built: Built) -> list[str]:
    """Every hardware key of the API, in its order: the combos' tables, then build-your-own."""
    index = api(built, "index.json")
    tables = [p for p in index["endpoints"] if p.startswith("/api/estimates/")]
    keys = [Path(p).stem for p in tables if not p.endswith(".details.json")]
    return keys + [b.key for b in custom.builds(load_catalog(built.layout.catalog))]


def test_picker_offers_every_hardware_key_of_the_api(built: Built) -> None:
    page = built.html("compare/")
    start = page.index('id="compare-form"')
    form = page[start : page.index("</form>", start)]
    selects = dict(re.findall(r'<select name="([ab])"[^>]*>(.*?)</select>', form, re.DOTALL))
    assert list(selects) == ["a", "b"]
    assert re.findall(r'<option value="([^"]+)"', selects["a"]) == hardware_keys(built)
    # the page sends the list once: compare.js gives Hardware B the same choices
    assert "<option" not in selects["b"]
    assert '<script src="../assets/compare.js"></script>' in page
    assert (built.site / "assets" / "compare.js").is_file()


@pytest.mark.browser
@needs_chromium
def test_both_pickers_offer_every_hardware_key_in_the_browser(reader: Reader, built: Built) -> None:
    page = reader.open("/compare/")
    page.locator("#compare-result table").wait_for()
    for side in ("a", "b"):
        values = page.eval_on_selector_all(
            f"select[name={side}] option", "options => options.map(o => o.value)"
        )
        assert values == hardware_keys(built), side
    assert reader.errors == []


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize(
    ("path", "shown", "fetched"),
    [
        (
            "/compare/?a=dual-rtx-3090&b=dual-rtx-4090",
            "#compare-result table",
            ["dual-rtx-3090.json", "dual-rtx-4090.json"],
        ),
        (
            "/configure/",
            "#configurator-result .figures",
            ["dual-rtx-4090.details.json", "dual-rtx-4090.json"],
        ),
    ],
)
def test_a_picker_fetches_only_the_table_files_it_shows(
    reader: Reader, path: str, shown: str, fetched: list[str]
) -> None:
    """The compare picker reads two tables and neither's details file (each card's memory, the
    reasons, the launch command: about three fifths of a table's bytes, which it never shows);
    the configurator reads its table and the details file beside it."""
    files: list[str] = []

    def seen(request: Any) -> None:
        if "/api/estimates/" in request.url:
            files.append(request.url.rsplit("/", 1)[1])

    reader.page.on("request", seen)
    page = reader.open(path)
    page.locator(shown).first.wait_for()
    page.wait_for_load_state("networkidle")
    assert sorted(files) == fetched
    assert reader.errors == []


def figure_rows(page: str) -> dict[str, list[list[str]]]:
    """Figure label -> the figure rows' cells (after the label and the empty quant cell), in
    model order."""
    found: dict[str, list[list[str]]] = {}
    for row in re.findall(r'<tr class="compare-figure">(.*?)</tr>', page, re.DOTALL):
        cells = [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
        found.setdefault(cells[0], []).append(cells[2:])
    return found


def test_static_compare_page_shows_prefill_and_ttft_of_the_engine(built: Built) -> None:
    page = built.html("compare/dual-rtx-3090-vs-dual-rtx-4090/")
    rows = figure_rows(page)
    assert list(rows) == list(FIGURE_LABELS)
    assert {"Prefill", "Time to first token"} <= set(rows)
    catalog = load_catalog(built.layout.catalog)
    models = sorted(catalog.models, key=lambda m: (-catalog.models[m].params_total_b, m))
    for i, model in enumerate(models):
        for column, combo in ((2, "dual-rtx-3090"), (3, "dual-rtx-4090")):
            answer = recommend(
                catalog, base_config(catalog, combo, model), "chat", engine_estimate
            ).headline
            assert answer is not None, (combo, model)
            e = answer.estimate
            prefill = rows["Prefill"][i][column]
            ttft = rows["Time to first token"][i][column]
            assert prefill.startswith(f"{fmt.tok_s(e.prefill_tok_s)} tok/s"), (combo, model)
            assert ttft.startswith(f"{fmt.ms(e.ttft_ms)} ms"), (combo, model)
            assert rows["GPU power at load"][i][column] == f"{fmt.watts(e.power_w)} W"
            # energy over the decode speed the page shows (a measurement where there is one)
            joules = as_shown(e, answer.evidence).joules_per_token
            assert rows["Energy per token"][i][column] == f"{fmt.num(joules, 2)} J"
    # The figure rows follow their model's row, in the same body.
    table = page[page.index('<table class="compare-models">') :]
    bodies = re.findall(r"<tbody>(.*?)</tbody>", table[: table.index("</table>")], re.DOTALL)
    assert len(bodies) == len(models)
    for body, model in zip(bodies, models, strict=True):
        assert html.escape(catalog.models[model].name) in body.split("</tr>", 1)[0]
        assert body.count('<tr class="compare-figure">') == len(FIGURE_LABELS)


@pytest.mark.browser
@needs_chromium
def test_picker_figures_follow_a_measured_decode(reader: Reader, built: Built) -> None:
    """Where the recommended setup's decode is a measurement (measured-near here), the energy
    per token and the price per decode tok/s are worked out over it, as on the static pages."""
    model, key = "llama-3.3-70b-instruct", "dual-rtx-3090"
    catalog = load_catalog(built.layout.catalog)
    base = base_config(catalog, key, model)
    answer = recommend(catalog, base, "chat", engine_estimate).headline
    assert answer is not None and answer.evidence.label == "measured-near"
    shown = as_shown(answer.estimate, answer.evidence)
    assert shown.decode_tok_s != answer.estimate.decode_tok_s  # the case is one that moves
    page = reader.open(f"/compare/?a={key}&b=dual-rtx-4090&model={model}")
    wait_for_model(page, "Llama 3.3 70B Instruct")
    cells = page.locator("#compare-result tbody[data-recommended] tr[data-side=a]")
    price = Table(built, key).data["price"]
    assert cells.locator("[data-figure=energy]").inner_text() == (
        f"{fmt.num(shown.joules_per_token, 2)} J"
    )
    per = usd_per_tok_s(price["usd"], answer.evidence.value)
    assert cells.locator("[data-figure=usd_per_tok_s]").inner_text() == fmt.usd(per)
    assert reader.errors == []


@pytest.mark.browser
@needs_chromium
def test_picker_flags_a_side_below_the_quality_floor(browser: Any, shipped: Built) -> None:
    """A 70B model on one RTX 4090 runs only below the quality floor (the shipped catalog): the
    picker says so, as the static compare pages do, and flags no side above it."""
    model = "llama-3.3-70b-instruct"
    with served(shipped.site) as url:
        reader = Reader(browser, url)
        page = reader.open(f"/compare/?a=dual-rtx-3090&b=single-rtx-4090&model={model}")
        wait_for_model(page, "Llama 3.3 70B Instruct")
        below = json.loads(page.locator("#compare-form").get_attribute("data-below-floor"))[model]
        rows = page.locator("#compare-result tbody[data-recommended] tr[data-side]")
        flagged = {}
        for i in range(rows.count()):
            row = rows.nth(i)
            quant = row.locator("td").nth(1).inner_text().split(" on ")[0].split()[-1]
            floor = row.locator("[data-testid=floor]").count()
            flagged[row.get_attribute("data-side")] = (quant in below, floor)
        assert flagged == {"a": (False, 0), "b": (True, 1)}
        note = page.locator("[data-testid=floor]").first
        assert note.inner_text().lower() == "below the quality floor"
        assert note.get_attribute("title") == FLOOR_TITLE
        assert reader.errors == []
        reader.page.close()


@pytest.mark.browser
@needs_chromium
def test_picker_names_the_quants_only_one_side_runs(browser: Any, shipped: Built) -> None:
    """Under the table, the quants one side runs and the other does not, the recommended one
    among them (worded as what the other side lacks, not as more beside the rows shown)."""
    model = "qwen3-coder-480b-a35b-instruct"
    with served(shipped.site) as url:
        reader = Reader(browser, url)
        page = reader.open(f"/compare/?a=mac-studio-m3-ultra-512gb&b=single-rtx-4090&model={model}")
        wait_for_model(page, "Qwen3-Coder 480B-A35B Instruct")
        note = page.locator("#compare-result .configurator-note").last.inner_text()
        assert re.fullmatch(
            r"A runs [A-Z0-9_, -]+, which B does not \(at this context, on each runtime's "
            r"default split\)\.",
            note,
        ), note
        assert "Q4_K_M" in note and "also" not in note
        assert reader.errors == []
        reader.page.close()
