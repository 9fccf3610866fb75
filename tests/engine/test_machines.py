"""Several machines over a network: the link costs, the support rules, the launch commands."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from site_builder.catalog import load_catalog
from site_builder.engine import Estimate, estimate, launch, links
from site_builder.engine.launch import LaunchSpec, command
from site_builder.engine.resolve import config_for_combo
from site_builder.schema import Model

ROOT = Path(__file__).resolve().parents[2]
NVLINK = links.Link("nvlink", 450.0)
IB = links.Network(machines=2, bandwidth_gb_s=50.0, latency_us=2.7, name="InfiniBand NDR")
TB5 = links.Network(machines=2, bandwidth_gb_s=10.0, latency_us=4.64, name="Thunderbolt 5")


def test_network_bandwidth_is_the_measured_share_of_line_rate() -> None:
    # 189.85 of 200 Gb/s (two DGX Sparks) and 75.0 of 80 Gb/s (Thunderbolt 5) with RDMA.
    assert pytest.approx(189.85 / 200, abs=0.02) == links.NETWORK_EFFICIENCY
    assert pytest.approx(75.0 / 80, abs=0.01) == links.NETWORK_EFFICIENCY
    assert TB5.bytes_per_s == pytest.approx(9.4e9)


def test_allreduce_across_two_nodes_follows_nccls_latency_model() -> None:
    """16 ranks on 2 nodes: 30 ring steps, 2 of them also over the network (NCCL tuning.cc)."""
    link = NVLINK._replace(network=IB)
    message = 16_384.0
    expected = 30 * NVLINK.latency_s + 2 * 2.7e-6 + 30 / 16 * message / IB.bytes_per_s
    assert links.allreduce_s(16, message, link) == pytest.approx(expected, rel=1e-12)
    assert links.allreduce_s(16, message, link) > links.allreduce_s(16, message, NVLINK)


def test_one_card_per_machine_pays_the_network_at_every_step() -> None:
    link = links.Link("unified", 800.0, TB5)
    message = 8192.0
    expected = 2 * 4.64e-6 + message / TB5.bytes_per_s
    assert links.allreduce_s(2, message, link) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("cards", "network", "expected_s"),
    [
        # two single-card machines: out to machine 2 and back, each a latency plus the bytes
        (2, TB5, 2 * (4.64e-6 + 32_768 / 9.4e9)),
        # two 8-card nodes: 14 NVLink hops inside, 2 network crossings between them
        (16, IB, 14 * (4e-6 + 32_768 / 405e9) + 2 * (2.7e-6 + 32_768 / 47e9)),
        # one machine: the card boundaries only
        (2, None, 4e-6 + 32_768 / 405e9),
    ],
)
def test_layer_split_boundaries(
    cards: int, network: links.Network | None, expected_s: float
) -> None:
    link = links.Link("nvlink", 450.0, network)
    assert links.boundaries_s(cards, 32_768.0, link) == pytest.approx(expected_s, rel=1e-9)


def _spec(model: Model, runtime: str, split: str, machines: int, cards: int) -> LaunchSpec:
    gguf = runtime == "llama-cpp"
    quant, fmt = ("Q4_K_M", "gguf") if gguf else ("BF16", "float")
    return LaunchSpec(
        runtime=runtime,
        model=model,
        quant=quant,
        quant_format=fmt,
        split=split,
        n_cards=cards,
        context=8192,
        kv_cache="f16",
        flash_attention=True,
        tensor_split=None,
        concurrency=1,
        gpu_layers=None,
        pool_fraction=0.9,
        source=launch.source(runtime, model, quant, fmt),
        machines=machines,
    )


@pytest.fixture(scope="module")
def model() -> Model:
    return CATALOG.models["llama-3.3-70b-instruct"]


def test_llama_cpp_over_rpc_starts_a_server_on_every_other_machine(model: Model) -> None:
    lines = command(_spec(model, "llama-cpp", "layer", 3, 3)).splitlines()
    assert lines[0].startswith("# machines 2-3: llama.cpp built with -DGGML_RPC=ON")
    assert lines[1] == "rpc-server -H machine-N -p 50052"
    assert lines[2] == "# machine 1"
    assert lines[3].startswith("llama-server ")
    assert lines[3].endswith(" --rpc machine-2:50052,machine-3:50052")


def test_vllm_joins_a_ray_cluster_then_serves_from_the_head(model: Model) -> None:
    lines = command(_spec(model, "vllm", "tensor", 2, 16)).splitlines()
    assert lines[1] == "ray start --head --port 6379"
    assert lines[3] == "ray start --address machine-1:6379"
    assert "--tensor-parallel-size 16" in lines[5]
    assert lines[5].endswith(" --distributed-executor-backend ray")


def test_sglang_runs_on_every_node_with_its_rank(model: Model) -> None:
    lines = command(_spec(model, "sglang", "tensor", 2, 16)).splitlines()
    assert lines[0] == "# machine 1" and lines[2] == "# machine 2"
    assert lines[1].endswith("--dist-init-addr machine-1:20000 --nnodes 2 --node-rank 0")
    assert lines[3].endswith("--dist-init-addr machine-1:20000 --nnodes 2 --node-rank 1")
    assert "--tp 16" in lines[1]


@pytest.mark.parametrize(("split", "suffix"), [("tensor", ""), ("pipeline", " --pipeline")])
def test_mlx_launches_the_server_on_every_mac_over_jaccl(
    model: Model, split: str, suffix: str
) -> None:
    lines = command(_spec(model, "mlx-lm", split, 2, 2)).splitlines()
    assert lines[1] == (
        "mlx.distributed_config --hosts machine-1,machine-2 --over thunderbolt --backend jaccl "
        "--auto-setup --output hosts.json"
    )
    assert lines[2] == (
        "mlx.launch --backend jaccl --hostfile hosts.json -- python -m mlx_lm server "
        f"--model meta-llama/Llama-3.3-70B-Instruct{suffix}"
    )


def test_one_machine_keeps_the_single_command(model: Model) -> None:
    assert "\n" not in command(_spec(model, "vllm", "tensor", 1, 8))


# A published two-machine measurement: eugr's llama-bench run on two DGX Sparks joined by their
# 200G QSFP port, llama.cpp's RPC back-end (CUDA,RPC), Qwen3-VL 235B-A22B at Q4_K_M (124.91
# GiB, 235.09 B parameters), layer split, before PR 15405 ("rpc : reuse compute graphs"), posted
# 2025-11-25: https://github.com/ggml-org/llama.cpp/pull/15405 ("Before" table: pp2048 528.52
# ± 2.88, tg32 12.98 ± 0.05 tok/s). The run's llama.cpp build is not stated (master of that
# week), so it is pinned here rather than imported as a catalog benchmark.
SPARKS_MEASURED = {"prefill_tok_s": (2048, 0, 528.52), "decode_tok_s": (0, 32, 12.98)}


CATALOG = load_catalog(ROOT / "catalog")


def on_combo(
    slug: str, model: str, quant: str, runtime: str, own_weights: bool = False, **tokens: Any
) -> Estimate:
    """The engine's answer for ``model`` on a shipped combo."""
    config = config_for_combo(CATALOG, slug, model=model, quant=quant, runtime=runtime, **tokens)
    return estimate(CATALOG, dataclasses.replace(config, own_weights=own_weights))


def sparks_estimate(metric: str) -> Estimate:
    prompt, gen, _ = SPARKS_MEASURED[metric]
    tokens = {"context_tokens": 4096, "prompt_tokens": prompt, "gen_tokens": gen}
    model = "qwen3-vl-235b-a22b-instruct"
    return on_combo("dual-dgx-spark", model, "Q4_K_M", "llama-cpp", own_weights=True, **tokens)


@pytest.mark.parametrize("metric", sorted(SPARKS_MEASURED))
def test_two_dgx_sparks_over_rpc_stay_within_the_printed_range(metric: str) -> None:
    result = sparks_estimate(metric)
    assert (result.verdict, result.split) == ("fits", "layer")
    low, high = getattr(result, f"{metric}_range")
    assert low <= SPARKS_MEASURED[metric][2] <= high  # within the range the site prints
    assert result.calibrated == ()  # labelled uncalibrated: no calibration covers a network


@pytest.mark.parametrize(
    "metric",
    [
        "decode_tok_s",
        pytest.param(
            "prefill_tok_s",
            marks=pytest.mark.xfail(
                strict=True,
                reason=(
                    "not met: the engine gives about 350 tok/s. The routed experts' short "
                    "per-expert batches (32 tokens an expert in a 512-token pass; "
                    "calibration.EXPERT_HALF_TOKENS) cost what the RTX PRO 6000 and RTX 4090 "
                    "runs show; on these bandwidth-bound chips the measured prompt rate stays "
                    "where reading the weights alone puts it"
                ),
            ),
        ),
    ],
)
def test_two_dgx_sparks_over_rpc_come_within_20_percent(metric: str) -> None:
    estimate_ = getattr(sparks_estimate(metric), metric)
    assert estimate_ == pytest.approx(SPARKS_MEASURED[metric][2], rel=0.20)


MULTI = {
    "dual-mac-studio-m3-ultra-512gb": ("mlx-lm", "MLX-4BIT", "tensor"),
    "dual-dgx-spark": ("vllm", "AWQ-INT4", "tensor"),
    "dual-strix-halo-128gb-25gbe": ("llama-cpp", "Q4_K_M", "layer"),
    "dual-8x-h100-sxm-infiniband": ("sglang", "BF16", "tensor"),
}


def test_every_multi_machine_combo_is_covered() -> None:
    assert {s for s, c in CATALOG.combos.items() if c.machines > 1} == set(MULTI)


@pytest.mark.parametrize("slug", sorted(MULTI))
def test_each_machine_gets_its_commands(slug: str) -> None:
    """A verdict, speeds and the commands of every machine for Llama 3.3 70B."""
    runtime, quant, split = MULTI[slug]
    result = on_combo(slug, "llama-3.3-70b-instruct", quant, runtime)
    assert result.verdict == "fits" and result.split == split, result.reasons
    assert result.decode_tok_s and result.prefill_tok_s
    assert "# machine 1" in result.launch_command or "from machine 1" in result.launch_command
    assert "# machine 2" in result.launch_command or "machine-2" in result.launch_command


def test_a_runtime_without_machine_splits_is_refused_across_machines() -> None:
    mac = "dual-mac-studio-m3-ultra-512gb"
    result = on_combo(mac, "llama-3.3-70b-instruct", "Q4_K_M", "ollama")
    assert result.verdict == "unsupported"
    assert "Ollama does not spread one model over several machines" in result.reasons
