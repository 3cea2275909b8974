"""Measure the update at archive sizes of 1,000 to 100,000 papers: wall time, peak memory, files written, largest file.

Run from the repository root:  python benchmarks/bench_scale.py [--sizes 1000 10000 100000] [--repeat N] [--workdir DIR]

Each size gets its own synthetic project in a temporary folder: month JSON files written through scripts.archive
(so the format is the real one), a README.md with the LATEST_PAPERS markers and a config.yaml without relevance
rules (so every fetched paper is kept). Every measured run is a fresh `python -m scripts.update` subprocess, so its
peak memory is its own. A naive single-page renderer (the seed's way: every paper concatenated into one Markdown
page) runs on the same month files in each repetition, alternating with the project's runs, as the baseline of the
printed ratios. The benchmark prints figures; it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.paper import Paper  # noqa: E402
from scripts.store.archive import Archive  # noqa: E402
from scripts.store.files import write_changed  # noqa: E402
from tests.fake_arxiv import FakeArxiv, FakePaper, serve  # noqa: E402

MONTHS = 94
LOOKBACK_DAYS = 7
NEW_PAPERS = 50
DEFAULT_SIZES = (1000, 10000, 100000)
MARKDOWN_LIMIT = 500 * 1024
DATA_LIMIT = 10 * 1000 * 1000
NAIVE = "naive single-page renderer"
FROM_DATA = "render from data alone"
CODE_CHANGED = "full re-render, code changed"
TEMPLATES_CHANGED = "every page, templates changed"
# The template change: one line more at the top and one at the end of every month page and domain month page.
EDITED_TEMPLATES = ("month.md.j2", "domain_month.md.j2")
TOP_LINE = "<!-- generated from articles/data: edit the templates, not this page -->\n"
NOT_WRITTEN_BY_PROJECT = {"config.yaml", ".update.lock"}

CONFIG = """\
list:
  readme_papers: 20
arxiv:
  categories: [cs.CL, cs.CR, cs.LG]
  all_of:
    - [jailbreak, safety, attack]
    - [LLM, language model, reasoning model]
  exclude: [battery]
  page_size: 2000
  retries: 1
  timeout_seconds: 30
  lookback_days: {lookback}
"""

README = """\
# Benchmark List

A synthetic list for measuring the update.

## Latest Papers

<!-- LATEST_PAPERS_START -->
<!-- LATEST_PAPERS_END -->

## Run it yourself

Nothing to see here.
"""

WORDS = """
safety alignment jailbreak reasoning model language large attack defense adversarial robust prompt injection agent
agents multimodal vision chain thought backdoor poisoning privacy leakage membership inference unlearning harmful
refusal guardrail classifier reward hacking deception sycophancy hallucination calibration uncertainty evaluation
benchmark red teaming automated scalable oversight interpretability steering activation representation circuit
latent fine-tuning instruction preference optimization policy gradient reinforcement learning verifier process
outcome supervision monitoring faithfulness tool use web browsing code execution sandbox exfiltration watermark
detection provenance toxicity bias fairness demographic multilingual low-resource transfer universal suffix
gradient search genetic fuzzing black-box white-box transferable certified smoothing distillation compression
quantization pruning efficiency latency budget overthinking underthinking long-context retrieval augmented memory
planning self-reflection critique debate consistency robustness distribution shift out-of-distribution synthetic
data contamination leakage audit governance policy risk catastrophic misuse dual-use biosecurity cyber offensive
""".split()
FIRST_NAMES = """Ada Alan Grace Edsger Barbara Donald Frances John Margaret Claude Radia Leslie Shafi Yoshua Fei-Fei
Andrew Daphne Judea Cynthia Sanjeev Percy Chelsea Dawn Tatsunori Jacob Nicholas Florian Dan Zico Matt Wei Xin Yuki
Priya Arjun Olga Mateo Amara Kwame Ingrid Lars Sofia Chen Hiroshi Nadia Omar Elif Tomas Zhang Minh""".split()
LAST_NAMES = """Lovelace Turing Hopper Dijkstra Liskov Knuth Allen McCarthy Hamilton Shannon Perlman Lamport Goldwasser
Bengio Li Ng Koller Pearl Dwork Arora Liang Finn Song Hashimoto Steinhardt Carlini Tramer Hendrycks Kolter Fredrikson
Wang Zhao Tanaka Sharma Patel Ivanova Garcia Okafor Mensah Berg Nilsson Rossi Chen Sato Haddad Yilmaz Novak Nguyen""".split()
CATEGORIES = ["cs.CL", "cs.CR", "cs.LG", "cs.AI", "cs.CV", "cs.CY", "cs.SE", "cs.MA"]
TAGS = ["jailbreak", "prompt-injection", "adversarial", "backdoor", "privacy", "alignment", "reasoning-safety",
        "agent-safety", "guardrails", "evaluation", "hallucination", "fairness", "misuse"]
VENUES = ["NeurIPS 2025", "ICLR 2026", "ACL 2025", "USENIX Security 2025", "IEEE S&P 2026", "ICML 2025", "EMNLP 2025"]


def taxonomy_config() -> str:
    """Return a `taxonomy:` section with one domain per synthetic tag, so domain pages and counts are measured."""
    lines = ["taxonomy:"]
    for tag in TAGS:
        lines += [f"  - slug: {tag}", f"    name: {tag.replace('-', ' ').capitalize()}",
                  f'    description: "Papers tagged {tag}."', f"    terms: [{tag.replace('-', ' ')}]"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- synthetic papers (pure, seeded)

def words_to_length(rng: random.Random, low: int, high: int) -> str:
    """Return random vocabulary words joined until the text is between low and high characters long."""
    target = rng.randint(low, high)
    text = rng.choice(WORDS).capitalize()
    while len(text) < target:
        text += " " + rng.choice(WORDS)
    return text[:high].rstrip()


def sentence_pool(rng: random.Random, size: int = 400) -> list[str]:
    """Return a pool of sentences (50-160 characters) to assemble abstracts from quickly."""
    return [words_to_length(rng, 50, 160) + "." for _ in range(size)]


def abstract(rng: random.Random, pool: list[str]) -> str:
    """Return an abstract of about 1,200 characters (900-1,600)."""
    target = rng.randint(900, 1600)
    parts, length = [], 0
    while length < target:
        parts.append(rng.choice(pool))
        length += len(parts[-1]) + 1
    return " ".join(parts)


def paper_fields(rng: random.Random, pool: list[str]) -> dict:
    """Return the text fields of one synthetic paper: title, authors, abstract, categories, comment and links."""
    authors = tuple(f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(rng.randint(4, 8)))
    fields = {"title": words_to_length(rng, 80, 150), "authors": authors, "summary": abstract(rng, pool),
              "categories": tuple(rng.sample(CATEGORIES, rng.randint(1, 3))), "comment": "", "venue": "", "code_urls": ()}
    if rng.random() < 0.3:
        fields["venue"] = rng.choice(VENUES)
        fields["code_urls"] = (f"https://github.com/{rng.choice(LAST_NAMES).lower()}-lab/{rng.choice(WORDS)}-{rng.randint(1, 999)}",)
        fields["comment"] = f"Accepted at {fields['venue']}. {rng.randint(8, 40)} pages. Code: {fields['code_urls'][0]}"
    return fields


def stamp(moment: datetime) -> str:
    """Format a moment as arXiv's ISO 8601 UTC string."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def month_starts(now: datetime, count: int) -> list[datetime]:
    """Return the first instants of the `count` months ending with now's month, oldest first."""
    starts = [now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)]
    while len(starts) < count:
        starts.append((starts[-1] - timedelta(days=1)).replace(day=1))
    return starts[::-1]


def month_end(start: datetime, now: datetime) -> datetime:
    """Return the last instant a paper of this month may carry: the month's end, or an hour ago for this month."""
    following = (start + timedelta(days=32)).replace(day=1)
    return min(following - timedelta(seconds=1), max(start + timedelta(minutes=1), now - timedelta(hours=1)))


def synthetic_archive(count: int, now: datetime, seed: int) -> list[Paper]:
    """Return `count` papers spread evenly over the MONTHS months ending with now's month (the newest month full)."""
    rng = random.Random(seed)
    pool = sentence_pool(rng)
    papers = []
    for index, start in enumerate(month_starts(now, MONTHS)):
        span = (month_end(start, now) - start).total_seconds()
        for number in range(count // MONTHS + (index < count % MONTHS)):
            published = start + timedelta(seconds=rng.uniform(0, span))
            version = rng.randint(1, 3)
            papers.append(Paper(id=f"{start:%y%m}.{number + 1:05d}", version=version, published=stamp(published),
                                updated=stamp(min(published + timedelta(days=7 * (version - 1)), now)),  # never in the future
                                tags=tuple(sorted(rng.sample(TAGS, rng.randint(1, 3)))),
                                score=round(rng.uniform(0.5, 1.0), 2), **paper_fields(rng, pool)))
    return papers


def new_arrivals(count: int, now: datetime, seed: int) -> list[FakePaper]:
    """Return `count` papers for the fake arXiv, submitted in the last day (this month when possible)."""
    rng = random.Random(seed + 1)
    pool = sentence_pool(rng)
    low = max(now - timedelta(days=1), now.replace(day=1, hour=0, minute=0, second=0, microsecond=0))
    if low >= now - timedelta(minutes=10):
        low = now - timedelta(days=1)
    arrivals = []
    for number in range(count):
        published = low + timedelta(seconds=rng.uniform(0, (now - timedelta(minutes=5) - low).total_seconds()))
        fields = paper_fields(rng, pool)
        arrivals.append(FakePaper(id=f"{published:%y%m}.{90000 + number:05d}", published=stamp(published),
                                  title=fields["title"], summary=fields["summary"], authors=fields["authors"],
                                  categories=fields["categories"], comment=fields["comment"]))
    return arrivals


# ---------------------------------------------------------------- project set-up (through the project's own code)

def build_project(root: Path, count: int, now: datetime, seed: int) -> list[Paper]:
    """Write a project with a `count`-paper archive, watermarked a day ago, and no rendered pages yet.

    Returns the archived papers of the last LOOKBACK_DAYS + 1 days, which a scheduled run reads from arXiv again."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text(README, encoding="utf-8")
    (root / "config.yaml").write_text(CONFIG.format(lookback=LOOKBACK_DAYS) + taxonomy_config(), encoding="utf-8")
    archive = Archive.open(root / "articles" / "data")
    papers = synthetic_archive(count, now, seed)
    for paper in papers:
        archive.put(paper)
    archive.state["watermark"] = stamp(now - timedelta(days=1))
    write_changed(archive.data_outputs())
    recent = stamp(now - timedelta(days=LOOKBACK_DAYS + 1))
    return [paper for paper in papers if paper.published >= recent]


def as_fake(paper: Paper) -> FakePaper:
    """Return an archived paper as the fake arXiv serves it, unchanged."""
    return FakePaper(id=paper.id, published=paper.published, title=paper.title, summary=paper.summary,
                     authors=paper.authors, version=paper.version, updated=paper.updated,
                     categories=paper.categories, comment=paper.comment, journal_ref=paper.journal_ref)


def data_only_copy(built: Path, root: Path) -> None:
    """Copy a built project with only its month data files: no pages, index, state or digests (a fork, a restore)."""
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(built, root, ignore=shutil.ignore_patterns("index.json", "state.json", "rendered.json"))


# ---------------------------------------------------------------- measuring one subprocess

@dataclass
class Measure:
    """What one run cost."""

    label: str
    wall: float
    cpu: float
    peak_mb: float
    files: int
    bytes_written: int
    deleted: int


def file_states(root: Path) -> dict[str, tuple[int, int, int]]:
    """Return (inode, mtime ns, size) of every file under root by relative path."""
    states = {}
    for path in root.rglob("*"):
        if path.is_file():
            info = path.stat()
            states[str(path.relative_to(root))] = (info.st_ino, info.st_mtime_ns, info.st_size)
    return states


# A fresh process forked from this big one starts with this one's pages counted in ru_maxrss (Linux keeps the
# high-water mark across exec), so the child reports the peak of its own image: VmHWM, else ru_maxrss.
CHILD = """\
import atexit, os, resource, runpy, sys
def report():
    try:
        with open("/proc/self/status") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1)
    usage, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    # Render workers (a full render's pool) count too: their CPU, and their peak once per worker, an upper bound.
    peak += min(os.cpu_count() or 1, 4) * workers.ru_maxrss if workers.ru_maxrss else 0
    cpu = usage.ru_utime + usage.ru_stime + workers.ru_utime + workers.ru_stime
    sys.stderr.write(f"\\nBENCH_PEAK_KIB {peak} BENCH_CPU_S {cpu:.3f}\\n")
atexit.register(report)
module, sys.argv = sys.argv[1], sys.argv[1:]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def run_child(module: str, args: list[str], env: dict[str, str], log_path: Path,
              code: Path = REPO) -> tuple[float, float, float]:
    """Run `python -m module *args` in a fresh process from the folder `code` (the repository, or a copy of its code);
    return its wall time, CPU time and peak MB; raise if it fails."""
    with open(log_path, "w", encoding="utf-8") as log:
        # The set-up's file copies and deletions are flushed first, so their write-back (and, on a disk mounted with
        # `discard`, the trims of deleted files, which stall every file creation after them) lands in no measured run.
        os.sync()
        started = time.perf_counter()
        status = subprocess.run([sys.executable, "-c", CHILD, module, *args], cwd=code, env=env, stdout=log,
                                stderr=subprocess.STDOUT, check=False).returncode
        wall = time.perf_counter() - started
    output = log_path.read_text(encoding="utf-8")
    if status != 0 or "BENCH_PEAK_KIB" not in output:
        raise SystemExit(f"python -m {module} {' '.join(args)} failed with exit {status}:\n{output}")
    peak, cpu = re.findall(r"BENCH_PEAK_KIB (\d+) BENCH_CPU_S ([\d.]+)", output)[-1]
    return wall, float(cpu), int(peak) / 1024


def log_name(label: str) -> str:
    """Return the log file name of a measured run."""
    return re.sub(r"[^a-z0-9+]+", "-", label) + ".log"


def measure(label: str, root: Path, args: list[str], env: dict[str, str], code: Path = REPO) -> Measure:
    """Run `python -m scripts.update --root root *args` (from `code`) in a fresh process and measure it."""
    before = file_states(root)
    log_path = root.parent / log_name(label)
    wall, cpu, peak = run_child("scripts.update", ["--root", str(root), *args], env, log_path, code)
    after = file_states(root)
    written = [name for name, state in after.items() if before.get(name) != state]
    return Measure(label, wall, cpu, peak, len(written), sum(after[name][2] for name in written),
                   sum(1 for name in before if name not in after))


def child_env(api_url: str) -> dict[str, str]:
    """Return the environment of a measured run: the fake arXiv, no politeness delay, no GitHub Actions files."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
    env.update(ARXIV_API_URL=api_url, ARXIV_DELAY_SECONDS="0", PYTHONDONTWRITEBYTECODE="1")
    return env


def largest(root: Path, markdown: bool) -> tuple[str, int]:
    """Return the largest file the project wrote, Markdown or not, as (relative path, bytes)."""
    sizes = [(path.stat().st_size, str(path.relative_to(root))) for path in root.rglob("*")
             if path.is_file() and path.name not in NOT_WRITTEN_BY_PROJECT and (path.suffix == ".md") == markdown]
    size, name = max(sizes, default=(0, "-"))
    return name, size


# ---------------------------------------------------------------- one size, then the table

def code_copy(folder: Path) -> Path:
    """Copy the project's code and templates into a folder (compiled once, as a checkout run before would be), for a
    measured run to edit its templates; return it."""
    for name in ("scripts", "templates"):
        shutil.copytree(REPO / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder / "scripts")], check=True)
    return folder


def edit_templates(code: Path) -> None:
    """Change the templates of every month page and domain month page, as a maintainer's edit would: a line more at
    the top (so every page's list moves) and one at the end."""
    for name in EDITED_TEMPLATES:
        path = code / "templates" / name
        path.write_text(TOP_LINE + path.read_text(encoding="utf-8") + "\n[Back to the top](#)\n", encoding="utf-8")


def run_sequence(root: Path, api: FakeArxiv, arrivals: list[FakePaper], recent: list[FakePaper],
                 env: dict[str, str], code: Path) -> list[Measure]:
    """Measure, in order: cold render, re-render (unchanged, then after a code change, then after a template change),
    an update adding the arrivals, the same update again, a look-back re-read; every run from the code in `code`."""
    api.papers = arrivals
    runs = [measure("full render (cold)", root, ["--no-fetch"], env, code),
            measure("full re-render, nothing changed", root, ["--no-fetch"], env, code)]
    # A code change: the recorded code digest no longer matches, so every month is rendered again in full (to the
    # same pages: none is written).
    rendered = root / "articles" / "data" / "rendered.json"
    recorded = rendered.read_text(encoding="utf-8")
    rendered.write_text(recorded.replace('"code": "', '"code": "0').replace('"renderer": "', '"renderer": "0'),
                        encoding="utf-8")
    runs.append(measure(CODE_CHANGED, root, ["--no-fetch"], env, code))
    edit_templates(code)  # and then a real edit of the templates: every page framed anew and written
    runs += [measure(TEMPLATES_CHANGED, root, ["--no-fetch"], env, code),
             measure(f"update +{len(arrivals)} new", root, [], env, code),
             measure("update, nothing new", root, [], env, code)]
    api.papers = arrivals + recent
    runs.append(measure(f"update, re-read {LOOKBACK_DAYS} d", root, [], env, code))
    return runs


def medians(attempts: list[list[Measure]]) -> list[Measure]:
    """Return, run by run, the median wall time, CPU time and peak memory of the attempts (files from the last)."""
    return [Measure(runs[-1].label, statistics.median(run.wall for run in runs),
                    statistics.median(run.cpu for run in runs), statistics.median(run.peak_mb for run in runs),
                    runs[-1].files, runs[-1].bytes_written, runs[-1].deleted)
            for runs in zip(*attempts, strict=True)]


def baseline_and_data_render(base: Path, attempt: int, env: dict[str, str], code: Path) -> list[Measure]:
    """Measure the naive single-page renderer, then the project rendering a copy of the same month files alone."""
    data_root = base / f"from-data-{attempt}"
    data_only_copy(base / "built", data_root)
    page = base / f"naive-{attempt}.md"
    wall, cpu, peak = run_child("benchmarks.naive_render", [str(data_root / "articles" / "data"), str(page)], env,
                                base / "naive.log")
    naive = Measure(NAIVE, wall, cpu, peak, 1, page.stat().st_size, 0)
    return [naive, measure(FROM_DATA, data_root, ["--no-fetch"], env, code)]


def remove_attempts(base: Path) -> None:
    """Delete every repetition's copies, once all are measured: a deletion just before a measured run slowed its file
    creations (on a disk mounted with `discard`, the trims of the freed blocks), so none happens between runs."""
    for path in [*sorted(base.glob("from-data-*")), *sorted(base.glob("project-*")), *sorted(base.glob("code-*")),
                 *sorted(base.glob("naive-*.md"))]:
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def update_counts(log_path: Path) -> str:
    """Return the "fetched N, new N, updated N" part of an update's closing line."""
    match = re.search(r"fetched \d+, new \d+, updated \d+", log_path.read_text(encoding="utf-8"))
    return match.group(0) if match else "no summary line"


def bench_size(count: int, workdir: Path, seed: int, repeat: int) -> tuple[list[Measure], dict]:
    """Build a project of `count` papers, then measure the run sequence `repeat` times on fresh copies of it."""
    base = workdir / f"papers-{count}"
    remove_attempts(base)  # an earlier benchmark's, kept with --workdir: deleted before the archive is built
    now = datetime.now(UTC)
    started = time.perf_counter()
    recent = [as_fake(paper) for paper in build_project(base / "built", count, now, seed)]
    facts = {"build_s": time.perf_counter() - started, "recent": len(recent)}
    api = FakeArxiv()
    server = serve(api)
    try:
        env = child_env(api.url)
        attempts: list[list[Measure]] = []
        for attempt in range(repeat):
            root = base / f"project-{attempt}"
            shutil.copytree(base / "built", root)
            code = code_copy(base / f"code-{attempt}")
            api.requests.clear()
            wall, cpu, peak = run_child("scripts.update", ["--help"], env, base / "imports.log", code)
            attempts.append([Measure("python + imports", wall, cpu, peak, 0, 0, 0),
                             *baseline_and_data_render(base, attempt, env, code),
                             *run_sequence(root, api, new_arrivals(NEW_PAPERS, now, seed), recent, env, code)])
        runs = medians(attempts)
    finally:
        server.shutdown()
        server.server_close()
    facts["requests"] = len(api.requests)
    facts["counts"] = [f"{run.label}: {update_counts(base / log_name(run.label))}" for run in runs if run.label.startswith("update")]
    facts["largest_md"], facts["largest_data"] = largest(root, True), largest(root, False)
    return runs, facts


def table_lines(count: int, runs: list[Measure], facts: dict) -> list[str]:
    """Return the printed rows of one size."""
    lines = [f"{count:>7} | {run.label:<32} | {run.wall:7.2f} | {run.cpu:6.2f} | {run.peak_mb:8.1f} | {run.files:6d} | "
             f"{run.bytes_written / 1024:10.1f} | {run.deleted:7d}" for run in runs]
    (md_name, md_size), (data_name, data_size) = facts["largest_md"], facts["largest_data"]
    lines.append(f"{count:>7} | largest Markdown: {md_name} {md_size / 1024:.1f} KiB"
                 f" ({'ok' if md_size < MARKDOWN_LIMIT else 'OVER'} < 500 KiB)")
    lines.append(f"{count:>7} | largest data: {data_name} {data_size / 1e6:.2f} MB"
                 f" ({'ok' if data_size < DATA_LIMIT else 'OVER'} < 10 MB)")
    lines.append(f"{count:>7} | archive built in {facts['build_s']:.1f} s; fake arXiv requests in the last sequence: "
                 f"{facts['requests']}; archived papers re-read from the look-back window: {facts['recent']}")
    lines += [f"{count:>7} | {counts}" for counts in facts["counts"]]
    by_label = {run.label: run for run in runs}
    naive = by_label[NAIVE]
    lines.append(f"{count:>7} | ratio to the naive renderer ({naive.wall:.2f} s, {naive.peak_mb:.0f} MB), wall (CPU): "
                 + ", ".join(f"{run.label} {run.wall / naive.wall:.2f}x ({run.cpu / naive.cpu:.2f}x)"
                             for run in (by_label[FROM_DATA], by_label[CODE_CHANGED], by_label[TEMPLATES_CHANGED])))
    return lines


HEADER = ["  size  | run                              |  wall s |  cpu s |  peak MB |  files |  written KB | deleted",
          "--------+----------------------------------+---------+--------+----------+--------+-------------+--------"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="archive sizes in papers")
    parser.add_argument("--workdir", type=Path, help="keep the generated projects here (default: a temporary folder)")
    parser.add_argument("--repeat", type=int, default=1, help="run each sequence this many times; print the medians")
    parser.add_argument("--seed", type=int, default=20250516, help="random seed of the synthetic archive")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Benchmark every size and print the table."""
    args = parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        print("\n".join(HEADER), flush=True)
        for count in args.sizes:
            runs, facts = bench_size(count, workdir, args.seed, args.repeat)
            print("\n".join(table_lines(count, runs, facts)), flush=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
