"""The prose check for price ratios: "about twice the price", "half the cost", "3x the price".

A ratio typed into editorial text must agree with the prices the pages show (each combo's
headline price: its cheapest current price, else its launch price; :mod:`site_builder.site.costs`)
within :data:`TOLERANCE`. Which two setups it compares: in a combo's ``related`` note, the
related combo against the page's (the note describes the related combo: "about twice the
price" = it costs twice this one); elsewhere in a combo's file, that combo against a combo the
sentence names ("twice the price of one Spark" = this one costs twice that one); in other text
(guides, GPU and model notes), the first combo the sentence names against the second.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from site_builder.errors import Problem
from site_builder.site import fmt
from site_builder.site.claims import mentioned_in_order
from site_builder.site.costs import headline_price
from site_builder.site.prose import Names, Passage, passages
from site_builder.site.sitedata import SiteData

WORDS = {"twice": 2.0, "double": 2.0, "half": 0.5, "a third of": 1 / 3, "a quarter of": 0.25}
COUNTS = {"three": 3.0, "four": 4.0, "five": 5.0, "ten": 10.0}
RATIO = re.compile(
    r"\b(?:(?P<word>twice|double|half|a third of|a quarter of)"
    r"|(?P<count>three|four|five|ten)\s+times"
    r"|(?P<num>\d+(?:\.\d+)?)\s*(?:x|×|times))"
    r"\s+(?:the\s+)?(?P<what>price|cost)\b",
    re.IGNORECASE,
)
TOLERANCE = 1.25
"""A typed ratio holds when the prices' ratio is within a factor of 1.25 of it (ratios are
rounded in prose: "about twice" for 1.8-2.4)."""
RELATED = re.compile(r"^\s*-\s+combo:\s*(?P<slug>[a-z0-9.-]+)\s*$")


@dataclass(frozen=True)
class Ratio:
    """A price ratio typed into text and where."""

    line: int
    column: int
    figure: str
    ratio: float
    sentence: str
    related: str | None
    """The combo of the ``related`` entry the text sits in, if any."""


def problems(data: SiteData, catalog_dir: Path) -> list[Problem]:
    """One problem per typed price ratio that the pages' prices contradict or cannot check."""
    names = Names.of(data.catalog)
    found = []
    for passage in passages(data.catalog, data.content, catalog_dir):
        for ratio in ratios(passage.text):
            message = problem(data, names, passage, ratio)
            if message:
                found.append(Problem(passage.shown, ratio.line, ratio.column, "", message))
    return found


@functools.lru_cache(maxsize=4096)
def ratios(text: str) -> tuple[Ratio, ...]:
    """Every price ratio in ``text`` with its sentence and enclosing related entry (remembered
    by text, as :func:`~site_builder.site.claims.find_claims` is)."""
    return tuple(_ratios(text))


def _ratios(text: str) -> Iterator[Ratio]:
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        for match in RATIO.finditer(line):
            yield Ratio(
                line=number,
                column=match.start() + 1,
                figure=match.group(0),
                ratio=_value(match),
                sentence=line,
                related=_related(lines[:number]),
            )


def _value(match: re.Match[str]) -> float:
    if match.group("word"):
        return WORDS[match.group("word").lower()]
    if match.group("count"):
        return COUNTS[match.group("count").lower()]
    return float(match.group("num"))


def _related(before: list[str]) -> str | None:
    """The combo of the YAML ``related`` item the last line belongs to (None outside one)."""
    for line in reversed(before):
        if (found := RELATED.match(line)) is not None:
            return found.group("slug")
        if line and not line.startswith(" ") and not line.startswith("- "):
            return None
    return None


def combos_of(names: Names, passage: Passage) -> set[str]:
    """The combos whose prices :func:`problems` reads for ``passage``'s ratios."""
    found: set[str] = set()
    for ratio in ratios(passage.text):
        pair = compared(names, passage, ratio)
        if pair is not None:
            found |= set(pair)
    return found


def compared(names: Names, passage: Passage, ratio: Ratio) -> tuple[str, str] | None:
    """The combo that costs ``ratio`` times the other, and the other; None when the text does
    not name both."""
    named = mentioned_in_order(ratio.sentence, names.combos)
    if passage.combos:  # a combo's own file: it is about that combo
        subject = passage.combos[0]
        named = [n for n in named if n != subject]
        named.insert(0, subject)
    if ratio.related and passage.combos:
        return ratio.related, passage.combos[0]
    if len(named) >= 2:
        return named[0], named[1]
    return None


def problem(data: SiteData, names: Names, passage: Passage, ratio: Ratio) -> str | None:
    """Why ``ratio`` fails the build, or None when the prices agree with it."""
    typed = f"'{ratio.figure}' compares prices by hand"
    pair = compared(names, passage, ratio)
    if pair is None and passage.combos:
        return f"{typed} but names no second combo: name it, or drop the ratio"
    if pair is None:
        return f"{typed} but does not name the two combos it compares: name both, or drop it"
    high, low = pair
    prices = {slug: headline_price(data.results.costs[slug][1]) for slug in (high, low)}
    for slug, (usd, _) in prices.items():
        if usd is None:
            return f"{typed}, but {slug} has no sourced price: add one, or drop the ratio"
    actual = (prices[high][0] or 0.0) / (prices[low][0] or 1.0)
    if ratio.ratio / TOLERANCE <= actual <= ratio.ratio * TOLERANCE:
        return None
    return (
        f"{typed} and the prices the pages show contradict it: {high} {prices[high][1]}, "
        f"{low} {prices[low][1]}, a ratio of {fmt.num(actual, 2)}; state the ratio the prices "
        "give, or drop it"
    )
