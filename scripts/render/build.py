"""Assemble every generated file's expected text from the archive: the README block, archive pages, index."""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from ..config import Config
from ..curated.entries import OTHER_FILES, Collections
from ..curated.load import load_collections
from ..curated.readme import render_collection_outputs
from ..errors import MarkerError
from ..layout import Layout, month_path
from ..paper import Listed
from ..store import freshness
from ..store.archive import Archive, Summary, collector_paused, month_summary, read_records, sort_newest_first
from ..store.files import Staged, Staging, read_text, stage_changed
from ..store.freshness import Pages, page_record
from ..taxonomy import Domain, slugs
from . import bibtex, chart, feed, listing, reframe
from .domains import MONTH_PAGE, domain_pages_stale, front_outputs, left_over_pages, month_counts, month_domain_outputs, month_domain_plans
from .markers import marker_pair, replace_block

LATEST = "LATEST_PAPERS"
CHECKED = "LAST_CHECKED"  # optional README block: the day the list last fetched from arXiv successfully
FEED_SIZE = 50
PARALLEL_MONTHS = 8  # below this many months to render, starting worker processes costs more than it saves
MAX_WORKERS = 4
CHART_MONTHS = 24  # at most: the chart starts at the first archived month
# A month's generated files under articles/: its pages (2025-05.md, 2025-05-p2.md, ...) and its BibTeX file.
MONTH_OUTPUT = re.compile(r"^(\d{4}-\d{2})(-p\d+)?\.(md|bib)$")
BLOCK = re.compile(r"<!-- ([A-Z0-9_]+)_START -->.*?<!-- \1_END -->", re.DOTALL)  # a generated block of README


def month_range(last: str, count: int) -> list[str]:
    """Return `count` consecutive months ending with `last` (YYYY-MM), oldest first."""
    year, month = int(last[:4]), int(last[5:7])
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def chart_output(index: dict[str, Summary], domains: list[str]) -> str:
    """Return the SVG of papers per month by primary domain, from the first archived month (at most CHART_MONTHS)."""
    months = [month for month in month_range(max(index), CHART_MONTHS) if month >= min(index)] if index else []
    counts = {month: index.get(month, {}).get("primary", {}) for month in months}
    return chart.render_chart(counts, domains, months)


def raw_url(repository_url: str, path: str) -> str:
    """Return the raw-file URL of a path on the default branch of a GitHub repository."""
    return repository_url.replace("https://github.com/", "https://raw.githubusercontent.com/", 1) + f"/HEAD/{path}"


def feed_output(archive: Archive, config: Config) -> str:
    """Return the Atom feed of the newest papers."""
    papers = archive.newest(FEED_SIZE)
    updated = max((paper.updated for paper in papers), default="1970-01-01T00:00:00Z")
    return feed.render_feed(papers, feed_url=raw_url(config.list.repository_url, "articles/feed.xml"),
                            site_url=config.list.repository_url, title="Awesome LRM Safety: newest papers", updated=updated)


def month_outputs(articles: Path, month: str, papers: Sequence[Listed], tag_counts: dict[str, int],
                  taxonomy: tuple[Domain, ...] = (), on_disk: list[Path] | None = None) -> Outputs:
    """Return a month's pages and its domain pages (as UTF-8), plus None for pages left over from when the month was
    longer (or existed), and where each page holds its list; `on_disk`: the month's pages there now, when listed."""
    items, tagged = listing.month_items(papers)  # once, for the month's and its domains' pages
    outputs: dict[Path, str | bytes | None]
    records: Pages = {}
    try:
        outputs, records = month_pages_data(articles, month, papers, tag_counts, taxonomy, items, tagged)
    except UnicodeEncodeError:  # as text, for the staging to name the page and the character it cannot write
        pages = listing.month_pages(month, papers, tag_counts, items) if papers else {}
        outputs = {articles / name: text for name, text in pages.items()}
        outputs.update(month_domain_outputs(articles, month, papers, taxonomy, tagged))
    outputs[articles / f"{month}.bib"] = bibtex.render_bibtex(papers) if papers else None
    for path in pages_on_disk(articles).get(month, []) if on_disk is None else on_disk:
        if path not in outputs:
            outputs[path] = None
    return outputs, records


Outputs = tuple[dict[Path, str | bytes | None], Pages]  # a month's files, and where each of its pages holds its list


def month_pages_data(articles: Path, month: str, papers: Sequence[Listed], tag_counts: dict[str, int],
                     taxonomy: tuple[Domain, ...], items: list[listing.Item],
                     tagged: list[listing.Item | None]) -> Outputs:
    """Return a month's pages and its domain pages as UTF-8, each list item encoded once for every page it is on."""
    encoded: dict[int, bytes] = {}
    outputs: dict[Path, str | bytes | None] = {}
    records: Pages = {}
    plans = [("month.md.j2", "", plan) for plan in ([listing.month_plan(month, papers, tag_counts, items)] if papers else [])]
    plans += [("domain_month.md.j2", f"{listing.DOMAINS_DIR}/", plan)
              for plan in month_domain_plans(month, papers, taxonomy, tagged)]
    for template, prefix, plan in plans:
        for name, page_items, values in plan:
            page = listing.framed(template, page_items, encoded, **values)
            outputs[articles / prefix / name] = page.data
            records[prefix + name] = page_record(page.data, page.start, page.end, len(page_items))
    return outputs, records


def pages_on_disk(articles: Path) -> dict[str, list[Path]]:
    """Return the pages on disk of each month, in one listing of each folder: its own (2025-05.md, 2025-05-p2.md, ...)
    and its domains' (domains/jailbreak-2025-05.md, ...)."""
    found: dict[str, list[Path]] = {}
    for folder, pattern, group in ((articles, MONTH_OUTPUT, 1), (articles / listing.DOMAINS_DIR, MONTH_PAGE, 2)):
        for name in sorted(os.listdir(folder)) if folder.is_dir() else ():
            if (match := pattern.match(name)) and not name.endswith(".bib"):
                found.setdefault(match[group], []).append(folder / name)
    return found


def orphan_outputs(articles: Path, live_months: set[str]) -> dict[Path, None]:
    """Return None for every month page or .bib whose month no longer has papers (e.g. after articles/data/ was reset)."""
    if not articles.is_dir():
        return {}
    return {path: None for path in articles.iterdir()
            if (match := MONTH_OUTPUT.match(path.name)) and match[1] not in live_months}


def front_pages_present(articles: Path, archive: Archive, taxonomy: tuple[Domain, ...]) -> bool:
    """Tell whether the pages a front render would add or remove are as they should be: no month page or domain page
    left over from a month without papers or a domain gone, no domain front page missing."""
    index = archive.live_index()
    return not orphan_outputs(articles, set(index)) and not left_over_pages(articles, index, taxonomy) and \
        not domain_pages_stale(articles, taxonomy)


def front_months(archive: Archive, config: Config) -> set[str]:
    """Return the months whose papers the front pages show: the newest, as far as README and the feed list them, and
    each domain's newest."""
    index, wanted, counted = archive.live_index(), max(config.list.readme_papers, FEED_SIZE), 0
    months: set[str] = set()
    for month in archive.all_months():  # as Archive.newest walks them
        if counted >= wanted:
            break
        months.add(month)
        counted += index[month]["count"]
    months.update(next(iter(counts)) for domain in config.taxonomy if (counts := month_counts(index, domain.slug)))
    return months


def readme_text(root: Path) -> str:
    """Return README.md's current text, raising MarkerError if it is missing."""
    text = read_text(Layout(root).readme)
    if text is None:
        raise MarkerError(f"{Layout(root).readme}: file not found; restore it with `git checkout -- README.md`")
    return text


def readme_output(root: Path, archive: Archive, config: Config, text: str) -> str:
    """Return README.md with the newest papers between its LATEST_PAPERS markers."""
    newest = archive.newest(config.list.readme_papers)
    live = archive.live_index()
    total = sum(entry["count"] for entry in live.values())
    counts = listing.domain_counts(live, config.taxonomy)
    text = replace_block(text, LATEST, listing.latest_block(newest, total, counts), str(Layout(root).readme))
    if not shows_checked(text):
        return text
    checked = archive.state.get("checked")
    note = (f"Last checked arXiv for new papers on {checked} (UTC)."
            if checked else "The list has not checked arXiv yet.")
    return replace_block(text, CHECKED, note, str(Layout(root).readme))


def readme_blocks(readme: str) -> str:
    """Return the blocks of README the archive's papers are rendered into (the newest papers, the day of the last
    check), markers included: a person's text around them, and the blocks of the curated collections, are left out."""
    return "\n".join(match[0] for match in BLOCK.finditer(readme) if match[1] in (LATEST, CHECKED))


def shows_checked(readme: str) -> bool:
    """Tell whether README has the block that shows the day arXiv was last checked."""
    return marker_pair(CHECKED)[0] in readme


def load_curated(root: Path, taxonomy: tuple[Domain, ...]) -> Collections | None:
    """Load and validate collection/*.yaml, or return None for a tree with no curated files (overrides aside)."""
    folder = Layout(root).collection
    curated = [path for path in folder.glob("*.yaml") if path.name not in OTHER_FILES] if folder.is_dir() else []
    return load_collections(root, taxonomy) if curated else None


class Reuse(NamedTuple):
    """What a month's pages were last rendered from (data digest, index entry) and where they hold their lists."""

    digest: str
    pages: Pages
    summary: Summary


Rendered = tuple[Staged, str, Summary, Pages]  # a month's staged files, data digest, index entry and page records


def month_file_outputs(articles: Path, data_dir: Path, taxonomy: tuple[Domain, ...], month: str, write: bool,
                       on_disk: list[Path], reuse: Reuse | None = None) -> Rendered:
    """Render one month straight from its data file (in a worker process, or not) and stage the files that differ on
    disk (with `write` False, only list them; `on_disk` the month's pages there now); return those, the digest of the
    data they were rendered from, the month's index entry and where its pages hold their lists. With `reuse`, a month
    whose data did not change since is only framed anew around the lists its pages hold (see reframe): their new
    frames are staged, to be written in place around those lists. A month rendered in full is staged in temp files,
    so that no page's text stays in memory until the commit (a code change that alters every page: 240 MB at
    100,000 papers)."""
    path = month_path(data_dir, month)
    raw = path.read_bytes()
    digest = freshness.month_digest(raw, taxonomy)
    if reuse is not None and reuse.digest == digest and \
            (kept := reframe.reframed(articles, month, taxonomy, on_disk, reuse.pages, reuse.summary, write)) is not None:
        return kept.staged, digest, reuse.summary, kept.records
    with collector_paused():  # rows and entries hold no cycles either
        papers = read_records(path, raw)
        summary = month_summary(papers)
        outputs, records = month_outputs(articles, month, sort_newest_first(papers), summary["tags"], taxonomy, on_disk)
    return stage_changed(outputs, write), digest, summary, records  # staged last: nothing can fail between staging and return


def render_from_files(articles: Path, data_dir: Path, taxonomy: tuple[Domain, ...], months: list[str],
                      staging: Staging, on_disk: dict[str, list[Path]], reuse: dict[str, Reuse]) -> list[Rendered]:
    """Render and stage the months from their files, in worker processes when there are many (each writes its own
    files, so no page's text crosses between processes); raise the first error once every worker's files are staged."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if workers < 2 or len(months) < PARALLEL_MONTHS:
        rendered = []
        for month in months:
            result = month_file_outputs(articles, data_dir, taxonomy, month, staging.write, on_disk.get(month, []),
                                        reuse.get(month))
            staging.add(result[0])
            rendered.append(result)
        return rendered
    import multiprocessing  # here: a run rendering few months does without their 0.015 s import
    from concurrent.futures import ProcessPoolExecutor, wait

    # fork: workers start with the modules loaded; each reads, renders and stages one month at a time.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=leave_interrupts) as pool:
        futures = [pool.submit(month_file_outputs, articles, data_dir, taxonomy, month, staging.write,
                               on_disk.get(month, []), reuse.get(month)) for month in months]
        try:
            wait(futures)
        finally:  # interrupted too (Ctrl-C): months not started are cancelled, and those staged are taken over
            pool.shutdown(cancel_futures=True)
            for future in futures:  # so that the Staging block removes every staged file on any error
                if not future.cancelled() and future.exception() is None:
                    staging.add(future.result()[0])
    for future in futures:
        if (error := future.exception()) is not None:
            raise error
    return [future.result() for future in futures]


def leave_interrupts() -> None:
    """Leave Ctrl-C to the parent (a render worker's start): a worker always finishes its month and returns what it
    staged, for the parent to put in place or remove."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def reusable(archive: Archive, months: list[str], taxonomy: tuple[Domain, ...],
             recorded: freshness.Rendered) -> dict[str, Reuse]:
    """Return, for each month whose pages were written by the current code (the templates may differ), what they were
    rendered from (as rendered.json records it): those whose data did not change since are only framed anew."""
    if recorded.code != freshness.code_digest(taxonomy):
        return {}
    return {month: Reuse(recorded.months[month], recorded.pages[month], archive.index[month]) for month in months
            if month in recorded.months and month in recorded.pages and month in archive.index}


def all_month_outputs(articles: Path, archive: Archive, months: list[str], staging: Staging,
                      taxonomy: tuple[Domain, ...] = (),
                      recorded: freshness.Rendered | None = None) -> tuple[dict[str, str], dict[str, Pages]]:
    """Render and stage the given months: changed ones from memory, the others from their files (given what
    rendered.json records, only framed anew where their data and code did not change); return the digest of each month read from file, and where
    each month's pages hold their lists. The index entry of each month read is kept for an index to rebuild."""
    from_disk = [month for month in months if month not in archive.changed]
    digests: dict[str, str] = {}
    records: dict[str, Pages] = {}
    on_disk = pages_on_disk(articles)
    kept = reusable(archive, from_disk, taxonomy, recorded) if recorded is not None else {}
    for month, (_, digest, summary, pages) in zip(from_disk, render_from_files(
            articles, archive.data_dir, taxonomy, from_disk, staging, on_disk, kept), strict=True):
        digests[month], records[month] = digest, pages
        archive.record_summary(month, summary)
    for month in months:
        if month in archive.changed:
            papers = sort_newest_first(archive.month(month).values())
            tag_counts = archive.index.get(month, {}).get("tags", {})
            outputs, records[month] = month_outputs(articles, month, papers, tag_counts, taxonomy, on_disk.get(month, []))
            staging.stage(outputs, in_place=True)  # pages of the months in memory: written over in place (store.files)
    return digests, records


def site_outputs(root: Path, archive: Archive, config: Config, months: list[str], rejected_count: int, staging: Staging,
                 recorded: freshness.Rendered | None = None) -> tuple[dict[Path, str | None], dict[str, str], dict[str, Pages]]:
    """Stage the pages of the given months (see all_month_outputs: `recorded` what rendered.json holds, to reuse the
    lists of pages whose data and code did not change); return the text of README (its blocks of papers), index, feed,
    chart and domain front pages, the digest of each month whose data file was read to render it, and where the pages
    of each month rendered hold their lists."""
    layout = Layout(root)
    articles = layout.articles
    digests, records = all_month_outputs(articles, archive, months, staging, config.taxonomy, recorded)
    outputs: dict[Path, str | None] = {}
    live_index = archive.live_index()
    orphans = orphan_outputs(articles, set(live_index))
    outputs.update(orphans)
    outputs.update(front_outputs(articles, archive, config.taxonomy))
    outputs[layout.archive_index] = listing.archive_index(live_index, config.taxonomy, rejected_count)
    outputs[layout.feed] = feed_output(archive, config)
    outputs[layout.chart] = chart_output(live_index, list(slugs(config.taxonomy)))
    outputs[layout.readme] = readme_output(root, archive, config, readme_text(root))
    return outputs, digests, records


def curated_outputs(root: Path, taxonomy: tuple[Domain, ...], readme: str | None) -> dict[Path, str]:
    """Return the curated pages and README with their blocks (README's text as given, else as it is), or nothing for
    a tree with no curated files."""
    curated = load_curated(root, taxonomy)
    if curated is None:
        return {}
    return render_collection_outputs(root, curated, readme_text(root) if readme is None else readme, taxonomy)
