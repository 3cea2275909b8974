"""Where everything lives in a project: one frozen Layout from the project root owns every path the commands use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Names inside the data folder, which store/ also uses (it works inside that folder). This module imports only the
# standard library: publish, which runs isolated from installed packages (python -I -S), uses it.
INDEX_NAME = "index.json"
STATE_NAME = "state.json"
RENDERED_NAME = "rendered.json"


def month_path(data_dir: Path, month: str) -> Path:
    """Return the data file of one month (YYYY-MM)."""
    return data_dir / f"{month}.json"


@dataclass(frozen=True)
class Layout:
    """The paths of one project (the repository, or a copy of it in a test)."""

    root: Path

    @property
    def config(self) -> Path:
        """The default settings file (update and evaluate take another with --config)."""
        return self.root / "config.yaml"

    @property
    def readme(self) -> Path:
        return self.root / "README.md"

    @property
    def articles(self) -> Path:
        """Generated month pages, BibTeX, feed, archive index and rejected-papers page."""
        return self.root / "articles"

    @property
    def data(self) -> Path:
        """The JSON archive: month files, index, state and render digests."""
        return self.articles / "data"

    def month_data(self, month: str) -> Path:
        """The data file of one month (YYYY-MM)."""
        return month_path(self.data, month)

    @property
    def index(self) -> Path:
        return self.data / INDEX_NAME

    @property
    def state(self) -> Path:
        return self.data / STATE_NAME

    @property
    def rendered(self) -> Path:
        return self.data / RENDERED_NAME

    @property
    def pending(self) -> Path:
        """The journal of a run that is writing its files."""
        return self.data / "pending.json"

    @property
    def lock(self) -> Path:
        return self.data / ".update.lock"

    @property
    def rejected_data(self) -> Path:
        return self.data / "rejected.json"

    @property
    def rejected_page(self) -> Path:
        return self.articles / "rejected.md"

    @property
    def archive_index(self) -> Path:
        return self.articles / "README.md"

    @property
    def feed(self) -> Path:
        return self.articles / "feed.xml"

    @property
    def collection(self) -> Path:
        """The curated YAML files and the pages rendered from them."""
        return self.root / "collection"

    @property
    def overrides(self) -> Path:
        return self.collection / "overrides.yaml"

    @property
    def chart(self) -> Path:
        return self.root / "assets" / "img" / "trend.svg"

    @property
    def templates(self) -> Path:
        return self.root / "templates"
