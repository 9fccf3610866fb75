"""Page families: each module turns the catalog and the frozen engine results into typed page
contexts. Every family exposes ``pages(data) -> Iterator[Page]``; :mod:`site_builder.site.families`
lists them. :class:`~site_builder.site.sitedata.Page` names a page's Markdown path under the docs
folder, its template and its context (a frozen dataclass the template reads as ``page``).
"""
