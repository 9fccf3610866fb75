"""A combo configuration's query names each of its fields (query_of builds it positionally)."""

from __future__ import annotations

from site_builder.engine import Config
from site_builder.site.results import query_of


def test_each_field_of_the_query_is_the_configurations_own() -> None:
    config = Config(
        gpus=(("rtx-4090", 2),),
        model="llama-3.1-8b-instruct",
        quant="Q4_K_M",
        runtime="llama-cpp",
        split="row",
        context_tokens=16_384,
        prompt_tokens=777,
        gen_tokens=333,
        concurrency=4,
        kv_cache="q8_0",
        combo="dual-rtx-4090",
    )
    assert query_of(config)._asdict() == {
        "combo": "dual-rtx-4090",
        "model": "llama-3.1-8b-instruct",
        "quant": "Q4_K_M",
        "runtime": "llama-cpp",
        "context": 16_384,
        "split": "row",
        "concurrency": 4,
        "kv_cache": "q8_0",
        "prompt": 777,
        "gen": 333,
    }
