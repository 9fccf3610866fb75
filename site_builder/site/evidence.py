"""Evidence labels of the figures the site shows: measured, measured-near, estimated or
uncalibrated.

The engine decides (:func:`site_builder.engine.evidence.label`): *measured* when a benchmark ran
exactly this configuration, *measured-near* when one ran the same cards and model under other
conditions (its value scaled by the engine's ratio), *estimated* otherwise on a runtime and
metric calibrated on measurements, *uncalibrated* where too few measurements exist, both with
the engine's low/high range. This module formats its answer for the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from site_builder.engine import Estimate
from site_builder.engine import evidence as engine_evidence
from site_builder.engine.recommend import Candidate
from site_builder.site import fmt
from site_builder.site.results import Query, Results, config_for

Label = Literal["measured", "measured-near", "estimated", "uncalibrated"]


@dataclass(frozen=True)
class Shown:
    """A figure ready for a page: formatted value, unit, evidence label and range."""

    text: str
    unit: str
    label: Label
    range: str = ""
    benchmark: str | None = None

    @property
    def is_known(self) -> bool:
        return self.text != fmt.DASH


def decode(results: Results, query: Query, estimate: Estimate) -> Shown:
    """Single-stream decode speed of ``query`` with its evidence."""
    if estimate.decode_tok_s is None:
        return Shown(fmt.DASH, "tok/s", engine_evidence.estimated_label(estimate, "decode_tok_s"))
    return shown(decode_evidence(results, Candidate(config_for(results.catalog, query), estimate)))


def decode_evidence(results: Results, chosen: Candidate) -> engine_evidence.Evidence:
    """The evidence of ``chosen``'s single-stream decode figure (the engine decides)."""
    found = chosen.config, "decode_tok_s", chosen.estimate, results.estimator
    return engine_evidence.label(results.catalog, *found)


def shown(found: engine_evidence.Evidence) -> Shown:
    """A decode figure's evidence, formatted for a page."""
    if found.value is None:
        return Shown(fmt.DASH, "tok/s", "estimated")
    span = ""
    if (
        found.label in ("estimated", "uncalibrated")
        and found.low is not None
        and found.high is not None
    ):
        span = f"{fmt.tok_s(found.low)}–{fmt.tok_s(found.high)}"
    return Shown(fmt.tok_s(found.value), "tok/s", found.label, span, found.benchmark)
