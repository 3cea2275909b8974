"""Measure the search site at 1,000 to 100,000 papers: build time, index and site size, first-search transfer.

Run from the repository root:  python benchmarks/bench_site.py [--sizes 1000 10000 100000] [--word safety]

Each size gets the synthetic project of bench_scale.py (same papers, same seed) with this repository's taxonomy, then
one fresh `python -m scripts.site` process builds its site. The first search is measured in headless Chromium when
Playwright and /usr/bin/chromium are installed: the site is served on loopback, a fresh browser searches one common
word, and every byte the server sends until the results show is counted. It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.bench_scale import CONFIG, LOOKBACK_DAYS, build_project  # noqa: E402

DEFAULT_SIZES = (1000, 10000, 100000)
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync"]
TARGETS = "targets at 100,000 papers: build <= 120 s, site <= 400 MB, first search <= 1 MB"


def write_project(root: Path, count: int, seed: int) -> None:
    """Write bench_scale's synthetic project, with config.yaml's taxonomy so the page names every domain."""
    build_project(root, count, datetime.now(UTC), seed)
    taxonomy = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))["taxonomy"]
    config = CONFIG.format(lookback=LOOKBACK_DAYS) + yaml.safe_dump({"taxonomy": taxonomy}, sort_keys=False)
    (root / "config.yaml").write_text(config, encoding="utf-8")


def folder_size(folder: Path) -> tuple[int, int]:
    """Return (files, bytes) under a folder, bytes as the files' own sizes."""
    sizes = [path.stat().st_size for path in folder.rglob("*") if path.is_file()]
    return len(sizes), sum(sizes)


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder and adds every response's body size to the server's tally."""

    def log_message(self, format, *args):
        """Keep the console quiet."""

    def copyfile(self, source, outputfile):
        """Send a file and count its bytes."""
        start = source.tell()
        super().copyfile(source, outputfile)
        self.server.sent += source.tell() - start  # type: ignore[attr-defined]


def serve(folder: Path) -> http.server.ThreadingHTTPServer:
    """Serve a folder on a free loopback port in a background thread."""
    handler = functools.partial(CountingHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.sent = 0  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def first_search(site: Path, word: str) -> str:
    """Return the bytes a fresh browser loads to open the page and show the first results for word, as text."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "skipped (playwright not installed)"
    if not CHROMIUM.exists():
        return f"skipped ({CHROMIUM} not installed)"
    server = serve(site)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
            page.wait_for_selector("body[data-ready=true]")
            opened = server.sent  # type: ignore[attr-defined]
            page.fill("#q", word)
            page.wait_for_selector("#results li", timeout=60000)
            page.wait_for_load_state("networkidle")
            total = server.sent  # type: ignore[attr-defined]
            found = page.text_content("#status")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return f"{total / 1e6:.2f} MB ({opened / 1e3:.0f} KB to open the page; {found})"


def bench_size(count: int, workdir: Path, seed: int, word: str) -> list[str]:
    """Build the project and its site for one size; return the printed lines."""
    root = workdir / f"papers-{count}"
    write_project(root, count, seed)
    site = root / "_site"
    started = time.perf_counter()
    command = [sys.executable, "-m", "scripts.site", "--root", str(root), "--out", str(site)]
    subprocess.run(command, cwd=REPO, check=True)
    wall = time.perf_counter() - started
    # The largest process the build waited for (Pagefind, in practice), in MB; Linux reports KiB.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    (bundle_files, bundle_bytes), (site_files, site_bytes) = folder_size(site / "pagefind"), folder_size(site)
    return [f"{count:>7} | build {wall:6.1f} s | index {bundle_bytes / 1e6:7.1f} MB in {bundle_files} files | "
            f"site {site_bytes / 1e6:7.1f} MB in {site_files} files | peak memory {peak:6.0f} MB",
            f"{count:>7} | first search for {word!r}: {first_search(site, word)}"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="archive sizes in papers")
    parser.add_argument("--word", default="safety", help="the common word the first search looks for")
    parser.add_argument("--workdir", type=Path, help="keep the generated projects here (default: a temporary folder)")
    parser.add_argument("--seed", type=int, default=20250516, help="random seed of the synthetic archive")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Benchmark every size and print the figures."""
    args = parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-site-"))
    try:
        print(TARGETS, flush=True)
        for count in args.sizes:
            print("\n".join(bench_size(count, workdir, args.seed, args.word)), flush=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
