"""A long `estimate --batch` is answered by worker processes: the same bytes, in order."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.commands import estimate as command
from site_builder.commands import parallel

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
    out = io.StringIO()
    command.batch_lines(CATALOG, io.BytesIO(batch()), out)
    return out.getvalue()


def test_workers_answer_the_same_bytes_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    serial = answered(monkeypatch, 1)
    assert answered(monkeypatch, 2) == serial
    rows = serial.splitlines()
    blank = len([i for i in range(command.CHUNK_LINES * 2 + 17) if i % 97 == 0])
    assert len(rows) == command.CHUNK_LINES * 2 + 17 - blank
    assert json.loads(rows[1])["verdict"] == "fits"
    assert "error" in json.loads(rows[89 - 1])  # input line 89; the blank line 0 answers nothing
