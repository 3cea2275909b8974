"""The search site: every archived paper, searchable in the browser with Pagefind, served as static files.

``records`` turns a paper into the small HTML page Pagefind indexes (title, authors and abstract; meta, filters and
the date to sort by), ``page`` renders the search page from templates/site/, ``indexer`` runs the Pagefind binary and
``build`` splits the archive into bundles of consecutive months and puts it all together in a staging folder that
replaces the output folder only when everything succeeded.
"""
