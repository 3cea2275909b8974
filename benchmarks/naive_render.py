"""The benchmark's baseline: the seed's renderer, every archived paper concatenated into one Markdown page.

Run from the repository root:  python -m benchmarks.naive_render DATA_DIR PAGE
It imports nothing of the project, as the seed's script did, so its start-up is Python's alone.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def naive_render(data_dir: Path, page: Path) -> None:
    """Write every paper of the month files, newest month first, one table row each, by string concatenation."""
    text = "# Papers\n\n| Date | Title | Authors | Abstract |\n| --- | --- | --- | --- |\n"
    for path in sorted(data_dir.glob("20*.json"), reverse=True):
        for paper in json.loads(path.read_text(encoding="utf-8"))["papers"]:
            authors = ", ".join(paper["authors"][:2]) + (" et al." if len(paper["authors"]) > 2 else "")
            text += (f"| {paper['published'][:10]} | [{paper['title']}]({paper['url']}v{paper['version']}) | "
                     f"{authors} | {paper['summary']} |\n")
    page.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    naive_render(Path(sys.argv[1]), Path(sys.argv[2]))
