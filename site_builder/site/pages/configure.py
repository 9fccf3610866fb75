"""``/configure/``: the configurator, a small script over the precomputed estimates, and the
engine itself in the browser for the knobs the tables do not hold (:mod:`..browser_engine`).

The page lists the combos, the build-your-own choices (any GPU in 1, 2 or 4 cards; two
different consumer cards), models, quants and runtimes it offers; the script loads
``/api/estimates/<key>.json`` and its details file (over HTTP: browsers forbid fetch on
``file://``, and the page says so) and shows the engine's result for the reader's choice.
Without JavaScript the page says where the same numbers are in tables.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from site_builder.catalog import Catalog
from site_builder.engine.config import DEFAULT_PROMPT_TOKENS
from site_builder.engine.resolve import KV_TYPES, SPLITS
from site_builder.site import custom, fmt
from site_builder.site.results import CONTEXTS, HEADLINE_CONTEXT, ladder
from site_builder.site.sitedata import Page, SiteData

PROMPTS = (128, DEFAULT_PROMPT_TOKENS, 2048, 8192, 32768)
"""Prompt lengths offered (the time to first token); the default is the tables'."""
CONCURRENCY = (1, 2, 4, 8, 16, 32, 64)
"""Requests at once offered (aggregate and per-user decode)."""
HOSTS = (
    (64, "DDR4-3200", 3200, 2),
    (64, "DDR5-5600", 5600, 2),
    (128, "DDR5-6000", 6000, 2),
    (256, "DDR4-3200", 3200, 4),
    (256, "DDR5-6400", 6400, 4),
    (512, "DDR5-4800", 4800, 8),
    (768, "DDR5-6400", 6400, 12),
)
"""System RAM a reader may pick (GB, memory type, MT/s, channels): a desktop's dual channel,
a workstation's quad, a server's eight and twelve. Peak bandwidth = channels x MT/s x 8 bytes."""
UBATCHES = (1024, 2048, 4096)
"""llama.cpp prompt passes (``-ub``) a reader may pick beside the default 512: larger passes
prefill a mixture-of-experts model's long prompts faster (``estimate --ubatch``)."""
KV_WORDS = {
    "f16": "16-bit (f16)",
    "q8_0": "8-bit (q8_0)",
    "q4_0": "4-bit (q4_0)",
    "fp8": "FP8 (vLLM, SGLang)",
}


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class ConfigurePage:
    combos: list[Option]
    builds: list[Option]
    mixes: list[Option]
    models: list[Option]
    quants: list[Option]
    runtimes: list[Option]
    splits: list[Option]
    contexts: list[Option]
    headline_context: int
    default_combo: str
    default_model: str
    verdict_words: str
    """Verdict code -> words, as JSON, for the script's badge."""
    links: list[Option]
    """Links between cards the reader may choose instead of the hardware's own."""
    kv_caches: list[Option]
    prompts: list[Option]
    concurrencies: list[Option]
    hosts: list[Option]
    ubatches: list[Option]
    """llama.cpp ``-ub`` choices beside its default."""
    """System RAM choices, ``GIB:GB_S`` (whole GB/s, as ``estimate --ram-bandwidth`` takes)."""
    default_prompt: str = str(DEFAULT_PROMPT_TOKENS)


def pages(data: SiteData) -> Iterator[Page]:
    yield Page("configure.md", "configure.md.j2", get_context(data))


def get_context(data: SiteData) -> ConfigurePage:
    catalog = data.catalog
    builds = custom.builds(catalog)
    combos = [Option(s, c.name) for s, c in catalog.combos.items()]
    models = sorted(
        (Option(s, m.name) for s, m in catalog.models.items()),
        key=lambda o: (-catalog.models[o.value].params_total_b, o.value),
    )
    return ConfigurePage(
        combos=combos,
        builds=[_option(catalog, b) for b in builds if len(b.cards) == 1],
        mixes=[_option(catalog, b) for b in builds if len(b.cards) > 1],
        models=models,
        quants=[
            Option(q, catalog.quants[q].name)
            for q in sorted(ladder(catalog), key=lambda q: (-catalog.quants[q].bits_per_weight, q))
        ],
        runtimes=[Option(s, r.name) for s, r in catalog.runtimes.items()],
        splits=[Option("none", "one card, no split")] + [Option(s, f"{s} split") for s in SPLITS],
        contexts=[Option(str(c), fmt.tokens(c)) for c in CONTEXTS],
        headline_context=HEADLINE_CONTEXT,
        default_combo="dual-rtx-4090"
        if "dual-rtx-4090" in catalog.combos
        else next(iter(catalog.combos), ""),
        default_model=_default_model(data),
        verdict_words=json.dumps(fmt.VERDICT_WORDS, sort_keys=True),
        links=[
            Option(s, f"{i.name} ({i.bandwidth_gb_s:g} GB/s)")
            for s, i in catalog.interconnects.items()
            if i.kind in ("pcie", "nvlink")
        ],
        kv_caches=[Option(k, KV_WORDS[k]) for k in KV_TYPES],
        prompts=[Option(str(n), fmt.tokens(n)) for n in PROMPTS],
        concurrencies=[Option(str(n), f"{n} at once" if n > 1 else "one") for n in CONCURRENCY],
        hosts=[_host(*host) for host in HOSTS],
        ubatches=[Option(str(n), f"{n:,} tokens (-ub {n})") for n in UBATCHES],
    )


def _host(gib: int, kind: str, mt_s: int, channels: int) -> Option:
    """One system-RAM choice: its size and peak bandwidth, rounded to whole GB/s."""
    gb_s = round(channels * mt_s * 8 / 1000)
    return Option(f"{gib}:{gb_s}", f"{gib} GB {kind}, {channels} channels ({gb_s} GB/s)")


def _default_model(data: SiteData) -> str:
    preferred = "llama-3.3-70b-instruct"
    return preferred if preferred in data.catalog.models else next(iter(data.catalog.models), "")


def _option(catalog: Catalog, build: custom.Build) -> Option:
    return Option(build.key, custom.label(catalog, build))
