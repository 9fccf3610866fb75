"""Per-card slots: a combo states each card's PCIe slot (x16/x8/x4, CPU or chipset lanes); the
engine runs card-to-card PCIe traffic at the slowest slot's rate, and the topology diagram
draws what was entered."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from site_builder.catalog import Catalog, load_catalog
from site_builder.engine import config_for_combo, estimate
from site_builder.engine.plan import hardware_of
from site_builder.errors import CatalogError
from site_builder.schema.combo import Slot
from site_builder.site.pages.combo_hardware import topology
from site_builder.site.sitedata import SiteData

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(ROOT / "catalog")


def with_slots(catalog: Catalog, combo: str, slots: list[tuple[str, str]] | None) -> Catalog:
    entry = catalog.combos[combo].model_copy(
        update={"slots": None if slots is None else [Slot(link=a, via=b) for a, b in slots]}
    )  # type: ignore[arg-type]
    return dataclasses.replace(catalog, combos={**catalog.combos, combo: entry})


def link_of(catalog: Catalog, combo: str) -> tuple[str, float]:
    config = config_for_combo(catalog, combo, model="llama-3.1-8b-instruct", quant="Q4_K_M",
                              runtime="llama-cpp")  # fmt: skip
    link = hardware_of(catalog, config).link
    return link.name, link.bandwidth_gb_s


def test_the_triple_3090_runs_at_its_chipset_x4_slot() -> None:
    assert link_of(CATALOG, "triple-rtx-3090") == ("PCIe 4.0 x4 (chipset lanes)", 7.875)


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        (None, 15.75),  # the combo's interconnect: PCIe 4.0 x8
        ([("pcie-4.0-x16", "cpu"), ("pcie-4.0-x16", "cpu")], 31.5),
        ([("pcie-4.0-x16", "cpu"), ("pcie-4.0-x4", "chipset")], 7.875),
        ([("pcie-3.0-x8", "cpu"), ("pcie-4.0-x16", "cpu")], 7.88),
    ],
)
def test_the_slowest_slot_sets_the_card_to_card_rate(
    slots: list[tuple[str, str]] | None, expected: float
) -> None:
    catalog = with_slots(CATALOG, "dual-rtx-4090", slots)
    assert link_of(catalog, "dual-rtx-4090")[1] == pytest.approx(expected, abs=0.01)


def test_a_slower_slot_slows_tensor_parallel_decode() -> None:
    fast = with_slots(CATALOG, "dual-rtx-4090", [("pcie-4.0-x16", "cpu")] * 2)
    slow = with_slots(
        CATALOG, "dual-rtx-4090", [("pcie-4.0-x16", "cpu"), ("pcie-4.0-x4", "chipset")]
    )
    kwargs = dict(model="llama-3.3-70b-instruct", quant="AWQ-INT4", runtime="vllm")
    a = estimate(fast, config_for_combo(fast, "dual-rtx-4090", **kwargs))  # type: ignore[arg-type]
    b = estimate(slow, config_for_combo(slow, "dual-rtx-4090", **kwargs))  # type: ignore[arg-type]
    assert a.decode_tok_s and b.decode_tok_s and b.decode_tok_s < a.decode_tok_s
    assert any("7.875 GB/s" in line for line in b.assumptions)


def test_nvlink_pairs_keep_their_bridge_whatever_the_slots() -> None:
    catalog = with_slots(
        CATALOG, "dual-rtx-3090", [("pcie-4.0-x8", "cpu"), ("pcie-4.0-x4", "chipset")]
    )
    assert link_of(catalog, "dual-rtx-3090") == link_of(CATALOG, "dual-rtx-3090")


def test_the_diagram_draws_each_slot() -> None:
    svg = topology(SiteData(CATALOG, None, ROOT / "content"), "triple-rtx-3090",  # type: ignore[arg-type]
                   CATALOG.combos["triple-rtx-3090"])  # fmt: skip
    assert svg.count(">PCIe 4.0 x8 · cpu<") == 2 and svg.count(">PCIe 4.0 x4 · chipset<") == 1
    assert "slowest slot PCIe 4.0 x4 (chipset lanes): 7.875 GB/s per direction" in svg
    assert ">CPU / PCIe root · AM5 X670E<" in svg  # the host's name, not its slot list


@pytest.mark.parametrize(
    ("slots", "message"),
    [
        (
            "slots:\n- link: pcie-4.0-x8\n  via: cpu\n",
            "slots: 1 slots for 2 cards: list one slot per card of one machine, in the order of "
            "gpus",
        ),
        (
            "slots:\n- link: pcie-4.0-x8\n  via: cpu\n- link: nvlink-3.0-bridge\n  via: cpu\n",
            "slots[1].link: 'nvlink-3.0-bridge' is a nvlink link, not a PCIe slot: name the slot's "
            "PCIe generation and width (e.g. pcie-4.0-x8)",
        ),
        (
            "slots:\n- link: pcie-4.0-x8\n  via: cpu\n- link: pcie-4.0-x9\n  via: cpu\n",
            "slots[1].link: unknown interconnect 'pcie-4.0-x9' (did you mean 'pcie-4.0-x8'?)",
        ),
        (
            "slots:\n- link: pcie-4.0-x8\n  via: cpu\n- link: pcie-4.0-x8\n  via: bios\n",
            "slots[1].via: Input should be 'cpu' or 'chipset'",
        ),
    ],
)
def test_slot_mistakes(tmp_path: Path, slots: str, message: str) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(ROOT / "catalog", catalog)
    path = catalog / "combos" / "dual-rtx-4090.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("pcie_p2p:", slots + "pcie_p2p:", 1), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog)
    found = [str(p) for p in caught.value.problems]
    assert len(found) == 1 and found[0].endswith(message), found
