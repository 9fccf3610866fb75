"""``site-builder new <kind> <slug>``: write a new catalog entry, a skeleton or an import.

The file starts with a yaml-language-server line pointing at the kind's JSON Schema, so
editors complete keys and flag errors as you type. A skeleton's values are placeholders to
replace (``--moe``: the mixture-of-experts model skeleton). An import writes an entry that
validates as it is: ``models --from-config config.json`` from a Hugging Face config
(:mod:`site_builder.catalog.importers.hf_config`), ``benchmarks --from-llama-bench OUTPUT``
from llama-bench's JSON or Markdown output
(:mod:`site_builder.catalog.importers.llama_bench`). An existing file is never overwritten.
"""

from __future__ import annotations

import argparse
import datetime
import re
from importlib import resources
from pathlib import Path
from typing import get_args

from site_builder.catalog.importers import hf_config, llama_bench, refs
from site_builder.catalog.loader import QUANT_SLUG, SLUG
from site_builder.catalog.messages import did_you_mean
from site_builder.errors import UsageError
from site_builder.schema import KINDS
from site_builder.schema.model import Capability
from site_builder.schema_export import schema_file_name

IMPORTS = {
    "from_config": (
        "models",
        ("repo", "license"),
        ("name", "family", "params_b", "params_active_b", "capabilities"),
    ),
    "from_llama_bench": ("benchmarks", ("combo", "model", "source"), ("quant", "version", "date")),
}
"""Each import option: the kind it writes, the options it needs and those it also takes."""
NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", help=f"one of: {', '.join(KINDS)}")
    parser.add_argument("slug", help="the new entry's ID (its file name and URL)")
    parser.add_argument(
        "--catalog", type=Path, default=Path("catalog"), help="catalog folder (default: ./catalog)"
    )
    parser.add_argument(
        "--moe", action="store_true", help="models: the mixture-of-experts skeleton"
    )
    model = parser.add_argument_group("models: import a Hugging Face config.json")
    model.add_argument(
        "--from-config", type=Path, metavar="CONFIG_JSON", help="the model's config.json"
    )
    model.add_argument("--repo", help="Hugging Face repository of the weights, ORG/NAME")
    model.add_argument("--license", help="weights licence as the publisher names it")
    model.add_argument("--name", help="display name (default: the repository name)")
    model.add_argument("--family", help="model family (default: from model_type)")
    model.add_argument("--params-b", type=billions, help="total parameters, billions")
    model.add_argument("--params-active-b", type=billions, help="MoE: active parameters")
    model.add_argument("--capabilities", type=capabilities, help="e.g. chat,reasoning")
    bench = parser.add_argument_group("benchmarks: import llama-bench output (JSON or Markdown)")
    bench.add_argument(
        "--from-llama-bench", type=Path, metavar="OUTPUT", help="llama-bench's output, one setup"
    )
    bench.add_argument("--combo", help="combo ID of the machine it ran on")
    bench.add_argument("--model", help="model ID")
    bench.add_argument("--source", help="URL of the raw output")
    bench.add_argument("--quant", help="quant ID (default: from the GGUF type llama-bench names)")
    bench.add_argument("--version", help="llama.cpp build, e.g. 'b4404 (0827b2c1)'")
    bench.add_argument("--date", type=day, help="day of the run, YYYY-MM-DD")


def billions(text: str) -> float:
    """argparse ``type`` for a parameter count in billions (ASCII digits, above 0, to 5000)."""
    value = float(text) if NUMBER.fullmatch(text) else 0.0
    if not 0 < value <= 5000:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}: write billions, e.g. 70.554")
    return value


def capabilities(text: str) -> tuple[str, ...]:
    """argparse ``type`` for a comma-separated list of model capabilities."""
    known = get_args(Capability)
    found = tuple(item.strip() for item in text.split(","))
    for item in found:
        if item not in known:
            hint = did_you_mean(item, known) or f" (one of {', '.join(known)})"
            raise argparse.ArgumentTypeError(f"unknown capability {item!r}{hint}")
    return found


def day(text: str) -> datetime.date:
    """argparse ``type`` for a date written YYYY-MM-DD."""
    try:
        if DATE.fullmatch(text):
            return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"invalid date {text!r}: write YYYY-MM-DD")


def skeleton(kind: str, variant: str | None = None) -> str:
    """The skeleton text for ``kind`` (or its ``variant``, e.g. models-moe), schema line first."""
    name = f"{variant or kind}.yaml"
    body = resources.files("site_builder.skeletons").joinpath(name).read_text("utf-8")
    return f"# yaml-language-server: $schema=../../schema/{schema_file_name(kind)}\n{body}"


def run(args: argparse.Namespace) -> int:
    kind, slug = args.kind, args.slug
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}{did_you_mean(kind, KINDS)}")
    pattern = QUANT_SLUG if kind == "quants" else SLUG
    if not pattern.fullmatch(slug):  # match() would accept a trailing line break
        raise UsageError(f"invalid ID {slug!r} for {kind} (allowed: {pattern.pattern})")
    check_options(args)
    path = args.catalog / kind / f"{slug}.yaml"
    if path.exists():
        raise UsageError(f"{path} already exists: choose another ID (new never overwrites)")
    text = entry(args)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    imported = args.from_config or args.from_llama_bench
    todo = "check it" if imported else "replace the placeholders"
    print(f"wrote {path}: {todo}, then run `site-builder validate`")
    return 0


def check_options(args: argparse.Namespace) -> None:
    """Stop on an option that does not go with the kind or the import given."""
    if args.moe and (args.kind != "models" or args.from_config):
        raise UsageError(
            "--moe goes with `new models` alone (--from-config reads the experts from config.json)"
        )
    for source, (kind, needed, optional) in IMPORTS.items():
        flag = "--" + source.replace("_", "-")
        if getattr(args, source) is None:
            given = [o for o in (*needed, *optional) if getattr(args, o) is not None]
            if given:
                raise UsageError(f"--{given[0].replace('_', '-')} goes with {flag}")
        elif args.kind != kind:
            raise UsageError(f"{flag} writes {kind}, not {args.kind}")
        elif missing := [o for o in needed if getattr(args, o) is None]:
            raise UsageError(f"{flag} needs --{missing[0]}")


def entry(args: argparse.Namespace) -> str:
    """The new file's text: an import, or the kind's skeleton."""
    if args.from_config is not None:
        model = hf_config.ModelOptions(
            repo=args.repo,
            license=args.license,
            name=args.name,
            family=args.family,
            params_b=args.params_b,
            params_active_b=args.params_active_b,
            capabilities=args.capabilities or ("chat",),
        )
        return hf_config.model_text(read(args.from_config), model)
    if args.from_llama_bench is not None:
        facts = refs.bench_facts(args.catalog, args.combo, args.model)
        bench = llama_bench.BenchOptions(
            args.combo, args.model, args.source, args.quant, args.version, args.date
        )
        return llama_bench.benchmark_text(read(args.from_llama_bench), bench, facts)
    return skeleton(args.kind, "models-moe" if args.moe else None)


def read(path: Path) -> str:
    """The text of an import's input file."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise UsageError(f"cannot read {path} ({reason})") from None
