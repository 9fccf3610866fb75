"""Hostile command-line input (issue 14): no traceback, exit 2 with one line naming the bad
argument, only ASCII digits are numbers, and ``--batch`` answers every input line with one
strict JSON object whatever its bytes."""

from __future__ import annotations

import dataclasses
import io
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from site_builder.catalog import load_catalog
from site_builder.cli import main
from site_builder.commands import batch as batch_command
from site_builder.commands import estimate as estimate_command
from site_builder.engine import Config, estimate, request
from site_builder.engine.resolve import (
    MAX_CONCURRENCY,
    MAX_CONTEXT_TOKENS,
    MAX_GEN_TOKENS,
)
from tests.engine.conftest import FIXTURE_CATALOG

CAT = ["--catalog", str(FIXTURE_CATALOG)]
SMALL = ["--model", "llama-3-8b", "--quant", "Q4_K_M", "--runtime", "llama-cpp"]
GOOD = {"gpu": ["rtx-4090"], "model": "llama-3-8b", "quant": "Q4_K_M", "runtime": "llama-cpp"}
REPO = Path(__file__).resolve().parents[2]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, out: str, err: str, fragment: str) -> None:
    assert code == 2, err
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert fragment in err, err
    assert "Traceback" not in err


def _no_constant(name: str) -> Any:
    raise AssertionError(f"non-strict JSON constant {name}")


def strict(line: str) -> dict[str, Any]:
    """One strict JSON object (no NaN/Infinity)."""
    value = json.loads(line, parse_constant=_no_constant)
    assert isinstance(value, dict)
    return value


# 1. Only ASCII digits are numbers ------------------------------------------------------------

HOSTILE_COUNTS = ["¹", "٣", "３", "1_0", "²²", "", " 2", "-1", "99999999999999999999999"]


@pytest.mark.parametrize("command", ["estimate", "recommend"])
@pytest.mark.parametrize("count", HOSTILE_COUNTS)
def test_gpu_count_takes_ascii_digits_only(
    capsys: pytest.CaptureFixture[str], command: str, count: str
) -> None:
    spec = f"rtx-4090:{count}"
    extra = SMALL if command == "estimate" else ["--model", "llama-3-8b"]
    code, out, err = cli(capsys, command, *CAT, "--gpu", spec, *extra)
    one_line_error(code, out, err, "--gpu")


@pytest.mark.parametrize("option", ["--context", "--prompt", "--gen", "--concurrency"])
@pytest.mark.parametrize(
    "value", ["٣٠٠٠", "1_000", "³", "５１２", " 512", "512\n", "0x10", "1" + "0" * 5000]
)
def test_numeric_options_take_ascii_digits_only(
    capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    code, out, err = cli(capsys, "estimate", *CAT, "--gpu", "rtx-4090", *SMALL, option, value)
    one_line_error(code, out, err, option)


def test_batch_gpu_count_takes_ascii_digits_only(capsys: pytest.CaptureFixture[str]) -> None:
    lines = [{**GOOD, "gpu": [f"rtx-4090:{c}"]} for c in ("¹", "٣", "1_0")]
    results = batch(capsys, "".join(json.dumps(x) + "\n" for x in lines).encode())
    assert all("invalid --gpu" in r["error"] for r in results)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("context", "8192"),
        ("context", 8192.0),
        ("context", True),
        ("prompt", [1]),
        ("gen", None),
        ("model", 3),
        ("model", ["llama-3-8b"]),
        ("gpu", {"rtx-4090": 1}),
        ("gpu", [1]),
        ("split", ["layer"]),
        ("kv_cache", {"f16": 1}),
        ("flash_attention", "yes"),
        ("tensor_split", [1, "2"]),
        ("tensor_split", "1,1"),
    ],
)
def test_batch_field_types(capsys: pytest.CaptureFixture[str], field: str, value: Any) -> None:
    line = {**GOOD, "gpu": ["rtx-4090:2"], field: value}
    (result,) = batch(capsys, (json.dumps(line) + "\n").encode())
    assert set(result) == {"error"} and result["error"]


# 2. --prompt within --context; every number within a stated maximum -------------------------


def test_prompt_above_context_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(
        capsys,
        "estimate",
        *CAT,
        "--gpu",
        "rtx-4090",
        *SMALL,
        "--context",
        "4096",
        "--prompt",
        "9000",
    )
    one_line_error(code, out, err, "--prompt 9000")
    assert "--context" in err
    (result,) = batch(
        capsys, (json.dumps({**GOOD, "context": 4096, "prompt": 9000}) + "\n").encode()
    )
    assert "--prompt 9000" in result["error"]
    # equal is fine
    code, out, _ = cli(
        capsys,
        "estimate",
        *CAT,
        "--gpu",
        "rtx-4090",
        *SMALL,
        "--context",
        "4096",
        "--prompt",
        "4096",
    )
    assert code == 0 and out.startswith("verdict:")


@pytest.mark.parametrize(
    ("option", "maximum", "stated"),
    [
        ("--context", MAX_CONTEXT_TOKENS, "at most 10,000,000"),
        ("--gen", MAX_GEN_TOKENS, "at most 10,000,000"),
        ("--concurrency", MAX_CONCURRENCY, "at most 4,096"),
    ],
)
def test_numbers_have_plausible_maxima(
    capsys: pytest.CaptureFixture[str], option: str, maximum: int, stated: str
) -> None:
    for value in (maximum + 1, 10**12, 10**29):
        code, out, err = cli(
            capsys, "estimate", *CAT, "--gpu", "rtx-4090", *SMALL, option, str(value)
        )
        one_line_error(code, out, err, f"invalid {option} {value}")
        assert stated in err
    code, out, err = cli(capsys, "estimate", *CAT, "--gpu", "rtx-4090", *SMALL, option, "9" * 5000)
    one_line_error(code, out, err, f"argument {option}: invalid value '99999")
    assert len(err) < 200
    key = option.removeprefix("--")
    (result,) = batch(capsys, (json.dumps({**GOOD, key: 10**12}) + "\n").encode())
    assert stated in result["error"]


def test_cards_in_all_have_a_maximum(capsys: pytest.CaptureFixture[str]) -> None:
    gpus = [part for _ in range(5) for part in ("--gpu", "rtx-4090:16")]
    code, out, err = cli(capsys, "estimate", *CAT, *gpus, *SMALL)
    one_line_error(code, out, err, "invalid --gpu: 80 cards in all, at most 64")


def test_prompt_maximum(capsys: pytest.CaptureFixture[str]) -> None:
    big = str(10**12)
    code, out, err = cli(
        capsys, "estimate", *CAT, "--gpu", "rtx-4090", *SMALL, "--context", big, "--prompt", big
    )
    one_line_error(code, out, err, "--context")


EXTREME = [
    "--context",
    str(MAX_CONTEXT_TOKENS),
    "--prompt",
    str(MAX_CONTEXT_TOKENS),
    "--gen",
    str(MAX_GEN_TOKENS),
    "--concurrency",
    str(MAX_CONCURRENCY),
]


@pytest.mark.parametrize(
    ("gpu", "model", "quant", "runtime"),
    [
        ("rtx-4090:2", "llama-3.1-405b-instruct", "BF16", "llama-cpp"),
        ("rtx-4090:2", "llama-3.1-405b-instruct", "Q4_K_M", "llama-cpp"),
        ("h100-sxm:8", "llama-3.1-405b-instruct", "FP8", "vllm"),
        ("rtx-4090", "llama-3-8b", "Q4_K_M", "llama-cpp"),
        ("rtx-4090", "llama-3.1-8b-instruct", "AWQ-INT4", "vllm"),
    ],
)
def test_largest_accepted_values_give_strict_json_and_aligned_columns(
    capsys: pytest.CaptureFixture[str], gpu: str, model: str, quant: str, runtime: str
) -> None:
    args = ["--gpu", gpu, "--model", model, "--quant", quant, "--runtime", runtime, *EXTREME]
    code, out, err = cli(capsys, "estimate", *CAT, *args, "--json")
    assert code == 0, err
    strict(out)
    code, out, err = cli(capsys, "estimate", *CAT, *args)
    assert code == 0, err
    check_columns(out)


def check_columns(text: str) -> None:
    """Every row of the memory table has its numbers right-aligned under their headings, with
    at least one space between neighbours."""
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("card (GiB)"))
    ends = [m.end() for m in re.finditer(r"\S+", lines[head])][2:]  # after "card (GiB)"
    assert len(ends) == 6
    rows = []
    for line in lines[head + 1 :]:
        if not re.match(r"\d+ ", line):
            break
        rows.append(line)
    assert rows
    for row in rows:
        numbers = list(re.finditer(r" (-?\d+\.\d\d)(?= |$)", row))
        assert [m.end() for m in numbers][-6:] == ends, (lines[head], row)


def test_summary_columns_hold_any_value() -> None:
    config = Config((("rtx-4090", 2),), "llama-3-8b", "Q4_K_M", "llama-cpp")
    base = estimate(load_catalog(FIXTURE_CATALOG), config)
    huge = [
        dataclasses.replace(c, gpu="a-very-long-gpu-slug-for-the-table", kv_cache_gib=1.5e12)
        for c in base.memory.per_gpu
    ]
    wide = dataclasses.replace(
        base, memory=dataclasses.replace(base.memory, per_gpu=tuple(huge)), max_context=10**12
    )
    check_columns(estimate_command.summary(wide))


# 3. --batch answers every line, whatever the bytes ------------------------------------------


def batch(capsys: pytest.CaptureFixture[str], data: bytes, *, stdin: bool = False) -> list[Any]:
    """Run ``estimate --batch`` on ``data`` (a file, or stdin); every output line strict JSON."""
    if stdin:
        stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr("sys.stdin", stream)
            code, out, err = cli(capsys, "estimate", *CAT, "--batch", "-")
    else:
        with _tmp_file(data) as path:
            code, out, err = cli(capsys, "estimate", *CAT, "--batch", str(path))
    assert code == 0, err
    assert err == ""
    assert out.endswith("\n") or out == ""
    return [strict(line) for line in out.splitlines()]


class _tmp_file:
    def __init__(self, data: bytes) -> None:
        import tempfile

        self._dir = tempfile.TemporaryDirectory()
        self.path = Path(self._dir.name) / "batch.jsonl"
        self.path.write_bytes(data)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        self._dir.cleanup()


HOSTILE_LINES: list[tuple[bytes, str]] = [
    (b"[" * 100_000 + b"]" * 100_000, "nested"),
    (b'{"context": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested"),
    (b'{"context": 1' + b"0" * 5000 + b"}", "digits"),
    (json.dumps({**GOOD, "gpu": ["rtx-4090:1" + "0" * 5000]}).encode(), "--gpu"),
    (b"\xff\xfe{}", "not valid UTF-8"),
    (json.dumps(GOOD).encode()[:-1] + b', "model": "\xc3\x28"}', "not valid UTF-8"),
    (b'{"context": NaN}', "NaN"),
    (b'{"context": Infinity}', "Infinity"),
    (b'{"context": 1e999}', "1e999"),
    (
        json.dumps({**GOOD, "gpu": ["rtx-4090:2"], "tensor_split": [1e308, 1e308]}).encode(),
        "tensor",
    ),
    (
        json.dumps({**GOOD, "gpu": ["rtx-4090:2"]}).encode()[:-1]
        + b', "tensor_split": [1, -Infinity]}',
        "Infinity",
    ),
    (b"\x00", "invalid JSON"),
    (b'"\\ud800"', "JSON object"),
]


@pytest.mark.parametrize("stdin", [False, True], ids=["file", "stdin"])
def test_batch_answers_every_line_whatever_the_bytes(
    capsys: pytest.CaptureFixture[str], stdin: bool
) -> None:
    good = json.dumps(GOOD).encode()
    data = b""
    for hostile, _ in HOSTILE_LINES:
        data += good + b"\n" + hostile + b"\n"
    data += good  # no final newline
    results = batch(capsys, data, stdin=stdin)
    assert len(results) == 2 * len(HOSTILE_LINES) + 1
    for i, (_, fragment) in enumerate(HOSTILE_LINES):
        assert results[2 * i]["verdict"] == "fits", results[2 * i]
        assert set(results[2 * i + 1]) == {"error"}, results[2 * i + 1]
        assert fragment in results[2 * i + 1]["error"], results[2 * i + 1]
    assert results[-1]["verdict"] == "fits"


def test_batch_line_endings_bom_and_blank_lines(capsys: pytest.CaptureFixture[str]) -> None:
    """CRLF and a UTF-8 byte-order mark are read; blank lines ask nothing and get no answer."""
    good = json.dumps(GOOD).encode()
    data = b"\xef\xbb\xbf" + good + b"\r\n\r\n  \t\n" + good + b"\r\n\n"
    results = batch(capsys, data)
    assert [r["verdict"] for r in results] == ["fits", "fits"]
    # a line holding only a byte-order mark is not blank: it is answered
    (result,) = batch(capsys, b"\xef\xbb\xbf\n")
    assert "invalid JSON" in result["error"]


def test_batch_line_too_long(capsys: pytest.CaptureFixture[str]) -> None:
    good = json.dumps(GOOD).encode()
    long = b'{"model": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    results = batch(capsys, good + b"\n" + long + b"\n" + good + b"\n")
    assert [r.get("verdict") for r in results] == ["fits", None, "fits"]
    assert "longer than" in results[1]["error"]


def test_batch_non_finite_result_becomes_an_error_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = estimate_command.estimate

    def poisoned(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        return dataclasses.replace(result, decode_tok_s=math.nan, power_w=math.inf)

    monkeypatch.setattr(estimate_command, "estimate", poisoned)  # --json
    monkeypatch.setattr(request, "estimate", poisoned)  # --batch lines
    good = json.dumps(GOOD).encode()
    results = batch(capsys, good + b"\n" + good + b"\n")
    assert len(results) == 2
    assert all("non-finite" in r["error"] for r in results)
    code, out, err = cli(capsys, "estimate", *CAT, "--gpu", "rtx-4090", *SMALL, "--json")
    assert code == 1 and out == "" and err.count("\n") == 1 and "non-finite" in err


def test_batch_unreadable_source_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = cli(capsys, "estimate", *CAT, "--batch", str(tmp_path))
    one_line_error(code, out, err, "--batch")


# Messages stay on one line, whatever the argument holds -------------------------------------


@pytest.mark.parametrize("value", ["llama\n3", "llama\r\u2028x", "\u202eevil", "a\x00b"])
def test_messages_are_one_line(capsys: pytest.CaptureFixture[str], value: str) -> None:
    code, out, err = cli(
        capsys, "estimate", *CAT, "--gpu", "rtx-4090", "--model", value, "--quant", "Q4_K_M",
        "--runtime", "llama-cpp",
    )  # fmt: skip
    one_line_error(code, out, err, "unknown model")
    assert not any(ch in err[:-1] for ch in "\n\r\u2028\u202e\x00")
    code, out, err = cli(capsys, "recommend", *CAT, "--gpu", value, "--model", "llama-3-8b")
    one_line_error(code, out, err, "unknown gpu")
    code, out, err = cli(capsys, "estimate", *CAT, "--gpu", "rtx-4090", *SMALL, value)
    one_line_error(code, out, err, "unrecognized arguments")


# 4. recommend and accuracy ------------------------------------------------------------------


def test_recommend_json_is_strict(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(
        capsys, "recommend", *CAT, "--gpu", "rtx-4090:2", "--model", "llama-3-8b", "--json"
    )
    assert code == 0, err
    strict(out)


def test_accuracy_json_is_strict(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = cli(capsys, "accuracy", *CAT, "--json")
    assert code == 0, err
    strict(out)
    from site_builder.commands import accuracy

    real = accuracy.accuracy_table

    def poisoned(points: Any) -> Any:
        rows = real(points)
        return [dataclasses.replace(rows[0], median_abs_pct=math.nan), *rows[1:]]

    monkeypatch.setattr(accuracy, "accuracy_table", poisoned)
    code, out, err = cli(capsys, "accuracy", *CAT, "--json")
    assert code == 1
    assert "NaN" not in out and out == ""
    assert err.count("\n") == 1 and "non-finite" in err


# The real process: no traceback on stderr ---------------------------------------------------


def _process(*argv: str, data: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "site_builder.cli", *argv],
        input=data,
        capture_output=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )


def test_process_gpu_superscript_has_no_traceback() -> None:
    done = _process("estimate", *CAT, "--gpu", "rtx-4090:¹", *SMALL)
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.count(b"\n") == 1 and b"--gpu" in done.stderr


def test_process_batch_file_with_a_bad_byte(tmp_path: Path) -> None:
    good = json.dumps(GOOD).encode()
    path = tmp_path / "batch.jsonl"
    path.write_bytes(good + b"\n\xff\n" + good + b"\n")
    for argv, data in ((["--batch", str(path)], b""), (["--batch", "-"], path.read_bytes())):
        done = _process("estimate", *CAT, *argv, data=data)
        assert done.returncode == 0, done.stderr
        assert done.stderr == b""
        results = [strict(line) for line in done.stdout.decode().splitlines()]
        assert [r.get("verdict") for r in results] == ["fits", None, "fits"]


def test_process_closed_stdout_has_no_traceback(tmp_path: Path) -> None:
    """A reader that stops early (``| head -1``) gets no traceback on stderr."""
    path = tmp_path / "batch.jsonl"
    path.write_bytes((json.dumps(GOOD) + "\n").encode() * 2000)
    with subprocess.Popen(
        [sys.executable, "-m", "site_builder.cli", "estimate", *CAT, "--batch", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        child.stdout.readline()
        child.stdout.close()
        err = child.stderr.read()
        code = child.wait(timeout=120)
    assert b"Traceback" not in err and b"Exception ignored" not in err, err.decode()
    assert code == 1


FLAT_OR_NOT = [
    json.dumps(GOOD).encode(),
    json.dumps({**GOOD, "gpu": "rtx-4090", "context": 4096}).encode(),
    json.dumps({**GOOD, "gpu": "rtx-4090", "context": 12345678901234567890123}).encode(),
    json.dumps({**GOOD, "gpu": "rtx-4090", "context": -92233720368547758090}).encode(),
    json.dumps({**GOOD, "gpu": "rtx-4090", "context": 4096.0}).encode(),
    json.dumps({**GOOD, "gpu": "rtx-4090", "flash_attention": True, "split": None}).encode(),
    b'{"model": "a", "model": "llama-3-8b", "quant": "Q4_K_M", "runtime": "llama-cpp", '
    b'"gpu": "rtx-4090"}',
    b'{"model": "\\ud800", "quant": "Q4_K_M", "runtime": "llama-cpp", "gpu": "rtx-4090"}',
    b'{"context": 1e999}',
    b"[1, 2]",
    b'"text"',
    b"\xef\xbb\xbf{}",
]


@pytest.mark.parametrize("raw", FLAT_OR_NOT)
def test_batch_fast_reading_answers_as_the_strict_decoder(raw: bytes) -> None:
    """A flat object is read by orjson, anything else by the strict decoder: the answers are
    the same either way (an integer beyond 64 bits stays an integer, not orjson's float)."""
    catalog = load_catalog(FIXTURE_CATALOG)
    fast = batch_command.estimate_bytes(catalog, raw)
    slow = request.estimate_line(catalog, raw.decode("utf-8"))
    as_json = [x.to_json() if isinstance(x, request.Estimate) else x for x in (fast, slow)]
    assert as_json[0] == as_json[1]
