"""Hostile catalog files: every one is a located problem, never a traceback (issue 14).

Non-finite and absurd numbers, huge integers, unreadable and oversized files, control and
bidirectional characters, IDs with whitespace, symlinks out of the catalog, and a schema error
in a file that also holds a reference error.
"""

from __future__ import annotations

import builtins
import errno
import io
import json
import math
import os
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import BaseModel

from site_builder.catalog import load_catalog
from site_builder.catalog.yamlsafe import MAX_BYTES, MAX_CHARACTER_ISSUES
from site_builder.engine.accuracy import AccuracyPoint, accuracy_points, accuracy_table
from site_builder.schema import KINDS
from site_builder.schema.base import Plausible
from site_builder.site.api import dump

from .conftest import Mutate
from .test_loader_errors import problems

MEASURED = """\
status: measured
title: A measured benchmark
gpus:
  - gpu: rtx-4090
    count: 1
model: llama-3.1-8b-instruct
quant: Q4_K_M
runtime: llama-cpp
runtime_version: b1234
command: llama-bench -m model.gguf -p 512 -n 128
measured_on: 2025-01-01
result_source: https://github.com/ggml-org/llama.cpp/discussions/4167
rationale: Why it matters.
results:
  - metric: decode_tok_s
    value: {value}
    prompt_tokens: 0
    gen_tokens: 128
sources:
  - https://github.com/ggml-org/llama.cpp/discussions/4167
"""

FINITE = "Input should be a finite number (the value overflows to infinity; check the exponent)"


# 1. Finite numbers everywhere ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "old", "new", "where"),
    [
        pytest.param(
            "gpus/rtx-4090.yaml",
            "launch_year: 2024\n",
            "launch_year: 2024\nlaunch_msrp_usd: 1.0e+999\n",
            "gpus/rtx-4090.yaml:8:18: launch_msrp_usd",
            id="gpu-price",
        ),
        pytest.param(
            "quants/Q4_K_M.yaml",
            "compute_dtype: fp16",
            "ppl_delta: -1.0e+999\ncompute_dtype: fp16",
            "quants/Q4_K_M.yaml:7:12: ppl_delta",
            id="ppl-delta",
        ),
        pytest.param(
            "combos/dual-rtx-4090.yaml",
            "system_ram_gib: 64",
            "system_ram_gib: 1.0e+999",
            "combos/dual-rtx-4090.yaml:10:19: host.system_ram_gib",
            id="bounded-field",
        ),
    ],
)
def test_infinity_is_refused(
    catalog_dir: Path, mutate: Mutate, rel: str, old: str, new: str, where: str
) -> None:
    mutate(rel, old, new)
    assert f"{where}: {FINITE}" in problems(catalog_dir)


def test_infinite_benchmark_value_is_refused(catalog_dir: Path) -> None:
    (catalog_dir / "benchmarks" / "example-bench.yaml").write_text(
        MEASURED.format(value="1.0e+999")
    )
    assert problems(catalog_dir) == [
        f"benchmarks/example-bench.yaml:16:12: results[0].value: {FINITE}"
    ]


def test_absurd_benchmark_value_is_refused(catalog_dir: Path) -> None:
    (catalog_dir / "benchmarks" / "example-bench.yaml").write_text(
        MEASURED.format(value="1.0e+300")
    )
    assert problems(catalog_dir) == [
        "benchmarks/example-bench.yaml:16:12: results[0].value: Input should be less than or "
        "equal to 10000000"
    ]


def _numeric_fields() -> list[tuple[str, Any]]:
    """(Model.field, FieldInfo) of every int or float field of every catalog model."""
    found: list[tuple[str, Any]] = []
    seen: set[type[BaseModel]] = set()

    def models_in(annotation: Any) -> list[type[BaseModel]]:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return [annotation]
        return [m for arg in getattr(annotation, "__args__", ()) for m in models_in(arg)]

    def numeric(annotation: Any) -> bool:
        if annotation in (int, float):
            return True
        return any(numeric(arg) for arg in getattr(annotation, "__args__", ()))

    def walk(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            if numeric(info.annotation) and not str(info.annotation).startswith("typing.Literal"):
                found.append((f"{model.__name__}.{name}", info))
            for inner in models_in(info.annotation):
                walk(inner)

    for model in KINDS.values():
        walk(model)
    return found


def _upper_bound(info: Any) -> bool:
    """A ``le``/``lt`` constraint or a ``plausible()`` range, on the field or its type."""
    metadata = list(info.metadata)
    for arg in getattr(info.annotation, "__args__", ()):
        metadata += getattr(arg, "__metadata__", ())
    for item in metadata:
        if getattr(item, "le", None) is not None or getattr(item, "lt", None) is not None:
            return True
        if isinstance(item, Plausible):
            return True
    return False


def test_every_numeric_field_is_finite_and_bounded() -> None:
    fields = _numeric_fields()
    assert len(fields) > 40
    unbounded = [name for name, info in fields if not _upper_bound(info)]
    assert unbounded == []
    for model in KINDS.values():
        assert model.model_config.get("allow_inf_nan") is False, model.__name__


def test_api_json_is_strict() -> None:
    assert dump({"price": 1.5}) == '{"price":1.5}\n'
    for bad in (math.inf, -math.inf, math.nan):
        with pytest.raises(ValueError):
            dump({"price": bad})


def _point(measured: float, predicted: float | None) -> AccuracyPoint:
    return AccuracyPoint(
        benchmark="b",
        runtime="llama-cpp",
        metric="decode_tok_s",
        hardware="1x rtx-4090",
        model="m",
        quant="Q4_K_M",
        prompt_tokens=0,
        gen_tokens=128,
        measured=measured,
        predicted=predicted,
        verdict="fits",
    )


def test_accuracy_statistics_are_finite_or_null(catalog_dir: Path) -> None:
    points = [_point(math.inf, 4.5), _point(10.0, math.nan), _point(10.0, math.inf)]
    assert [p.error for p in points] == [None, None, None]
    assert accuracy_table(points) == []
    points.append(_point(10.0, 11.0))
    rows = accuracy_table(points)
    assert [(r.count, r.median_abs_pct) for r in rows] == [(1, 10.0)]
    json.dumps([asdict(r) for r in rows] + [p.error for p in points], allow_nan=False)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_accuracy_points_never_carry_a_non_finite_prediction(catalog_dir: Path, bad: float) -> None:
    (catalog_dir / "benchmarks" / "example-bench.yaml").write_text(MEASURED.format(value="12.5"))
    catalog = load_catalog(catalog_dir)

    def estimator(_catalog: Any, _config: Any) -> Any:
        figures = (
            "decode_tok_s",
            "prefill_tok_s",
            "ttft_ms",
            "aggregate_decode_tok_s",
            "output_tok_s",
            "power_w",
        )
        return SimpleNamespace(**dict.fromkeys(figures, bad), verdict="fits", calibrated=())

    [point] = accuracy_points(catalog, estimator)
    assert (point.measured, point.predicted, point.error) == (12.5, None, None)
    json.dumps({**asdict(point), "error": point.error}, allow_nan=False)


# 2. Huge integers ------------------------------------------------------------------------------


def test_huge_integer_is_located(catalog_dir: Path, mutate: Mutate) -> None:
    mutate("gpus/rtx-4090.yaml", "vram_gib: 24", "vram_gib: " + "9" * 5000)
    assert problems(catalog_dir) == [
        "gpus/rtx-4090.yaml:8:11: number too large (5000 digits)",
    ]


def test_large_integer_within_python_limit_hits_the_bound(
    catalog_dir: Path, mutate: Mutate
) -> None:
    mutate("models/llama-3.1-8b-instruct.yaml", "hidden_size: 4096", "hidden_size: " + "9" * 400)
    found = problems(catalog_dir)
    assert found == [
        "models/llama-3.1-8b-instruct.yaml:9:14: hidden_size: Input should be less than or "
        "equal to 65536"
    ]


def test_huge_integer_for_a_float_field(catalog_dir: Path, mutate: Mutate) -> None:
    mutate("gpus/rtx-4090.yaml", "vram_gib: 24", "vram_gib: 1" + "0" * 400)
    assert problems(catalog_dir) == ["gpus/rtx-4090.yaml:8:11: vram_gib: number too large"]


# 3. Unreadable and oversized files -------------------------------------------------------------


def _refuse_opening(monkeypatch: pytest.MonkeyPatch, target: Path, error: Exception) -> None:
    """Make every way of opening ``target`` raise ``error`` (root reads anything otherwise)."""
    real_open = builtins.open

    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | os.PathLike) and Path(file).resolve() == target.resolve():
            raise error
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
        (OSError(errno.EIO, "Input/output error"), "Input/output error"),
    ],
)
def test_unreadable_file(
    catalog_dir: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, reason: str
) -> None:
    target = catalog_dir / "gpus" / "rtx-4090.yaml"
    _refuse_opening(monkeypatch, target, error)
    assert problems(catalog_dir) == [f"gpus/rtx-4090.yaml:1:1: cannot read the file ({reason})"]


def test_oversized_file_is_refused_before_reading(
    catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = catalog_dir / "gpus" / "rtx-4090.yaml"
    os.truncate(target, 2 << 30)  # sparse: 2 GiB that costs no disk
    _refuse_opening(monkeypatch, target, AssertionError("read before its size was checked"))
    assert problems(catalog_dir) == [
        f"gpus/rtx-4090.yaml:1:1: file is larger than {MAX_BYTES} bytes ({2 << 30} bytes)"
    ]


def test_dangling_symlink_inside_the_catalog(catalog_dir: Path) -> None:
    (catalog_dir / "gpus" / "gone.yaml").symlink_to("missing.yaml")
    assert problems(catalog_dir) == [
        "gpus/gone.yaml:1:1: cannot read the file (No such file or directory)"
    ]


# 4. Control characters and IDs -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "memory_type: GDDR6X",
            "memory_type: GDDR\x076X",
            "gpus/rtx-4090.yaml:9:18: control character U+0007 is not allowed",
            id="bell",
        ),
        pytest.param(
            "memory_type: GDDR6X",
            "memory_type: GDDR6X\x1b[2J",
            "gpus/rtx-4090.yaml:9:20: control character U+001B is not allowed",
            id="escape",
        ),
        pytest.param(
            "memory_type: GDDR6X",
            "memory_type: GDDR6X\x85",
            "gpus/rtx-4090.yaml:9:20: control character U+0085 is not allowed",
            id="c1",
        ),
        pytest.param(
            "memory_type: GDDR6X",
            "memory_type: GDDR6X\rx",
            "gpus/rtx-4090.yaml:9:20: control character U+000D is not allowed",
            id="lone-carriage-return",
        ),
        pytest.param(
            "memory_type: GDDR6X",
            'memory_type: "GDDR\\x006X"',
            "gpus/rtx-4090.yaml:9:14: control character U+0000 is not allowed",
            id="escaped-in-quotes",
        ),
    ],
)
def test_control_character_is_located(
    catalog_dir: Path, mutate: Mutate, old: str, new: str, expected: str
) -> None:
    mutate("gpus/rtx-4090.yaml", old, new)
    assert problems(catalog_dir) == [expected]


def test_a_file_full_of_control_characters_lists_the_first_few(catalog_dir: Path) -> None:
    (catalog_dir / "gpus" / "rtx-4090.yaml").write_text("a: " + "\x01" * 100_000 + "\n")
    found = problems(catalog_dir)
    assert len(found) == MAX_CHARACTER_ISSUES + 1
    assert found[0] == "gpus/rtx-4090.yaml:1:4: control character U+0001 is not allowed"
    assert found[-1] == (
        f"gpus/rtx-4090.yaml:1:{4 + MAX_CHARACTER_ISSUES}: more refused characters follow; "
        f"the first {MAX_CHARACTER_ISSUES} are listed"
    )


def test_crlf_line_ends_and_tabs_in_text_are_fine(catalog_dir: Path) -> None:
    path = catalog_dir / "gpus" / "rtx-4090.yaml"
    text = path.read_text().replace("memory_type: GDDR6X", 'memory_type: "GDDR\\t6X"')
    path.write_bytes(text.replace("\n", "\r\n").encode())
    assert load_catalog(catalog_dir).gpus["rtx-4090"].memory_type == "GDDR\t6X"


def test_file_name_with_trailing_newline_is_not_an_id(catalog_dir: Path, mutate: Mutate) -> None:
    (catalog_dir / "gpus" / "rtx-3090.yaml").rename(catalog_dir / "gpus" / "rtx-3090\n.yaml")
    mutate("combos/dual-rtx-4090.yaml", "gpu: rtx-4090", 'gpu: "rtx-3090\\n"')
    found = problems(catalog_dir)
    assert (
        "gpus/rtx-3090\\n.yaml:1:1: file name 'rtx-3090\\n' is not a valid ID "
        "(^[a-z0-9][a-z0-9.\\-]*[a-z0-9]$)" in found
    )
    assert (
        "combos/dual-rtx-4090.yaml:5:10: gpus[0].gpu: String should match pattern "
        "'^[a-z0-9][a-z0-9.\\-]*[a-z0-9]$' (an ID has no spaces or line breaks)" in found
    )


@pytest.mark.parametrize(
    ("rel", "old", "new", "where"),
    [
        ("combos/dual-rtx-4090.yaml", "interconnect: pcie-4.0-x16", 'interconnect: "pcie-4.0-x16 "',
         "combos/dual-rtx-4090.yaml:7:15: interconnect"),
        ("stacks/example-stack.yaml", "quant: Q4_K_M", 'quant: "Q4_K_M\\n"',
         "stacks/example-stack.yaml:8:10: workload.quant"),
        ("benchmarks/example-bench.yaml", "runtime: llama-cpp", "runtime: ' llama-cpp'",
         "benchmarks/example-bench.yaml:10:10: runtime"),
    ],
)  # fmt: skip
def test_reference_with_whitespace_is_refused(
    catalog_dir: Path, mutate: Mutate, rel: str, old: str, new: str, where: str
) -> None:
    mutate(rel, old, new)
    found = [p for p in problems(catalog_dir) if p.startswith(where)]
    assert len(found) == 1
    assert found[0].endswith("(an ID has no spaces or line breaks)")


def test_unprintable_file_names_are_escaped(catalog_dir: Path) -> None:
    (catalog_dir / "gpus" / "rtx-3090.yaml").rename(catalog_dir / "gpus" / "rtx-\u202e3090.yaml")
    (catalog_dir / "gpus" / "rtx-5090.yaml").rename(catalog_dir / "gpus" / "rtx-\udcff.yaml")
    found = problems(catalog_dir)
    assert (
        "gpus/rtx-\\u202e3090.yaml:1:1: file name 'rtx-\\u202e3090' is not a valid ID "
        "(^[a-z0-9][a-z0-9.\\-]*[a-z0-9]$)" in found
    )
    assert any(p.startswith("gpus/rtx-\\udcff.yaml:1:1: file name") for p in found)
    "\n".join(found).encode("utf-8")  # printable on any terminal


# 5. Symlinks -----------------------------------------------------------------------------------


def test_symlinked_file_outside_the_catalog_is_refused(catalog_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text((catalog_dir / "gpus" / "rtx-4090.yaml").read_text())
    (catalog_dir / "gpus" / "rtx-4080.yaml").symlink_to(outside)
    assert problems(catalog_dir) == [
        "gpus/rtx-4080.yaml:1:1: symbolic link to a target outside the catalog folder; "
        "links may only point inside catalog/"
    ]


def test_symlinked_folder_outside_the_catalog_is_refused(catalog_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    (catalog_dir / "benchmarks").rename(outside)
    (catalog_dir / "benchmarks").symlink_to(outside, target_is_directory=True)
    assert problems(catalog_dir) == [
        "benchmarks:1:1: symbolic link to a target outside the catalog folder; "
        "links may only point inside catalog/"
    ]


def test_symlink_inside_the_catalog_is_allowed(catalog_dir: Path) -> None:
    (catalog_dir / "gpus" / "rtx-4080.yaml").symlink_to("rtx-4090.yaml")
    catalog = load_catalog(catalog_dir)
    assert catalog.gpus["rtx-4080"] == catalog.gpus["rtx-4090"]


def test_symlink_loop_is_located(catalog_dir: Path) -> None:
    (catalog_dir / "gpus" / "a.yaml").symlink_to("b.yaml")
    (catalog_dir / "gpus" / "b.yaml").symlink_to("a.yaml")
    found = problems(catalog_dir)
    assert [p.split(": ")[0] for p in found] == ["gpus/a.yaml:1:1", "gpus/b.yaml:1:1"]
    assert all("cannot read the file" in p for p in found)


# 6. Bidirectional control characters -----------------------------------------------------------


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        pytest.param(
            "name: NVIDIA \u202eRTX 4090",
            "gpus/rtx-4090.yaml:2:14: bidirectional control character U+202E "
            "(RIGHT-TO-LEFT OVERRIDE) is not allowed: it can make text read differently "
            "from what it is",
            id="raw",
        ),
        pytest.param(
            "name: NVIDIA RTX 4090  # \u2066hidden\u2069",
            "gpus/rtx-4090.yaml:2:26: bidirectional control character U+2066 "
            "(LEFT-TO-RIGHT ISOLATE) is not allowed: it can make text read differently "
            "from what it is",
            id="in-a-comment",
        ),
        pytest.param(
            'name: "NVIDIA \\u200fRTX 4090"',
            "gpus/rtx-4090.yaml:2:7: bidirectional control character U+200F "
            "(RIGHT-TO-LEFT MARK) is not allowed: it can make text read differently "
            "from what it is",
            id="escaped",
        ),
    ],
)
def test_bidirectional_control_character_is_refused(
    catalog_dir: Path, mutate: Mutate, new: str, expected: str
) -> None:
    mutate("gpus/rtx-4090.yaml", "name: NVIDIA GeForce RTX 0000  # marketing name", new)
    found = problems(catalog_dir)
    assert expected in found
    assert len([p for p in found if "bidirectional" in p]) == len(
        [c for c in new if c in "\u202e\u2066\u2069"]
    ) + new.count("\\u200f")


# 7. A schema error does not hide the same file's reference errors ------------------------------


def test_schema_error_does_not_hide_reference_errors(catalog_dir: Path, mutate: Mutate) -> None:
    mutate("combos/dual-rtx-4090.yaml", "psu_w: 1500", "psu_w: lots")
    mutate("combos/dual-rtx-4090.yaml", "gpu: rtx-4090", "gpu: rtx-4009")
    assert problems(catalog_dir) == [
        "combos/dual-rtx-4090.yaml:5:10: gpus[0].gpu: unknown GPU 'rtx-4009' "
        "(did you mean 'rtx-4090'?)",
        "combos/dual-rtx-4090.yaml:13:8: psu_w: Input should be a valid number",
    ]
