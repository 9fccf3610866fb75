"""The configurator asks what ``site-builder estimate --batch`` answers: 500 random states of
every knob (hardware, model, runtime, quant, context, split, link, KV cache, prompt, requests
at once), driven through the page in headless Chromium, each shown figure compared with the
command line's answer to the request the page shows. States the precomputed tables hold come
from them; the others from the engine itself, run in the browser by Pyodide."""

from __future__ import annotations

import json
import math
import random
from typing import Any

import pytest

from site_builder.catalog import load_catalog
from site_builder.engine.cost import usd_per_tok_s
from site_builder.engine.request import answer
from site_builder.site.results import HEADLINE_CONTEXT
from tests.site.browser import Reader, needs_chromium
from tests.site.conftest import CATALOG, Built

STATES = 700
CHECKED = 500
"""States driven, and how many of them at least must show figures or the engine's refusal (the
rest pick a model the tables hold nothing for on that hardware, and the page says so)."""
SEED = 20261130

DRIVE = """async (states) => {
  const form = document.getElementById("configurator-form");
  const out = document.getElementById("configurator-result");
  const settle = () => new Promise((resolve) => {
    const done = () => out.getAttribute("aria-busy") === "false";
    const check = () => (done() ? resolve() : setTimeout(check, 2));
    setTimeout(check, 0);
  });
  const pick = (name, wanted) => {
    const select = form.elements[name];
    const open = [...select.options].filter((o) => !o.disabled);
    if (!open.length) { return; }
    const found = open.find((o) => o.value === wanted);
    select.value = found ? found.value : open[Math.floor(Math.random() * open.length)].value;
  };
  const fire = async (name) => {
    out.setAttribute("aria-busy", "true");
    form.elements[name].dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
  };
  const seen = [];
  for (const s of states) {
    pick("combo", s.combo); pick("model", s.model); await fire("model");
    pick("runtime", s.runtime); pick("quant", s.quant); pick("context", s.context);
    pick("split", s.split);
    for (const knob of ["interconnect", "kv_cache", "prompt", "concurrency", "ram", "ubatch"]) {
      pick(knob, s[knob]);
    }
    await fire("concurrency");
    seen.push([out.getAttribute("data-request"), out.getAttribute("data-estimate")]);
  }
  return seen;
}"""


def options(page: Any, name: str) -> list[str]:
    return list(
        page.eval_on_selector_all(f"select[name={name}] option", "os => os.map(o => o.value)")
    )


def shown_decode(
    table: dict[str, Any], request: dict[str, Any], extra: bool, decode: float | None
) -> float | None:
    """The decode speed the configurator divides the price by where a measurement decides it,
    as every page shows it: the recommended setup from its table (no engine knob moved) shows
    the table's ``defaults`` evidence; any other setup of a model whose recommended figure is
    measured-near shows the engine's ``decode`` times the ratio that made it (rounded as the
    browser rounds); None otherwise."""
    found = table["defaults"].get(request["model"])
    if found is None:
        return None
    asked = tuple(request.get(k) for k in ("runtime", "quant", "split", "context"))
    held = not extra and not {"interconnect", "ram_gib", "ubatch"} & request.keys()
    recommended = (found["runtime"], found["quant"], found["split"], HEADLINE_CONTEXT)
    label, value = found["evidence"]
    if held and asked == recommended:
        return value if label in ("measured", "measured-near") else None
    near = found.get("near")
    return math.floor(decode * near * 100 + 0.5) / 100 if near and decode else None


def expected(
    estimate: dict[str, Any],
    price: dict[str, Any] | None,
    concurrency: int,
    measured: float | None = None,
) -> dict[str, Any]:
    """The configurator's shown fields of an ``estimate --json`` answer on hardware priced
    ``price`` (its estimate table's headline price); output throughput with more than one
    request; the price per decode tok/s over the ``measured`` speed where the page shows one."""
    low, high = estimate["decode_tok_s_range"] or (None, None)
    label = "estimated" if "decode_tok_s" in estimate["calibrated"] else "uncalibrated"
    names = ("verdict", "split", "decode_tok_s", "prefill_tok_s", "ttft_ms", "max_context")
    names += ("aggregate_decode_tok_s", "power_w", "launch_command", "reasons")
    names += ("output_tok_s",) if concurrency != 1 else ()
    shown = {name: estimate[name] for name in names}
    total = estimate["memory"]["total_gib"]
    per = usd_per_tok_s(price["usd"] if price else None, measured or estimate["decode_tok_s"])
    labels = {
        f"{metric}_evidence": "estimated" if metric in estimate["calibrated"] else "uncalibrated"
        for metric in ("prefill_tok_s", "ttft_ms", "aggregate_decode_tok_s", "output_tok_s")
    }
    return {**shown, "decode_low": low, "decode_high": high, "memory_total_gib": total} | {
        "evidence": label,
        "usd_per_tok_s": per,
        **labels,
    }


@pytest.mark.browser
@needs_chromium
def test_500_random_states_match_the_command_line(reader: Reader, built: Built) -> None:
    page = reader.open("/configure/")
    page.locator("[data-testid=verdict]").wait_for()
    rng = random.Random(SEED)
    knobs = {n: options(page, n) for n in ("combo", "model", "interconnect", "kv_cache")}
    knobs |= {n: options(page, n) for n in ("prompt", "concurrency", "runtime", "quant")}
    knobs |= {n: options(page, n) for n in ("context", "split", "ram", "ubatch")}
    states = []
    for i in range(STATES):
        state = {name: rng.choice(values) for name, values in knobs.items()}
        if i % 4 == 0:  # the tables' own states: every extra knob at its default
            state |= {"interconnect": "", "kv_cache": "f16", "prompt": "512", "concurrency": "1"}
            state |= {"ram": "", "ubatch": ""}
        states.append(state)
    page.set_default_timeout(240_000)
    seen = page.evaluate(DRIVE, states)
    catalog = load_catalog(CATALOG)
    engine_path = errors = empty = 0
    for line, shown_text in seen:
        shown = json.loads(shown_text)
        if shown == {}:  # the tables hold no runtime for this model here: the page says so
            empty += 1
            continue
        want = answer(catalog, line)
        request = json.loads(line)
        extra = (request["kv_cache"], request["prompt"], request["concurrency"]) != ("f16", 512, 1)
        engine_path += extra or "interconnect" in request or "ram_gib" in request
        engine_path += "ubatch" in request
        if "error" in want:
            errors += 1
            assert shown == {"error": want["error"]}, line
            continue
        key = request.get("combo") or "any-" + "-and-".join(
            g.replace(":", "-x") for g in request["gpu"]
        )
        table = built.table(key)
        measured = shown_decode(table, request, extra, want.get("decode_tok_s"))
        want_shown = expected(want, table["price"], request["concurrency"], measured)
        per, want_per = shown.pop("usd_per_tok_s"), want_shown.pop("usd_per_tok_s")
        assert (per is None) == (want_per is None), line
        assert per is None or per == pytest.approx(want_per, rel=1e-12), line  # JS floats
        assert shown == want_shown, line
    assert len(seen) == STATES
    assert STATES - empty >= CHECKED
    assert engine_path >= STATES // 2  # most states ask the engine in the browser
    # most states are ones the engine runs; a random prompt longer than its window is refused
    # (a 32K prompt in every 8K build window and in half the combos' windows, an 8K one in a
    # 4K window: about one state in eight by construction)
    assert errors < STATES // 5
    assert reader.errors == []


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("kv", ["q8_0", "q9"], ids=["held", "unknown"])
def test_a_shared_link_carries_the_engine_knobs(reader: Reader, kv: str) -> None:
    page = reader.open(
        "/configure/?combo=dual-rtx-4090&model=llama-3.1-8b-instruct&runtime=vllm&quant=AWQ-INT4"
        f"&split=tensor&context=8192&kv_cache={kv}&prompt=2048&concurrency=4"
    )
    out = page.locator("#configurator-result[aria-busy=false][data-estimate]")
    out.wait_for(timeout=60_000)
    line = json.loads(out.get_attribute("data-request"))
    assert (line["prompt"], line["concurrency"]) == (2048, 4)
    note = page.locator("[data-testid=preset-note]")
    if kv == "q8_0":
        assert line["kv_cache"] == "q8_0" and note.count() == 0
        assert "kv_cache=q8_0" in page.url and "concurrency=4" in page.url
    else:
        assert line["kv_cache"] == "f16"
        assert (
            "kv_cache q9" in note.inner_text()
            and "shown instead: kv_cache f16" in note.inner_text()
        )
    assert reader.errors == []
