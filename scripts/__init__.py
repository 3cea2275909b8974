"""Awesome LRM Safety: the scripts that keep the list current.

Commands (``python -m scripts.<name>``): ``update`` (fetch, classify, store, render), ``validate`` (check
config, curated files and generated pages), ``evaluate`` (score the classifier on labels), ``publish`` (commit
and push what an update wrote), ``site`` (build the search site for GitHub Pages).

The data flows through one package per stage:

- ``ingest``: the arXiv client (``fetch``, the only module that imports ``arxiv``) and code/venue ``links``.
- ``classify``: query ``terms``, ``relevance`` scoring and tags, the ``learned`` part (rebuilt by ``train``),
  the arXiv ``query`` checked locally, evaluation ``metrics``, maintainer ``overrides``, their ``corrections`` to the
  archive, and the audit of ``rejections``.
- ``store``: the JSON ``archive`` (read and written by msgspec), atomic ``files``, the run ``lock``, and the
  ``freshness`` digests that say which pages are stale.
- ``render``: ``build`` (every generated file of a run), ``listing`` (paper lists and month pages), ``domains``
  (a page per taxonomy domain and month), ``markdown`` escaping, ``markers`` blocks, ``bibtex``, ``feed`` and ``chart``.
- ``curated``: the hand-kept collections: ``entries``, their ``schema``, ``load`` and ``readme`` blocks.
- ``site_build``: the search site: paper ``records`` as the pages Pagefind indexes, the search ``page``, the
  ``indexer`` that runs Pagefind, and the staged ``build``.

Shared vocabulary at the top: ``errors`` (the one exception hierarchy), ``paper`` (the record and the one arXiv-ID
rule), ``config`` and ``schema`` (settings), ``taxonomy``, ``layout`` (every path of a project), ``text_policy`` (the
characters text may not hold), ``yamlfile`` (safe YAML, duplicate keys) and ``actions`` (GitHub Actions' run files).
"""
