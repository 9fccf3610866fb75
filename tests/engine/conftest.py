"""Fixtures: the catalog snapshot the engine was calibrated on, and helpers to ask it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from site_builder.catalog import Catalog, load_catalog
from site_builder.engine import Config, Estimate, estimate
from site_builder.engine.calibration import RAW_TABLE
from site_builder.engine.estimate import Lookups, estimate_with, prepare
from site_builder.engine.fitting import RawPoint

FIXTURE_CATALOG = Path(__file__).parent / "fixtures" / "catalog"

Ask = Callable[..., Estimate]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The snapshot of catalog/ under tests/engine/fixtures/catalog."""
    return load_catalog(FIXTURE_CATALOG)


@pytest.fixture(scope="session")
def lookups(catalog: Catalog) -> Lookups:
    return prepare(catalog)


def config(
    gpus: str | tuple[tuple[str, int], ...],
    model: str,
    quant: str,
    runtime: str,
    **kwargs: object,
) -> Config:
    """A Config from ``"rtx-4090:2"``-style GPU text (``+`` joins models) and keyword fields."""
    if isinstance(gpus, str):
        pairs = []
        for part in gpus.split("+"):
            slug, _, count = part.partition(":")
            pairs.append((slug, int(count or 1)))
        gpus = tuple(pairs)
    return Config(gpus=gpus, model=model, quant=quant, runtime=runtime, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def ask(catalog: Catalog, lookups: Lookups) -> Ask:
    """``ask("rtx-4090:2", model, quant, runtime, context_tokens=...)`` -> Estimate."""

    def run(gpus: str, model: str, quant: str, runtime: str, **kwargs: object) -> Estimate:
        return estimate(catalog, config(gpus, model, quant, runtime, **kwargs), lookups)

    return run


@pytest.fixture(scope="session")
def ask_raw(catalog: Catalog) -> Ask:
    """``ask`` on the physical model alone (no per-runtime calibration on measurements)."""
    mine = prepare(catalog)

    def run(gpus: str, model: str, quant: str, runtime: str, **kwargs: object) -> Estimate:
        found = config(gpus, model, quant, runtime, **kwargs)
        return estimate_with(catalog, found, RAW_TABLE, mine)

    return run


def point(gpu: str, ratio: float, metric: str = "decode_tok_s", runtime: str = "vllm") -> RawPoint:
    """A measurement at ``ratio`` of the raw engine figure on GPU model ``gpu``."""
    return RawPoint(
        runtime=runtime,
        platform="cuda",
        metric=metric,
        moe=False,
        gpus=(gpu,),
        source=f"s-{gpu}",
        measured=100.0 * ratio,
        predicted=100.0,
    )


def cards(ratios: dict[str, float], each: int = 5, metric: str = "decode_tok_s") -> list[RawPoint]:
    """``each`` measurements per GPU model, at its ratio of the raw figure."""
    return [point(gpu, r, metric) for gpu, r in ratios.items() for _ in range(each)]
