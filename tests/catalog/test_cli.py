"""``validate``, ``new`` and ``schema`` as an editor uses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.schema import KINDS
from site_builder.schema_export import catalog_ids, json_schemas, render_schema

from .conftest import Mutate, edited

REPO = Path(__file__).resolve().parents[2]


def test_validate_ok(catalog_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--catalog", str(catalog_dir)]) == 0
    assert capsys.readouterr().out.startswith("catalog OK: 3 gpus, 1 models")


def test_validate_reports_all_then_exits_1(
    catalog_dir: Path, mutate: Mutate, capsys: pytest.CaptureFixture[str]
) -> None:
    mutate("gpus/rtx-4090.yaml", "vram_gib: 24", "vram_gib: 24000")
    mutate("quants/Q4_K_M.yaml", "format: gguf", "format: ggfu")
    assert main(["validate", "--catalog", str(catalog_dir)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3
    assert lines[0].endswith(
        "gpus/rtx-4090.yaml:8:11: vram_gib: implausible value 24000 GiB "
        "(expected 1–1024 GiB; check the unit)"
    )
    assert "quants/Q4_K_M.yaml:3:9: format: Input should be" in lines[1]
    assert lines[1].endswith("(did you mean 'gguf'?)")
    assert lines[2] == "error: 2 errors in the catalog"


@pytest.mark.parametrize("kind", list(KINDS))
def test_new_writes_a_valid_skeleton_with_schema_line(catalog_dir: Path, kind: str) -> None:
    slug = "Q9_K_X" if kind == "quants" else "brand-new"
    assert main(["new", kind, slug, "--catalog", str(catalog_dir)]) == 0
    path = catalog_dir / kind / f"{slug}.yaml"
    text = path.read_text()
    assert text.splitlines()[0] == (
        f"# yaml-language-server: $schema=../../schema/{kind}.schema.json"
    )
    assert main(["validate", "--catalog", str(catalog_dir)]) == 1  # placeholders unedited
    path.write_text(edited(text))
    assert main(["validate", "--catalog", str(catalog_dir)]) == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["new", "combo", "x"],
            "site-builder new: error: unknown kind 'combo' (did you mean 'combos'?)",
        ),
        (
            ["new", "combos", "Bad_Slug"],
            "site-builder new: error: invalid ID 'Bad_Slug' "
            "for combos (allowed: ^[a-z0-9][a-z0-9.\\-]*[a-z0-9]$)",
        ),
        (
            ["new", "combos", "brand-new\n"],
            "site-builder new: error: invalid ID 'brand-new\\n' "
            "for combos (allowed: ^[a-z0-9][a-z0-9.\\-]*[a-z0-9]$)",
        ),
        (
            ["new", "quants", "Q9_K_X\n"],
            "site-builder new: error: invalid ID 'Q9_K_X\\n' "
            "for quants (allowed: ^[A-Z0-9][A-Za-z0-9_.\\-]*$)",
        ),
        (
            ["new", "gpus", "rtx-9090 "],
            "site-builder new: error: invalid ID 'rtx-9090 ' "
            "for gpus (allowed: ^[a-z0-9][a-z0-9.\\-]*[a-z0-9]$)",
        ),
    ],
)
def test_new_rejects_bad_arguments(
    catalog_dir: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--catalog", str(catalog_dir)]) == 2
    assert capsys.readouterr().err == message + "\n"
    assert sorted(p.name for p in catalog_dir.glob("*/*\n*")) == []


def test_new_refuses_to_overwrite(catalog_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "gpus", "rtx-4090", "--catalog", str(catalog_dir)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_schema_command_writes_every_kind(tmp_path: Path) -> None:
    assert main(["schema", "--out", str(tmp_path)]) == 0
    for kind in KINDS:
        schema = json.loads((tmp_path / f"{kind}.schema.json").read_text())
        assert schema["additionalProperties"] is False
        assert "sources" in schema["required"]


@pytest.mark.parametrize("kind", list(KINDS))
def test_committed_schema_matches_the_models(kind: str) -> None:
    """Regenerate with `make schema` when this fails (after a model change or a new entry)."""
    committed = (REPO / "schema" / f"{kind}.schema.json").read_text()
    expected = render_schema(json_schemas(catalog_ids(REPO / "catalog"))[kind])
    assert committed == expected, "schema/ is stale: run `make schema`"


def test_the_schema_lists_ids_ranges_and_what_measured_needs() -> None:
    ids = catalog_ids(REPO / "catalog")
    combos = json_schemas(ids)["combos"]
    card = combos["$defs"][combos["properties"]["gpus"]["items"]["$ref"].split("/")[-1]]
    assert card["properties"]["gpu"]["enum"] == ids["gpus"] and "rtx-4090" in ids["gpus"]
    assert combos["properties"]["interconnect"]["enum"] == ids["interconnects"]
    gpus = json_schemas(ids)["gpus"]["properties"]
    assert (gpus["vram_gib"]["minimum"], gpus["vram_gib"]["maximum"]) == (1, 1024)
    bench = json_schemas(ids)["benchmarks"]
    measured = bench["allOf"][0]
    assert measured["if"]["properties"]["status"] == {"const": "measured"}
    assert set(measured["then"]["required"]) >= {"runtime_version", "measured_on", "results"}
