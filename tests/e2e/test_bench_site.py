"""The search-site benchmark runs end to end at a small size."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

BENCH = REPO / "benchmarks" / "bench_site.py"
CHROMIUM = Path("/usr/bin/chromium")


def test_site_benchmark_builds_indexes_and_searches(tmp_path):
    pytest.importorskip("pagefind", reason="pagefind (from requirements-dev.txt) is not installed")
    done = subprocess.run([sys.executable, str(BENCH), "--sizes", "300", "--workdir", str(tmp_path)],
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr + done.stdout
    build = re.search(r"^\s*300 \| build\s+([\d.]+) s \| index\s+([\d.]+) MB in (\d+) files \| site\s+([\d.]+) MB in "
                      r"(\d+) files \| peak memory\s+(\d+) MB$", done.stdout, re.M)
    assert build, done.stdout
    assert 0 < float(build[1]) < 120 and int(build[3]) > 0 and float(build[4]) >= float(build[2]) > 0
    search = re.search(r"^\s*300 \| first search for 'safety': (.+)$", done.stdout, re.M)
    assert search, done.stdout
    if CHROMIUM.exists():
        found = re.fullmatch(r"([\d.]+) MB \((\d+) KB to open the page; (\d+) papers? found\)", search[1])
        assert found and 0 < float(found[1]) < 5 and int(found[3]) > 0, search[1]
    else:
        assert search[1].startswith("skipped"), search[1]
