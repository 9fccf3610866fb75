"""The home page: pick your hardware, the newest models, the setup recipes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from site_builder.engine.recommend import FLOOR_QUANT
from site_builder.site import paging, urls
from site_builder.site.context import Link, model_size
from site_builder.site.guides import guides
from site_builder.site.pages import combo_index
from site_builder.site.pages.combo_index import ComboCard
from site_builder.site.pages.models import by_release, released
from site_builder.site.picks import combos_running
from site_builder.site.sitedata import Page, SiteData

NEW_MODELS = 10
"""How many of the newest models the home page lists."""


@dataclass(frozen=True)
class ModelEntry:
    model: Link
    family: str
    released: str
    size: str
    runs_on: int


@dataclass(frozen=True)
class HomePage:
    combos: list[ComboCard]
    models: list[ModelEntry]
    model_count: int
    combo_count: int
    floor: str
    stacks: list[Link]
    guides: list[Link]


def pages(data: SiteData) -> Iterator[Page]:
    yield Page("index.md", "home.md.j2", get_context(data))


def get_context(data: SiteData) -> HomePage:
    catalog = data.catalog
    models = [
        ModelEntry(
            Link(catalog.models[slug].name, urls.link(urls.model(slug))),
            catalog.models[slug].family,
            released(catalog.models[slug].release_date),
            model_size(catalog, slug),
            combos_running(data.results, slug),
        )
        for slug in by_release(data)[:NEW_MODELS]
    ]
    return HomePage(
        combos=combo_index.combo_cards(data, "index.md")[: paging.ROWS],
        models=models,
        model_count=len(catalog.models),
        combo_count=len(catalog.combos),
        floor=FLOOR_QUANT,
        stacks=[Link(s.name, urls.link(urls.stack(slug))) for slug, s in catalog.stacks.items()],
        guides=[Link(g.title, urls.link(g.relative)) for g in guides(data.content)],
    )
