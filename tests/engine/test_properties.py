"""Invariants of the engine, checked with hypothesis over the catalog snapshot.

Hypothesis runs derandomized with ``ENGINE_EXAMPLES`` examples per property (200 by default;
the profile is in tests/conftest.py), so a property fails on every machine or on none.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import example, given
from hypothesis import strategies as st

from site_builder.catalog import Catalog, load_catalog
from site_builder.engine import Config, Estimate, estimate, prepare
from site_builder.engine import calibration as cal
from site_builder.engine.plan import plan_of
from site_builder.engine.shapes import GIB, shape_of
from tests.engine.conftest import FIXTURE_CATALOG

CATALOG = load_catalog(FIXTURE_CATALOG)
"""Module-level (not a fixture) so hypothesis does not print it with a failing example."""
LOOKUPS = prepare(CATALOG)

GPUS = [
    (("rtx-4090", 1),),
    (("rtx-4090", 2),),
    (("rtx-3090", 2),),
    (("rtx-3090", 4),),
    (("rtx-5090", 1),),
    (("a100-80gb-pcie", 1),),
    (("h100-pcie", 2),),
    (("apple-m2-ultra", 1),),
    (("rtx-3070", 1),),
    (("l40s", 1),),
]
MODELS = [
    "llama-3.1-8b-instruct",
    "llama-3.3-70b-instruct",
    "qwen3-30b-a3b",
    "qwen2.5-32b-instruct",
    "gemma-3-27b-it",
    "mixtral-8x7b-instruct",
    "deepseek-r1-distill-qwen-32b",
    "phi-4",
]
RUNTIME_QUANTS = [
    ("llama-cpp", "Q4_K_M"),
    ("llama-cpp", "Q8_0"),
    ("llama-cpp", "IQ2_XXS"),
    ("llama-cpp", "F16"),
    ("vllm", "AWQ-INT4"),
    ("vllm", "FP8"),
    ("sglang", "GPTQ-INT4"),
    ("exllamav2", "EXL2-4.0"),
    ("ollama", "Q4_K_M"),
    ("mlx-lm", "MLX-4BIT"),
]
VERDICTS = ("fits", "tight", "offload", "no-fit", "unsupported")
RUNS = ("fits", "tight", "offload")
IN_VRAM = ("fits", "tight")
GEMMA_3070 = Config(
    gpus=(("rtx-3070", 1),),
    model="gemma-3-27b-it",
    quant="F16",
    runtime="llama-cpp",
    context_tokens=16384,
)
"""Offload at 16K; at 32K its sliding-window KV in system RAM used to be counted for the whole
window (a false no-fit that reported the GPU-only memory: the need fell from 61.6 to 57.3 GiB)."""

configs = st.builds(
    lambda g, m, rq, ctx, kv: Config(
        gpus=g,
        model=m,
        runtime=rq[0],
        quant=rq[1],
        context_tokens=ctx,
        kv_cache=kv if kv in ("f16", "q8_0") or rq[0] in ("vllm", "sglang") else "f16",
    ),
    st.sampled_from(GPUS),
    st.sampled_from(MODELS),
    st.sampled_from(RUNTIME_QUANTS),
    st.sampled_from([1024, 4096, 8192, 16384, 32768]),
    st.sampled_from(["f16", "q8_0", "fp8"]),
)


def need_gib(est: Estimate) -> float:
    """Everything the configuration holds: every card's parts plus system RAM."""
    cards = sum(
        c.weights_gib + c.kv_cache_gib + c.buffers_gib + c.overhead_gib for c in est.memory.per_gpu
    )
    return cards + est.memory.offload_gib


def with_more_vram(catalog: Catalog, extra: float) -> Catalog:
    gpus = {
        s: g.model_copy(update={"vram_gib": g.vram_gib + extra}) for s, g in catalog.gpus.items()
    }
    return replace(catalog, gpus=gpus)


@given(config=configs, extra=st.floats(min_value=0.5, max_value=64))
def test_more_vram_never_turns_a_fit_into_a_no_fit(config: Config, extra: float) -> None:
    before = estimate(CATALOG, config)
    after = estimate(with_more_vram(CATALOG, extra), config)
    if before.verdict in ("fits", "tight", "offload"):
        assert after.verdict in ("fits", "tight", "offload")
    if before.verdict == "fits":
        assert after.verdict == "fits"
    in_vram = {before.verdict, after.verdict} <= {"fits", "tight"}
    same_kind = in_vram or before.verdict == after.verdict
    if same_kind:
        assert after.max_context >= before.max_context


@given(config=configs, factor=st.integers(min_value=2, max_value=8))
@example(config=GEMMA_3070, factor=2)
def test_longer_context_never_needs_less_memory(config: Config, factor: int) -> None:
    short = estimate(CATALOG, config)
    longer = estimate(CATALOG, replace(config, context_tokens=config.context_tokens * factor))
    assert need_gib(longer) >= need_gib(short) - 0.02 * sum(n for _, n in config.gpus)
    if short.verdict in ("no-fit",):
        assert longer.verdict in ("no-fit", "unsupported")


@given(
    config=configs,
    low=st.floats(min_value=2.0, max_value=8.0),
    more=st.floats(min_value=0.1, max_value=8.0),
)
def test_more_bits_never_need_less_memory(config: Config, low: float, more: float) -> None:
    quant = CATALOG.quants[config.quant]

    def at(bits: float) -> Estimate:
        q = quant.model_copy(update={"bits_per_weight": bits, "expert_bits_per_weight": None})
        return estimate(replace(CATALOG, quants={**CATALOG.quants, config.quant: q}), config)

    rounding = 0.02 * sum(n for _, n in config.gpus)
    assert need_gib(at(low + more)) >= need_gib(at(low)) - rounding


@given(
    model=st.sampled_from(MODELS),
    pair=st.sampled_from([("rtx-3090", 2), ("rtx-4090", 2), ("rtx-3090", 4), ("h100-pcie", 2)]),
    slow=st.floats(min_value=1, max_value=100),
    ratio=st.floats(min_value=1, max_value=20),
    prompt=st.sampled_from([0, 512, 4096]),
)
def test_a_faster_link_never_slows_tensor_parallel(
    model: str, pair: tuple[str, int], slow: float, ratio: float, prompt: int
) -> None:
    def at(bandwidth: float) -> Estimate:
        link = CATALOG.interconnects["pcie-4.0-x16"].model_copy(
            update={"bandwidth_gb_s": bandwidth}
        )
        cat = replace(CATALOG, interconnects={**CATALOG.interconnects, "test-link": link})
        config = Config(
            gpus=(pair,),
            model=model,
            quant="AWQ-INT4",
            runtime="vllm",
            split="tensor",
            interconnect="test-link",
            prompt_tokens=prompt,
            context_tokens=4096,
        )
        return estimate(cat, config)

    slower, faster = at(slow), at(slow * ratio)
    if slower.decode_tok_s is None or faster.decode_tok_s is None:
        return
    assert faster.decode_tok_s >= slower.decode_tok_s
    assert faster.prefill_tok_s is not None and slower.prefill_tok_s is not None
    assert faster.prefill_tok_s >= slower.prefill_tok_s


@given(config=configs, gen=st.sampled_from([1, 128, 512, 4096]))
def test_decode_never_beats_bandwidth_over_bytes(config: Config, gen: int) -> None:
    est = estimate(CATALOG, replace(config, gen_tokens=gen, prompt_tokens=0))
    if est.decode_tok_s is None:
        return
    shape = shape_of(CATALOG.models[config.model], CATALOG.quants[config.quant])
    bandwidth = sum(CATALOG.gpus[s].mem_bandwidth_gb_s * n for s, n in config.gpus) * 1e9
    assert est.decode_tok_s <= bandwidth / shape.active_bytes_per_token
    low, high = est.decode_tok_s_range or (0.0, 0.0)
    assert low <= est.decode_tok_s <= high


@given(config=configs)
def test_speeds_are_null_exactly_when_it_does_not_run(config: Config) -> None:
    est = estimate(CATALOG, config)
    assert est.verdict in VERDICTS
    speeds = (
        est.decode_tok_s,
        est.decode_tok_s_range,
        est.prefill_tok_s,
        est.ttft_ms,
        est.aggregate_decode_tok_s,
        est.per_user_decode_tok_s,
        est.power_w,
        est.joules_per_token,
    )
    runs = est.verdict in ("fits", "tight", "offload")
    assert all((v is not None) == runs for v in speeds)
    assert est.reasons


@given(config=configs, prompt=st.sampled_from([0, 512, 2048]), users=st.sampled_from([1, 4]))
def test_lookups_do_not_change_results(config: Config, prompt: int, users: int) -> None:
    # The memo of prepare() is an optimisation only: same numbers, deterministic.
    config = replace(config, prompt_tokens=prompt, concurrency=users)
    plain = estimate(CATALOG, config)
    assert estimate(CATALOG, config, LOOKUPS) == plain
    assert estimate(CATALOG, config, LOOKUPS) == plain
    assert estimate(CATALOG, config).to_json() == plain.to_json()


def host_room_gib(config: Config) -> float:
    """System RAM the configuration may offload into, GiB."""
    return plan_of(CATALOG, config, cal.DEFAULT_TABLE).host_room / GIB


@given(config=configs, step=st.sampled_from([1, 64, 1024, 8192]))
@example(config=GEMMA_3070, step=1)
@example(
    config=replace(
        GEMMA_3070, model="llama-3.3-70b-instruct", quant="Q8_0", gpus=(("rtx-4090", 1),)
    ),
    step=1,
)
def test_max_context_runs_as_the_verdict_says_and_one_step_more_does_not(
    config: Config, step: int
) -> None:
    # max_context: fits/tight -> the largest window that stays in VRAM; offload -> the largest
    # at which the offload still runs; no-fit -> the largest that runs at all (0: none).
    est = estimate(CATALOG, config, LOOKUPS)
    if est.verdict == "unsupported":
        assert est.max_context == 0
        return
    if est.verdict == "no-fit":
        assert est.max_context < config.context_tokens
        if est.max_context:
            at = estimate(CATALOG, replace(config, context_tokens=est.max_context), LOOKUPS)
            assert at.verdict in RUNS
        return
    same = IN_VRAM if est.verdict in IN_VRAM else RUNS
    assert est.max_context >= config.context_tokens
    at = estimate(CATALOG, replace(config, context_tokens=est.max_context), LOOKUPS)
    assert at.verdict in same, (est.max_context, at.reasons)
    assert at.max_context == est.max_context
    beyond = estimate(CATALOG, replace(config, context_tokens=est.max_context + step), LOOKUPS)
    assert beyond.verdict not in same, (est.max_context, beyond.reasons)


@given(config=configs)
@example(config=replace(GEMMA_3070, context_tokens=32768))
def test_an_offload_holds_on_its_cards_and_in_ram(config: Config) -> None:
    est = estimate(CATALOG, config, LOOKUPS)
    if est.verdict != "offload":
        return
    for card in est.memory.per_gpu:
        assert card.total_gib <= card.capacity_gib + 1e-9
    assert est.memory.offload_gib <= host_room_gib(config) + 1e-9


def with_bandwidth(catalog: Catalog, factor: float) -> Catalog:
    gpus = {
        s: g.model_copy(update={"mem_bandwidth_gb_s": g.mem_bandwidth_gb_s * factor})
        for s, g in catalog.gpus.items()
    }
    return replace(catalog, gpus=gpus)


@given(
    config=configs,
    factor=st.floats(min_value=1.0, max_value=4.0),
    prompt=st.sampled_from([0, 512, 4096]),
)
def test_more_bandwidth_never_lowers_decode(config: Config, factor: float, prompt: int) -> None:
    config = replace(config, prompt_tokens=prompt)
    before = estimate(CATALOG, config)
    after = estimate(with_bandwidth(CATALOG, factor), config)
    assert after.verdict == before.verdict
    if before.decode_tok_s is None or after.decode_tok_s is None:
        return
    assert after.decode_tok_s >= before.decode_tok_s * (1 - 1e-12)


def one_stage(config: Config) -> bool:
    """No layer-split pipeline of prompt micro-batches: one card, tensor or row split."""
    return sum(n for _, n in config.gpus) == 1 or config.split == "tensor"


def ttft_pairs(config: Config, prompt: int, more: int) -> tuple[Estimate, Estimate]:
    short = estimate(CATALOG, replace(config, prompt_tokens=prompt), LOOKUPS)
    longer = estimate(CATALOG, replace(config, prompt_tokens=prompt + more), LOOKUPS)
    return short, longer


@given(
    config=configs,
    prompt=st.integers(min_value=0, max_value=16384),
    more=st.integers(min_value=1, max_value=4096),
)
def test_longer_prompt_never_lowers_ttft(config: Config, prompt: int, more: int) -> None:
    config = replace(config, split="tensor") if config.runtime in ("vllm", "sglang") else config
    if not one_stage(config):
        config = replace(config, gpus=((config.gpus[0][0], 1),))
    short, longer = ttft_pairs(config, prompt, more)
    if short.ttft_ms is None or longer.ttft_ms is None:
        return
    assert longer.ttft_ms >= short.ttft_ms * (1 - 1e-12)


@given(
    config=configs,
    prompt=st.integers(min_value=0, max_value=16384),
    more=st.integers(min_value=1, max_value=4096),
)
@example(
    config=Config(
        gpus=(("rtx-4090", 2),),
        model="llama-3.3-70b-instruct",
        quant="Q4_K_M",
        runtime="llama-cpp",
    ),
    prompt=512,
    more=1,
)
@example(  # a mixture-of-experts model past a micro-batch boundary (ENGINE_EXAMPLES=2000)
    config=Config(
        gpus=(("rtx-4090", 2),),
        model="qwen3-30b-a3b",
        quant="Q4_K_M",
        runtime="llama-cpp",
        context_tokens=1024,
    ),
    prompt=513,
    more=1,
)
def test_longer_prompt_never_lowers_ttft_on_a_layer_split(
    config: Config, prompt: int, more: int
) -> None:
    short, longer = ttft_pairs(config, prompt, more)
    if short.ttft_ms is None or longer.ttft_ms is None:
        return
    assert longer.ttft_ms >= short.ttft_ms * (1 - 1e-12)


@given(
    config=configs,
    users=st.lists(st.sampled_from([1, 2, 3, 4, 8, 16, 32, 64, 128]), min_size=2, max_size=2),
    prompt=st.sampled_from([128, 512, 2048]),
)
@example(
    config=Config(
        gpus=(("rtx-4090", 1),),
        model="llama-3.1-8b-instruct",
        quant="Q4_K_M",
        runtime="ollama",
    ),
    users=[4, 16],
    prompt=512,
)
def test_more_concurrency_never_lowers_aggregate_throughput(
    config: Config, users: list[int], prompt: int
) -> None:
    # Up to the runtime's limit: as long as the KV cache holds every user and the model stays
    # where it was (same verdict, same layers on the GPUs; Ollama allocates a window per user).
    few, many = sorted(users)
    config = replace(config, prompt_tokens=prompt)
    low = estimate(CATALOG, replace(config, concurrency=few), LOOKUPS)
    high = estimate(CATALOG, replace(config, concurrency=many), LOOKUPS)
    if low.aggregate_decode_tok_s is None or high.aggregate_decode_tok_s is None:
        return
    if (low.verdict in IN_VRAM) != (high.verdict in IN_VRAM) or low.gpu_layers != high.gpu_layers:
        return
    if high.max_concurrency is not None and many > high.max_concurrency:
        return  # (None: every slot has its own cache, Ollama; the cache bounds no user count)
    assert high.aggregate_decode_tok_s >= low.aggregate_decode_tok_s * (1 - 1e-12)
