"""Build the search site: every archived paper, searchable with Pagefind, as static files for GitHub Pages.

Usage: python -m scripts.site [--out _site] [--root .]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .errors import ListError
from .site_build.build import build_site


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="python -m scripts.site", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("_site"),
                        help="folder to write the site to, replaced whole (default: _site)")
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (default: the current folder)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build the site from the command line; return the exit status."""
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        built = build_site(args.root, args.out)
    except ListError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"site: {built.papers} papers in {built.out} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
