"""Editorial pages from ``content/``, with engine figures inserted by an explicit placeholder.

Guides never type a figure the engine computes. They write, for example::

    {{ estimate("dual-rtx-4090", model="llama-3.3-70b-instruct", quant="Q4_K_M",
                runtime="llama-cpp").decode_tok_s }}

and the build replaces it with the engine's number, formatted like every other page
(see :class:`GuideFigures`). An unknown ID or attribute fails the build with the file name.
``content/runtimes/<slug>.md`` holds runtime reviews; the runtime pages include them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jinja2
import jinja2.nodes

from site_builder.catalog import Catalog
from site_builder.engine import Estimate
from site_builder.engine.evidence import estimated_label
from site_builder.engine.recommend import Answer
from site_builder.errors import BuildError, display_path
from site_builder.schema.base import SplitMode
from site_builder.site import cells, fmt
from site_builder.site.evidence import shown
from site_builder.site.results import HEADLINE_CONTEXT, Query
from site_builder.site.sitedata import SiteData

REVIEWS = "runtimes"
"""Subfolder of content/ whose files are included by runtime pages, not published alone."""


@dataclass(frozen=True)
class GuideFigures:
    """The formatted figures a guide may insert (same rounding as the generated pages)."""

    estimate: Estimate

    @property
    def verdict(self) -> str:
        """In words (``runs in VRAM``), as the pages print it."""
        return fmt.verdict_words(self.estimate.verdict)

    @property
    def decode_tok_s(self) -> str:
        return fmt.tok_s(self.estimate.decode_tok_s)

    @property
    def decode_range(self) -> str:
        bounds = self.estimate.decode_tok_s_range
        return f"{fmt.tok_s(bounds[0])}–{fmt.tok_s(bounds[1])}" if bounds else fmt.DASH

    @property
    def prefill_tok_s(self) -> str:
        return fmt.tok_s(self.estimate.prefill_tok_s)

    @property
    def ttft_ms(self) -> str:
        return fmt.ms(self.estimate.ttft_ms)

    @property
    def aggregate_decode_tok_s(self) -> str:
        return fmt.tok_s(self.estimate.aggregate_decode_tok_s)

    @property
    def power_w(self) -> str:
        return fmt.watts(self.estimate.power_w)

    @property
    def memory_gib(self) -> str:
        return fmt.gib(self.estimate.memory.total_gib)

    @property
    def max_context(self) -> str:
        return fmt.tokens(self.estimate.max_context)

    def label(self, metric: str) -> str:
        """The evidence label of the figure of ``metric`` (``decode_tok_s``, ``prefill_tok_s``,
        ``ttft_ms``, ...) as the pages show it: estimated or uncalibrated."""
        return cells.evidence(estimated_label(self.estimate, metric))


def render_content(folder: Path, data: SiteData) -> dict[str, str | bytes]:
    """Every Markdown file of ``folder`` (runtime reviews excepted), placeholders rendered."""
    if not folder.is_dir():
        return {}
    env = _environment(folder, data)
    rendered: dict[str, str | bytes] = {}
    for path in sorted(folder.rglob("*.md")):
        relative = path.relative_to(folder).as_posix()
        if not relative.startswith(f"{REVIEWS}/"):
            rendered[relative] = _render(env, relative)
    return rendered


def review(folder: Path, data: SiteData, runtime: str) -> str:
    """The operational review of ``runtime`` from content/runtimes/, or an empty string; its
    headings move one level down to sit under the page's "Operational review" section."""
    relative = f"{REVIEWS}/{runtime}.md"
    if not (folder / relative).is_file():
        return ""
    return demote_headings(_render(_environment(folder, data), relative))


def demote_headings(markdown: str) -> str:
    """ATX headings one level deeper (``##`` -> ``###``), fenced code left alone."""
    out, fence = [], ""
    for line in markdown.splitlines(keepends=True):
        stripped = line.lstrip()
        marker = stripped[:3]
        if marker in ("```", "~~~"):
            fence = "" if fence and marker == fence else (fence or marker)
        elif not fence and re.match(r"#{1,5} ", stripped) and line == stripped:
            line = "#" + line
        out.append(line)
    return "".join(out)


def _environment(folder: Path, data: SiteData) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.globals["estimate"] = _estimator(data)
    env.globals["recommend"] = _recommender(data)
    return env


def _estimator(data: SiteData):  # type: ignore[no-untyped-def]
    def estimate(
        combo: str,
        *,
        model: str,
        quant: str,
        runtime: str,
        context: int = HEADLINE_CONTEXT,
        concurrency: int = 1,
        split: SplitMode | None = None,
    ) -> GuideFigures:
        _check(data, combo=combo, model=model, quant=quant, runtime=runtime)
        query = Query(combo, model, quant, runtime, context, split, concurrency)
        return GuideFigures(data.results.get(query))

    return estimate


def _recommender(data: SiteData):  # type: ignore[no-untyped-def]
    def recommend(combo: str, *, model: str) -> GuideAnswer:
        _check(data, combo=combo, model=model)
        answer = data.results.headline(combo, model)
        if answer is None:
            raise BuildError(f"recommend(): nothing runs {model!r} on {combo!r}")
        return GuideAnswer(answer, data.catalog.runtimes[answer.config.runtime].name)

    return recommend


@dataclass(frozen=True)
class GuideAnswer:
    """The recommender's headline answer, as a guide may name it (same figures as the pages)."""

    answer: Answer
    runtime_name: str

    @property
    def runtime(self) -> str:
        return self.runtime_name

    @property
    def quant(self) -> str:
        return self.answer.config.quant

    @property
    def split(self) -> str:
        return self.answer.estimate.split

    @property
    def decode_tok_s(self) -> str:
        return shown(self.answer.evidence).text

    @property
    def evidence(self) -> str:
        return self.answer.evidence.label


def planned(folder: Path, catalog: Catalog) -> Iterator[Query]:
    """The queries of every ``estimate(...)`` placeholder in ``folder``, read from the
    templates' syntax trees (arguments must be literals), so the evaluate stage computes them
    before rendering. Unknown IDs are left to rendering, which reports them with the file."""
    if not folder.is_dir():
        return
    env = jinja2.Environment()
    for path in sorted(folder.rglob("*.md")):
        try:
            tree = env.parse(path.read_text(encoding="utf-8"))
        except jinja2.TemplateSyntaxError as exc:
            raise BuildError(f"{display_path(path)}:{exc.lineno}: {exc.message}") from exc
        for call in tree.find_all(jinja2.nodes.Call):
            query = _placeholder(call, catalog, path)
            if query is not None:
                yield query


def _placeholder(call: jinja2.nodes.Call, catalog: Catalog, path: Path) -> Query | None:
    if not (isinstance(call.node, jinja2.nodes.Name) and call.node.name == "estimate"):
        return None
    try:
        args = [arg.as_const() for arg in call.args]
        kwargs = {kw.key: kw.value.as_const() for kw in call.kwargs}
    except jinja2.nodes.Impossible as exc:
        raise BuildError(
            f"{display_path(path)}:{call.lineno}: estimate() takes literal arguments"
        ) from exc
    combo = args[0] if args else kwargs.pop("combo", "")
    known = combo in catalog.combos and kwargs.get("model") in catalog.models
    if not known or not {"model", "quant", "runtime"} <= set(kwargs):
        return None
    return Query(
        combo,
        kwargs["model"],
        kwargs["quant"],
        kwargs["runtime"],
        kwargs.get("context", HEADLINE_CONTEXT),
        kwargs.get("split"),
        kwargs.get("concurrency", 1),
    )


def _check(data: SiteData, **ids: str) -> None:
    kinds = {"combo": "combos", "model": "models", "quant": "quants", "runtime": "runtimes"}
    for name, value in ids.items():
        if value not in getattr(data.catalog, kinds[name]):
            raise BuildError(f"estimate(): unknown {name} {value!r}")


def _render(env: jinja2.Environment, relative: str) -> str:
    try:
        return env.get_template(relative).render()
    except BuildError as exc:
        raise BuildError(f"content/{relative}: {exc}") from exc
    except jinja2.TemplateError as exc:
        raise BuildError(f"content/{relative}: {exc}") from exc
