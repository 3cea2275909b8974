"""`python -m scripts.update`: fetch new papers, merge them into the archive, render README and archive pages."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import actions
from .classify import corrections, relevance
from .classify.overrides import Overrides, apply_overrides
from .classify.relevance import RelevanceRules
from .config import Config, load_config
from .errors import ListError
from .ingest import links
from .layout import STATE_NAME, Layout, month_path
from .paper import RECORD_FIELDS, Paper, Record
from .render import build
from .render.markdown import cell
from .render.markers import find_block
from .store import freshness
from .store.archive import SCHEMA, Archive, dump_json, merge_paper
from .store.files import Staging, read_bytes, remove_stale_temps, write_atomic
from .store.lock import exclusive
from .taxonomy import slugs

log = logging.getLogger("update")
PAPER_FIELDS = (*RECORD_FIELDS, "extra")  # every field of a Paper


@dataclass
class Report:
    """What one run found and did."""

    fetched: int = 0
    new: list[Paper] = field(default_factory=list)
    updated: list[Paper] = field(default_factory=list)
    rejected: list[Paper] = field(default_factory=list)
    excluded: list[Paper] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="python -m scripts.update", description=__doc__)
    parser.add_argument("--since", type=parse_day, help="backfill: fetch papers submitted since YYYY-MM-DD")
    parser.add_argument("--no-fetch", action="store_true", help="re-render every page from the archive only")
    parser.add_argument("--dry-run", action="store_true", help="fetch and report what would change; write nothing")
    parser.add_argument("--config", type=Path, default=Path("config.yaml"), help="config file (default: config.yaml)")
    parser.add_argument("--merge-archive", type=Path, metavar="DIR", help="merge the papers of another articles/data folder")
    parser.add_argument("--merge-base", type=Path, metavar="DIR",
                        help="with --merge-archive: the records its papers had before; edits and deletions here win")
    parser.add_argument("--root", type=Path, default=Path("."), help=argparse.SUPPRESS)
    parser.add_argument("--force", action="store_true", help=argparse.SUPPRESS)  # render every page (validate's check)
    return parser.parse_args(argv)


def parse_day(text: str) -> datetime:
    """Parse YYYY-MM-DD as midnight UTC."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2025-01-31, got {text!r}") from None


def window_start(state: Record, since: datetime | None, config: Config, now: datetime) -> datetime:
    """Return where the submittedDate window starts: --since, else the watermark minus the look-back."""
    if since is not None:
        return since
    if "watermark" in state:
        watermark = datetime.strptime(state["watermark"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        return watermark - timedelta(days=config.arxiv.lookback_days)
    return now - timedelta(days=config.arxiv.first_run_days)


def page_logger(archive: Archive) -> Callable[[int, list[Paper]], None]:
    """Return a fetch callback that logs one line per page with the count of papers new to the archive."""
    counter = {"pages": 0}

    def on_page(_number: int, papers: list[Paper]) -> None:
        counter["pages"] += 1
        new = sum(1 for paper in papers if archive.get(paper) is None)
        log.info("page %d: %d results, %d not yet archived", counter["pages"], len(papers), new)

    return on_page


def classify(papers: list[Paper], rules: RelevanceRules | None) -> tuple[list[Paper], list[Paper]]:
    """Split candidates into accepted (scored and tagged) and rejected; keep all when no rules are configured."""
    if rules is None:
        return papers, []
    return relevance.classify(papers, rules)


def merge_candidates(archive: Archive, candidates: list[Paper], rules: RelevanceRules | None, overrides: Overrides, report: Report) -> None:
    """Update archived papers in place and add the new ones the relevance step and the overrides accept."""
    unique = {paper.id: paper for paper in sorted(candidates, key=lambda paper: paper.version)}
    fresh = []
    for paper in unique.values():
        existing = archive.get(paper)
        if existing is None:
            fresh.append(with_links(paper))
            continue
        merged = merge_paper(existing, paper)
        if merged is not None:
            update_archived(archive, existing, rescore(with_links(merged), rules), overrides, report)
    accepted, rejected = apply_overrides(*classify(fresh, rules), overrides, rules)
    report.rejected += rejected
    for paper in accepted:
        archive.put(paper)
        report.new.append(paper)


def update_archived(archive: Archive, existing: Paper, merged: Paper, overrides: Overrides, report: Report) -> None:
    """Store a newer version of an archived paper, with its overrides applied."""
    corrected = corrections.correct_one(merged, overrides)
    if corrected is None:
        archive.remove(existing)
        report.excluded.append(existing)
    else:
        archive.put(corrected)
        report.updated.append(corrected)


def with_links(paper: Paper) -> Paper:
    """Fill in the code links and venue found in a paper's abstract, comment and journal reference."""
    return paper.with_changes(code_urls=links.extract_code_urls(paper.summary, paper.comment),
                              venue=links.extract_venue(paper.comment, paper.journal_ref))


def rescore(paper: Paper, rules: RelevanceRules | None) -> Paper:
    """Recompute an archived paper's score and tags from its (possibly new) text."""
    if rules is None:
        return paper
    decision = relevance.decide(paper, rules)  # once: score and tags come from the same scoring
    return paper.with_changes(score=decision.score, tags=decision.tags)


def merge_archive(archive: Archive, other_dir: Path, report: Report, overrides: Overrides,
                  base_dir: Path | None = None) -> None:
    """Merge every paper of another archive folder into this one; the later watermark wins.

    With `base_dir` (the records those papers had before the other run changed them), the merge follows intent: a paper
    deleted here since stays deleted, and a field edited here since keeps its edit; the overrides apply to every merged
    paper, so an exclusion made here wins too.
    """
    other = Archive.open(other_dir)
    base = Archive.open(base_dir) if base_dir is not None else None
    for month in other.all_months():
        for paper in other.month(month).values():
            existing = archive.get(paper)
            merged = merge_by_intent(existing, base.get(paper) if base else None, paper, base is not None)
            if merged is None:
                continue
            corrected = corrections.correct_one(merged, overrides)
            if corrected is None:
                if existing is not None:
                    archive.remove(existing)
                    report.excluded.append(existing)
                continue
            (report.new if existing is None else report.updated).append(corrected)
            archive.put(corrected)
    for key in ("watermark", "checked"):
        marks = [mark for mark in (archive.state.get(key), other.state.get(key)) if mark]
        if marks:
            archive.state[key] = max(marks)


def merge_by_intent(current: Paper | None, original: Paper | None, incoming: Paper, knows_base: bool) -> Paper | None:
    """Return the record to store for a paper another run changed from `original` to `incoming`, or None to leave it."""
    if current is None:
        return None if knows_base and original is not None else incoming  # deleted here meanwhile: the deletion wins
    if original is None:
        return merge_paper(current, incoming)
    before, there, here = (dict(vars(paper)) for paper in (original, incoming, current))
    changes = {name: there[name] for name in PAPER_FIELDS if before[name] != there[name] and before[name] == here[name]}
    return current.with_changes(**changes) if changes else None


def apply_overrides_everywhere(archive: Archive, config: Config, overrides: Overrides, digest: str,
                               fetching: bool, report: Report) -> None:
    """When the overrides file changed, apply it to every archived paper and fetch included papers by ID."""
    if not corrections.needs_full_pass(archive, digest):
        return
    dropped, missing = corrections.apply_to_archive(archive, overrides)
    report.excluded += dropped
    if missing and fetching:
        log.info("fetching %d included papers by ID", len(missing))
        from .ingest import fetch  # imported only by runs that fetch: arxiv and requests take 0.1 s to import
        merge_candidates(archive, fetch.fetch_ids(config.arxiv, missing, page_logger(archive)), config.relevance, overrides, report)
        missing = []
    if missing:
        log.warning("%d included papers are not archived yet; the next run that fetches will add them", len(missing))
    else:
        archive.state["overrides"] = digest


def collect_outputs(root: Path, archive: Archive, config: Config, full: bool, force: bool, report: Report,
                    overrides: Overrides, now: datetime, staging: Staging) -> None:
    """Stage every file this run should change: month pages as they are rendered, then the data files (to be put in
    place first: a crash midway keeps the papers, and the next run re-renders the pages from them), the front pages
    made from the papers (unless nothing they are rendered from changed since they were written) and the curated
    pages."""
    outputs = archive.month_data_outputs()
    recorded = freshness.load_rendered(archive.data_dir)
    if not force and recorded.renderer != freshness.renderer_digest(config.taxonomy):
        log.info("the templates changed since the pages were written: framing every page anew around its list"
                 if recorded.code == freshness.code_digest(config.taxonomy) else
                 "the renderer or its templates changed since the pages were written: rendering every month")
    months, digests = freshness.months_to_render(archive.data_dir, outputs, archive.all_months(), archive.changed, full, force,
                                                config.taxonomy, recorded)
    audit, rejected = corrections.audit_data(root, report.rejected, {paper.id for paper in report.new}, overrides,
                                             now.strftime("%Y-%m-%dT%H:%MZ"), config.audit_limit)
    settled = not (force or months or archive.changed) and front_settled(root, archive, config, audit, recorded)
    pages: dict[Path, str | None] = {}
    read_digests: dict[str, str] = {}
    records: dict[str, freshness.Pages] = {}
    if not settled:
        # with `force` (validate's check, a repair) every page is rendered in full; else one whose data and code did
        # not change is only framed anew
        pages, read_digests, records = build.site_outputs(root, archive, config, months, len(rejected["candidates"]),
                                                          staging, recorded=None if force else recorded)
        pages.update(corrections.audit_page(root, rejected, config.relevance.threshold if config.relevance else 0))
    front = recorded.front if settled else front_record(root, archive, config, audit, outputs, pages)
    # rendered at every run that has curated collections: pull requests change them, and no record of theirs is kept
    pages.update(build.curated_outputs(root, config.taxonomy, pages.get(Layout(root).readme)))
    outputs.update(archive.index_outputs())  # after the pages: their workers count the months of an index rebuilt
    outputs.update(freshness.rendered_output(archive.data_dir, {**digests, **read_digests}, {**recorded.pages, **records},
                                             config.taxonomy, front))
    staging.stage({**outputs, **audit}, first=True)  # the rejected candidates are data too: none lost to a crash
    staging.stage(pages)


def front_inputs(root: Path, archive: Archive, config: Config, audit: dict[Path, str], readme: str,
                 month_texts: dict[Path, str | None]) -> str:
    """Return the digest of what the front pages made from the papers are rendered from, as this run leaves it (see
    freshness): README's blocks of them (its text given), the month files they show papers of (`month_texts`: those
    this run writes), the index and the rejected candidates; of the state file, only the day of the last check, and
    only when README shows it."""
    texts: dict[Path, str | bytes] = {path: text for path, text in {**archive.index_outputs(), **audit}.items()
                                      if path.name != STATE_NAME}
    texts[Layout(root).readme] = build.readme_blocks(readme)
    for month in build.front_months(archive, config):
        path = month_path(archive.data_dir, month)
        texts[path] = month_texts[path] or "" if path in month_texts else read_bytes(path) or b""
    checked = archive.state.get("checked", "") if build.shows_checked(readme) else ""
    return freshness.front_inputs(config.path, texts, checked, config.taxonomy)


def front_record(root: Path, archive: Archive, config: Config, audit: dict[Path, str],
                 month_texts: dict[Path, str | None], pages: dict[Path, str | None]) -> freshness.Front:
    """Return the record of the front pages just rendered (README stands for itself among the inputs: it holds a
    person's text too)."""
    readme = Layout(root).readme
    inputs = front_inputs(root, archive, config, audit, pages[readme] or "", month_texts)
    return freshness.front_record(root, inputs, {path: text for path, text in pages.items() if path != readme})


def front_settled(root: Path, archive: Archive, config: Config, audit: dict[Path, str],
                  recorded: freshness.Rendered) -> bool:
    """Tell whether the front pages made from the papers need no rendering: nothing they are rendered from changed
    and none was touched since (README read as it is, line endings included)."""
    readme = (read_bytes(Layout(root).readme) or b"").decode("utf-8", "replace")
    inputs = front_inputs(root, archive, config, audit, readme, {})
    return freshness.front_unchanged(root, recorded.front, inputs) and \
        build.front_pages_present(Layout(root).articles, archive, config.taxonomy)


def write_outputs(pending: Path, staging: Staging) -> list[Path]:
    """Put the staged files in place under a journal: a crash leaves pending.json, and the next run re-renders
    everything (an error before this point leaves every file as it was)."""
    if not staging.files:
        pending.unlink(missing_ok=True)  # a run that stopped after its last file, before removing its journal
        return []
    write_atomic(pending, dump_json({"schema": SCHEMA, "render": "all"}))
    written = staging.commit()
    pending.unlink()
    for kept in remove_stale_temps({path.parent for path in written}):  # a killed run's, where this one wrote
        log.warning("%s: a temp file an interrupted run left could not be removed; delete it", kept)
    return written


def run(args: argparse.Namespace) -> Report:
    """Do one update; raise ListError on any problem, before anything is written."""
    root = args.root
    layout = Layout(root)
    config = load_config(root / args.config if not args.config.is_absolute() else args.config)
    find_block(build.readme_text(root), build.LATEST, str(layout.readme))
    overrides, digest = corrections.load(root, slugs(config.taxonomy))
    data_dir = layout.data
    archive = Archive.open(data_dir)
    repair = layout.pending.exists()
    if repair:
        log.warning("%s: the last run stopped while writing; re-rendering every page", layout.pending)
        archive.rebuild_index(archive.months_on_disk())
    report = Report()
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    if not args.no_fetch:
        start = window_start(archive.state, args.since, config, now)
        log.info("fetching papers submitted %s .. %s", start.strftime("%Y-%m-%d %H:%M"), now.strftime("%Y-%m-%d %H:%M"))
        from .ingest import fetch  # imported only by runs that fetch: arxiv and requests take 0.1 s to import
        candidates = fetch.fetch_window(config.arxiv, start, now, page_logger(archive))
        report.fetched = len(candidates)
        merge_candidates(archive, candidates, config.relevance, overrides, report)
        if report.new or report.updated or (args.since and candidates):  # "no results" may be arXiv's hiccup
            archive.state["watermark"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        archive.state["checked"] = now.strftime("%Y-%m-%d")  # the day only: a rerun the same day changes nothing
    if args.merge_archive:
        merge_archive(archive, args.merge_archive, report, overrides, args.merge_base)
    apply_overrides_everywhere(archive, config, overrides, digest, not args.no_fetch, report)
    force = repair or args.force
    with Staging(write=not args.dry_run) as staging:
        collect_outputs(root, archive, config, args.no_fetch or force, force, report, overrides, now, staging)
        report.written = sorted(staging.files) if args.dry_run else write_outputs(layout.pending, staging)
    return report


def summary_lines(report: Report, dry_run: bool) -> list[str]:
    """Return the closing summary, one fact a line."""
    verb = "would write" if dry_run else "wrote"
    return [f"fetched {report.fetched}, new {len(report.new)}, updated {len(report.updated)}, "
            f"rejected {len(report.rejected)}; {verb} {len(report.written)} files"]


def step_summary(report: Report) -> str:
    """Return a Markdown summary of the run for the GitHub Actions job page."""
    lines = ["### Paper update", "", "| Fetched | New | Updated | Rejected | Files written |", "| ---: | ---: | ---: | ---: | ---: |",
             f"| {report.fetched} | {len(report.new)} | {len(report.updated)} | {len(report.rejected)} | {len(report.written)} |", ""]
    lines += [f"- [{cell(paper.title, 200)}]({paper.url})" for paper in report.new[:50]]
    return "\n".join(lines) + "\n"


def publish_report(report: Report, environ: Mapping[str, str]) -> None:
    """Append the run summary and outputs to GitHub Actions' files when they are set."""
    actions.append(environ, actions.SUMMARY, step_summary(report))
    actions.append(environ, actions.OUTPUT, f"new={len(report.new)}\nupdated={len(report.updated)}\n")


def stale_outputs(root: Path) -> list[Path]:
    """Return every generated file that differs from a fresh render of the archive (nothing fetched or written)."""
    return run(parse_args(["--no-fetch", "--dry-run", "--force", "--root", str(root)])).written


def interrupted(pending: Path) -> str:
    """Say what an interrupted run left: nothing changed, or files being put in place that the next run repairs."""
    if pending.exists():
        return f"interrupted while putting files in place; {pending} remains, so the next run re-renders every page"
    return "interrupted before writing anything; every file is as it was"


def main(argv: list[str] | None = None) -> int:
    """Run the update from the command line; return the exit status."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    log.setLevel(logging.INFO)
    logging.getLogger("arxiv").setLevel(logging.WARNING)
    try:
        with exclusive(Layout(args.root).lock):
            report = run(args)
    except ListError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"error: {interrupted(Layout(args.root).pending)}", file=sys.stderr)
        return 130
    for line in summary_lines(report, args.dry_run):
        log.info("%s", line)
    if not args.dry_run:
        publish_report(report, os.environ)
    return 0


if __name__ == "__main__":
    sys.exit(main())
