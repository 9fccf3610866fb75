"""Configurations from IDs: catalog look-ups with "did you mean" errors, and combo configs."""

from __future__ import annotations

import difflib
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
    """``rtx-4090:2`` -> (``rtx-4090``, 2); a bare slug means one card."""
    slug, _, count = spec.partition(":")
    if not count:
        return slug, 1
    if not count.isdigit() or not 1 <= int(count) <= 16:
        raise UsageError(f"invalid --gpu '{spec}': COUNT must be an integer from 1 to 16")
    return slug, int(count)


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


def validate(catalog: Catalog, config: Config) -> None:
    """Raise UsageError for any unknown ID or invalid value of ``config``."""
    validate_hardware(catalog, config)
    lookup("model", catalog.models, config.model)
    lookup("quant", catalog.quants, config.quant)
    lookup("runtime", catalog.runtimes, config.runtime)
    if config.split is not None:
        check_choice("split", config.split, SPLITS)
    check_choice("kv-cache", config.kv_cache, KV_TYPES)
    check_positive("context", config.context_tokens)
    check_positive("prompt", config.prompt_tokens, 0)
    check_positive("gen", config.gen_tokens, 0)
    check_positive("concurrency", config.concurrency)
    if config.tensor_split is not None and (
        len(config.tensor_split) != sum(c for _, c in config.gpus)
        or any(r < 0 for r in config.tensor_split)
        or sum(config.tensor_split) <= 0
    ):
        raise UsageError("invalid tensor split: one non-negative ratio per card")


def validate_hardware(catalog: Catalog, config: Config) -> None:
    """Raise UsageError for unknown cards, interconnect or combo of ``config``."""
    if not config.gpus:
        raise UsageError("no GPUs: give --combo or --gpu")
    for slug, count in config.gpus:
        lookup("gpu", catalog.gpus, slug)
        if not 1 <= count <= 16:
            raise UsageError(f"invalid --gpu '{slug}:{count}': COUNT must be from 1 to 16")
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
        gpus=tuple((entry.gpu, entry.count) for entry in combo.gpus),
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
