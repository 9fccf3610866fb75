"""Stack recipes: a combo, a runtime and models, set up step by step (``catalog/stacks/``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from site_builder.schema.base import (
    Entity,
    FailureMode,
    Id,
    KvCacheType,
    Prose,
    QuantId,
    SplitMode,
    Strict,
    Troubleshooting,
)


class Workload(Strict):
    """A configuration the engine evaluates for the expected-outcome section."""

    runtime: Id = Field(description="Runtime ID.")
    model: Id = Field(description="Model ID.")
    quant: QuantId = Field(description="Quant ID.")
    split: SplitMode | None = Field(
        default=None, description="Split mode; runtime default if absent."
    )
    context_tokens: int = Field(
        default=8192,
        ge=256,
        le=100_000_000,
        description="Context window allocated (at most 100,000,000).",
    )
    concurrency: int = Field(default=1, ge=1, le=1024, description="Concurrent requests.")
    kv_cache: KvCacheType = Field(default="f16", description="KV-cache element type.")


class Component(Strict):
    """A piece of the stack and the reason it is there."""

    kind: Literal["hardware", "runtime", "model", "tool"] = Field(description="What it is.")
    ref: Id | None = Field(
        default=None, description="Catalog ID for hardware (GPU), runtime or model components."
    )
    name: str = Field(min_length=1, description="Display name.")
    role: str = Field(min_length=1, description="Its job in the stack.")
    notes: Prose = Field(description="Why this choice, and the alternatives.")


class Step(Strict):
    """One numbered setup step."""

    title: str = Field(min_length=1, description="Step heading.")
    body: Prose = Field(description="What the step does and why.")
    commands: str | None = Field(default=None, description="Shell commands, one per line.")


class Check(Strict):
    """A verification with the value an operator should see."""

    name: str = Field(min_length=1, description="What is verified.")
    command: str = Field(min_length=1, description="Command to run.")
    expected: Prose = Field(description="What correct output looks like.")


class Variation(Strict):
    """An alternative workload on the same hardware."""

    name: str = Field(min_length=1, description="Short name, e.g. 'MoE-first'.")
    description: Prose = Field(description="When to choose it.")
    workload: Workload = Field(description="The configuration the engine evaluates for it.")


class Stack(Entity):
    """A deployment recipe for one combo."""

    name: str = Field(min_length=1, description="Display name.")
    summary: Prose = Field(description="What the stack achieves; no hand-typed speeds.")
    combo: Id = Field(description="Combo ID this recipe runs on.")
    workload: Workload = Field(description="The primary configuration (expected outcome).")
    os: str = Field(min_length=1, description="Operating system the steps assume.")
    hardware_required: list[Prose] = Field(min_length=1, description="Parts list.")
    components: list[Component] = Field(min_length=1, description="What is installed and why.")
    steps: list[Step] = Field(min_length=1, description="Numbered setup steps.")
    verification: list[Check] = Field(min_length=1, description="Checks with expected values.")
    power_notes: list[Prose] = Field(min_length=1, description="Power, thermal, acoustic notes.")
    failure_modes: list[FailureMode] = Field(min_length=1, description="What you will hit.")
    troubleshooting: list[Troubleshooting] = Field(min_length=1, description="Symptom -> fix.")
    variations: list[Variation] = Field(default_factory=list, description="Alternatives.")
    who_should_avoid: list[Prose] = Field(min_length=1, description="Readers it is wrong for.")
