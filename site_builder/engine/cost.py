"""What a machine costs to buy, to run, and instead to rent or replace with a hosted API.

Prices are the catalog's dated observations (:mod:`site_builder.schema.price`); every figure
here is arithmetic on them, the engine's power at load and its decode speed. Resale value is
left out (pages say so), and the machine is assumed switched off between uses, so ownership is
the purchase plus the electricity of the hours of use.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from site_builder.engine.power import energy_cost_usd
from site_builder.engine.result import Estimate
from site_builder.schema import Combo, Gpu, Model
from site_builder.schema.price import ApiPrice, Condition, Observed, RentalPrice, StreetPrice

DAYS_PER_YEAR = 365
HOURS_PER_DAY = 24
YEARS = (1, 3)
"""Ownership horizons pages show: one year, and three (a card's usual service life here)."""
HOURS_OF_USE = (2.0, 8.0, 24.0)
"""Hours of use per day pages tabulate: an evening, a working day, around the clock."""

STALE_AFTER = datetime.timedelta(days=365)
"""How much older than the other condition's price a new or used price may be and still count
as a current offer (:meth:`PriceSheet.cheapest`)."""

Obs = TypeVar("Obs", bound=Observed)
BreakEven = tuple[tuple[int, float | None], ...]
"""(years, hours of use per day beyond which owning costs less; None: never), per horizon."""


@dataclass(frozen=True)
class HardwarePrice:
    """What the cards (or the machine) cost in one condition, from the newest observations."""

    usd: float
    condition: Condition
    as_of: datetime.date
    """The oldest date among the observations summed (the price is no newer than that)."""
    parts: tuple[tuple[int, str, StreetPrice], ...]
    """(count, what, observation) summed into ``usd``: a card or a machine each."""


@dataclass(frozen=True)
class PriceSheet:
    """A machine's launch price and its current new and used prices."""

    launch_usd: float | None
    launch_year: int
    """The newest card's launch year (the launch price sum holds from then)."""
    new: HardwarePrice | None
    used: HardwarePrice | None

    def cheapest(self) -> HardwarePrice | None:
        """The lower of the current new and used prices (ownership is priced at it). A price
        dated more than :data:`STALE_AFTER` before the other condition's is history, not an
        offer (a discontinued card's last new price no longer buys one), so the newer one
        stands alone."""
        found = [p for p in (self.used, self.new) if p is not None]
        if not found:
            return None
        latest = max(p.as_of for p in found)
        current = [p for p in found if latest - p.as_of <= STALE_AFTER]
        return min(current, key=lambda p: p.usd)


@dataclass(frozen=True)
class Rental:
    """Renting the same cards: each card's cheapest newest on-demand price, summed."""

    usd_per_hour: float
    parts: tuple[tuple[int, str, RentalPrice], ...]
    """(count, GPU name, offer) summed into ``usd_per_hour``."""


@dataclass(frozen=True)
class Horizon:
    """Cost of one pattern of use over one horizon, each way of getting the tokens."""

    hours_per_day: float
    years: int
    own_usd: float
    rent_usd: float | None
    api_usd: float | None


@dataclass(frozen=True)
class OwnVsRent:
    """Owning the machine against renting the same cards and against a hosted API."""

    purchase: HardwarePrice
    power_w: float
    usd_per_kwh: float
    rental: Rental | None
    api: ApiPrice | None
    decode_tok_s: float | None
    rows: tuple[Horizon, ...]
    rent_break_even: BreakEven
    """(years, hours of use per day beyond which owning costs less; None: never)."""
    api_break_even: BreakEven


def newest(observations: Iterable[Obs]) -> Obs | None:
    """The most recent observation (ties: the later one listed)."""
    best: Obs | None = None
    for item in observations:
        if best is None or item.as_of >= best.as_of:
            best = item
    return best


def newest_street(prices: Sequence[StreetPrice], condition: Condition) -> StreetPrice | None:
    """The most recent price in ``condition``."""
    return newest(p for p in prices if p.condition == condition)


def cheapest_current(
    offers: Sequence[Obs], provider: Callable[[Obs], str], price: Callable[[Obs], float]
) -> Obs | None:
    """The lowest priced offer among each provider's newest (a provider's offers on its latest
    date all count: a cloud's community and secure tiers; ties go to the provider name)."""
    latest: dict[str, datetime.date] = {}
    for offer in offers:
        latest[provider(offer)] = max(offer.as_of, latest.get(provider(offer), offer.as_of))
    current = [o for o in offers if o.as_of == latest[provider(o)]]
    return min(current, key=lambda o: (price(o), provider(o)), default=None)


def cheapest_rental(gpu: Gpu) -> RentalPrice | None:
    """The lowest current on-demand price of one card across providers."""
    return cheapest_current(gpu.rental_prices, lambda o: o.provider, lambda o: o.usd_per_gpu_hour)


def cheapest_api(model: Model) -> ApiPrice | None:
    """The hosted API with the lowest current price per million output tokens."""
    return cheapest_current(model.api_prices, lambda o: o.provider, lambda o: o.usd_per_mtok_output)


def card_counts(combo: Combo) -> list[tuple[str, int]]:
    """GPU ID -> cards of it in the whole setup (every machine), in first-seen order."""
    return merged(combo.cards())


def merged(cards: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """(GPU ID, count) pairs with each GPU once, in first-seen order."""
    counts: dict[str, int] = {}
    for gpu, count in cards:
        counts[gpu] = counts.get(gpu, 0) + count
    return list(counts.items())


def summed(parts: Sequence[tuple[int, str, StreetPrice]], condition: Condition) -> HardwarePrice:
    """Price of ``count`` x each observation: the sum, dated by the oldest."""
    return HardwarePrice(
        usd=sum(n * p.usd for n, _, p in parts),
        condition=condition,
        as_of=min(p.as_of for _, _, p in parts),
        parts=tuple(parts),
    )


def current_price(
    combo: Combo, gpus: Mapping[str, Gpu], condition: Condition
) -> HardwarePrice | None:
    """The machine's newest price in ``condition`` times its machines, or else the sum of each
    card's newest (None when a card has no price in that condition)."""
    own = newest_street(combo.prices, condition)
    if own is not None:
        return summed([(combo.machines, combo.name, own)], condition)
    return cards_price(combo.cards(), gpus, condition)


def cards_price(
    cards: Sequence[tuple[str, int]], gpus: Mapping[str, Gpu], condition: Condition
) -> HardwarePrice | None:
    """The sum of each card's newest price in ``condition`` (None when one has none)."""
    parts = []
    for gpu, count in merged(cards):
        seen = newest_street(gpus[gpu].street_prices, condition)
        if seen is None:
            return None
        parts.append((count, gpus[gpu].name, seen))
    return summed(parts, condition)


def launch_price(cards: Sequence[tuple[str, int]], gpus: Mapping[str, Gpu]) -> float | None:
    """Sum of the cards' launch prices (None when one is unknown)."""
    prices = [(gpus[g].launch_msrp_usd, n) for g, n in merged(cards)]
    if any(p is None for p, _ in prices):
        return None
    return sum((p or 0.0) * n for p, n in prices)


def launch_year(cards: Sequence[tuple[str, int]], gpus: Mapping[str, Gpu]) -> int:
    """The year the newest of the cards launched (when the launch price sum holds from)."""
    return max(gpus[g].launch_year for g, _ in cards)


def price_sheet(combo: Combo, gpus: Mapping[str, Gpu]) -> PriceSheet:
    """Launch, new and used prices of ``combo``."""
    cards = combo.cards()
    return PriceSheet(
        launch_usd=launch_price(cards, gpus),
        launch_year=launch_year(cards, gpus),
        new=current_price(combo, gpus, "new"),
        used=current_price(combo, gpus, "used"),
    )


def cards_sheet(cards: Sequence[tuple[str, int]], gpus: Mapping[str, Gpu]) -> PriceSheet:
    """Launch, new and used prices of a set of cards (a build of the configurator's)."""
    return PriceSheet(
        launch_usd=launch_price(cards, gpus),
        launch_year=launch_year(cards, gpus),
        new=cards_price(cards, gpus, "new"),
        used=cards_price(cards, gpus, "used"),
    )


def rental(combo: Combo, gpus: Mapping[str, Gpu]) -> Rental | None:
    """Renting every card of ``combo`` by the hour (None when one card is not rented anywhere)."""
    parts = []
    for gpu, count in card_counts(combo):
        offer = cheapest_rental(gpus[gpu])
        if offer is None:
            return None
        parts.append((count, gpus[gpu].name, offer))
    return Rental(sum(n * o.usd_per_gpu_hour for n, _, o in parts), tuple(parts))


def ownership_usd(
    purchase_usd: float, power_w: float, hours_per_day: float, years: int, usd_per_kwh: float
) -> float:
    """Purchase + electricity of the hours of use, USD:
    price + W / 1000 x hours/day x 365 x years x USD/kWh."""
    return purchase_usd + power_w / 1000 * hours_per_day * DAYS_PER_YEAR * years * usd_per_kwh


def hourly_usd(usd_per_hour: float, hours_per_day: float, years: int) -> float:
    """Paying by the hour of use, USD: USD/h x hours/day x 365 x years."""
    return usd_per_hour * hours_per_day * DAYS_PER_YEAR * years


def api_usd_per_hour(decode_tok_s: float, usd_per_mtok_output: float) -> float:
    """An hour of generating at ``decode_tok_s`` bought from an API instead, output tokens
    only, USD: tok/s x 3600 / 1e6 x USD per million tokens."""
    return decode_tok_s * 3600 / 1e6 * usd_per_mtok_output


def usd_per_tok_s(price_usd: float | None, decode_tok_s: float | None) -> float | None:
    """Price per token per second of decode, USD / (tok/s) (None without both figures)."""
    if price_usd is None or not decode_tok_s:
        return None
    return price_usd / decode_tok_s


def break_even_hours(
    purchase_usd: float, power_w: float, alternative_usd_per_hour: float, years: int, kwh: float
) -> float | None:
    """Hours of use per day beyond which owning for ``years`` costs less than paying
    ``alternative_usd_per_hour``: price / (365 x years x (USD/h - W / 1000 x USD/kWh)).
    None when even round-the-clock use does not pay the machine back."""
    saved_per_hour = alternative_usd_per_hour - power_w / 1000 * kwh
    if saved_per_hour <= 0:
        return None
    hours = purchase_usd / (DAYS_PER_YEAR * years * saved_per_hour)
    return hours if hours <= HOURS_PER_DAY else None


def break_even_points(
    purchase: HardwarePrice | None, power_w: float, hourly: float | None, usd_per_kwh: float
) -> BreakEven:
    """:func:`break_even_hours` over each of :data:`YEARS` (empty without a price or an
    alternative)."""
    if purchase is None or hourly is None:
        return ()
    return tuple(
        (y, break_even_hours(purchase.usd, power_w, hourly, y, usd_per_kwh)) for y in YEARS
    )


def own_vs_rent(
    sheet: PriceSheet,
    power_w: float,
    usd_per_kwh: float,
    rented: Rental | None,
    api: ApiPrice | None,
    decode_tok_s: float | None,
) -> OwnVsRent | None:
    """The ownership table and break-even points (None without a current price)."""
    purchase = sheet.cheapest()
    if purchase is None:
        return None
    api_hourly = (
        api_usd_per_hour(decode_tok_s, api.usd_per_mtok_output) if api and decode_tok_s else None
    )
    rent_hourly = rented.usd_per_hour if rented else None

    def row(hours: float, years: int) -> Horizon:
        return Horizon(
            hours_per_day=hours,
            years=years,
            own_usd=ownership_usd(purchase.usd, power_w, hours, years, usd_per_kwh),
            rent_usd=None if rent_hourly is None else hourly_usd(rent_hourly, hours, years),
            api_usd=None if api_hourly is None else hourly_usd(api_hourly, hours, years),
        )

    return OwnVsRent(
        purchase=purchase,
        power_w=power_w,
        usd_per_kwh=usd_per_kwh,
        rental=rented,
        api=api if api_hourly is not None else None,
        decode_tok_s=decode_tok_s,
        rows=tuple(row(h, y) for h in HOURS_OF_USE for y in YEARS),
        rent_break_even=break_even_points(purchase, power_w, rent_hourly, usd_per_kwh),
        api_break_even=break_even_points(purchase, power_w, api_hourly, usd_per_kwh),
    )


@dataclass(frozen=True)
class ApiComparison:
    """Generating with one model on the machine against buying its tokens from an API."""

    model: str
    """The model's display name."""
    decode_tok_s: float
    power_w: float
    api: ApiPrice
    api_usd_per_hour: float
    """What an hour of generating at ``decode_tok_s`` costs on the API (output tokens)."""
    own_usd_per_hour: float
    """Electricity of that hour on the machine."""
    break_even: BreakEven
    """(years, hours of use per day beyond which owning costs less); empty without a price."""


def api_comparison(
    model: str, purchase: HardwarePrice | None, setup: Estimate, api: ApiPrice, usd_per_kwh: float
) -> ApiComparison | None:
    """``model`` at its recommended ``setup`` against ``api`` (None without speed or power)."""
    if not setup.decode_tok_s or setup.power_w is None:
        return None
    hourly = api_usd_per_hour(setup.decode_tok_s, api.usd_per_mtok_output)
    power_w = setup.power_w
    return ApiComparison(
        model=model,
        decode_tok_s=setup.decode_tok_s,
        power_w=power_w,
        api=api,
        api_usd_per_hour=hourly,
        own_usd_per_hour=energy_cost_usd(power_w, 1, usd_per_kwh),
        break_even=break_even_points(purchase, power_w, hourly, usd_per_kwh),
    )


@dataclass(frozen=True)
class Costs:
    """Everything a page shows about a machine's money: prices, price per GiB and per tok/s of
    its headline setup, and owning against renting or an API for that setup."""

    sheet: PriceSheet
    rental: Rental | None
    model: str | None
    """The model of the worked example (``setup``)."""
    api: ApiPrice | None
    """The cheapest current API price of the worked example's model."""
    usd_per_gib: float | None
    usd_per_tok_s: float | None
    own: OwnVsRent | None
    apis: tuple[ApiComparison, ...] = ()
    """Every other model the machine runs that an API sells, at its recommended setup."""


def costs(
    combo: Combo,
    gpus: Mapping[str, Gpu],
    model: Model | None,
    setup: Estimate | None,
    usd_per_kwh: float,
    others: Sequence[tuple[Model, Estimate]] = (),
) -> Costs:
    """The money figures of ``combo``; ``setup`` is the engine's estimate for ``model`` at the
    recommended setup (decode speed and power at load), None when nothing runs; ``others``
    are (model, recommended setup) of models to weigh against their hosted APIs."""
    sheet = price_sheet(combo, gpus)
    purchase = sheet.cheapest()
    vram = sum(gpus[g].vram_gib * n for g, n in card_counts(combo))
    decode = setup.decode_tok_s if setup else None
    rented = rental(combo, gpus)
    api = cheapest_api(model) if model else None
    own = None
    if setup is not None and setup.power_w is not None:
        own = own_vs_rent(sheet, setup.power_w, usd_per_kwh, rented, api, decode)
    return Costs(
        sheet=sheet,
        rental=rented,
        model=model.name if model else None,
        api=api,
        usd_per_gib=purchase.usd / vram if purchase else None,
        usd_per_tok_s=usd_per_tok_s(purchase.usd if purchase else None, decode),
        own=own,
        apis=tuple(
            found
            for entry, est in others
            if (offer := cheapest_api(entry)) is not None
            and (found := api_comparison(entry.name, purchase, est, offer, usd_per_kwh)) is not None
        ),
    )
