"""The configurator's tables: the rows of ``/api/estimates/<key>.json`` and what they are
keyed by, shared by the build (the API writes one table per combo) and the engine in the
reader's browser (:mod:`site_builder.site.in_browser` works out a build-your-own table on
demand, :mod:`site_builder.site.custom`). Nothing here reads the site's results: the same bytes
come out in both places."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from site_builder.catalog import Catalog
from site_builder.engine import Config, Estimate
from site_builder.engine.config import DEFAULT_GEN_TOKENS, DEFAULT_PROMPT_TOKENS
from site_builder.engine.cost import HardwarePrice, PriceSheet
from site_builder.engine.names import short_gpu_name
from site_builder.engine.recommend import precision
from site_builder.engine.workloads import HEADLINE, WORKLOADS
from site_builder.schema.base import KvCacheType, SplitMode
from site_builder.site import fmt

HEADLINE_CONTEXT = WORKLOADS[HEADLINE].context_tokens
"""The context window of headline figures: the chat workload's (the engine's default)."""


class Query(NamedTuple):
    """One configuration on one combo; prompt and generation default to the engine's. A named
    tuple: tens of thousands are hashed and compared per build."""

    combo: str
    model: str
    quant: str
    runtime: str
    context: int = HEADLINE_CONTEXT
    split: SplitMode | None = None
    concurrency: int = 1
    kv_cache: KvCacheType = "f16"
    prompt: int = DEFAULT_PROMPT_TOKENS
    gen: int = DEFAULT_GEN_TOKENS


@dataclass(frozen=True)
class Default:
    """What the configurator selects for a model: the recommended runtime, quant and split,
    and for each runtime its own recommended quant and split."""

    runtime: str
    quant: str
    split: str
    per_runtime: dict[str, tuple[str, str]]
    evidence: tuple[str, float | None] = ("estimated", None)
    """The recommended setup's decode figure as pages show it: label and value."""
    near: float | None = None
    """When a measurement ran the model on these cards, the measured-near ratio
    (:func:`~site_builder.engine.evidence.near_ratio`): the pages' decode of every setup of the
    model here that no measurement ran exactly is the engine's times it."""


@dataclass(frozen=True)
class Table:
    """A configurator table: results by query and the default selection per model."""

    cards: tuple[tuple[str, int], ...]
    rows: list[tuple[Query, Estimate]]
    defaults: dict[str, Default]


FIELDS = (
    "model",
    "quant",
    "bits_per_weight",
    "runtime",
    "context",
    "verdict",
    "decode_tok_s",
    "decode_low",
    "decode_high",
    "prefill_tok_s",
    "ttft_ms",
    "aggregate_decode_tok_s",
    "max_context",
    "power_w",
    "joules_per_token",
    "split",
    "memory_total_gib",
    "per_gpu",
    "reasons",
    "launch_command",
    "evidence",
    "calibrated",
)
"""Columns of a configurator table's rows; ``per_gpu`` rows are
[gpu, capacity, weights, kv_cache, buffers, overhead, total, count] in GiB; ``bits_per_weight``
is the model's effective bits per parameter in that quant (what the site's picks rank by);
``evidence`` is the decode figure's label: ``estimated`` (calibrated runtime and metric) or
``uncalibrated`` (too few measurements to calibrate); ``calibrated`` says which figures are
calibrated, as bits over :data:`~site_builder.engine.result.LABELLED` (1 = decode, 2 = prefill,
4 = TTFT, 8 = aggregate decode, 16 = output over a serving run), the order a table's
``calibrated_bits`` lists."""

DETAILS = ("per_gpu", "reasons", "launch_command")
"""The columns a combo's table keeps in a second file, ``/api/estimates/<combo>.details.json``
(about three fifths of the table gzipped): only the configurator shows them, for the one row
it shows, so the compare picker, which reads two tables, loads neither side's."""

FIGURES = tuple(f for f in FIELDS if f not in DETAILS)
"""The columns of ``/api/estimates/<combo>.json`` rows: :data:`FIELDS` but the
:data:`DETAILS`, in order."""

_DETAIL_AT = tuple(FIELDS.index(f) for f in DETAILS)
_FIGURE_AT = tuple(FIELDS.index(f) for f in FIGURES)


def gpu_names(catalog: Catalog, cards: tuple[tuple[str, int], ...]) -> dict[str, str]:
    """GPU ID -> the short name readers know it by, for the configurator's card labels."""
    return {gpu: short_gpu_name(catalog.gpus[gpu].name) for gpu, _ in cards}


def defaults_json(defaults: dict[str, Default]) -> dict[str, Any]:
    return {
        model: {
            "runtime": d.runtime,
            "quant": d.quant,
            "split": d.split,
            "per_runtime": {r: list(pair) for r, pair in sorted(d.per_runtime.items())},
            "evidence": list(d.evidence),
            **({"near": d.near} if d.near is not None else {}),
        }
        for model, d in sorted(defaults.items())
    }


def price(sheet: PriceSheet) -> dict[str, Any] | None:
    """The hardware's headline price as pages show it ({usd, text}), or None without one."""
    usd, text = sheet_price(sheet)
    return None if usd is None else {"usd": usd, "text": text}


def dump(value: Any) -> str:
    """Deterministic, strict JSON: a non-finite number raises ``ValueError`` (no ``Infinity``)."""
    text = json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return text + "\n"


_ROW_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
""":func:`dump`'s encoder for one table row (a list: no keys to sort)."""


def _row_encoder() -> Callable[[list[Any]], str]:
    """``_ROW_JSON.encode``, with the C encoder it makes on every call made once (it runs for
    every row of the API: about a fifth of a row's time goes to making the encoder again).
    A row holds no cycles, so the encoder keeps no markers; the text is the same, which is
    checked here on a sample row: where Python has no C encoder, or one that takes other
    arguments or writes otherwise, ``_ROW_JSON.encode`` itself."""
    make: Any = getattr(json.encoder, "c_make_encoder", None)
    sample: list[Any] = ["q", 4, 2.5, None, [["gpu", 23.99, 1]], ["<é|"], "", 0.1 + 0.2]
    try:
        encoder = make(
            None, _ROW_JSON.default, json.encoder.encode_basestring, None, ":", ",", False,
            False, False,
        )  # fmt: skip
        if "".join(encoder(sample, 0)) == _ROW_JSON.encode(sample):
            return lambda row: "".join(encoder(row, 0))
    except TypeError:  # None (no C encoder), or its arguments changed
        pass
    return _ROW_JSON.encode


_encode_row = _row_encoder()


def table_text(head: dict[str, Any], rows: Iterable[str]) -> str:
    """:func:`dump` of a table: ``head`` and, last, its ``"rows"`` (each row's JSON text,
    :meth:`Rows.text`): the same text as ``dump({**head, "rows": [...]})`` ("rows" sorts after
    every key of a table), without the rows as objects."""
    if any(key >= "rows" for key in head):
        raise ValueError(f"a table's keys sort before 'rows': {sorted(head)}")
    return f'{dump(head)[:-2]},"rows":[{",".join(rows)}]}}\n'


RowText = tuple[str, str]
"""A row's JSON text in the table (:data:`FIGURES`) and in its details file (:data:`DETAILS`)."""


def details_text(combo: str, rows: Iterable[str]) -> str:
    """:func:`dump` of a combo's details file: ``combo``, ``fields`` (:data:`DETAILS`) and
    ``rows`` (each row's :data:`DETAILS` text, in the order of the table's rows)."""
    return table_text({"combo": combo, "fields": list(DETAILS)}, rows)


class Bits(dict[tuple[str, str], float]):
    """The model's effective bits per weight by (model, quant), computed once each (a table
    repeats a pair for every runtime and context)."""

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog

    def __missing__(self, key: tuple[str, str]) -> float:
        model, quant = key
        found = self[key] = precision(self.catalog, Config((), model, quant, ""))
        return found


class Rows:
    """Results as rows of :data:`FIELDS`, figures exactly as ``estimate --json`` prints them
    (rounded as :meth:`Estimate.to_json` rounds; a test holds every row of a build to it).
    Each (model, quant)'s bits per weight is computed once, and so are the figures of each
    refusal (the engine shares one estimate among every configuration refused for the same
    reasons: most rows of a table). This runs for every row of the API."""

    def __init__(self, catalog: Catalog) -> None:
        self.bits = Bits(catalog)
        self._refusals: dict[int, tuple[Estimate, list[Any]]] = {}

    def forget(self) -> None:
        """Let the refusals seen so far go (a build that reads each combo's results back
        from disk has new estimates for every combo: kept, they would pin them all)."""
        self._refusals.clear()

    def text(self, query: Query, estimate: Estimate) -> RowText:
        """:meth:`row` as a combo's two files hold it (:func:`table_text`): its
        :data:`FIGURES`, and its :data:`DETAILS`."""
        row = self.row(query, estimate)
        return _encode_row([row[i] for i in _FIGURE_AT]), _encode_row([row[i] for i in _DETAIL_AT])

    def row(self, query: Query, estimate: Estimate) -> list[Any]:
        """One result as a row."""
        if estimate.verdict == "unsupported":
            found = self._refusals.get(id(estimate))
            if found is None:
                found = self._refusals[id(estimate)] = (estimate, estimate.row_figures())
            shown = found[1]
        else:
            shown = estimate.row_figures()
        head = [query.model, query.quant, self.bits[(query.model, query.quant)], query.runtime]
        return [*head, query.context, *shown]


def sheet_price(sheet: PriceSheet) -> tuple[float | None, str]:
    """The cheapest current price with its condition and date, else the launch price."""
    current = sheet.cheapest()
    if current is not None:
        return current.usd, current_text(current)
    return launch_text(sheet)


def current_text(price: HardwarePrice) -> str:
    """A current price as pages lead with it: ``$3,340 new, 2023-11-23``."""
    return f"{fmt.usd(price.usd)} {price.condition}, {price.as_of}"


def launch_text(sheet: PriceSheet) -> tuple[float | None, str]:
    """(USD, text) of the launch price sum, dated by the newest card's launch year."""
    launch = sheet.launch_usd
    if launch is None:
        return None, fmt.DASH
    return launch, f"{fmt.usd(launch)} at launch ({sheet.launch_year})"
