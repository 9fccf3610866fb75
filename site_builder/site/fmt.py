"""Number formatting shared by every page, chart and test: one rounding rule per unit.

Values are first rounded to the two decimals ``site-builder estimate --json`` prints, so a page
shows exactly what the command line shows for the same configuration.
"""

from __future__ import annotations

import re

DASH = "—"
ENGINE_DIGITS = 2
"""Decimals of the engine's JSON output (``Estimate.to_json``)."""


def num(value: float | None, digits: int = 1) -> str:
    """A number with ``digits`` decimals and thousands separators, or a dash for None."""
    if value is None:
        return DASH
    return f"{round(value, ENGINE_DIGITS):,.{digits}f}"


def tok_s(value: float | None) -> str:
    """Tokens per second: one decimal below 100, none above."""
    if value is None:
        return DASH
    return num(value, 1 if abs(round(value, ENGINE_DIGITS)) < 100 else 0)


def gib(value: float | None) -> str:
    """GiB with one decimal."""
    return num(value, 1)


def ms(value: float | None) -> str:
    """Milliseconds, no decimals (one below 10 ms)."""
    if value is None:
        return DASH
    return num(value, 1 if abs(value) < 10 else 0)


def watts(value: float | None) -> str:
    """Watts, no decimals."""
    return num(value, 0)


def usd(value: float | None) -> str:
    """US dollars: whole dollars, two decimals below 10."""
    if value is None:
        return DASH
    return "$" + num(value, 2 if abs(value) < 10 else 0)


def price(total_usd: float, basis: str, as_of: str | None = None) -> str:
    """A price with what it is: ``$1,599, launch MSRP (Founders Edition), 2022-10-12``. The
    basis keeps its own brackets; the price never wraps it in another pair."""
    parts = [usd(total_usd), basis.strip(), as_of or ""]
    return ", ".join(part for part in parts if part)


VERDICT_WORDS = {
    "fits": "runs in VRAM",
    "tight": "tight fit",
    "offload": "needs offload",
    "no-fit": "does not fit",
    "unsupported": "not supported",
}
"""What a reader sees for each engine verdict (the code stays in CSS classes and the API)."""


NATIVE_WEIGHTS = {
    "bf16": "BF16",
    "fp16": "FP16",
    "fp8": "FP8",
    "mxfp4": "MXFP4 experts, BF16 for the rest",
    "mxfp4-fp8": "MXFP4 experts, FP8 for the rest",
    "int4-bf16": "INT4 experts (one BF16 scale per 32 weights), BF16 for the rest",
}
"""The precision a model is released in, in words (``native_dtype``)."""


def native_weights(dtype: str) -> str:
    """``native_dtype`` in words."""
    return NATIVE_WEIGHTS.get(dtype, dtype)


def verdict_words(verdict: str) -> str:
    """An engine verdict in words: ``fits`` -> ``runs in VRAM``."""
    return VERDICT_WORDS.get(verdict, verdict)


def tokens(value: int | None) -> str:
    """A token count as people say it, rounded down to whole K: 8K, 35K, 128K; 512 below 1K."""
    if value is None:
        return DASH
    return f"{value // 1024}K" if value >= 1024 else f"{value:,}"


def params(billions: float) -> str:
    """Parameter counts as model cards give them: 8B, 14.8B, 71B, 671B."""
    return f"{billions:.0f}B" if billions >= 20 else f"{billions:.3g}B"


def command(line: str, width: int = 72) -> str:
    """A long shell command broken before its options, with ``\\`` continuations (it still
    runs when pasted)."""
    if len(line) <= width or "\n" in line:
        return line
    parts = re.split(r" (?=--?[A-Za-z])", line)
    return " \\\n  ".join(parts)
