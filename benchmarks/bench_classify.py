"""Time the relevance filter on the whole shared corpus: the rules alone, and the rules with the learned part.

Usage: python benchmarks/bench_classify.py [--corpus ../shared/data/arxiv-corpus.json] [--repeat 3]
Target (issue 15): the whole corpus (7,575 papers) classified in at most 3 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scripts.classify.relevance import classify  # noqa: E402
from scripts.config import load_config  # noqa: E402
from scripts.evaluate import load_corpus  # noqa: E402


def best_of(repeat: int, papers, rules) -> tuple[float, float, int]:
    """Return the best wall and CPU seconds of `repeat` classifications, and how many papers were kept."""
    timings = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        accepted, _ = classify(papers, rules)
        timings.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(t[0] for t in timings), min(t[1] for t in timings), len(accepted)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "data" / "arxiv-corpus.json")
    parser.add_argument("--config", type=Path, default=REPO / "config.yaml")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    rules = load_config(args.config).relevance
    loaded = time.perf_counter() - started
    if rules is None:
        print(f"{args.config}: no relevance rules to time", file=sys.stderr)
        return 2
    papers = load_corpus(args.corpus)
    print(f"config and model loaded in {loaded:.2f} s; {len(papers)} papers, best of {args.repeat}")
    for name, variant in (("rules alone", replace(rules, model=None)), ("rules + learned", rules)):
        if name.endswith("learned") and rules.model is None:
            continue
        wall, cpu, kept = best_of(args.repeat, papers, variant)
        print(f"{name:16} {wall:6.2f} s wall {cpu:6.2f} s CPU, {kept} kept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
