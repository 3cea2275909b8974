"""The list's domains, as config.yaml's `taxonomy:` defines them: slug, display name, description, tag terms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ConfigError
from .schema import Section
from .text_policy import forbidden_character

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DOMAIN_KEYS = ("slug", "name", "description", "terms")
MAX_DOMAINS = 40


@dataclass(frozen=True)
class Domain:
    """One domain readers browse by: its tag slug, display name, one-line description and the terms that tag it."""

    slug: str
    name: str
    description: str
    terms: tuple[str, ...]


def parse_taxonomy(raw: object, source: str) -> tuple[Domain, ...]:
    """Validate `taxonomy:`: a non-empty list of domains with unique slugs and names, in reader order."""
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{source}: taxonomy: expected a list of domains like "
                          "'- {slug: jailbreak, name: Jailbreaks, description: ..., terms: [jailbreak*]}'")
    if len(raw) > MAX_DOMAINS:
        raise ConfigError(f"{source}: taxonomy: {len(raw)} domains; at most {MAX_DOMAINS} fit the pages and the chart")
    domains: list[Domain] = []
    for index, item in enumerate(raw):
        domain = parse_domain(Section(item, f"taxonomy[{index}]", source, DOMAIN_KEYS))
        for other in domains:
            if domain.slug == other.slug or domain.name.casefold() == other.name.casefold():
                raise ConfigError(f"{source}: taxonomy[{index}]: {domain.slug!r} repeats the slug or name of "
                                  f"{other.slug!r}; give every domain its own slug and name")
        domains.append(domain)
    return tuple(domains)


def parse_domain(section: Section) -> Domain:
    """Validate one taxonomy entry."""
    slug = section.text("slug", "")
    if not SLUG.match(slug):
        raise section.fail("slug", f"{slug!r} is not a slug; use lowercase words joined by hyphens, e.g. agent-safety")
    name, description = section.text("name", ""), section.text("description", "")
    for key, value in (("name", name), ("description", description)):
        if len(value) > 300 or forbidden_character(value) is not None:
            raise section.fail(key, "expected one line of at most 300 characters, without control characters")
    terms = section.words("terms")
    if not terms:
        raise section.fail("terms", "expected a non-empty list of terms, e.g. [jailbreak*, jailbroken]")
    return Domain(slug=slug, name=name, description=description, terms=terms)


def slugs(taxonomy: tuple[Domain, ...]) -> tuple[str, ...]:
    """The domain slugs in reader order."""
    return tuple(domain.slug for domain in taxonomy)
