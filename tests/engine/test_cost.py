"""The money arithmetic: prices from dated observations, owning against renting and an API."""

from __future__ import annotations

import datetime
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from site_builder.catalog import Catalog
from site_builder.cli import main
from site_builder.engine import cost
from site_builder.engine.cost import break_even_hours, hourly_usd, ownership_usd
from site_builder.schema.price import ApiPrice, RentalPrice, StreetPrice
from tests.engine.conftest import FIXTURE_CATALOG

DAY = datetime.date(2026, 6, 1)
URL = "https://example.org/price"


def street(usd: float, condition: str = "new", day: datetime.date = DAY) -> StreetPrice:
    return StreetPrice(usd=usd, condition=condition, as_of=day, source=URL, note="test")  # type: ignore[arg-type]


def rent(provider: str, usd: float, day: datetime.date = DAY) -> RentalPrice:
    return RentalPrice(provider=provider, usd_per_gpu_hour=usd, as_of=day, source=URL, note="t")


def api(provider: str, out: float, day: datetime.date = DAY) -> ApiPrice:
    return ApiPrice(
        provider=provider,
        usd_per_mtok_input=out / 4,
        usd_per_mtok_output=out,
        as_of=day,
        source=URL,
        note="t",
    )


def test_electricity_of_ownership_matches_the_seed_article() -> None:
    """Seed 004's buying table: two 3090s (700 W) for 4 h/day over 2 years at $0.15/kWh cost
    "$306" in electricity."""
    electricity = ownership_usd(0, 700, 4, 2, 0.15)
    assert electricity == pytest.approx(306, rel=0.01)


def test_renting_by_the_hour_matches_the_seed_article() -> None:
    """Seed 001: an H100 at $3.25/h for "a few hours per week" comes to "$15-20/month" (1.25
    hours a week)."""
    monthly = hourly_usd(3.25, 1.25 / 7, 1) / 12
    assert 15 <= monthly <= 20
    assert monthly == pytest.approx(3.25 * 1.25 * 365 / 7 / 12, rel=1e-9)


@pytest.mark.parametrize(
    ("purchase", "watts", "hourly", "years", "kwh", "hours"),
    [
        (1000, 0, 1.0, 1, 0.17, 1000 / 365),  # no electricity: price / (365 x rate)
        (1000, 0, 1.0, 3, 0.17, 1000 / 365 / 3),
        (1000, 1000, 1.17, 1, 0.17, 1000 / 365),  # electricity eats $0.17 of each hour
        (1000, 1000, 0.17, 1, 0.17, None),  # the alternative costs what the power costs
        (100_000, 0, 1.0, 1, 0.17, None),  # more than 24 h/day
    ],
)
def test_break_even_hours(
    purchase: float, watts: float, hourly: float, years: int, kwh: float, hours: float | None
) -> None:
    found = break_even_hours(purchase, watts, hourly, years, kwh)
    assert found == (None if hours is None else pytest.approx(hours, rel=1e-9))


@given(
    purchase=st.floats(100, 50_000),
    watts=st.floats(50, 5000),
    hourly=st.floats(0.05, 50),
    years=st.sampled_from(cost.YEARS),
)
def test_at_the_break_even_owning_and_renting_cost_the_same(
    purchase: float, watts: float, hourly: float, years: int
) -> None:
    hours = break_even_hours(purchase, watts, hourly, years, 0.17)
    if hours is None:
        return
    own = ownership_usd(purchase, watts, hours, years, 0.17)
    assert own == pytest.approx(hourly_usd(hourly, hours, years), rel=1e-9)
    longer = break_even_hours(purchase, watts, hourly, years + 1, 0.17)
    assert longer is not None and longer < hours  # a longer horizon pays back sooner


def test_newest_observation_wins_and_ties_go_to_the_later_one() -> None:
    old, new, also = street(900, day=DAY - datetime.timedelta(days=9)), street(800), street(850)
    assert cost.newest([new, old]) is new
    assert cost.newest([new, also]) is also


def test_cheapest_current_offer_takes_each_providers_newest_date() -> None:
    stale = rent("A", 0.10, DAY - datetime.timedelta(days=30))
    offers = [stale, rent("A", 0.50), rent("A", 0.40), rent("B", 0.45)]
    found = cost.cheapest_current(offers, lambda o: o.provider, lambda o: o.usd_per_gpu_hour)
    assert found is offers[2]  # A's two tiers on its newest date both count; A's old $0.10 not


def test_a_combo_price_sums_its_cards_dated_by_the_oldest(catalog: Catalog) -> None:
    gpus = dict(catalog.gpus)
    gpus["rtx-4090"] = gpus["rtx-4090"].model_copy(
        update={"street_prices": [street(1600), street(1200, "used")]}
    )
    gpus["rtx-3090"] = gpus["rtx-3090"].model_copy(
        update={"street_prices": [street(700, "used", DAY - datetime.timedelta(days=5))]}
    )
    mixed = catalog.combos["rtx-4090-plus-rtx-3090"]
    sheet = cost.price_sheet(mixed, gpus)
    assert sheet.new is None  # the 3090 has no new price
    assert sheet.used is not None
    assert sheet.used.usd == 1900
    assert sheet.used.as_of == DAY - datetime.timedelta(days=5)
    assert sheet.cheapest() is sheet.used
    dual = cost.price_sheet(catalog.combos["dual-rtx-4090"], gpus)
    assert dual.new is not None and dual.new.usd == 3200
    assert dual.launch_usd == 2 * (gpus["rtx-4090"].launch_msrp_usd or 0)


def test_a_price_a_year_older_than_the_other_condition_is_history(catalog: Catalog) -> None:
    """A discontinued card: its last new price (2023) is cheaper than today's used one, but no
    longer buys a card, so ownership is priced at the used one; within a year both count."""
    gpus = dict(catalog.gpus)
    year_ago = DAY - datetime.timedelta(days=366)
    gpus["rtx-4090"] = gpus["rtx-4090"].model_copy(
        update={"street_prices": [street(1670, day=year_ago), street(2470, "used")]}
    )
    sheet = cost.price_sheet(catalog.combos["single-rtx-4090"], gpus)
    assert sheet.new is not None and sheet.new.usd == 1670  # still shown, with its date
    assert sheet.cheapest() is sheet.used
    recent = DAY - datetime.timedelta(days=365)
    gpus["rtx-4090"] = gpus["rtx-4090"].model_copy(
        update={"street_prices": [street(1670, day=recent), street(2470, "used")]}
    )
    assert cost.price_sheet(catalog.combos["single-rtx-4090"], gpus).cheapest().usd == 1670  # type: ignore[union-attr]


def test_a_machine_price_is_per_machine(catalog: Catalog) -> None:
    one = catalog.combos["dgx-spark"].model_copy(update={"prices": [street(4699)]})
    assert cost.price_sheet(one, catalog.gpus).new.usd == 4699  # type: ignore[union-attr]
    spark = one.model_copy(update={"machines": 2})
    sheet = cost.price_sheet(spark, catalog.gpus)
    assert sheet.new is not None and sheet.new.usd == 2 * 4699


def test_own_vs_rent_table(catalog: Catalog) -> None:
    gpus = dict(catalog.gpus)
    gpus["rtx-4090"] = gpus["rtx-4090"].model_copy(
        update={"street_prices": [street(1600)], "rental_prices": [rent("R", 0.34)]}
    )
    combo = catalog.combos["dual-rtx-4090"]
    sheet = cost.price_sheet(combo, gpus)
    rented = cost.rental(combo, gpus)
    assert rented is not None and rented.usd_per_hour == pytest.approx(0.68)
    own = cost.own_vs_rent(sheet, 600, 0.17, rented, api("P", 1.0), 30.0)
    assert own is not None
    assert len(own.rows) == len(cost.HOURS_OF_USE) * len(cost.YEARS)
    first = own.rows[0]
    assert first.own_usd == pytest.approx(3200 + 0.6 * 2 * 365 * 0.17)
    assert first.rent_usd == pytest.approx(0.68 * 2 * 365)
    assert first.api_usd == pytest.approx(30 * 3600 / 1e6 * 1.0 * 2 * 365)
    by_years = dict(own.rent_break_even)
    assert by_years[3] == pytest.approx(3200 / (365 * 3 * (0.68 - 0.6 * 0.17)))
    assert dict(own.api_break_even)[1] is None  # $0.108 of tokens an hour never pays $3,200


def test_no_price_means_no_ownership_table(catalog: Catalog) -> None:
    combo = catalog.combos["dual-rtx-4090"]
    sheet = cost.price_sheet(combo, catalog.gpus)
    assert sheet.new is None and sheet.used is None
    assert cost.own_vs_rent(sheet, 600, 0.17, None, None, 30.0) is None


def test_the_cost_command_names_an_unknown_combo(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["cost", "--catalog", str(FIXTURE_CATALOG), "--combo", "dual-rtx-4009"]
    assert main([*args, "--model", "llama-3.3-70b-instruct"]) == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1 and "unknown combo 'dual-rtx-4009'" in err and "dual-rtx-4090" in err
    )


def test_the_cost_command_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["cost", "--catalog", str(FIXTURE_CATALOG), "--combo", "dgx-spark", "--json"]
    assert main([*args, "--model", "gpt-oss-120b"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["sheet"]["new"]["usd"] == 3999  # the fixture's machine price
    assert found["own"]["purchase"]["as_of"] == "2025-10-13"
    assert len(found["own"]["rows"]) == len(cost.HOURS_OF_USE) * len(cost.YEARS)
