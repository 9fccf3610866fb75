"""The engine against the measured calibration benchmarks, and evidence labels."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pydantic import ValidationError

from site_builder.catalog import Catalog, load_catalog
from site_builder.engine import AccuracyPoint, accuracy_points, accuracy_table, estimate, evidence
from site_builder.engine.accuracy import percentile, raw_points, result_config, streams
from site_builder.engine.support import release_of
from site_builder.schema import Result
from site_builder.schema.runtime import EngineSince
from tests.engine.conftest import config


@pytest.fixture(scope="module")
def points(catalog: Catalog) -> list[AccuracyPoint]:
    return accuracy_points(catalog)


def test_every_measured_result_is_predicted(
    catalog: Catalog, points: list[accuracy_points]
) -> None:  # type: ignore[valid-type]
    measured = sum(len(b.results) for b in catalog.benchmarks.values() if b.status == "measured")
    assert len(points) == measured == 151
    assert all(p.predicted is not None for p in points)


@pytest.mark.parametrize(
    ("metric", "median", "p90"),
    [("decode_tok_s", 10, 25), ("prefill_tok_s", 20, 35), ("vram_used_gib", 5, 5)],
)
def test_error_within_acceptance(
    points: list[AccuracyPoint], metric: str, median: float, p90: float
) -> None:
    # Acceptance: decode median |error| <= 10 %, prefill <= 20 % on the calibration set.
    rows = {r.metric: r for r in accuracy_table(points)}
    assert rows[metric].median_abs_pct <= median
    assert rows[metric].p90_abs_pct <= p90
    assert abs(rows[metric].bias_pct) <= 5


def test_residual_band_covers_most_points(points: list[AccuracyPoint]) -> None:
    # decode_tok_s_range comes from the 10th/90th residual percentiles: ~80 % inside.
    from site_builder.engine.calibration import LLAMA_CPP_CUDA

    cuda = [p for p in points if p.metric == "decode_tok_s" and "apple" not in p.hardware]
    inside = [
        p
        for p in cuda
        if LLAMA_CPP_CUDA.error_low <= p.measured / p.predicted <= LLAMA_CPP_CUDA.error_high
    ]
    assert len(inside) / len(cuda) >= 0.7


def test_percentile() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([], 0.5) == 0.0


def test_evidence_measured(catalog: Catalog) -> None:
    # calibration: RTX 4090, Llama-3-8B Q4_K_M, tg512 = 130.58 tok/s.
    cfg = config("rtx-4090", "llama-3-8b", "Q4_K_M", "llama-cpp", prompt_tokens=0, gen_tokens=512)
    found = evidence.label(catalog, cfg, "decode_tok_s")
    assert found.label == "measured" and found.value == 130.58 and found.benchmark


def test_evidence_measured_near(catalog: Catalog) -> None:
    cfg = config("rtx-4090", "llama-3-8b", "Q4_K_M", "llama-cpp", prompt_tokens=0, gen_tokens=1024)
    found = evidence.label(catalog, cfg, "decode_tok_s")
    assert found.label == "measured-near" and found.value is not None
    assert 119.44 < found.value < 130.58  # between tg4096 and tg512 measurements


@pytest.mark.parametrize("context", [2048, 4096, 8192])
def test_measured_near_is_the_engine_times_the_near_ratio(catalog: Catalog, context: int) -> None:
    """What the configurator multiplies its other setups by gives the label's figure."""
    cfg = config("rtx-4090", "llama-3-8b", "Q4_K_M", "llama-cpp", context_tokens=context)
    found = evidence.label(catalog, cfg, "decode_tok_s")
    ratio = evidence.near_ratio(catalog, cfg, "decode_tok_s")
    decode = estimate(catalog, cfg).decode_tok_s
    assert found.label == "measured-near" and ratio is not None and decode is not None
    assert found.value == pytest.approx(round(decode * ratio, 2), abs=0.0051)
    assert (
        evidence.near_ratio(
            catalog, config("rtx-5090", "qwen3-32b", "Q4_K_M", "llama-cpp"), "decode_tok_s"
        )
        is None
    )


@pytest.mark.parametrize(
    ("label", "value", "concurrency", "decode", "joules"),
    [
        ("measured-near", 0.5, 1, 0.5, 2.0),  # half the speed: twice the energy a token
        ("measured", 2.0, 1, 2.0, 0.5),
        ("estimated", 0.5, 1, 1.0, 1.0),  # the engine's own figure: nothing to follow
        ("measured-near", 0.5, 4, 0.5, 1.0),  # several streams: their energy is the engine's
    ],
)
def test_derived_figures_follow_the_shown_decode(
    catalog: Catalog, label: str, value: float, concurrency: int, decode: float, joules: float
) -> None:
    cfg = config("rtx-4090", "llama-3-8b", "Q4_K_M", "llama-cpp", concurrency=concurrency)
    est = estimate(catalog, cfg)
    assert est.decode_tok_s and est.joules_per_token and est.cost_per_million_tokens_usd
    found = evidence.Evidence(label, est.decode_tok_s * value)  # type: ignore[arg-type]
    shown = evidence.as_shown(est, found)
    assert shown.decode_tok_s == pytest.approx(est.decode_tok_s * decode, rel=1e-12)
    assert shown.joules_per_token == pytest.approx(est.joules_per_token * joules, rel=1e-12)
    cost = est.cost_per_million_tokens_usd * joules
    assert shown.cost_per_million_tokens_usd == pytest.approx(cost, rel=1e-12)
    assert (shown.power_w, shown.memory, shown.verdict) == (est.power_w, est.memory, est.verdict)


def test_evidence_estimated(catalog: Catalog) -> None:
    cfg = config("rtx-5090", "qwen3-32b", "Q4_K_M", "llama-cpp")
    found = evidence.label(catalog, cfg, "decode_tok_s")
    assert found.label == "estimated"
    assert found.low is not None and found.high is not None and found.value is not None
    assert found.low < found.value < found.high


@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        ("Sum of device buffers llama.cpp printed", "sum"),
        ("nvidia-smi memory.used per card", "mean_total"),
        ("nvidia-smi memory.used, GPU 1", "card1_total"),
    ],
)
def test_vram_used_reads_the_notes(catalog: Catalog, notes: str, expected: str) -> None:
    from site_builder.engine import estimate
    from site_builder.engine.accuracy import predicted

    est = estimate(catalog, config("rtx-4090:2", "llama-3.3-70b-instruct", "Q4_K_M", "llama-cpp"))
    cards = est.memory.per_gpu
    value = predicted(est, "vram_used_gib", "llama-cpp", notes)
    if expected == "sum":
        assert value == pytest.approx(
            sum(c.weights_gib + c.kv_cache_gib + c.buffers_gib for c in cards)
        )
    elif expected == "mean_total":
        assert value == pytest.approx(sum(c.total_gib for c in cards) / 2)
    else:
        assert value == pytest.approx(cards[1].total_gib)


def changed(catalog: Catalog, slug: str, update: dict[str, object]) -> Catalog:
    """``catalog`` with benchmark ``slug``'s fields replaced by ``update``."""
    bench = catalog.benchmarks[slug].model_copy(update=update)
    return dataclasses.replace(catalog, benchmarks={**catalog.benchmarks, slug: bench})


SINCE = EngineSince(
    version="0.8.0",
    change="the V0 engine, which 0.8.0 replaced",
    source="https://example.com/release-notes",
)


@pytest.mark.parametrize(
    ("update", "since", "why"),
    [
        ({"power_limit_w": 300.0}, None, "cards capped at 300 W"),
        ({"backend": "vulkan"}, None, "Vulkan back-end"),
        (
            {"runtime_version": "0.7.3"},
            SINCE,
            "llama.cpp 0.7.3: the V0 engine, which 0.8.0 replaced",
        ),
        (
            {"runtime_version": "v0.7.10.post1 (container of 2025-02-01)"},
            SINCE,
            "llama.cpp 0.7.10: the V0 engine, which 0.8.0 replaced",
        ),
    ],
)
def test_results_the_engine_does_not_model_stay_out_of_statistics_fit_and_evidence(
    catalog: Catalog, update: dict[str, object], since: EngineSince | None, why: str
) -> None:
    """The engine models stock cards on their own back-end, running the runtime's current
    engine: a measurement on a power-capped card, another back-end or a release older than
    ``engine_since`` is listed (with why) but no error statistic, calibration fit or evidence
    label reads it."""
    if since is not None:
        runtime = catalog.runtimes["llama-cpp"].model_copy(update={"engine_since": since})
        catalog = dataclasses.replace(catalog, runtimes={**catalog.runtimes, "llama-cpp": runtime})
    cfg = config("rtx-4090", "llama-3-8b", "Q4_K_M", "llama-cpp", prompt_tokens=0, gen_tokens=512)
    slug = evidence.label(catalog, cfg, "decode_tok_s").benchmark
    assert slug is not None
    cut = changed(catalog, slug, update)
    listed = [p for p in accuracy_points(cut) if p.benchmark == slug]
    assert listed and all(p.unscored == why for p in listed)
    others = [p for p in accuracy_points(catalog) if p.benchmark != slug]
    assert accuracy_table(accuracy_points(cut)) == accuracy_table(others)
    assert [r.ref[0] for r in raw_points(cut)] == [
        r.ref[0] for r in raw_points(catalog) if r.ref[0] != slug
    ]
    assert evidence.label(cut, cfg, "decode_tok_s").label != "measured"


@pytest.mark.parametrize(
    ("text", "release"),
    [
        ("0.7.3", (0, 7, 3)),
        ("0.19.1rc1.dev339+gedc364896", (0, 19, 1)),
        ("v0.5.1.post3", (0, 5, 1)),
        ("0.28.2 (mlx 0.29.2.dev20251008+85a8824a8)", (0, 28, 2)),
        ("b2824 (4426e298)", ()),
        ("lmsysorg/sglang:latest of 2025-01-31", ()),
        ("", ()),
    ],
)
def test_release_of_reads_the_leading_dotted_number(text: str, release: tuple[int, ...]) -> None:
    assert release_of(text) == release


def test_a_release_without_a_number_is_scored(catalog: Catalog) -> None:
    """A build tag says nothing about the engine core: such results stay in the statistics."""
    runtime = catalog.runtimes["llama-cpp"].model_copy(update={"engine_since": SINCE})
    cut = dataclasses.replace(catalog, runtimes={**catalog.runtimes, "llama-cpp": runtime})
    assert [p.unscored for p in accuracy_points(cut)] == [
        p.unscored for p in accuracy_points(catalog)
    ]


def _result(**fields: object) -> Result:
    base = {"metric": "output_tok_s", "value": 795.3, "prompt_tokens": 496, "gen_tokens": 509}
    return Result.model_validate({**base, **fields})


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"concurrency": 16}, 16),  # no measured mean: the cap
        ({"concurrency": 16, "mean_concurrency": 13.93}, 14),  # the cookbook's 16-request run
        ({"concurrency": 100, "mean_concurrency": 92.26}, 92),
        ({"concurrency": 1, "mean_concurrency": 0.4}, 1),  # never below one stream
    ],
)
def test_a_run_is_predicted_at_its_measured_mean_concurrency(
    fields: dict[str, object], expected: int
) -> None:
    assert streams(_result(**fields)) == expected


def test_the_mean_concurrency_cannot_exceed_the_cap() -> None:
    with pytest.raises(ValidationError, match=r"mean_concurrency 17\.5 exceeds concurrency 16"):
        _result(concurrency=16, mean_concurrency=17.5)


def test_the_shipped_cookbook_run_is_predicted_at_its_mean() -> None:
    catalog = load_catalog(Path(__file__).resolve().parents[2] / "catalog")
    bench = catalog.benchmarks["sglang-cookbook-8x-b200-deepseek-r1-fp8"]
    [result] = [r for r in bench.results if r.value == 795.3]
    assert (result.concurrency, result.mean_concurrency) == (16, 13.93)
    assert result_config(bench, result, catalog).concurrency == 14
