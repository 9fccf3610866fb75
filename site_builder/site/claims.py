"""Finding hand-typed engine figures in editorial text, and what each sentence talks about.

A claim is a number or a range followed by a speed unit ("50-60 tok/s", "~35 tokens per
second"), a memory need ("needs about 42 GB", "uses 20-22 GiB"), or a time to first token
("TTFT is 90 ms", "time to first token of 1.2 s"). Its sentence is the text
between sentence ends, list items, table rows or blank lines around it; the prose check
resolves the models, hardware, runtimes and quants the sentence names against the catalog.
Pure text functions: no catalog, no engine.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
UNIT = r"(?:tok/s|tokens?/s(?:ec)?|tokens? per second|t/s)\b"
CLAIM = re.compile(
    rf"(?P<low>{NUMBER})\s*(?:-|–|—|to)\s*(?P<high>{NUMBER})\+?\s*{UNIT}"
    rf"|(?P<one>{NUMBER})\+?\s*{UNIT}",
    re.IGNORECASE,
)
MEMORY = re.compile(
    rf"\b(?:needs?|needed|requires?|required|uses?|used|takes?|occupies|fills?)\s+"
    rf"(?:about |around |roughly |approximately |~)?"
    rf"(?:(?P<low>{NUMBER})\s*(?:-|–|—|to)\s*(?P<high>{NUMBER})|(?P<one>{NUMBER}))\s*"
    rf"(?P<unit>GB|GiB)\b",
    re.IGNORECASE,
)
TTFT = re.compile(
    rf"\b(?:TTFT|time[ -]to[ -]first[ -]token)\b[^.\n]{{0,40}}?"
    rf"(?:(?P<low>{NUMBER})\s*(?:-|–|—|to)\s*(?P<high>{NUMBER})|(?P<one>{NUMBER}))\s*"
    rf"(?P<unit>ms|milliseconds?|s|seconds?)\b",
    re.IGNORECASE,
)
GIB_PER_GB = 1e9 / (1 << 30)
BOUNDARY = re.compile(r"[.!?](?=\s)|\n\s*\n|\n\s*(?:[-*|#>]|\d+\.\s|[a-z_]+:)", re.IGNORECASE)
"""Where a sentence ends: punctuation, a blank line, or a new list item, table row, heading,
quote or YAML key."""
TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
PREFILL_WORDS = ("prefill", "prompt processing", "prompt-processing", "pp512", "pp2048")
BATCH_WORDS = ("aggregate", "concurrent", "in total", "combined", "throughput", "users", "batch")


@dataclass(frozen=True)
class Claim:
    """A speed figure typed into text, with where it is and the sentence around it."""

    line: int
    column: int
    figure: str
    low: float
    high: float
    sentence: str
    memory: bool = False
    """A memory need in GiB, rather than a speed in tok/s."""
    ttft: bool = False
    """A time to first token in ms."""

    @property
    def metric(self) -> str:
        """``memory``, ``ttft``, ``prefill``, ``aggregate`` (several requests at once) or
        ``decode``."""
        if self.memory:
            return "memory"
        if self.ttft:
            return "ttft"
        lowered = self.sentence.lower()
        if any(word in lowered for word in PREFILL_WORDS):
            return "prefill"
        if any(word in lowered for word in BATCH_WORDS):
            return "aggregate"
        return "decode"


def without_templates(text: str) -> str:
    """``text`` with Jinja expressions blanked out (newlines kept, so lines still count):
    figures the templates insert come from the engine and are not claims."""
    return TEMPLATE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


@functools.lru_cache(maxsize=4096)
def find_claims(text: str) -> tuple[Claim, ...]:
    """Every speed figure, memory need and time to first token in ``text``, in order (memory
    in GiB, TTFT in ms; a TTFT claim's figure starts at its number). Remembered by text: the
    live preview checks every file after each edit, and the scan was most of the check."""
    return tuple(_claims(text))


def _claims(text: str) -> Iterator[Claim]:
    speeds = [(m, 1.0, "") for m in CLAIM.finditer(text)]
    needs = [(m, _gib(m.group("unit")), "memory") for m in MEMORY.finditer(text)]
    times = [(m, _ms(m.group("unit")), "ttft") for m in TTFT.finditer(text)]
    for match, scale, kind in sorted(speeds + needs + times, key=lambda item: item[0].start()):
        low, high = _bounds(match)
        start = _start(match) if kind == "ttft" else match.start()
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        figure = " ".join(text[start : match.end()].split())
        sentence = _sentence(text, match)
        low, high = low * scale, high * scale
        yield Claim(line, column, figure, low, high, sentence, kind == "memory", kind == "ttft")


def _start(match: re.Match[str]) -> int:
    return min(match.start(g) for g in ("low", "high", "one") if match.group(g))


def _ms(unit: str) -> float:
    return 1.0 if unit.lower().startswith("m") else 1000.0


def _gib(unit: str) -> float:
    return GIB_PER_GB if unit.upper() == "GB" else 1.0


def _bounds(match: re.Match[str]) -> tuple[float, float]:
    values = [_number(match.group(g)) for g in ("low", "high", "one") if match.group(g)]
    return min(values), max(values)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _sentence(text: str, match: re.Match[str]) -> str:
    starts = [m.end() for m in BOUNDARY.finditer(text, 0, match.start())]
    start = starts[-1] if starts else 0
    end_match = BOUNDARY.search(text, match.end())
    end = end_match.start() if end_match else len(text)
    return " ".join(text[start:end].split())


def normalize(text: str) -> str:
    """Lower case, hyphens and underscores as spaces, single spaces: how names are compared."""
    return " ".join(re.sub(r"[-_]", " ", text.lower()).split())


def mentioned(sentence: str, aliases: Mapping[str, Iterable[str]]) -> set[str]:
    """The keys of ``aliases`` whose names appear in ``sentence`` as whole words; where names
    overlap, only the longest counts ("Llama 3.1 70B Instruct" is not also "Llama 3.1 70B"),
    and words that name several keys name them all ("two RTX 3090s": both 3090 pairs)."""
    return set(mentioned_in_order(sentence, aliases))


def mentioned_in_order(sentence: str, aliases: Mapping[str, Iterable[str]]) -> list[str]:
    """:func:`mentioned`, in the order the sentence names them (keys named by the same words
    in key order)."""
    haystack = f" {normalize(sentence)} "
    spans: list[tuple[int, int, str]] = []
    for key, names in aliases.items():
        for name in {normalize(n) for n in names if n}:
            if name not in haystack:  # most names are not there: no pattern to compile
                continue
            for found in re.finditer(rf"(?<![\w.]){re.escape(name)}(?![\w]|\.\d)", haystack):
                spans.append((found.start(), found.end(), key))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0]), s[2]))
    keys: list[str] = []
    covered = (-1, -1)
    for start, end, key in spans:
        if start >= covered[1] or (start, end) == covered:  # the same words name both
            if key not in keys:
                keys.append(key)
            covered = (start, end)
    return keys
