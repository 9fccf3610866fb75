"""Hypothesis runs the same examples on every machine: derandomized, no example database.

``ENGINE_EXAMPLES`` sets the examples per property (default 200, what CI runs);
``ENGINE_EXAMPLES=2000 .venv/bin/pytest tests/engine/test_properties.py`` is the long local run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("ENGINE_EXAMPLES", "200"))

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci")
