"""One exception hierarchy: every failure the project reports to a person."""


class ListError(Exception):
    """Base of every error the project raises on purpose; its message says what to fix."""


class ConfigError(ListError):
    """config.yaml (or an environment override) is missing, malformed or out of range."""


class CollectionError(ListError):
    """A curated file under collection/ is malformed or inconsistent."""


class ArchiveError(ListError):
    """A file under articles/data/ is corrupt or has an unknown schema."""


class FetchError(ListError):
    """The arXiv API could not be queried or answered with something unusable."""


class MarkerError(ListError):
    """A generated block's start/end markers are missing, duplicated or out of order."""


class LockError(ListError):
    """Another update holds the lock on this checkout."""


class EvaluationError(ListError):
    """A labels or corpus file given to scripts.evaluate is missing or malformed."""


class SiteError(ListError):
    """The search site could not be built (Pagefind missing or failing, output folder unusable)."""
