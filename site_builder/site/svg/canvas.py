"""A tiny SVG writer: escaped text, fixed-precision coordinates, one element per line."""

from __future__ import annotations

from dataclasses import dataclass, field

from site_builder.site.escape import html_text

FONT = "font-family:var(--md-text-font-family, sans-serif)"


def num(value: float) -> str:
    """A coordinate with at most one decimal, without a trailing ``.0``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def color(name: str) -> str:
    """A fill colour from the site's chart palette (CSS variable with a fallback)."""
    fallback = PALETTE.get(name, "#888888")
    return f"var(--chart-{name}, {fallback})"


PALETTE = {
    "weights": "#5c6bc0",
    "kv": "#26a69a",
    "buffers": "#ffa726",
    "overhead": "#8d6e63",
    "free": "transparent",
    "line": "#3f51b5",
    "band": "#9fa8da",
    "point": "#e91e63",
    "card": "#5c6bc0",
    "link": "#26a69a",
    "host": "#78909c",
}


@dataclass
class Svg:
    """An SVG document of ``width`` x ``height`` user units."""

    width: float
    height: float
    title: str
    desc: str
    slug: str
    body: list[str] = field(default_factory=list)

    def rect(self, x: float, y: float, w: float, h: float, fill: str, **extra: str) -> None:
        attrs = _attrs(extra)
        self.body.append(
            f'<rect x="{num(x)}" y="{num(y)}" width="{num(max(w, 0))}" height="{num(h)}" '
            f'style="fill:{fill}"{attrs}/>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, **extra: str) -> None:
        extra.setdefault("stroke", "currentColor")
        self.body.append(
            f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}"{_attrs(extra)}/>'
        )

    def path(self, points: list[tuple[float, float]], **extra: str) -> None:
        if not points:
            return
        d = " ".join(
            f"{'M' if i == 0 else 'L'}{num(x)},{num(y)}" for i, (x, y) in enumerate(points)
        )
        self.body.append(f'<path d="{d}"{_attrs(extra)}/>')

    def circle(self, x: float, y: float, r: float, fill: str, tip: str = "") -> None:
        inner = f"<title>{html_text(tip)}</title>" if tip else ""
        self.body.append(
            f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(r)}" style="fill:{fill}">{inner}</circle>'
        )

    def text(self, x: float, y: float, text: str, anchor: str = "start", **extra: str) -> None:
        attrs = {"text_anchor": anchor, "fill": "currentColor", "font_size": "12", **extra}
        self.body.append(f'<text x="{num(x)}" y="{num(y)}"{_attrs(attrs)}>{html_text(text)}</text>')

    def render(self) -> str:
        """The SVG element, on consecutive lines (no blank line: it sits in Markdown)."""
        ident = f"svg-{self.slug}"
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {num(self.width)} '
            f'{num(self.height)}" role="img" aria-labelledby="{ident}-title {ident}-desc" '
            f'class="chart" style="{FONT}">'
        )
        lines = [
            head,
            f'<title id="{ident}-title">{html_text(self.title)}</title>',
            f'<desc id="{ident}-desc">{html_text(self.desc)}</desc>',
            *self.body,
            "</svg>",
        ]
        return "\n".join(lines)


def _attrs(extra: dict[str, str]) -> str:
    return "".join(f' {key.replace("_", "-")}="{html_text(value)}"' for key, value in extra.items())


def figure(svg: Svg, caption: str, shape: str = "wide") -> str:
    """The SVG wrapped in a block-level ``<figure>`` with an escaped caption; ``shape`` is a
    CSS hook (``wide`` or ``square``) that caps the displayed width."""
    return (
        f'<figure class="chart-figure chart-{shape}">\n{svg.render()}\n'
        f"<figcaption>{html_text(caption)}</figcaption>\n</figure>"
    )
