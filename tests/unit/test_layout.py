"""Layout: every path a command uses, from the project root; the files a run writes are where Layout says."""

from pathlib import Path

from scripts.layout import Layout
from scripts.store.archive import Archive


def test_every_path_hangs_off_the_root():
    layout = Layout(Path("/project"))
    assert {name: str(getattr(layout, name)) for name in (
        "config", "readme", "articles", "data", "index", "state", "rendered", "pending", "lock", "rejected_data", "rejected_page",
        "archive_index", "feed", "collection", "overrides", "chart", "templates")} == {
        "config": "/project/config.yaml", "readme": "/project/README.md", "articles": "/project/articles", "data": "/project/articles/data",
        "index": "/project/articles/data/index.json", "state": "/project/articles/data/state.json",
        "rendered": "/project/articles/data/rendered.json", "pending": "/project/articles/data/pending.json",
        "lock": "/project/articles/data/.update.lock", "rejected_data": "/project/articles/data/rejected.json",
        "rejected_page": "/project/articles/rejected.md", "archive_index": "/project/articles/README.md",
        "feed": "/project/articles/feed.xml", "collection": "/project/collection",
        "overrides": "/project/collection/overrides.yaml", "chart": "/project/assets/img/trend.svg",
        "templates": "/project/templates"}
    assert layout.month_data("2025-03") == Path("/project/articles/data/2025-03.json")


def test_the_archive_writes_its_files_where_the_layout_says(tmp_path):
    layout = Layout(tmp_path)
    outputs = Archive.open(layout.data).data_outputs()
    assert {layout.index, layout.state} <= set(outputs)
