"""The scale benchmark runs end to end at its smallest size."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from benchmarks.bench_scale import TOP_LINE
from tests.conftest import REPO

BENCH = REPO / "benchmarks" / "bench_scale.py"
RUNS = ("python + imports", "naive single-page renderer", "render from data alone", "full render (cold)",
        "full re-render, nothing changed", "full re-render, code changed", "every page, templates changed",
        "update +50 new", "update, nothing new",
        "update, re-read 7 d")
ROW = re.compile(r"^\s*1000 \| (?P<label>[^|]+?)\s+\|\s+(?P<wall>[\d.]+) \|\s+(?P<cpu>[\d.]+) \|\s+(?P<peak>[\d.]+) \|"
                 r"\s+(?P<files>\d+) \|\s+(?P<kb>[\d.]+) \|\s+(?P<deleted>\d+)$")


def run_bench(workdir: Path) -> str:
    """Run the benchmark on 1,000 papers, keeping its project under workdir; return what it printed."""
    done = subprocess.run([sys.executable, str(BENCH), "--sizes", "1000", "--workdir", str(workdir)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def test_benchmark_prints_every_row_and_keeps_files_small(tmp_path):
    output = run_bench(tmp_path)
    rows = {match["label"]: match for line in output.splitlines() if (match := ROW.match(line))}
    assert sorted(rows) == sorted(RUNS)
    # A Python process holds 5 MB at least; 1,000 papers fit in far less than 500 MB, and no run nears the timeout.
    assert all(5 < float(row["peak"]) < 500 and 0 < float(row["wall"]) < 60 and float(row["cpu"]) < 60 for row in rows.values())
    assert int(rows["full render (cold)"]["files"]) > 94  # a page and more for each of the 94 months, plus indexes
    assert int(rows["render from data alone"]["files"]) > 94  # the same pages, from month files alone
    assert int(rows["naive single-page renderer"]["files"]) == 1
    assert re.search(r"^\s*1000 \| ratio to the naive renderer \([\d.]+ s, \d+ MB\), wall \(CPU\): "
                     r"render from data alone [\d.]+x \([\d.]+x\), "
                     r"full re-render, code changed [\d.]+x \([\d.]+x\), "
                     r"every page, templates changed [\d.]+x \([\d.]+x\)$",
                     output, re.M)
    assert int(rows["full re-render, nothing changed"]["files"]) == 0  # nothing changed since the cold render
    assert int(rows["full re-render, code changed"]["files"]) == 1  # every page rendered again, none differs: only the digests
    assert 0 < int(rows["update +50 new"]["files"]) < int(rows["full render (cold)"]["files"])
    assert int(rows["update, nothing new"]["files"]) == 0
    assert int(rows["update, re-read 7 d"]["files"]) == 0
    assert re.search(r"update \+50 new: fetched 50, new 50, updated 0$", output, re.M)
    reread = re.search(r"update, re-read 7 d: fetched (\d+), new 0, updated 0$", output, re.M)
    assert reread and int(reread[1]) > 50  # the 50 arrivals and archived papers of the look-back window, all unchanged
    assert re.search(r"^\s*1000 \| largest Markdown: \S+\.md [\d.]+ KiB \(ok", output, re.M)
    assert re.search(r"^\s*1000 \| largest data: \S+ [\d.]+ MB \(ok", output, re.M)
    articles = tmp_path / "papers-1000" / "project-0" / "articles"
    pages = [*articles.glob("20*.md"), *articles.glob("domains/*-20*.md")]
    assert all(page.read_text(encoding="utf-8").startswith(TOP_LINE) and
               page.read_text(encoding="utf-8").endswith("[Back to the top](#)\n") for page in pages)
    # every month page and domain month page framed anew and written, and the record of where their lists lie
    assert int(rows["every page, templates changed"]["files"]) == len(pages) + 1
    written = [path for path in (tmp_path / "papers-1000" / "project-0").rglob("*") if path.is_file()]
    assert len(list((tmp_path / "papers-1000" / "project-0" / "articles" / "data").glob("20*.json"))) == 94
    assert all(path.stat().st_size < 500 * 1024 for path in written if path.suffix == ".md")
    assert all(path.stat().st_size < 10 * 1000 * 1000 for path in written)
