"""Build a taxonomy for tests from slug -> terms."""

from __future__ import annotations

from scripts.taxonomy import Domain


def taxonomy(rules: dict[str, list[str]]) -> tuple[Domain, ...]:
    """One domain a slug, named after it, with the given tag terms."""
    return tuple(Domain(slug=slug, name=slug.replace("-", " ").capitalize(), description=f"Papers about {slug}.",
                        terms=tuple(terms)) for slug, terms in rules.items())
