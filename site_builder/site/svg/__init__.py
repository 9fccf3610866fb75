"""Inline SVG pictures made at build time: readable without JavaScript, deterministic,
accessible (``<title>``/``<desc>``), and coloured through CSS variables so that they follow
the light and dark palettes (text and axes use ``currentColor``)."""
