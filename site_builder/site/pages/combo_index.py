"""``/hardware-combos/``: every combo as a card (usable/total VRAM, power, price), filterable
and sortable with a few lines of JavaScript, plus a plain table that reads without it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from site_builder.site import fmt, paging, urls
from site_builder.site.costs import headline_price
from site_builder.site.pages import combo_hardware
from site_builder.site.sitedata import Page, SiteData


@dataclass(frozen=True)
class ComboCard:
    """One combo as the index shows it; ``*_value`` fields feed the filter's data attributes."""

    name: str
    href: str
    url: str
    cards: str
    interconnect: str
    interconnect_kind: str
    total: str
    usable: str
    power: str
    price: str
    usable_value: float
    power_value: float
    price_value: float


@dataclass(frozen=True)
class ComboIndex:
    cards: Sequence[ComboCard]
    parts: paging.Parts = paging.WHOLE
    """Where the list continues when the catalog has many combos."""


def pages(data: SiteData) -> Iterator[Page]:
    path = urls.index("hardware-combos")
    cards, parts, more = paging.continued(
        path,
        combo_cards(data, path),
        "Hardware combos",
        "_combo_list.md.j2",
        "Every multi-GPU and single-GPU build in the catalog: usable VRAM, interconnect, power "
        "and price.",
    )
    yield Page(path, "combo_index.md.j2", ComboIndex(cards, parts))
    yield from more


def combo_cards(data: SiteData, from_path: str) -> list[ComboCard]:
    """A card per combo, its link relative to the page at ``from_path``."""
    return [_card(data, slug, from_path) for slug in data.catalog.combos]


def _card(data: SiteData, slug: str, from_path: str) -> ComboCard:
    combo = data.catalog.combos[slug]
    pick = data.results.worked_example(slug)
    usable = combo_hardware.total(
        combo_hardware.usable_gib(data, combo, pick.estimate if pick else None)
    )
    gpus = combo_hardware.cards(data, combo)
    total = sum(data.catalog.gpus[g].vram_gib for g in gpus)
    power = sum(data.catalog.gpus[g].board_power_w for g in gpus)
    link = data.catalog.interconnects[combo.interconnect]
    price, price_text = headline_price(data.results.costs[slug][1])
    return ComboCard(
        name=combo.name,
        href=urls.link(urls.combo(slug)),
        url=urls.relative(from_path, urls.combo(slug)),
        cards=combo_hardware.cards_text(data, combo),
        interconnect=link.name,
        interconnect_kind=link.kind,
        total=fmt.gib(total),
        usable=fmt.gib(usable),
        power=fmt.watts(power),
        price=price_text,
        usable_value=round(usable or 0.0, 1),
        power_value=power,
        price_value=price or 0.0,
    )
