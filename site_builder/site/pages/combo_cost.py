"""A combo page's Cost section: launch, new and used prices with their dates and sources, price
per GiB and per decode tok/s, running costs, and owning against renting the same cards or a
hosted API, with the break-even in hours of use per day. Every figure is the evaluate stage's
(:mod:`site_builder.site.costs`); this module only words it."""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.engine.cost import (
    DAYS_PER_YEAR,
    YEARS,
    ApiComparison,
    Costs,
    HardwarePrice,
    OwnVsRent,
    Rental,
)
from site_builder.schema.price import ApiPrice
from site_builder.site import fmt
from site_builder.site.pages.combo_hardware import Fact
from site_builder.site.pages.prices import Seen, api_price, seen
from site_builder.site.picks import Pick
from site_builder.site.sitedata import SiteData
from site_builder.site.tables import launch_text


@dataclass(frozen=True)
class OwnRow:
    """Cost of one pattern of use over one horizon."""

    use: str
    years: str
    own: str
    rent: str
    api: str


@dataclass(frozen=True)
class ApiRow:
    """One model on this machine against its cheapest hosted API."""

    model: str
    setup: str
    api: str
    api_hourly: str
    own_hourly: str
    pays_off: str


@dataclass(frozen=True)
class CostSection:
    """What the Cost section shows."""

    facts: list[Fact]
    seen: list[Seen]
    setup: str
    purchase: str
    rent: str
    api: str
    rows: list[OwnRow]
    break_even: list[str]
    usd_per_kwh: str
    apis: list[ApiRow]
    years: int = max(YEARS)


def section(data: SiteData, slug: str, running: list[Fact]) -> CostSection:
    """The Cost section of ``slug`` (``running``: the power and electricity facts)."""
    pick, found = data.results.costs[slug]
    facts = price_facts(found) + running
    own = found.own
    return CostSection(
        facts=facts,
        seen=observations(found),
        setup=_setup(data, pick),
        purchase=_purchase(own.purchase) if own else "",
        rent=_rent(own.rental) if own and own.rental else "",
        api=_api(own.api) if own and own.api else "",
        rows=_rows(own) if own else [],
        break_even=break_even(own) if own else [],
        usd_per_kwh=fmt.usd(own.usd_per_kwh) if own else "",
        apis=[_api_row(data, c) for c in found.apis],
    )


def _api_row(data: SiteData, c: ApiComparison) -> ApiRow:
    three = dict(c.break_even).get(max(YEARS)) if c.break_even else None
    if not c.break_even:
        pays = "no sourced price for the machine"
    elif three is None:
        pays = f"not within {max(YEARS)} years"
    else:
        pays = f"beyond {fmt.num(three, 1)} h/day"
    return ApiRow(
        model=c.model,
        setup=f"{fmt.tok_s(c.decode_tok_s)} tok/s, {fmt.watts(c.power_w)} W",
        api=f"{c.api.provider}, {fmt.usd(c.api.usd_per_mtok_output)} per million output tokens, "
        f"as of {c.api.as_of}",
        api_hourly=fmt.usd(c.api_usd_per_hour),
        own_hourly=fmt.usd(c.own_usd_per_hour),
        pays_off=pays,
    )


def price_facts(found: Costs) -> list[Fact]:
    """Launch, new and used prices, then price per GiB and per decode tok/s."""
    sheet = found.sheet
    facts = []
    if sheet.launch_usd is not None:
        facts.append(Fact("Launch price (sum of launch list prices)", launch_text(sheet)[1]))
    for label, price in (("New", sheet.new), ("Used", sheet.used)):
        if price is not None:
            facts.append(Fact(label, f"{fmt.usd(price.usd)} (as of {price.as_of})"))
    if found.usd_per_gib is not None:
        facts.append(
            Fact("Price per GiB of VRAM (cheapest current price)", fmt.usd(found.usd_per_gib))
        )
    if found.usd_per_tok_s is not None:
        facts.append(Fact("Price per decode tok/s (worked example)", fmt.usd(found.usd_per_tok_s)))
    if found.rental is not None:
        facts.append(Fact("Renting the same cards", _rent(found.rental)))
    if found.api is not None:
        facts.append(Fact("Hosted API for the worked example's model", _api(found.api)))
    return facts


def observations(found: Costs) -> list[Seen]:
    """Every observation a figure on the page uses, newest per item."""
    rows = [
        seen(f"{n} x {what}, {p.condition}", fmt.usd(p.usd) + (" each" if n > 1 else ""), p)
        for price in (found.sheet.new, found.sheet.used)
        if price is not None
        for n, what, p in price.parts
    ]
    if found.rental:
        rows += [
            seen(f"{what}, rented from {o.provider}", f"{fmt.usd(o.usd_per_gpu_hour)} per hour", o)
            for _, what, o in found.rental.parts
        ]
    apis = {c.model: c.api for c in found.apis}
    if found.api and found.own and found.model:
        apis.setdefault(found.model, found.api)
    for model, a in sorted(apis.items()):
        rows.append(seen(f"{model} tokens at {a.provider}", api_price(a), a))
    return rows


def _setup(data: SiteData, pick: Pick | None) -> str:
    if pick is None:
        return ""
    model = data.catalog.models[pick.query.model].name
    runtime = data.catalog.runtimes[pick.query.runtime].name
    e = pick.estimate
    return (
        f"{model} with {runtime} at {pick.query.quant}: {fmt.tok_s(e.decode_tok_s)} tok/s, "
        f"{fmt.watts(e.power_w)} W"
    )


def _purchase(price: HardwarePrice) -> str:
    return f"{fmt.usd(price.usd)} ({price.condition}, {price.as_of})"


def _rent(rented: Rental) -> str:
    offers = ", ".join(f"{n} x {what} at {o.provider}, {o.as_of}" for n, what, o in rented.parts)
    return f"{fmt.usd(rented.usd_per_hour)} per hour ({offers})"


def _api(api: ApiPrice) -> str:
    price = fmt.usd(api.usd_per_mtok_output)
    return f"{api.provider} at {price} per million output tokens, as of {api.as_of}"


def _rows(own: OwnVsRent) -> list[OwnRow]:
    return [
        OwnRow(
            use=f"{r.hours_per_day:g} h/day",
            years=f"{r.years} year{'s' if r.years > 1 else ''}",
            own=fmt.usd(r.own_usd),
            rent=fmt.usd(r.rent_usd),
            api=fmt.usd(r.api_usd),
        )
        for r in own.rows
    ]


def break_even(own: OwnVsRent) -> list[str]:
    """One sentence per alternative: the hours of use after which owning costs less, and what
    that is per day over each horizon."""
    alternatives = (
        ("renting the same cards", own.rent_break_even),
        ("the API", own.api_break_even),
    )
    return [_against(name, points) for name, points in alternatives if points]


def _against(name: str, points: tuple[tuple[int, float | None], ...]) -> str:
    spans = "; ".join(_point(years, hours) for years, hours in points)
    paid = [hours * DAYS_PER_YEAR * years for years, hours in points if hours is not None]
    if not paid:
        return f"Against {name}: owning never costs less, even in use around the clock ({spans})."
    total = fmt.num(paid[0], 0)
    return f"Against {name}: owning pays for itself after {total} hours of use ({spans})."


def _point(years: int, hours: float | None) -> str:
    span = f"{years} year{'s' if years > 1 else ''}"
    if hours is None:
        return f"not within {span}"
    return f"{fmt.num(hours, 1)} h/day over {span}"
