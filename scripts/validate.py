"""Check the curated collections, config.yaml and the generated pages; print one line per problem, write nothing.

Usage: python -m scripts.validate [--root .]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jinja2

from .classify.overrides import read_overrides
from .config import load_config
from .curated.entries import COLLECTION_DIR, README, Collections
from .curated.load import read_collections
from .curated.readme import README_BLOCKS, render_collection_outputs, stale_readme_blocks
from .errors import CollectionError, ListError
from .layout import Layout
from .store.files import read_text
from .yamlfile import load_yaml

RERENDER = "run python -m scripts.update --no-fetch"


def config_problems(root: Path) -> list[str]:
    """The problem with config.yaml, if any (the file alone: environment overrides are not applied)."""
    try:
        load_config(Layout(root).config, environ={})
    except ListError as error:
        return [str(error)]
    return []


def overrides_problems(root: Path) -> list[str]:
    """Every problem in collection/overrides.yaml, one line each (none when the file is absent)."""
    path = Layout(root).overrides
    if not path.exists():
        return []
    try:
        raw = load_yaml(path, CollectionError)
    except ListError as error:
        return [str(error)]
    return read_overrides(raw, str(path))[1]


def page_problem(path: Path, source: str, expected: str) -> str | None:
    """Say whether one generated page is missing or differs from what its data renders to."""
    actual = read_text(path)
    if actual is None:
        return f"{source} is missing; {RERENDER}"
    if actual != expected:
        return f"{source} is out of date with {source.removesuffix('.md')}.yaml; {RERENDER}"
    return None


def readme_problems(actual: str, expected: str) -> list[str]:
    """One line per generated README block that differs from what the data renders to."""
    if actual == expected:
        return []
    origin = {block: f"{COLLECTION_DIR}/{stem}.yaml" for block, stem in README_BLOCKS.items()}
    origin["CONTENTS"] = "the README headings"
    stale = stale_readme_blocks(expected, actual)
    return [f"{README} block {block} is out of date with {origin[block]}; {RERENDER}" for block in stale] or \
        [f"{README} differs from its rendering outside the generated blocks; {RERENDER}"]


def output_problems(root: Path, collections: Collections) -> list[str]:
    """Problems with the collection pages and README blocks rendered from the loaded collections."""
    readme_text = read_text(root / README)
    if readme_text is None:
        return [f"{README} is missing; restore it with git checkout -- {README}"]
    try:
        outputs = render_collection_outputs(root, collections, readme_text)
    except (ListError, jinja2.TemplateError) as error:
        return [f"{getattr(error, 'filename', None) or README}: cannot render ({error}); fix it, then {RERENDER}"]
    problems = []
    for path, expected in outputs.items():
        if path.name == README:
            problems += readme_problems(readme_text, expected)
        else:
            problems += filter(None, [page_problem(path, path.relative_to(root).as_posix(), expected)])
    return problems


def generated_problems(root: Path) -> list[str]:
    """One line per generated file (pages, data, rendered.json) that differs from a fresh render of the archive."""
    from . import update  # the update's own render path, run without fetching or writing

    try:
        stale = update.stale_outputs(root)
    except ListError as error:
        return [f"cannot render the generated pages ({error}); fix it, then {RERENDER}"]
    return [f"{path.relative_to(root).as_posix()} is out of date with the archive and the renderer; {RERENDER}"
            for path in stale]


def find_problems(root: Path) -> tuple[Collections | None, list[str]]:
    """Return the collections (None when they do not load) and every problem under root, one line each, in order."""
    collections, collection_problems = read_collections(root)
    outputs = [] if collections is None else output_problems(root, collections)
    problems = collection_problems + overrides_problems(root) + config_problems(root) + outputs
    if collections is not None and not problems:  # the curated pages checked above are part of every render
        problems += generated_problems(root)
    return collections, problems


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m scripts.validate", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (default: the current folder)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Exit 0 with an OK line when everything is valid and up to date, 1 with one line per problem otherwise."""
    root = parse_args(argv).root.resolve()
    collections, problems = find_problems(root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    count = sum(len(entries) for entries in vars(collections).values())
    print(f"OK: {count} curated entries, config.yaml and the generated pages are valid and up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
