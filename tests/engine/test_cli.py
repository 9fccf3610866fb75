"""``site-builder estimate`` and ``accuracy``: the JSON contract, exit codes, batch lines."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from site_builder.cli import main
from site_builder.commands import estimate as estimate_cmd
from site_builder.site import fmt
from tests.engine.conftest import FIXTURE_CATALOG

CAT = ["--catalog", str(FIXTURE_CATALOG)]
OSS_120B = ["--gpu", "rtx-3090", "--model", "gpt-oss-120b", "--quant", "MXFP4", "--runtime",
            "llama-cpp"]  # fmt: skip
TOP_KEYS = {
    "verdict": str,
    "reasons": list,
    "memory": dict,
    "max_context": int,
    "decode_tok_s": (float, type(None)),
    "decode_tok_s_range": (list, type(None)),
    "prefill_tok_s": (float, type(None)),
    "ttft_ms": (float, type(None)),
    "aggregate_decode_tok_s": (float, type(None)),
    "per_user_decode_tok_s": (float, type(None)),
    "power_w": (float, type(None)),
    "joules_per_token": (float, type(None)),
    "launch_command": str,
    "assumptions": list,
}
CARD_KEYS = (
    "gpu",
    "capacity_gib",
    "weights_gib",
    "kv_cache_gib",
    "buffers_gib",
    "overhead_gib",
    "total_gib",
)
SPEED_KEYS = [k for k, t in TOP_KEYS.items() if isinstance(t, tuple)]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(["estimate", *CAT, *args])
    except SystemExit as exc:  # argparse errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def estimate_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, _ = run(capsys, *args, "--json")
    assert code == 0
    assert out.count("\n") == 1
    data: dict[str, Any] = json.loads(out)
    return data


def check_contract(data: dict[str, Any]) -> None:
    for key, kind in TOP_KEYS.items():
        assert key in data, key
        assert isinstance(data[key], kind), (key, data[key])
    assert data["verdict"] in ("fits", "tight", "offload", "no-fit", "unsupported")
    assert all(isinstance(r, str) for r in data["reasons"]) and data["reasons"]
    assert isinstance(data["memory"]["total_gib"], float)
    for card in data["memory"]["per_gpu"]:
        assert set(CARD_KEYS) <= set(card)
        assert isinstance(card["gpu"], str)
        assert all(isinstance(card[k], float) for k in CARD_KEYS[1:])
    if data["verdict"] in ("no-fit", "unsupported"):
        assert all(data[k] is None for k in SPEED_KEYS)
    else:
        assert all(data[k] is not None for k in SPEED_KEYS)
        low, high = data["decode_tok_s_range"]
        assert low <= data["decode_tok_s"] <= high


@pytest.mark.parametrize(
    ("args", "verdict"),
    [
        (
            [
                "--combo",
                "dual-rtx-4090",
                "--model",
                "llama-3.3-70b-instruct",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llama-cpp",
            ],
            "fits",
        ),
        (
            [
                "--combo",
                "dual-rtx-4090",
                "--model",
                "llama-3.3-70b-instruct",
                "--quant",
                "AWQ-INT4",
                "--runtime",
                "vllm",
            ],
            "fits",
        ),
        (
            [
                "--gpu",
                "rtx-4090",
                "--model",
                "llama-3.3-70b-instruct",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llama-cpp",
            ],
            "offload",
        ),
        (
            [
                "--gpu",
                "rtx-4090:2",
                "--model",
                "llama-3.1-405b-instruct",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llama-cpp",
            ],
            "no-fit",
        ),
        (
            [
                "--gpu",
                "rtx-4090:3",
                "--model",
                "llama-3.3-70b-instruct",
                "--quant",
                "AWQ-INT4",
                "--runtime",
                "vllm",
            ],
            "unsupported",
        ),
        (
            [
                "--gpu",
                "rtx-4090",
                "--gpu",
                "rtx-3090",
                "--interconnect",
                "pcie-4.0-x8",
                "--model",
                "qwen3-32b",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llama-cpp",
                "--split",
                "layer",
                "--context",
                "16384",
                "--prompt",
                "0",
                "--gen",
                "512",
                "--concurrency",
                "2",
                "--kv-cache",
                "q8_0",
            ],
            "fits",
        ),
    ],
)
def test_json_contract_for_every_verdict(
    capsys: pytest.CaptureFixture[str], args: list[str], verdict: str
) -> None:
    data = estimate_json(capsys, *args)
    check_contract(data)
    assert data["verdict"] == verdict


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            [
                "--combo",
                "dual-rtx-409",
                "--model",
                "llama-3-8b",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llama-cpp",
            ],
            "unknown combo 'dual-rtx-409' (did you mean 'dual-rtx-4090'?)",
        ),
        (
            [
                "--gpu",
                "rtx-4090",
                "--model",
                "llama-3-8",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llama-cpp",
            ],
            "unknown model 'llama-3-8'",
        ),
        (
            [
                "--gpu",
                "rtx-4091",
                "--model",
                "llama-3-8b",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llama-cpp",
            ],
            "unknown gpu 'rtx-4091'",
        ),
        (
            [
                "--gpu",
                "rtx-4090",
                "--model",
                "llama-3-8b",
                "--quant",
                "Q4_K_X",
                "--runtime",
                "llama-cpp",
            ],
            "unknown quant 'Q4_K_X'",
        ),
        (
            [
                "--gpu",
                "rtx-4090",
                "--model",
                "llama-3-8b",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llamacpp",
            ],
            "unknown runtime 'llamacpp'",
        ),
        (
            [
                "--gpu",
                "rtx-4090:2",
                "--interconnect",
                "nvlink-9",
                "--model",
                "llama-3-8b",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llama-cpp",
            ],
            "unknown interconnect 'nvlink-9'",
        ),
        (
            [
                "--gpu",
                "rtx-4090:0",
                "--model",
                "llama-3-8b",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llama-cpp",
            ],
            "invalid --gpu 'rtx-4090:0'",
        ),
        (
            [
                "--gpu",
                "rtx-4090:x",
                "--model",
                "llama-3-8b",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llama-cpp",
            ],
            "invalid --gpu 'rtx-4090:x'",
        ),
        (
            [
                "--gpu",
                "rtx-4090",
                "--model",
                "llama-3-8b",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llama-cpp",
                "--context",
                "0",
            ],
            "invalid --context 0",
        ),
        (
            [
                "--gpu",
                "rtx-4090",
                "--model",
                "llama-3-8b",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llama-cpp",
                "--concurrency",
                "0",
            ],
            "invalid --concurrency 0",
        ),
        (
            [
                "--gpu",
                "rtx-4090",
                "--model",
                "llama-3-8b",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llama-cpp",
                "--prompt",
                "-1",
            ],
            "invalid --prompt -1",
        ),
        (
            [
                "--gpu",
                "rtx-4090",
                "--model",
                "llama-3-8b",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llama-cpp",
                "--split",
                "diagonal",
            ],
            "--split",
        ),
        (
            [
                "--gpu",
                "rtx-4090",
                "--model",
                "llama-3-8b",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llama-cpp",
                "--kv-cache",
                "q5",
            ],
            "--kv-cache",
        ),
        (
            [
                "--gpu",
                "rtx-4090",
                "--model",
                "llama-3-8b",
                "--quant",
                "Q4_K_M",
                "--runtime",
                "llama-cpp",
                "--context",
                "many",
            ],
            "--context",
        ),
        *[
            (
                [*OSS_120B, option, value],
                message,
            )
            for option, value, message in [
                ("--ram", "0", "invalid --ram 0: must be at least 1"),
                ("--ram-bandwidth", "0", "invalid --ram-bandwidth 0: must be at least 1"),
                ("--ram-bandwidth", "51.2", "argument --ram-bandwidth: invalid value '51.2'"),
                (
                    "--cpu-moe-layers",
                    "1001",
                    "invalid --cpu-moe-layers 1001: must be at most 1,000 layers",
                ),
            ]
        ],
        (
            ["--model", "llama-3-8b", "--quant", "Q4_K_M", "--runtime", "llama-cpp"],
            "--combo or --gpu",
        ),
        (["--gpu", "rtx-4090", "--quant", "Q4_K_M", "--runtime", "llama-cpp"], "missing --model"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], fragment: str
) -> None:
    code, out, err = run(capsys, *args, "--json")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert fragment in err


def test_readable_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "--combo",
        "dual-rtx-4090",
        "--model",
        "llama-3.3-70b-instruct",
        "--quant",
        "AWQ-INT4",
        "--runtime",
        "vllm",
    )
    assert code == 0
    assert out.startswith("verdict: fits")
    for text in (
        "0 rtx-4090",
        "1 rtx-4090",
        "decode:",
        "prefill:",
        "TTFT",
        "launch:",
        "vllm serve casperhansen/llama-3.3-70b-instruct-awq",
    ):
        assert text in out


BATCH = [
    {
        "gpu": ["rtx-4090:2"],
        "model": "llama-3-70b",
        "quant": "Q4_K_M",
        "runtime": "llama-cpp",
        "split": "layer",
        "prompt": 0,
        "gen": 512,
    },
    {"gpu": ["rtx-4090"], "model": "no-such-model", "quant": "Q4_K_M", "runtime": "llama-cpp"},
    "not json",
    {
        "combo": "single-rtx-4090",
        "model": "llama-3.1-8b-instruct",
        "quant": "Q8_0",
        "runtime": "ollama",
        "context": 32768,
    },
    {
        "gpu": "rtx-4090",
        "model": "llama-3-8b",
        "quant": "Q4_K_M",
        "runtime": "llama-cpp",
        "context": "big",
    },
    [1, 2],
    {
        "gpu": ["rtx-4090"],
        "model": "llama-3-8b",
        "quant": "Q4_K_M",
        "runtime": "llama-cpp",
        "colour": "red",
    },
    {
        "gpu": ["rtx-3090:2"],
        "model": "llama-3.3-70b-instruct",
        "quant": "AWQ-INT4",
        "runtime": "vllm",
        "interconnect": "nvlink-3.0-bridge",
        "kv_cache": "fp8",
    },
]


def batch_text() -> str:
    return "\n".join(item if isinstance(item, str) else json.dumps(item) for item in BATCH) + "\n"


def check_batch(lines: list[str]) -> None:
    assert len(lines) == len(BATCH)
    results = [json.loads(line) for line in lines]
    ok = [0, 3, 7]
    for i, result in enumerate(results):
        if i in ok:
            check_contract(result)
        else:
            assert set(result) == {"error"}
            assert isinstance(result["error"], str) and result["error"]
    assert "unknown model 'no-such-model'" in results[1]["error"]
    assert "colour" in results[6]["error"]


def test_batch_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(batch_text(), encoding="utf-8")
    code, out, _ = run(capsys, "--batch", str(path))
    assert code == 0
    check_batch(out.splitlines())


def test_batch_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(batch_text()))
    code, out, _ = run(capsys, "--batch", "-")
    assert code == 0
    check_batch(out.splitlines())


def test_batch_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--batch", str(tmp_path / "nope.jsonl"))
    assert code == 2 and "--batch" in err


def test_accuracy_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["accuracy", *CAT, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {(r["runtime"], r["metric"]): r for r in data["table"]}
    assert rows[("llama-cpp", "decode_tok_s")]["median_abs_pct"] <= 10
    assert rows[("llama-cpp", "prefill_tok_s")]["median_abs_pct"] <= 20
    assert len(data["points"]) == 151
    assert main(["accuracy", *CAT]) == 0
    text = capsys.readouterr().out
    assert "decode_tok_s" in text and "median" in text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        # the JSON holds 43.95, which the pages show as 44.0; one decimal of the raw value
        # would read 43.9
        (43.9463, "44.0 tok/s"),
        (43.9449, "43.9 tok/s"),
        (1234.5678, "1,234.6 tok/s"),
        (None, "-"),
    ],
)
def test_summary_rounds_as_the_json_and_the_pages(value: float | None, shown: str) -> None:
    assert estimate_cmd._speed(value, "tok/s") == shown
    if value is not None:
        assert shown == f"{fmt.num(json.loads(json.dumps(round(value, 2))), 1)} tok/s"
