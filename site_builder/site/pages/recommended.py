"""The recommender's answers as pages show them: one block per model, one line per answer.

Every page that names a recommended setup (combo, model, compare and stack pages) renders
these blocks, so the runtime, quant, split and figures are the same wherever they appear and
equal ``site-builder recommend``.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.engine.recommend import Answer, answers_of
from site_builder.site import evidence
from site_builder.site.context import Link, model_link, runtime_link, split_words
from site_builder.site.evidence import Shown
from site_builder.site.sitedata import SiteData

TITLES = {
    "fastest": "Fastest",
    "easiest": "Easiest",
    "most_precise": "Most precise",
    "offload": "Runs with offload",
}


@dataclass(frozen=True)
class AnswerLine:
    """One named answer: the setup, its decode figure with evidence, why and warnings."""

    name: str
    title: str
    runtime: Link
    quant: str
    split: str
    decode: Shown
    verdict: str
    why: str
    warnings: list[str]


@dataclass(frozen=True)
class AnswerBlock:
    """A model's answers on one combo (``reason`` when nothing runs)."""

    model: Link
    combo: str
    lines: list[AnswerLine]
    reason: str


def answer_blocks(data: SiteData, combo: str, models: list[str]) -> list[AnswerBlock]:
    """The recommender's answers for ``models`` on ``combo``."""
    return [answer_block(data, combo, model) for model in models]


def answer_block(data: SiteData, combo: str, model: str) -> AnswerBlock:
    recommendation = data.results.recommendation(combo, model)
    lines = [answer_line(data, combo, a) for a in answers_of(recommendation)]
    return AnswerBlock(model_link(data.catalog, model), combo, lines, recommendation.reason)


def answer_line(data: SiteData, combo: str, answer: Answer) -> AnswerLine:
    c = answer.config
    return AnswerLine(
        name=answer.name,
        title=TITLES[answer.name],
        runtime=runtime_link(data.catalog, c.runtime),
        quant=c.quant,
        split=split_words(answer.estimate.split, c.gpus),
        decode=evidence.shown(answer.evidence),
        verdict=answer.estimate.verdict,
        why=answer.why,
        warnings=list(answer.warnings),
    )
