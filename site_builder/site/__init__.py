"""The site: from the validated catalog and the engine's results to a built mkdocs site.

``build(layout)`` in :mod:`site_builder.site.build` is the pipeline; each stage has its own
module (results, pages/*, render, content, api, mkdocs_run, links, output).
"""
