"""The Jinja environment that turns typed page contexts into Markdown.

Undefined names fail loudly (``StrictUndefined``), autoescape is off because the output is
Markdown (escaping is explicit, through the filters of :mod:`site_builder.site.escape`), and
number formatting comes from :mod:`site_builder.site.fmt` so every page rounds alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from site_builder.errors import BuildError
from site_builder.site import cells, escape, fmt, urls
from site_builder.site.compiled import Compiled
from site_builder.site.results import HEADLINE_CONTEXT


def environment(templates_dir: Path, compiled: Path | None = None) -> jinja2.Environment:
    """A Jinja environment over ``templates_dir`` with the site's filters (keeping compiled
    templates in the folder ``compiled``, if given, and in this process's memory,
    :class:`~site_builder.site.compiled.Compiled`: each process of a build compiled every
    template again, about 1.4 s; Jinja checks each against its source)."""
    cache = None
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
        cache = Compiled(str(compiled))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        bytecode_cache=cache,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(
        md=escape.md,
        prose=escape.prose,
        html=escape.html_text,
        fence=escape.fence,
        url=escape.url,
        yaml=escape.yaml_string,
        tok_s=fmt.tok_s,
        gib=fmt.gib,
        ms=fmt.ms,
        watts=fmt.watts,
        usd=fmt.usd,
        tokens=fmt.tokens,
        num=fmt.num,
        command=fmt.command,
        verdict_text=fmt.verdict_words,
        rel=urls.from_page,
    )
    env.globals["headline_context"] = fmt.tokens(HEADLINE_CONTEXT)
    env.globals["cells"] = cells  # the HTML pieces pages repeat (functions: macros are slow)
    return env


def render(env: jinja2.Environment, template: str, context: Any, path: str = "") -> str:
    """Render ``template`` with the attributes of the typed ``context`` as ``page`` and the
    page's docs-relative ``path`` as ``here`` (raw HTML links are made relative to it with the
    ``rel`` filter: mkdocs rewrites Markdown links only)."""
    try:
        return env.get_template(template).render(page=context, here=path)
    except jinja2.TemplateError as exc:
        where = (
            f"{exc.filename}:{exc.lineno}"
            if isinstance(exc, jinja2.TemplateSyntaxError)
            else template
        )
        raise BuildError(f"template {where}: {exc}") from exc
