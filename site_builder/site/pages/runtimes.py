"""``/runtimes/<slug>/`` (operational review + catalog facts) and the ``/runtimes/`` index."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from site_builder.engine import names
from site_builder.schema import Runtime
from site_builder.site import content, paging, urls
from site_builder.site.context import Link, combo_link
from site_builder.site.pages.combo_hardware import Fact
from site_builder.site.sitedata import Page, SiteData


@dataclass(frozen=True)
class ComboUse:
    combo: Link
    rating: str
    notes: str


@dataclass(frozen=True)
class RuntimePage:
    name: str
    summary: str
    review: str
    facts: list[Fact]
    install_command: str
    quants: list[str]
    combos: Sequence[ComboUse]
    based_on: Link | None
    sources: list[str]
    parts: paging.Parts = paging.WHOLE
    """Where the combos list continues when the catalog has many combos."""


@dataclass(frozen=True)
class RuntimeIndexRow:
    runtime: Link
    version: str
    platforms: str
    formats: str
    splits: str
    combos: int


def pages(data: SiteData) -> Iterator[Page]:
    rows = []
    for slug, runtime in data.catalog.runtimes.items():
        context = get_context(data, slug, runtime)
        combos, parts, more = paging.continued(
            urls.runtime(slug),
            context.combos,
            f"Hardware combos for {runtime.name}",
            "_runtime_combos.md.j2",
            f"The catalog's hardware combos that {runtime.name} runs on, with their ratings.",
        )
        rows.append(
            RuntimeIndexRow(
                Link(runtime.name, urls.link(urls.runtime(slug))),
                runtime.version,
                ", ".join(runtime.platforms),
                ", ".join(runtime.quant_formats),
                ", ".join(runtime.split_modes),
                len(context.combos),
            )
        )
        page = dataclasses.replace(context, combos=combos, parts=parts)
        yield Page(urls.runtime(slug), "runtime.md.j2", page)
        yield from more
    yield Page(urls.index("runtimes"), "runtime_index.md.j2", rows)


def get_context(data: SiteData, slug: str, runtime: Runtime) -> RuntimePage:
    facts = [
        Fact("Version the catalog refers to", runtime.version),
        Fact("Licence", runtime.license),
        Fact("Home page", runtime.homepage),
        Fact("Back-ends", ", ".join(names.platform(p) for p in runtime.platforms)),
        Fact("Weight formats", ", ".join(names.weight_format(f) for f in runtime.quant_formats)),
        *(
            Fact(
                f"Formats it lacks on {names.platform(platform)}",
                ", ".join(names.weight_format(f) for f in formats),
            )
            for platform, formats in sorted(runtime.platform_format_gaps.items())
        ),
        Fact(
            "Multi-GPU split modes",
            f"{', '.join(names.split(m) for m in runtime.split_modes)} "
            f"(default: {names.split(runtime.default_split)})",
        ),
        Fact("KV-cache types", ", ".join(names.kv_cache(k) for k in runtime.kv_cache_types)),
        Fact("Offload to system RAM", "yes" if runtime.cpu_offload else "no"),
        Fact("Continuous batching", "yes" if runtime.continuous_batching else "no"),
    ]
    combos = [
        ComboUse(combo_link(data.catalog, c), r.rating, r.notes)
        for c, combo in data.catalog.combos.items()
        for r in combo.runtimes
        if r.runtime == slug
    ]
    quants = [
        q for q, quant in data.catalog.quants.items() if quant.format in runtime.quant_formats
    ]
    based = runtime.based_on
    return RuntimePage(
        name=runtime.name,
        summary=runtime.summary,
        review=content.review(data.content, data, slug),
        facts=facts,
        install_command=runtime.install_command,
        quants=quants,
        combos=combos,
        based_on=Link(data.catalog.runtimes[based].name, urls.link(urls.runtime(based)))
        if based
        else None,
        sources=list(runtime.sources),
    )
