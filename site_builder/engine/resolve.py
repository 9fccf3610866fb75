"""Configurations from IDs: catalog look-ups with "did you mean" errors, and combo configs.

Argument rules shared by ``estimate`` and ``recommend`` (command line and batch lines): numbers
are written with ASCII digits only (``parse_int``; ``str.isdigit`` and ``int()`` would also take
superscripts, Arabic-Indic digits and ``1_000``), and every number has a stated range:

- ``--gpu SLUG[:COUNT]``: COUNT from 1 to 16 (``MAX_CARDS_PER_GPU``); at most 64 cards in all;
- ``--context``: 1 to 10,000,000 tokens; ``--prompt``: 0 to ``--context``;
- ``--gen``: 0 to 10,000,000 tokens; ``--concurrency``: 1 to 4,096 sequences;
- a tensor split: one finite ratio from 0 to 1,000,000 per card, not all zero.

A violation raises ``UsageError`` with one line naming the argument (exit code 2).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import TypeVar

from site_builder.catalog import Catalog
from site_builder.engine.config import (
    DEFAULT_CONTEXT_TOKENS,
    DEFAULT_GEN_TOKENS,
    DEFAULT_PROMPT_TOKENS,
    Config,
)
from site_builder.errors import UsageError
from site_builder.schema.base import KvCacheType, SplitMode

T = TypeVar("T")

SPLITS: tuple[SplitMode, ...] = ("layer", "tensor", "pipeline", "expert")
KV_TYPES: tuple[KvCacheType, ...] = ("f16", "q8_0", "q4_0", "fp8")

MAX_CARDS_PER_GPU = 16
"""Most cards of one model in a ``--gpu SLUG:COUNT``."""
MAX_CARDS = 64
"""Most cards in one configuration (all ``--gpu`` options together)."""
MAX_CONTEXT_TOKENS = 10_000_000
"""Largest context window accepted (the longest published model window is 10M tokens)."""
MAX_GEN_TOKENS = 10_000_000
"""Most generated tokens accepted."""
MAX_CONCURRENCY = 4096
"""Most concurrent sequences accepted."""
MAX_TENSOR_SPLIT_RATIO = 1_000_000.0
"""Largest per-card ratio of a tensor split."""
MAX_RAM_GIB = 65_536
"""Most system RAM accepted, GiB (64 TiB: past any one machine)."""
MAX_RAM_GB_S = 10_000
"""Highest system-RAM bandwidth accepted, GB/s (twelve-channel servers reach about 600)."""
MAX_LAYERS = 1000
MAX_UBATCH = 65536
"""Largest --ubatch (llama.cpp prompt tokens a pass) asked; the schema's bound too."""
"""Most layers ``--cpu-moe-layers`` accepts (the catalog's models have at most 1,000)."""

_ASCII_INT = re.compile(r"[+-]?[0-9]+")
_MAX_DIGITS = 30
"""Digits read at most: longer numbers are out of every range (and ``int()`` of more than 4,300
digits raises)."""


def shown(text: str, limit: int = 40) -> str:
    """``repr(text)`` (control characters escaped) cut to ``limit`` characters, for messages."""
    quoted = repr(text)
    return quoted if len(quoted) <= limit else f"{quoted[: limit - 4]}...{quoted[-1]}"


def parse_int(text: str) -> int:
    """An integer written with ASCII digits (an optional sign, no spaces or underscores).

    Raises ``ValueError`` with a short reason otherwise, or when it has more than 30 digits.
    """
    if not _ASCII_INT.fullmatch(text):
        raise ValueError("must be an integer written with the digits 0-9")
    if len(text.lstrip("+-")) > _MAX_DIGITS:
        raise ValueError(f"{len(text.lstrip('+-')):,} digits: far too large")
    return int(text)


def suggest(value: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` or an empty string."""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


def lookup(kind: str, table: Mapping[str, T], slug: str) -> T:
    """``table[slug]`` or a UsageError naming the unknown ID and the closest one."""
    found = table.get(slug)
    if found is None:
        raise UsageError(f"unknown {kind} '{slug}'{suggest(slug, table)}")
    return found


def parse_gpu(spec: str) -> tuple[str, int]:
    """``rtx-4090:2`` -> (``rtx-4090``, 2); a bare slug means one card.

    COUNT is ASCII digits from 1 to 16; anything else (``rtx-4090:¹``, ``rtx-4090:٣``,
    ``rtx-4090:``) is a UsageError naming ``--gpu``.
    """
    slug, colon, count = spec.partition(":")
    if not colon:
        return slug, 1
    bad = UsageError(
        f"invalid --gpu {shown(spec)}: COUNT must be an integer from 1 to {MAX_CARDS_PER_GPU}"
    )
    if not count.isascii() or not count.isdigit():
        raise bad
    number = parse_int(count) if len(count) <= _MAX_DIGITS else 0
    if not 1 <= number <= MAX_CARDS_PER_GPU:
        raise bad
    return slug, number


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    """UsageError unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise UsageError(
            f"invalid --{name} '{value}'{suggest(value, choices)}; choose from {', '.join(choices)}"
        )


def check_positive(name: str, value: int, minimum: int = 1) -> None:
    """UsageError unless ``value >= minimum``."""
    if value < minimum:
        raise UsageError(f"invalid --{name} {value}: must be at least {minimum}")


def check_range(name: str, value: int, minimum: int, maximum: int, unit: str) -> None:
    """UsageError unless ``minimum <= value <= maximum`` (the message states the range)."""
    check_positive(name, value, minimum)
    if value > maximum:
        raise UsageError(f"invalid --{name} {value}: must be at most {maximum:,} {unit}")


def validate(catalog: Catalog, config: Config) -> None:
    """Raise UsageError for any unknown ID or invalid value of ``config``."""
    validate_hardware(catalog, config)
    lookup("model", catalog.models, config.model)
    lookup("quant", catalog.quants, config.quant)
    lookup("runtime", catalog.runtimes, config.runtime)
    if config.split is not None:
        check_choice("split", config.split, SPLITS)
    check_choice("kv-cache", config.kv_cache, KV_TYPES)
    check_range("context", config.context_tokens, 1, MAX_CONTEXT_TOKENS, "tokens")
    check_positive("prompt", config.prompt_tokens, 0)
    if config.prompt_tokens > config.context_tokens:
        raise UsageError(
            f"invalid --prompt {config.prompt_tokens}: must be at most --context "
            f"({config.context_tokens:,} tokens)"
        )
    check_range("gen", config.gen_tokens, 0, MAX_GEN_TOKENS, "tokens")
    check_range("concurrency", config.concurrency, 1, MAX_CONCURRENCY, "sequences")
    if config.host_ram_gib is not None:
        check_range("ram", int(config.host_ram_gib), 1, MAX_RAM_GIB, "GiB")
    if config.ram_bandwidth_gb_s is not None:
        check_range("ram-bandwidth", int(config.ram_bandwidth_gb_s), 1, MAX_RAM_GB_S, "GB/s")
    if config.cpu_moe_layers is not None:
        check_range("cpu-moe-layers", config.cpu_moe_layers, 1, MAX_LAYERS, "layers")
    if config.ubatch_tokens is not None:
        check_range("ubatch", config.ubatch_tokens, 1, MAX_UBATCH, "tokens")
        if config.runtime != "llama-cpp":
            raise UsageError(
                f"invalid --ubatch: -ub is an option of llama.cpp, not of {shown(config.runtime)}"
            )
    if config.tensor_split is not None and (
        len(config.tensor_split) != sum(c for _, c in config.gpus)
        or not all(0 <= r <= MAX_TENSOR_SPLIT_RATIO for r in config.tensor_split)
        or sum(config.tensor_split) <= 0
    ):
        raise UsageError(
            "invalid tensor split: one ratio per card, each from 0 to "
            f"{MAX_TENSOR_SPLIT_RATIO:,.0f}, not all zero"
        )


def validate_hardware(catalog: Catalog, config: Config) -> None:
    """Raise UsageError for unknown cards, interconnect or combo of ``config``."""
    if not config.gpus:
        raise UsageError("no GPUs: give --combo or --gpu")
    for slug, count in config.gpus:
        lookup("gpu", catalog.gpus, slug)
        if not 1 <= count <= MAX_CARDS_PER_GPU:
            raise UsageError(
                f"invalid --gpu {shown(f'{slug}:{count}')}: COUNT must be from 1 to "
                f"{MAX_CARDS_PER_GPU}"
            )
    cards = sum(count for _, count in config.gpus)
    if cards > MAX_CARDS:
        raise UsageError(f"invalid --gpu: {cards} cards in all, at most {MAX_CARDS}")
    if config.interconnect is not None:
        lookup("interconnect", catalog.interconnects, config.interconnect)
    if config.combo is not None:
        lookup("combo", catalog.combos, config.combo)


def config_for_combo(
    catalog: Catalog,
    combo_slug: str,
    *,
    model: str,
    quant: str,
    runtime: str,
    split: SplitMode | None = None,
    context_tokens: int = DEFAULT_CONTEXT_TOKENS,
    prompt_tokens: int = DEFAULT_PROMPT_TOKENS,
    gen_tokens: int = DEFAULT_GEN_TOKENS,
    concurrency: int = 1,
    kv_cache: KvCacheType = "f16",
) -> Config:
    """The configuration of a catalog combo: its cards in order and its interconnect."""
    combo = lookup("combo", catalog.combos, combo_slug)
    return Config(
        gpus=combo.cards(),
        model=model,
        quant=quant,
        runtime=runtime,
        interconnect=combo.interconnect,
        split=split,
        context_tokens=context_tokens,
        prompt_tokens=prompt_tokens,
        gen_tokens=gen_tokens,
        concurrency=concurrency,
        kv_cache=kv_cache,
        combo=combo_slug,
    )
