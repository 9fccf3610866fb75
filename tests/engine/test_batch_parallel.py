"""A long `estimate --batch` is answered by worker processes: the same bytes, in order."""

from __future__ import annotations

import io
import json
import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.commands import batch as command
from site_builder.commands import parallel
from site_builder.errors import BuildError

CATALOG = load_catalog(Path(__file__).resolve().parents[2] / "catalog")
GOOD = {"gpu": "rtx-4090", "model": "llama-3-8b", "quant": "Q4_K_M", "runtime": "llama-cpp"}


def batch() -> bytes:
    """More than two chunks of distinct lines, with blank, broken and wrong lines among them."""
    lines = []
    for i in range(command.CHUNK_LINES * 2 + 17):
        if i % 97 == 0:
            lines.append("")
        elif i % 89 == 0:
            lines.append("{not json")
        elif i % 83 == 0:
            lines.append(json.dumps({**GOOD, "model": "no-such-model"}))
        else:
            lines.append(json.dumps({**GOOD, "context": 1024 + i}))
    return ("\n".join(lines) + "\n").encode()


def answered(monkeypatch: pytest.MonkeyPatch, workers: int) -> str:
    monkeypatch.setattr(parallel, "workers", lambda: workers)
    out = io.BytesIO()
    command.batch_lines(CATALOG, io.BytesIO(batch()), out)
    return out.getvalue().decode("utf-8")


def test_workers_answer_the_same_bytes_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    serial = answered(monkeypatch, 1)
    assert answered(monkeypatch, 2) == serial
    rows = serial.split("\n")[:-1]
    blank = len([i for i in range(command.CHUNK_LINES * 2 + 17) if i % 97 == 0])
    assert len(rows) == command.CHUNK_LINES * 2 + 17 - blank
    assert json.loads(rows[1])["verdict"] == "fits"
    assert "error" in json.loads(rows[89 - 1])  # input line 89; the blank line 0 answers nothing


def _double(n: int) -> int:
    return n * 2


def _children() -> set[multiprocessing.process.BaseProcess]:
    """This process's live children (those of tests run before in it included)."""
    return set(multiprocessing.active_children())


def test_a_reader_that_stops_early_leaves_no_worker_behind() -> None:
    before = _children()
    answers = parallel.ordered_map(_double, iter(range(100_000)), 2)
    assert [next(answers) for _ in range(3)] == [0, 2, 4]
    answers.close()  # the CLI's reader closed stdout: no waiting on the workers
    assert _children() - before == set()


def test_an_input_error_comes_after_the_answers_before_it() -> None:
    def items() -> Iterator[int]:
        yield from range(5)
        raise ValueError("unreadable line")

    got: list[int] = []
    before = _children()
    with pytest.raises(ValueError, match="unreadable line"):
        for answer in parallel.ordered_map(_double, items(), 2):
            got.append(answer)
    assert got == [0, 2, 4, 6, 8]
    assert _children() - before == set()


def test_a_failing_worker_fails_the_map() -> None:
    def broken(n: int) -> int:
        if n == 3:
            raise RuntimeError("engine bug")
        return n

    before = _children()
    with pytest.raises(BuildError, match="RuntimeError: engine bug"):
        list(parallel.ordered_map(broken, iter(range(10)), 2))
    assert _children() - before == set()
