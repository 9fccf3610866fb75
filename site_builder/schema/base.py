"""Shared building blocks of the catalog schema.

Every catalog entity derives from :class:`Entity`: unknown keys are errors, values are not coerced
(``"24"`` is not a number, ``no`` is not a string), numbers are finite (no infinity, no NaN) and
every numeric field has a stated plausible range, instances are frozen, and every entity carries
at least one source URL. Field names carry their unit (``vram_gib``, ``mem_bandwidth_gb_s``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

SplitMode = Literal["layer", "tensor", "pipeline", "expert"]
"""How a model is partitioned across cards: llama.cpp `-sm layer`, tensor parallel, pipeline
parallel (vLLM `--pipeline-parallel-size`), expert parallel."""

KvCacheType = Literal["f16", "q8_0", "q4_0", "fp8"]
"""KV-cache element types the engine models (llama.cpp `-ctk/-ctv`, vLLM `--kv-cache-dtype`)."""

Platform = Literal["cuda", "rocm", "metal", "sycl", "vulkan", "cpu"]
"""Compute back-ends a GPU offers or a runtime supports (``sycl``: Intel GPUs through oneAPI
SYCL or PyTorch XPU; ``vulkan``: the cross-vendor Vulkan compute back-end)."""

QuantFormat = Literal["float", "gguf", "awq", "gptq", "exl2", "fp8", "mxfp4", "nf4", "mlx"]
"""Weight-format families; a runtime lists the families it loads. ``float`` is unquantized
16-bit weights (GGUF F16/BF16 or safetensors)."""

Rating = Literal["excellent", "good", "supported", "limited", "unsupported"]
"""Editorial rating of how well a runtime works on a combo."""

URL_PATTERN = r"^https?://[^\s]+$"

SLUG_PATTERN = r"^[a-z0-9][a-z0-9.\-]*[a-z0-9]$"
"""An ID (file name without ``.yaml``): lower-case letters, digits, dots and hyphens."""

QUANT_ID_PATTERN = r"^[A-Z0-9][A-Za-z0-9_.\-]*$"
"""A quant ID, spelled as llama.cpp spells it (``Q4_K_M``, ``AWQ-INT4``)."""

Id = Annotated[str, Field(pattern=SLUG_PATTERN)]
"""A reference to another entry by its ID (no spaces, no line breaks)."""

QuantId = Annotated[str, Field(pattern=QUANT_ID_PATTERN)]
"""A reference to a quant by its ID."""

SourceUrl = Annotated[
    str,
    Field(
        pattern=URL_PATTERN,
        description="A public URL (http or https) where the facts of this entity can be checked.",
    ),
]

Prose = Annotated[str, Field(min_length=1, description="Editorial text (Markdown inline).")]


@dataclass(frozen=True)
class Plausible:
    """A plausible range with a unit: values outside fail with a unit-aware hint, and the JSON
    Schema carries the range (``minimum``/``maximum``), so an editor flags it while typing."""

    low: float
    high: float
    unit: str

    def check(self, value: float) -> float:
        if not self.low <= value <= self.high:
            raise ValueError(
                f"implausible value {value:g} {self.unit} (expected {self.low:g}–{self.high:g} "
                f"{self.unit}; check the unit)"
            )
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        found = handler(schema)
        found.update(minimum=self.low, maximum=self.high)
        return found


def plausible(low: float, high: float, unit: str) -> Plausible:
    """Values outside ``[low, high]`` are rejected with a unit-aware hint."""
    return Plausible(low, high, unit)


class Strict(BaseModel):
    """Base of every catalog object: strict types, finite numbers, no unknown keys, immutable.

    Validators are built on first use (``defer_build``): a command answered from the cached
    catalog (:mod:`site_builder.catalog.cache`) unpickles entities without validating them,
    so it no longer pays for building every validator at import (about 0.1 s of its start)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, allow_inf_nan=False, defer_build=True
    )


class Entity(Strict):
    """A catalog entity stored as ``catalog/<kind>/<slug>.yaml`` (the slug is the file name)."""

    sources: list[SourceUrl] = Field(
        min_length=1,
        description="Public URLs backing the facts and numbers of this entry (at least one).",
    )


class FailureMode(Strict):
    """A way a setup breaks, and what happens."""

    title: str = Field(min_length=1, description="Short name of the failure.")
    detail: Prose = Field(description="What goes wrong, why, and how to avoid it.")


class Troubleshooting(Strict):
    """A symptom and its fix."""

    symptom: Prose = Field(description="What the operator observes.")
    fix: Prose = Field(description="What to check or change, with commands in backticks.")
