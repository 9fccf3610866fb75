"""What a reader sees, in a real browser: Debian's chromium driven by playwright.

The fixture site is served by http.server on 127.0.0.1; no browser is ever downloaded.
Skipped only when /usr/bin/chromium is absent (``make test`` installs it).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from site_builder.catalog import load_catalog
from site_builder.engine import config_for_combo
from site_builder.engine import estimate as engine_estimate
from site_builder.engine.recommend import fastest_of, recommend
from site_builder.site import fmt
from tests.site.browser import Reader, needs_chromium, served
from tests.site.conftest import Built
from tests.site.test_engine_match import estimate

pytestmark = [pytest.mark.browser, needs_chromium]


def test_combo_page_shows_the_engine_numbers(
    reader: Reader, built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    page = reader.open("/hardware-combos/dual-rtx-4090/")
    assert page.title().startswith("Dual RTX 4090")
    assert page.locator("h1").inner_text().rstrip("¶") == "Dual RTX 4090"
    rows = page.locator("#will-it-run ~ div table tbody tr, #will-it-run ~ table tbody tr")
    first = rows.first.locator("td")
    assert first.nth(0).inner_text() == "Llama 3.3 70B Instruct"
    # The verdict reads in words; its code is the badge's class (verdict-fits).
    badge = rows.first.locator(".verdict").first.get_attribute("class") or ""
    verdict = badge.split("verdict-")[-1]
    setup = re.search(r"(\S+) on (vLLM|llama\.cpp)", rows.first.inner_text())
    assert setup is not None
    quant, name = setup.groups()
    runtime = {"vLLM": "vllm", "llama.cpp": "llama-cpp"}[name]
    result = estimate(
        capsys,
        built.layout.catalog,
        "--combo",
        "dual-rtx-4090",
        "--model",
        "llama-3.3-70b-instruct",
        "--quant",
        quant,
        "--runtime",
        runtime,
    )
    assert verdict == result["verdict"]
    speed = result["decode_tok_s"]
    cells = [first.nth(i).inner_text() for i in range(first.count())]
    if speed:
        assert any(cell.startswith(f"{fmt.tok_s(speed)} tok/s") for cell in cells), cells
    else:
        assert fmt.DASH in cells
    assert reader.errors == []


def test_pictures_are_inline_svg_with_titles(reader: Reader) -> None:
    page = reader.open("/hardware-combos/dual-rtx-4090/")
    charts = page.locator("figure.chart-figure svg")
    assert charts.count() >= 3
    for i in range(charts.count()):
        assert charts.nth(i).locator(":scope > title").count() == 1
        assert charts.nth(i).bounding_box()["width"] > 200


def test_dark_mode_toggle(reader: Reader) -> None:
    page = reader.open("/hardware-combos/dual-rtx-4090/")
    before = page.locator("body").get_attribute("data-md-color-scheme")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_timeout(200)
    after = page.locator("body").get_attribute("data-md-color-scheme")
    assert {before, after} == {"default", "slate"}
    assert reader.errors == []


def test_global_matrix_names_verdicts_in_words(reader: Reader) -> None:
    page = reader.open("/will-it-run/hardware/several-cards/")
    cells = page.locator("table tbody tr").first.locator("td")
    assert cells.nth(0).inner_text() == "Llama 3.3 70B Instruct"
    assert cells.count() == 4
    for i in (2, 3):
        text = cells.nth(i).inner_text()
        assert any(text.startswith(words) for words in fmt.VERDICT_WORDS.values()), text
        assert "tok/s" in text
    assert reader.errors == []


def test_configurator_changes_numbers_on_input(
    reader: Reader, built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    page = reader.open(
        "/configure/?combo=dual-rtx-4090&model=llama-3.3-70b-instruct&runtime=vllm"
        "&quant=AWQ-INT4&context=8192"
    )
    decode = page.locator("[data-testid=decode] b")
    decode.wait_for()
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
    speed = result["decode_tok_s"]
    assert decode.inner_text() == (f"{fmt.tok_s(speed)} tok/s" if speed else fmt.DASH)
    assert page.locator("[data-testid=verdict]").get_attribute("data-verdict") == result["verdict"]
    before = page.locator("#configurator-result").inner_text()
    page.select_option("select[name=model]", "llama-3.1-8b-instruct")
    page.wait_for_function(
        "text => document.getElementById('configurator-result').innerText !== text", arg=before
    )
    assert page.locator("[data-testid=verdict]").inner_text() in {"runs in VRAM", "tight fit"}
    assert decode.inner_text().endswith(" tok/s")
    assert reader.errors == []


def test_configurator_opens_on_the_recommendation_and_runtime_picks_its_own(
    reader: Reader, built: Built
) -> None:
    catalog = load_catalog(built.layout.catalog)
    base = config_for_combo(
        catalog, "dual-rtx-4090", model="llama-3.3-70b-instruct", quant="", runtime=""
    )
    headline = recommend(catalog, base, "chat", engine_estimate).headline
    assert headline is not None
    page = reader.open("/configure/?combo=dual-rtx-4090&model=llama-3.3-70b-instruct")
    page.locator("[data-testid=decode] b").wait_for()
    chosen = [page.input_value(f"select[name={n}]") for n in ("runtime", "quant", "split")]
    assert chosen == [headline.config.runtime, headline.config.quant, headline.estimate.split]
    value = headline.evidence.value
    assert page.locator("[data-testid=decode] b").inner_text() == f"{fmt.tok_s(value)} tok/s"
    small = config_for_combo(
        catalog, "dual-rtx-4090", model="llama-3.1-8b-instruct", quant="", runtime=""
    )
    candidates = headline_candidates(catalog, small)
    top = recommend(catalog, small, "chat", engine_estimate).headline
    assert top is not None
    other, best = next(
        (r, pick)
        for r in sorted({c.config.runtime for c in candidates} - {top.config.runtime})
        if (pick := fastest_of(catalog, [c for c in candidates if c.config.runtime == r]))
    )
    before = page.locator("#configurator-result").inner_text()
    page.select_option("select[name=model]", "llama-3.1-8b-instruct")
    page.wait_for_function(
        "text => document.getElementById('configurator-result').innerText !== text", arg=before
    )
    assert page.input_value("select[name=runtime]") == top.config.runtime
    before = page.locator("#configurator-result").inner_text()
    page.select_option("select[name=runtime]", other)
    page.wait_for_function(
        "text => document.getElementById('configurator-result').innerText !== text", arg=before
    )
    assert page.input_value("select[name=quant]") == best.config.quant
    assert reader.errors == []


def headline_candidates(catalog: Any, base: Any) -> list[Any]:
    return list(recommend(catalog, base, "chat", engine_estimate).candidates)


def shown_setup(
    page: Any, capsys: pytest.CaptureFixture[str], built: Built, gpu: str, model: str, *more: str
) -> dict[str, Any]:
    """``estimate --json`` of the runtime and quant the configurator shows, on ``gpu``."""
    quant, runtime = (page.input_value(f"select[name={n}]") for n in ("quant", "runtime"))
    return estimate(capsys, built.layout.catalog, "--gpu", gpu, "--model", model,
                    "--quant", quant, "--runtime", runtime, *more)  # fmt: skip


def decode_text(result: dict[str, Any]) -> str:
    """The configurator's decode figure for an ``estimate --json`` answer."""
    speed = result["decode_tok_s"]
    return f"{fmt.tok_s(speed)} tok/s" if speed else fmt.DASH


def test_configurator_builds_your_own_hardware(
    reader: Reader, built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    page = reader.open("/configure/?combo=dual-rtx-4090&model=llama-3.3-70b-instruct")
    page.locator("[data-testid=decode] b").wait_for()
    page.select_option("select[name=combo]", "any-rtx-5090-x2")
    status = page.locator("#configurator-result .configurator-status")
    assert "engine in your browser" in status.inner_text()  # no file holds this table
    page.wait_for_function(
        "() => !document.querySelector('#configurator-result .configurator-status') &&"
        " document.querySelector('[data-testid=decode] b')"
    )
    result = shown_setup(page, capsys, built, "rtx-5090:2", "llama-3.3-70b-instruct")
    assert page.locator("[data-testid=verdict]").get_attribute("data-verdict") == result["verdict"]
    assert page.locator("[data-testid=decode] b").inner_text() == decode_text(result)
    assert page.input_value("select[name=context]") == "8192"
    assert reader.errors == []


def test_configurator_answers_for_one_card(
    reader: Reader, built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    # one card has no split ("none"): the split choice offered it not, so every single-card
    # table row went unmatched and the configurator said no runtime loads the model
    page = reader.open("/configure/?combo=dual-rtx-4090&model=llama-3.1-8b-instruct")
    page.locator("[data-testid=decode] b").wait_for()
    before = page.locator("#configurator-result").inner_text()
    page.select_option("select[name=combo]", "any-rtx-4090-x1")
    page.wait_for_function(
        "text => document.getElementById('configurator-result').innerText !== text &&"
        " document.querySelector('[data-testid=decode] b')",
        arg=before,
    )
    assert page.input_value("select[name=split]") == "none"
    result = shown_setup(page, capsys, built, "rtx-4090:1", "llama-3.1-8b-instruct")
    assert page.locator("[data-testid=decode] b").inner_text() == decode_text(result)
    assert " one card · " in page.locator("#configurator-result p").first.inner_text()
    assert reader.errors == []


def test_configurator_prices_the_system_ram_a_model_spills_into(
    reader: Reader, built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    page = reader.open("/configure/?combo=any-rtx-3090-x1&model=llama-3.3-70b-instruct")
    page.wait_for_function("() => document.querySelector('[data-testid=decode] b')")
    assert page.locator("[data-testid=verdict]").get_attribute("data-verdict") == "offload"
    before = page.locator("[data-testid=decode] b").inner_text()
    page.select_option("select[name=ram]", "128:96")
    page.wait_for_function(
        "text => document.querySelector('[data-testid=decode] b') &&"
        " document.querySelector('[data-testid=decode] b').innerText !== text",
        arg=before,
    )
    result = shown_setup(
        page, capsys, built, "rtx-3090", "llama-3.3-70b-instruct", "--ram", "128",
        "--ram-bandwidth", "96",
    )  # fmt: skip
    assert result["decode_tok_s"]
    assert page.locator("[data-testid=decode] b").inner_text() == decode_text(result)
    assert "ram=128%3A96" in page.url
    assert reader.errors == []


def test_configurator_prices_llama_cpps_prompt_pass(
    reader: Reader, built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    model = "llama-3.1-8b-instruct"
    page = reader.open(f"/configure/?combo=any-rtx-4090-x1&model={model}")
    page.wait_for_function("() => document.querySelector('[data-testid=decode] b')")
    page.select_option("select[name=runtime]", "llama-cpp")
    page.select_option("select[name=prompt]", "8192")
    prefill = page.locator(".figure", has_text="Prefill (8,192-token prompt)").locator("b")
    prefill.wait_for()
    before = prefill.inner_text()
    page.select_option("select[name=ubatch]", "2048")
    page.wait_for_function(
        "text => [...document.querySelectorAll('.figure')].some(f => f.innerText.includes("
        "'Prefill (8,192') && f.querySelector('b').innerText !== text)",
        arg=before,
    )
    more = ("--prompt", "8192", "--ubatch", "2048")
    result = shown_setup(page, capsys, built, "rtx-4090", model, *more)
    assert prefill.inner_text() == f"{fmt.tok_s(result['prefill_tok_s'])} tok/s" != before
    assert "ubatch=2048" in page.url
    assert reader.errors == []


def test_configurator_finds_hardware_by_typing_and_labels_memory(reader: Reader) -> None:
    page = reader.open("/configure/?combo=dual-rtx-4090&model=llama-3.3-70b-instruct")
    page.locator("[data-testid=decode] b").wait_for()
    legend = page.locator("[data-testid=memory-legend]").inner_text().split()
    assert " ".join(legend) == "Weights KV cache Buffers Reserve"
    page.fill("[data-filter=combo]", "5090 x2")
    page.wait_for_function("() => location.search.includes('combo=any-rtx-5090-x2')")
    options = page.eval_on_selector_all("select[name=combo] option", "os => os.map(o => o.value)")
    assert options == ["any-rtx-5090-x2"]
    page.fill("[data-filter=combo]", "no such card")
    assert page.get_attribute("[data-filter=combo]", "aria-invalid") == "true"
    assert page.input_value("select[name=combo]") == "any-rtx-5090-x2"  # the choice stays
    page.fill("[data-filter=combo]", "")
    assert "dual-rtx-3090" in page.eval_on_selector_all(
        "select[name=combo] option", "os => os.map(o => o.value)"
    )
    assert reader.errors == []


def test_phone_width_has_no_page_overflow(browser: Any, base_url: str) -> None:
    phone = Reader(browser, base_url, width=390)
    page = phone.open("/hardware-combos/dual-rtx-4090/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    phone.page.close()
    assert overflow <= 0


def test_combo_filter_hides_cards_and_sorts_cheapest_first(reader: Reader) -> None:
    page = reader.open("/hardware-combos/")
    cards = page.locator(".combo-cards .combo-card")
    assert cards.count() == 2
    page.fill("[data-filter=price]", "3000")  # the pair of 3090s at $2,998, of 4090s at $3,340
    shown = [cards.nth(i) for i in range(cards.count()) if cards.nth(i).is_visible()]
    assert [c.locator("strong").inner_text() for c in shown] == ["Dual RTX 3090 (NVLink)"]
    assert page.locator(".combo-count").inner_text() == "1 of 2 combos"
    page.fill("[data-filter=price]", "")
    page.select_option("[data-sort]", "price")
    first = page.locator(".combo-cards .combo-card").first.locator("strong").inner_text()
    assert first == "Dual RTX 3090 (NVLink)"  # cheapest first
    assert all(cards.nth(i).is_visible() for i in range(cards.count()))
    assert reader.errors == []


def test_phone_sees_verdict_and_decode_of_the_combo_table(browser: Any, base_url: str) -> None:
    reader = Reader(browser, base_url, width=390)
    page = reader.open("/hardware-combos/dual-rtx-4090/")
    cells = page.locator("#will-it-run ~ div table tbody tr").first.locator("td")
    for index in (1, 2):  # verdict, decode
        box = cells.nth(index).bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (index, box)
    reader.page.close()


@pytest.mark.parametrize("path", ["/hardware-combos/dual-rtx-4090/", "/will-it-run/dual-rtx-4090/"])
def test_phone_keeps_the_first_column_while_the_table_scrolls(
    browser: Any, base_url: str, path: str
) -> None:
    reader = Reader(browser, base_url, width=390)
    page = reader.open(path)
    moved = page.evaluate(
        """() => {
          const table = document.querySelector('table.pinned');
          let box = table.parentElement;
          while (getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
          const cell = table.querySelector('tbody tr td');
          const before = cell.getBoundingClientRect().left;
          box.scrollLeft = box.scrollWidth;
          return [box.scrollLeft, before, cell.getBoundingClientRect().left];
        }"""
    )
    scrolled, before, after = moved
    assert scrolled > 0, "the table does not scroll at 390 px"
    assert 0 <= after <= before, moved  # the first column stays in view
    reader.page.close()


@pytest.mark.parametrize("held", [True, False], ids=["held", "not-held"])
def test_a_shared_configurator_link_restores_its_state_or_says_why_not(
    reader: Reader, built: Built, held: bool
) -> None:
    table = json.loads((built.site / "api" / "estimates" / "dual-rtx-4090.json").read_text())
    index = {name: i for i, name in enumerate(table["fields"])}
    rows = [r for r in table["rows"] if r[index["model"]] == "llama-3.3-70b-instruct"]
    contexts = {}
    for r in rows:
        key = (r[index["runtime"]], r[index["quant"]], r[index["split"]])
        contexts.setdefault(key, set()).add(r[index["context"]])
    wanted = 4096 if held else 131072
    (runtime, quant, split), _ = next(
        (k, c) for k, c in sorted(contexts.items()) if (wanted in c) == held and 8192 in c
    )
    page = reader.open(
        f"/configure/?combo=dual-rtx-4090&model=llama-3.3-70b-instruct&runtime={runtime}"
        f"&quant={quant}&split={split}&context={wanted}"
    )
    page.locator("[data-testid=verdict]").wait_for()
    shown = page.locator("select[name=context]").input_value()
    note = page.locator("[data-testid=preset-note]")
    if held:
        assert shown == str(wanted)
        assert note.count() == 0
    else:
        assert shown != str(wanted)
        assert f"context {wanted}" in note.inner_text()
        assert f"shown instead: context {shown}" in note.inner_text()
    assert reader.errors == []


def test_the_search_index_loads_on_first_use(reader: Reader) -> None:
    """No page fetches the site's search index until the reader focuses the search box; then
    a query fetches only its words' pieces (search_pieces.py) and the sections it shows, and
    Material shows the results."""
    asked: list[str] = []
    reader.page.on("request", lambda r: asked.append(r.url) if "/search/" in r.url else None)
    page = reader.open("/hardware-combos/dual-rtx-4090/")
    page.wait_for_timeout(800)
    assert asked == []
    page.keyboard.press("/")
    page.keyboard.type("dual 4090")
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.md-search-result__item a')]"
        ".some(a => a.href.includes('/hardware-combos/dual-rtx-4090/'))",
        timeout=10_000,
    )
    first = page.locator(".md-search-result__item h1").first.inner_text()
    assert "4090" in first and "Dual" in first, first
    parts = [u.split("/search/", 1)[1] for u in asked]
    assert parts[0] == "search_index.json"
    pieces = {p.split("/", 1)[1] for p in parts[1:]}
    words = {p for p in pieces if p.startswith("terms/")}
    assert words == {"terms/du.json", "terms/40.json"}, words
    assert all(p.startswith("docs/") for p in pieces - words)
    assert len(pieces - words) <= 2 * 20  # the shown sections' files and their pages'
    assert reader.errors == []


def searched(reader: Reader, query: str, href: str) -> Any:
    """The home page with ``query`` typed into search, once a result links to ``href``."""
    page = reader.open("/")
    page.keyboard.press("/")
    page.keyboard.type(query)
    page.wait_for_function(
        "href => [...document.querySelectorAll('.md-search-result__item a')]"
        ".some(a => a.href.includes(href))",
        arg=href,
        timeout=10_000,
    )
    return page


def test_a_version_number_is_a_search_word(reader: Reader) -> None:
    """ "llama 3.3" searches for "3.3" too (a dotted number is a word of its own,
    search_pieces.VERSION): the Llama 3.3 model page comes first, not any Llama page."""
    asked: list[str] = []
    reader.page.on("request", lambda r: asked.append(r.url) if "/terms/" in r.url else None)
    page = searched(reader, "llama 3.3", "/models/llama-3.3-70b-instruct/")
    first = page.locator(".md-search-result__item h1").first.inner_text()
    assert "Llama 3.3" in first, first
    # then the other sections about Llama 3.3 ("llama3.3", search_pieces.joined), before the
    # pages that only say "llama" (llama.cpp) or only "3.3"
    sections = page.locator(".md-search-result__item h2").all_inner_texts()[:3]
    assert len(sections) >= 2, sections
    assert all("3.3" in t and "llama" in t.lower() for t in sections), sections
    assert any(u.endswith("/terms/3_.json") for u in asked), asked
    assert reader.errors == []


def test_the_word_being_typed_completes_after_a_version(reader: Reader) -> None:
    """While typing "llama 3.3 70", "70" is the word being typed (it ends the query), so it
    completes to 70b although the dotted "3.3" and "llama3.3" are split from the query too."""
    searched(reader, "llama 3.3 70", "/models/llama-3.3-70b-instruct/")
    assert reader.errors == []


def test_a_link_naming_a_context_alone_keeps_it(reader: Reader, built: Built) -> None:
    """A link with hardware, model and context but no runtime or quant shows the recommended
    setup at that context (the recommendation chose the runtime and quant, and used to reset
    the context to the default too)."""
    table = json.loads((built.site / "api" / "estimates" / "dual-rtx-4090.json").read_text())
    index = {name: i for i, name in enumerate(table["fields"])}
    pick = table["defaults"]["llama-3.3-70b-instruct"]
    offered = {
        r[index["context"]]
        for r in table["rows"]
        if r[index["model"]] == "llama-3.3-70b-instruct"
        and (r[index["runtime"]], r[index["quant"]], r[index["split"]])
        == (pick["runtime"], pick["quant"], pick["split"])
    }
    default = reader.open("/configure/").locator("#configurator-form")
    wanted = max(c for c in offered if str(c) != default.get_attribute("data-default-context"))
    page = reader.open(
        f"/configure/?combo=dual-rtx-4090&model=llama-3.3-70b-instruct&context={wanted}"
    )
    page.locator("[data-testid=verdict]").wait_for()
    assert page.locator("select[name=context]").input_value() == str(wanted)
    assert page.locator("select[name=quant]").input_value() == pick["quant"]
    assert page.locator("[data-testid=preset-note]").count() == 0
    assert reader.errors == []


def test_the_configurator_says_when_nothing_runs(browser: Any, shipped: Built) -> None:
    """A model nothing runs for on the hardware (the shipped catalog: DeepSeek-R1 on one RTX
    4090) leads with the pages' verdict and reason, and the setup shown, which does not run,
    has no launch command."""
    table = json.loads((shipped.site / "api" / "estimates" / "single-rtx-4090.json").read_text())
    none = table["nothing"]["deepseek-r1"]
    assert "deepseek-r1" not in table["defaults"]
    with served(shipped.site) as url:
        reader = Reader(browser, url)
        page = reader.open("/configure/?combo=single-rtx-4090&model=deepseek-r1")
        note = page.locator("[data-testid=nothing-runs]")
        note.wait_for()
        assert note.inner_text().startswith(
            f"Nothing runs on this hardware ({fmt.VERDICT_WORDS[none['verdict']]}): "
            f"{none['reason']}."
        )
        assert page.locator("[data-testid=verdict]").get_attribute("data-verdict") in (
            "no-fit",
            "unsupported",
        )
        assert "Launch command" not in page.locator("#configurator-result").inner_text()
        assert reader.errors == []
        reader.page.close()
