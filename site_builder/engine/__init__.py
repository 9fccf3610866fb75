"""The fit/throughput engine: pure functions from validated catalog models to typed results.

Public entry points (re-exported here):

- ``estimate(catalog, config) -> Estimate``: fit, speed, power and launch command of one
  configuration.
- ``config_for_combo(catalog, combo_slug, *, model, quant, runtime, ...) -> Config``.
- ``Config``: the configuration asked about (what ``site-builder estimate`` takes).
- ``prepare(catalog) -> Lookups``: caller-owned memos of shapes and plans; pass it as
  ``estimate(catalog, config, lookups)`` when estimating many configurations (2-3x faster).
- ``accuracy_points`` / ``accuracy_table``: the engine against every measured benchmark.
- ``effective_bits_per_weight(model, quant)``: checkpoint bits per parameter.
- ``evidence``: label a figure measured / measured-near / estimated.
"""

from site_builder.engine import native

_COMPILED = native.use(__path__)  # the compiled modules of these sources, when built (first)

from site_builder.engine import evidence  # noqa: E402
from site_builder.engine.accuracy import AccuracyPoint, ErrorRow, accuracy_points, accuracy_table  # noqa: E402
from site_builder.engine.config import Config  # noqa: E402
from site_builder.engine.estimate import Lookups, estimate, prepare  # noqa: E402
from site_builder.engine.resolve import config_for_combo  # noqa: E402
from site_builder.engine.result import CardMemory, Estimate, Memory, Verdict  # noqa: E402
from site_builder.engine.shapes import effective_bits_per_weight  # noqa: E402

if _COMPILED:
    native.load(__name__)

__all__ = [
    "AccuracyPoint",
    "CardMemory",
    "Config",
    "ErrorRow",
    "Estimate",
    "Lookups",
    "Memory",
    "Verdict",
    "accuracy_points",
    "accuracy_table",
    "config_for_combo",
    "effective_bits_per_weight",
    "estimate",
    "evidence",
    "prepare",
]
