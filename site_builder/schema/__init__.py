"""The catalog schema: one strict pydantic model per entity kind.

``KINDS`` maps each folder under ``catalog/`` to its model; the loader, the JSON Schema export
and the reference docs all iterate it, so a new kind is added here once.
"""

from __future__ import annotations

from pydantic import BaseModel

from site_builder.schema.benchmark import Benchmark, Result
from site_builder.schema.combo import Combo, GpuCount
from site_builder.schema.gpu import Gpu
from site_builder.schema.interconnect import Interconnect
from site_builder.schema.model import Model
from site_builder.schema.quant import Quant
from site_builder.schema.runtime import Runtime
from site_builder.schema.stack import Stack, Workload

KINDS: dict[str, type[BaseModel]] = {
    "gpus": Gpu,
    "interconnects": Interconnect,
    "models": Model,
    "quants": Quant,
    "runtimes": Runtime,
    "combos": Combo,
    "stacks": Stack,
    "benchmarks": Benchmark,
}

__all__ = [
    "KINDS",
    "Benchmark",
    "Combo",
    "Gpu",
    "GpuCount",
    "Interconnect",
    "Model",
    "Quant",
    "Result",
    "Runtime",
    "Stack",
    "Workload",
]
