"""The fit/throughput engine: pure functions from validated catalog models to typed results.

Public entry points (re-exported here):

- ``estimate(catalog, config) -> Estimate``: fit, speed, power and launch command of one
  configuration.
- ``Config``: the configuration asked about (what ``site-builder estimate`` takes).
"""

from site_builder.engine.config import Config
from site_builder.engine.result import CardMemory, Estimate, Memory, Verdict

__all__ = ["CardMemory", "Config", "Estimate", "Memory", "Verdict"]
