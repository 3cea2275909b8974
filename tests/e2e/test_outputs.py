"""Issue 6 end to end: after an update on the fake arXiv, the feed, BibTeX, chart, code links and venues are in place."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import bibtexparser
import feedparser

from scripts import update
from tests.fake_arxiv import FakePaper, make_papers

SVG = "{http://www.w3.org/2000/svg}"

WITH_CODE = FakePaper(id="2506.01234", published="2025-06-02T09:00:00Z", title="Shielding Agents from Injected Tools",
                      comment="Accepted at ICLR 2026. Code: https://github.com/example-lab/agent-shield.")


def test_update_links_feed_chart_bib_code_and_venue(fake_arxiv, project):
    fake_arxiv.papers = [*make_papers(60), WITH_CODE]
    assert update.main(["--root", str(project), "--since", "2025-01-01"]) == 0
    readme = (project / "README.md").read_text()
    assert "](articles/feed.xml)" in readme and "![Papers per month by primary safety domain" in readme
    assert "[Code](https://github.com/example-lab/agent-shield)" in readme and "*ICLR 2026*" in readme
    for month in ("2025-03", "2025-06"):
        page = (project / "articles" / f"{month}.md").read_text()
        assert f"[BibTeX for this month]({month}.bib)" in page
        entries = bibtexparser.loads((project / "articles" / f"{month}.bib").read_text()).entries
        assert entries and all(entry["archiveprefix"] == "arXiv" for entry in entries)
    feed = feedparser.parse((project / "articles" / "feed.xml").read_text())
    assert not feed.bozo and len(feed.entries) == 50
    assert feed.entries[0].link == "https://arxiv.org/abs/2506.01234"
    published = [entry.published for entry in feed.entries]
    assert published == sorted(published, reverse=True)
    svg = ET.parse(project / "assets" / "img" / "trend.svg").getroot()
    assert svg.tag == SVG + "svg"
    bars = {}  # each bar's tooltip: "domain, month: count"
    for title in svg.iter(SVG + "title"):
        if title.text and ", " in title.text:
            place, count = title.text.rsplit(": ", 1)
            bars[tuple(place.split(", "))] = int(count)
    index = json.loads((project / "articles" / "data" / "index.json").read_text())["months"]
    tagged = {(tag, month): count for month, entry in index.items() for tag, count in entry["tags"].items() if count}
    assert bars == tagged == {}  # this project's config tags nothing, so the chart has no bar to draw
    assert [text.text for text in svg.iter(SVG + "text")] == [
        "No papers archived yet: the chart appears after the first update."]
