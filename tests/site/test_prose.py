"""The prose check: hand-typed speed figures fail the build, with the engine's figures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.cli import main
from site_builder.errors import CatalogError
from site_builder.site import prose
from site_builder.site.build import build
from site_builder.site.claims import find_claims, mentioned, without_templates
from site_builder.site.evaluate import evaluate
from site_builder.site.sitedata import SiteData
from tests.site.conftest import CATALOG, CONTENT, copy_catalog, fixture_layout

FIX = "let the engine insert it ({{ estimate(...) }} in this Markdown)"
FIX_CATALOG = (
    "remove it: the page shows the engine's figure for the setup beside the text (catalog data "
    "is shown as typed; templates do not run in it)"
)


@pytest.mark.parametrize(
    ("text", "figure", "low", "high", "metric"),
    [
        ("runs at 50-60 tok/s.", "50-60 tok/s", 50, 60, "decode"),
        ("about 25 – 30 tokens/s", "25 – 30 tokens/s", 25, 30, "decode"),
        ("45+ tok/s", "45+ tok/s", 45, 45, "decode"),
        ("1,200 tokens per second of prefill", "1,200 tokens per second", 1200, 1200, "prefill"),
        ("8 users share 400 tok/s in total", "400 tok/s", 400, 400, "aggregate"),
        ("from 10 to 12.5 t/s", "10 to 12.5 t/s", 10, 12.5, "decode"),
        ("it needs about 40 GiB", "needs about 40 GiB", 40, 40, "memory"),
        ("uses 20-22 GiB per card", "uses 20-22 GiB", 20, 22, "memory"),
        ("TTFT is 90 ms", "90 ms", 90, 90, "ttft"),
        ("a time to first token of 1.2 s", "1.2 s", 1200, 1200, "ttft"),
        ("TTFT stays at 80-120 milliseconds", "80-120 milliseconds", 80, 120, "ttft"),
    ],
)
def test_find_claims(text: str, figure: str, low: float, high: float, metric: str) -> None:
    (claim,) = find_claims(text)
    assert (claim.figure, claim.low, claim.high, claim.metric) == (figure, low, high, metric)


@pytest.mark.parametrize(
    "text",
    [
        "{{ est.decode_tok_s }} tok/s",
        "a 24 GB card with 56.25 GB/s links",
        "{{ estimate('dual-rtx-4090', model='m', quant='q', runtime='r').decode_tok_s }} tok/s",
        "56.25 GB/s per direction",
        "a 4090 tokenizer",
    ],
)
def test_template_figures_and_other_units_are_not_claims(text: str) -> None:
    assert list(find_claims(without_templates(text))) == []


def test_claims_are_located_and_keep_their_sentence() -> None:
    text = "# Title\n\nFirst sentence. Llama 3.3 70B on a Dual RTX 4090\nruns at 20 tok/s. Next.\n"
    (claim,) = find_claims(text)
    assert (claim.line, claim.column) == (4, 9)
    assert claim.sentence == "Llama 3.3 70B on a Dual RTX 4090 runs at 20 tok/s"


def test_longest_name_wins() -> None:
    aliases = {"long": ["Llama 3.1 70B Instruct"], "short": ["Llama 3.1 70B"], "x": ["RTX 4090"]}
    assert mentioned("llama-3.1-70b-instruct on an RTX 4090", aliases) == {"long", "x"}
    assert mentioned("Llama 3.1 70B", aliases) == {"short"}
    assert mentioned("Llama 3.1 70B.5", aliases) == set()


@pytest.fixture(scope="module")
def data() -> SiteData:
    catalog = load_catalog(CATALOG)
    return SiteData(catalog, evaluate(catalog, CONTENT), CONTENT)


def problems(data: SiteData, shown: str, text: str, combos: tuple[str, ...] = ()) -> list[str]:
    names = prose.Names.of(data.catalog)
    passage = prose.Passage(shown, text, combos, in_catalog=shown.startswith("catalog/"))
    return [
        f"{c.line}:{c.column}: {message}"
        for c in find_claims(passage.text)
        if (message := prose.problem(data, names, passage, c))
    ]


def test_messages(data: SiteData) -> None:
    text = (
        "Intro.\n\n"
        "On the Dual RTX 4090, Llama 3.3 70B runs at 50-60 tok/s.\n"
        "Llama 3.3 70B on dual-rtx-3090 with llama.cpp decodes at about 17 tok/s.\n"
        "Some box does 40 t/s.\n"
    )
    assert problems(data, "content/guides/claims.md", text) == [
        "3:45: '50-60 tok/s' is typed by hand and contradicts the engine and measurements "
        f"(17.4–21.2 tok/s decode for Llama 3.3 70B Instruct on Dual RTX 4090): {FIX}",
        "4:64: '17 tok/s' is typed by hand (the engine gives 16.2–19.8 tok/s decode for "
        f"Llama 3.3 70B Instruct on Dual RTX 3090 (NVLink)): {FIX}, so it stays true as the "
        "catalog changes",
        f"5:15: '40 t/s' is typed by hand and names no model and hardware combo the build "
        f"can check: {FIX}",
    ]


def test_a_typed_ttft_is_checked_like_a_speed(data: SiteData) -> None:
    text = "Llama 3.3 70B on the Dual RTX 4090 has a TTFT of 5 ms.\n"
    (message,) = problems(data, "content/guides/ttft.md", text)
    assert message.startswith("1:50: '5 ms' is typed by hand and contradicts the engine")
    assert "ms time to first token for Llama 3.3 70B Instruct on Dual RTX 4090" in message


def test_a_combo_file_is_about_its_combo(data: SiteData) -> None:
    text = "summary: Llama 3.3 70B Instruct decodes at 5 tok/s here.\n"
    assert problems(data, "catalog/combos/dual-rtx-4090.yaml", text, ("dual-rtx-4090",)) == [
        "1:44: '5 tok/s' is typed by hand and contradicts the engine and measurements "
        f"(17.4–21.2 tok/s decode for Llama 3.3 70B Instruct on Dual RTX 4090): {FIX_CATALOG}",
    ]


def typed_figures(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of the fixture catalog with a typed speed in a combo's summary, and content with
    one in a guide: (catalog, content, the combo file)."""
    catalog = copy_catalog(tmp_path)
    combo = catalog / "combos" / "dual-rtx-4090.yaml"
    combo.write_text(
        combo.read_text().replace(
            "summary: Two", "summary: Llama 3.3 70B Instruct runs at 50 tok/s. Two"
        )
    )
    content = tmp_path / "content"
    (content / "guides").mkdir(parents=True)
    (content / "guides" / "claims.md").write_text("# Claims\n\nIt does 40 t/s.\n")
    return catalog, content, combo


def test_the_build_fails_on_every_typed_figure(tmp_path: Path) -> None:
    catalog, content, combo = typed_figures(tmp_path)
    with pytest.raises(CatalogError) as failure:
        build(fixture_layout(tmp_path, catalog, content))
    shown = [str(p) for p in failure.value.problems]
    assert len(shown) == 2
    combo_shown = os.path.relpath(combo)
    guide_shown = os.path.relpath(content / "guides" / "claims.md")
    assert shown[0].startswith(f"{combo_shown}:2:41: '50 tok/s' is typed by hand and contra")
    assert shown[1].startswith(f"{guide_shown}:3:9: '40 t/s' is typed by hand and names no")
    assert not (tmp_path / "site").exists()


def test_validate_reports_typed_figures_in_catalog_and_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog, content, combo = typed_figures(tmp_path)
    capsys.readouterr()
    assert main(["validate", "--catalog", str(catalog), "--content", str(content)]) == 1
    shown = capsys.readouterr().err.splitlines()
    assert shown[0].startswith(f"{os.path.relpath(combo)}:2:41: '50 tok/s' is typed by hand")
    assert FIX_CATALOG in shown[0]
    assert shown[1].endswith(
        "'40 t/s' is typed by hand and names no model and hardware combo "
        f"the build can check: {FIX}"
    )
    assert shown[-1] == "error: 1 error in the catalog and 1 error in content"


def test_memory_needs(data: SiteData) -> None:
    text = "Llama 3.3 70B at Q4_K_M needs 20 GB.\nEach card holds 24 GB and the host uses 64 GB.\n"
    assert problems(data, "content/guides/memory.md", text) == [
        "1:25: 'needs 20 GB' is typed by hand and contradicts the engine and measurements "
        "(40.3–49.2 GiB in all (cards and system RAM) for Llama 3.3 70B Instruct on any combo): "
        f"{FIX}",
    ]


def test_a_check_after_an_edit_reads_the_new_text(tmp_path: Path, data: SiteData) -> None:
    """The scans are remembered by text (the live preview runs the check after every edit):
    a figure typed after a first check is found by the next, and gone once removed."""
    content = tmp_path / "content"
    content.mkdir()
    guide = content / "guide.md"
    edited = SiteData(data.catalog, data.results, content)
    runs = []
    for text in ("No figure.\n", "Llama 3.3 70B does 9 tok/s on dual-rtx-4090.\n", "None.\n"):
        guide.write_text(text, encoding="utf-8")
        runs.append([(p.line, p.col) for p in prose.problems(edited, CATALOG)])
    assert runs == [[], [(1, 20)], []]
