"""The named answers the site shows follow their rules for every model on every shipped combo:
the shipped site's own recommendations, read back from its build, so the whole catalog is not
evaluated again (``test_one_answer`` holds the pages' answers to what ``site-builder
recommend`` computes; ``tests/engine/test_recommend.py`` asks the recommender itself). A
stored recommendation is kept without its candidates: they are the recommender's candidates
again, with the results of them the build stored on the combo's shelf."""

from __future__ import annotations

import pytest

from site_builder.catalog import load_catalog
from site_builder.engine.recommend import IN_VRAM, Candidate, passes_floor, weakness
from site_builder.site.results import Results
from site_builder.site.sweep import asked_of
from tests.site.conftest import ROOT

CATALOG = load_catalog(ROOT / "catalog")


@pytest.mark.parametrize("combo", sorted(CATALOG.combos))
def test_rules_hold_for_every_model(combo: str, shipped_results: Results) -> None:
    asked = asked_of(CATALOG, [combo])
    shelf = shipped_results.shelf(combo)
    assert shelf is not None
    for model in CATALOG.models:
        rec = shipped_results.recommendation(combo, model)
        found = {q: shelf.get(q) for q in asked[(combo, model)]}
        assert None not in found.values()
        candidates = [Candidate(c, e) for q, c in asked[(combo, model)].items() if (e := found[q])]
        in_vram = [c for c in candidates if c.estimate.verdict in IN_VRAM]
        if in_vram:
            assert "offload" not in rec.answers, (combo, model)
            assert rec.answers["fastest"].estimate.verdict in IN_VRAM
        else:
            assert set(rec.answers) <= {"offload"}, (combo, model)
        for answer in rec.answers.values():
            if not passes_floor(CATALOG, answer.config):
                assert any("quality" in w for w in answer.warnings), (combo, model, answer.name)
                assert not any(
                    passes_floor(CATALOG, c.config)
                    for c in candidates
                    if c.estimate.verdict == answer.estimate.verdict
                ), (combo, model, answer.name)
        if "fastest" in rec.answers:
            top = rec.answers["fastest"].estimate.decode_tok_s or 0.0
            pool = [c for c in in_vram if passes_floor(CATALOG, c.config)] or in_vram
            assert all(round(c.estimate.decode_tok_s or 0.0, 1) <= round(top, 1) for c in pool)
        if not rec.answers:
            assert rec.reason
            supported = any(c.estimate.verdict != "unsupported" for c in candidates)
            assert rec.verdict == ("no-fit" if supported else "unsupported"), (combo, model)
            opening = "does not fit" if supported else "not supported"
            assert weakness(rec).startswith(opening), (combo, model)
