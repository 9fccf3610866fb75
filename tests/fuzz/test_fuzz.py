"""The fuzzing harness: mutated catalog files, CLI arguments and batch lines never produce a
traceback, exit codes are the documented ones (0 fine, 1 catalog or build errors, 2 bad
arguments), JSON output is strict (no NaN or Infinity), and a failed build leaves ``site/``
as it was.

Every test counts the inputs it ran into :data:`RAN`; ``make fuzz`` runs the deep profile
(``FUZZ_EXAMPLES``, at least 20,000 inputs in all) and prints the count. CI runs the
deterministic default profile (derandomized, a few hundred inputs).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import traceback
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.catalog import Catalog, load_catalog
from site_builder.cli import main
from site_builder.commands import batch as batch_command
from site_builder.commands import estimate as estimate_command
from site_builder.commands import recommend as recommend_command

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "catalog"
FIXTURE = ROOT / "tests" / "site" / "fixtures" / "catalog"
CONTENT = ROOT / "tests" / "site" / "fixtures" / "content"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
"""Examples per fuzz property (CI: the default; ``make fuzz``: thousands)."""

RAN: Counter[str] = Counter()
"""Inputs run per kind, printed by ``make fuzz`` (see conftest)."""

SHIPPED_FILES = sorted(p.relative_to(SHIPPED).as_posix() for p in SHIPPED.rglob("*.yaml"))

RAW = ["9" * 5000, "1.0e+999", "-.inf", ".nan", "0x1F", "1_000", "128GB", "~", "null", "yes"]
"""Unquoted YAML values: huge and non-finite numbers, YAML 1.1 traps, a unit typed in."""
TRAPS = ["\u202e", "\u2066x\u2069", "\x00", "\x1b[31m", "a\nb", " rtx-4090 "]
"""Strings with bidirectional overrides, control characters, whitespace around an ID."""
HOSTILE_SCALARS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(RAW),
    st.text(max_size=40).map(json.dumps),
    st.sampled_from(TRAPS).map(json.dumps),
    st.just("'{{ x }}'"),
)


def strict_json(text: str) -> Any:
    """Parse ``text`` as JSON, refusing NaN and Infinity."""

    def refuse(name: str) -> Any:
        raise ValueError(f"non-strict JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``site-builder`` in this process: exit code, stdout, stderr; any escaping exception is a
    failure of the harness's property (reported with its traceback)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = int(exc.code) if isinstance(exc.code, int) else 2
        except BaseException:
            pytest.fail(f"traceback for {argv!r}:\n{traceback.format_exc()}")
    assert "Traceback" not in err.getvalue(), (argv, err.getvalue())
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def fixture_copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A small catalog (the site fixtures) that each catalog example adds one mutated shipped
    file to."""
    folder = tmp_path_factory.mktemp("fuzz-catalog") / "catalog"
    shutil.copytree(FIXTURE, folder)
    yield folder


def mutate(text: str, data: st.DataObject) -> str:
    """One mutation of a YAML text: bytes, structure, numbers or strings."""
    kind = data.draw(st.sampled_from(["byte", "value", "line", "key", "truncate"]))
    lines = text.splitlines(keepends=True)
    if kind == "byte" and text:
        at = data.draw(st.integers(0, len(text) - 1))
        char = data.draw(st.characters(codec="utf-8"))
        return text[:at] + char + text[at + 1 :]
    if kind == "truncate":
        return text[: data.draw(st.integers(0, len(text)))]
    values = [
        i for i, line in enumerate(lines) if ":" in line and not line.lstrip().startswith("#")
    ]
    if not values:
        return text + "\n"
    i = data.draw(st.sampled_from(values))
    key, _, _ = lines[i].partition(":")
    if kind == "value":
        lines[i] = f"{key}: {data.draw(HOSTILE_SCALARS)}\n"
    elif kind == "line":
        del lines[i]
    else:
        lines[i] = f"{key}x{lines[i][len(key) :]}"
    return "".join(lines)


@settings(max_examples=EXAMPLES)
@given(name=st.sampled_from(SHIPPED_FILES), data=st.data())
def test_mutated_catalog_files_give_located_errors_never_a_traceback(
    fixture_copy: Path, name: str, data: st.DataObject
) -> None:
    text = (SHIPPED / name).read_text(encoding="utf-8")
    target = fixture_copy / name
    existed = target.read_text(encoding="utf-8") if target.is_file() else None
    target.write_text(mutate(text, data), encoding="utf-8")
    try:
        code, _, err = run_cli(["validate", "--catalog", str(fixture_copy)])
    finally:
        if existed is None:
            target.unlink()
        else:
            target.write_text(existed, encoding="utf-8")
    RAN["catalog files"] += 1
    assert code in (0, 1), err
    if code == 1:
        assert any(line.count(":") >= 3 for line in err.splitlines()), err


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(SHIPPED)


@pytest.fixture(autouse=True)
def cached_catalog(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI commands load the shipped catalog once for the whole module (the arguments are
    what is fuzzed, not the loader)."""
    monkeypatch.setattr(estimate_command, "load_cached", lambda _: catalog)
    monkeypatch.setattr(recommend_command, "load_cached", lambda _: catalog)


IDS = st.sampled_from(["rtx-4090", "rtx-4090:2", "llama-3.3-70b-instruct", "Q4_K_M", "vllm"])
ARG = st.one_of(
    IDS,
    st.text(max_size=12),
    st.integers(-(10**15), 10**15).map(str),
    st.sampled_from(["rtx-4090:¹", "rtx-4090:٣", "1_000", "10" * 2200, "", "-1", "0"]),
)
OPTIONS = ["--combo", "--gpu", "--model", "--quant", "--runtime", "--split", "--context"]
OPTIONS += ["--prompt", "--gen", "--concurrency", "--kv-cache", "--interconnect", "--workload"]


@settings(max_examples=EXAMPLES * 3)
@given(
    command=st.sampled_from(["estimate", "recommend"]),
    pairs=st.lists(st.tuples(st.sampled_from(OPTIONS), ARG), max_size=7),
    json_flag=st.booleans(),
)
def test_cli_arguments_exit_0_or_2_with_one_line(
    command: str, pairs: list[tuple[str, str]], json_flag: bool
) -> None:
    argv = [command] + [part for pair in pairs for part in pair] + (["--json"] if json_flag else [])
    code, out, err = run_cli(argv)
    RAN["cli arguments"] += 1
    assert code in (0, 2), (argv, err)
    if code == 2:
        assert len(err.strip().splitlines()) == 1, (argv, err)
    elif json_flag:
        strict_json(out)


BATCH_FIELDS = st.dictionaries(
    st.sampled_from(["gpu", "combo", "model", "quant", "runtime", "context", "prompt", "gen"]),
    st.one_of(IDS, st.integers(-(10**6), 10**7), st.text(max_size=8), st.none(), st.lists(IDS)),
    max_size=8,
)
LINES = st.one_of(
    BATCH_FIELDS.map(lambda d: json.dumps(d).encode()),
    st.binary(max_size=60),
    st.sampled_from([b"DEEP", b"HUGE"]),
    st.just(
        b'{"model": "llama-3.3-70b-instruct", "quant": "Q4_K_M", "runtime": "llama-cpp", '
        b'"combo": "dual-rtx-4090"}'
    ),
)


@settings(max_examples=EXAMPLES)
@given(lines=st.lists(LINES, min_size=1, max_size=6))
def test_batch_answers_every_line_with_strict_json(catalog: Catalog, lines: list[bytes]) -> None:
    expand = {
        b"DEEP": b"[" * 100_000 + b"]" * 100_000,
        b"HUGE": b'{"context": ' + b"9" * 5000 + b"}",
    }
    flat = [expand.get(line, line).replace(b"\n", b" ").replace(b"\r", b" ") for line in lines]
    raw = b"\n".join(flat) + b"\n"
    out = io.BytesIO()
    try:
        batch_command.batch_lines(catalog, io.BytesIO(raw), out)
    except BaseException:
        pytest.fail(f"traceback for a batch:\n{traceback.format_exc()}")
    asked = [line for line in raw.split(b"\n")[:-1] if line.strip()]
    answers = out.getvalue().decode("utf-8").split("\n")  # JSON Lines: lines end at \n only
    assert answers.pop() == ""
    RAN["batch lines"] += len(asked)
    assert len(answers) == len(asked)
    for answer in answers:
        assert isinstance(strict_json(answer), dict)


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(path.relative_to(folder).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz-site")
    shutil.copytree(FIXTURE, folder / "catalog")
    code, _, err = run_cli(build_argv(folder))
    assert code == 0, err
    return folder


def build_argv(folder: Path) -> list[str]:
    return [
        "build",
        "--root",
        str(ROOT),
        "--catalog",
        str(folder / "catalog"),
        "--content",
        str(CONTENT),
        "--site",
        str(folder / "site"),
        "--work",
        str(folder / "work"),
    ]


@settings(max_examples=min(max(EXAMPLES // 12, 5), 40))
@given(
    name=st.sampled_from(
        sorted(p.relative_to(FIXTURE).as_posix() for p in FIXTURE.rglob("*.yaml"))
    ),
    data=st.data(),
)
def test_a_failed_build_leaves_the_site_as_it_was(
    built_site: Path, name: str, data: st.DataObject
) -> None:
    target = built_site / "catalog" / name
    original = target.read_text(encoding="utf-8")
    before = tree_digest(built_site / "site")
    target.write_text(mutate(original, data), encoding="utf-8")
    try:
        code, _, err = run_cli(build_argv(built_site))
    finally:
        target.write_text(original, encoding="utf-8")
    RAN["builds"] += 1
    assert code in (0, 1), err
    if code == 1:
        assert tree_digest(built_site / "site") == before
