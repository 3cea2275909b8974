"""Awesome LRM Safety: the scripts that keep the list current.

Commands (``python -m scripts.<name>``): ``update`` (fetch, classify, store, render), ``validate`` (check
config, curated files and generated pages), ``evaluate`` (score the classifier on labels), ``publish`` (commit
and push what an update wrote), ``site`` (build the search site for GitHub Pages).

The data flows through one package per stage:

- ``ingest``: the arXiv client (``fetch``, the only module that imports ``arxiv``) and code/venue ``links``.
- ``classify``: query ``terms``, ``relevance`` scoring and tags, maintainer ``overrides``, their
  ``corrections`` to the archive, and the audit of ``rejections``.
- ``store``: the JSON ``archive``, its ``jsontext`` encoder, atomic ``files``, the run ``lock``, and the
  ``freshness`` digests that say which pages are stale.
- ``render``: ``build`` (every generated file of a run), ``listing`` (paper tables and pages), ``markdown``
  escaping, ``markers`` blocks, ``bibtex``, ``feed`` and ``chart``.
- ``curated``: the hand-kept collections: ``entries``, their ``schema``, ``load`` and ``readme`` blocks.
- ``site_build``: the search site: paper ``records`` as the pages Pagefind indexes, the search ``page``, the
  ``indexer`` that runs Pagefind, and the staged ``build``.

Shared vocabulary at the top: ``errors``, ``paper``, ``config``, ``schema`` and ``yamlfile``.
"""
