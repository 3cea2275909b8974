"""Overrides and the audit trail, end to end through the update with the shipped relevance rules."""

from __future__ import annotations

import json
import re
from datetime import UTC

from scripts import update
from tests.conftest import REPO, make_project, snapshot
from tests.fake_arxiv import FakePaper

ON_TOPIC = FakePaper(id="2505.20001", published="2025-05-20T10:00:00Z",
                     title="Jailbreaking Large Language Models with Role-Play Prompts",
                     summary="We present a jailbreak attack on large language models (LLMs) that bypasses safety alignment "
                             "through role-play prompts, and evaluate defenses against it on open and closed models.")
MODEL = "collection/labels/model.json"
OFF_TOPIC = FakePaper(id="2505.20002", published="2025-05-21T10:00:00Z",
                      title="Thermal Runaway Safety of Magnesium Battery Cathodes",
                      summary="We study the thermal safety of amorphous cathodes for magnesium batteries with molecular dynamics.")


def shipped_project(tmp_path):
    """A project tree that uses the repository's own config.yaml (its relevance and tag rules, and learned model)."""
    root = make_project(tmp_path / "project", config=(REPO / "config.yaml").read_text())
    (root / MODEL).parent.mkdir(parents=True, exist_ok=True)
    (root / MODEL).write_bytes((REPO / MODEL).read_bytes())
    return root


def archived(root) -> dict[str, dict]:
    """Return every archived record by ID."""
    records = {}
    for path in (root / "articles" / "data").glob("20*.json"):
        records.update({record["id"]: record for record in json.loads(path.read_text())["papers"]})
    return records


def write_overrides(root, text: str) -> None:
    (root / "collection").mkdir(exist_ok=True)
    (root / "collection" / "overrides.yaml").write_text(text)


def test_rejected_candidate_is_listed_and_promoted_by_its_line(fake_arxiv, tmp_path):
    root = shipped_project(tmp_path)
    fake_arxiv.papers = [ON_TOPIC, OFF_TOPIC]
    assert update.main(["--root", str(root), "--since", "2025-05-01"]) == 0
    assert set(archived(root)) == {ON_TOPIC.id}
    assert archived(root)[ON_TOPIC.id]["tags"][0] == "jailbreak"
    page = (root / "articles" / "rejected.md").read_text()
    line = re.search(r'`(- \{id: "2505\.20002", reason: ""\})`', page).group(1)
    assert "1 candidates" in (root / "articles" / "README.md").read_text()
    write_overrides(root, "include:\n  " + line.replace('reason: ""', 'reason: "test"') + "\n")
    fake_arxiv.requests.clear()
    assert update.main(["--root", str(root), "--no-fetch"]) == 0
    assert OFF_TOPIC.id not in archived(root)  # --no-fetch cannot fetch it by ID: it waits for the next fetch
    assert update.main(["--root", str(root)]) == 0
    assert set(archived(root)) == {ON_TOPIC.id, OFF_TOPIC.id}
    assert fake_arxiv.requests[-1].id_list == [OFF_TOPIC.id]
    assert "2505.20002" not in (root / "articles" / "rejected.md").read_text()


def test_exclude_and_tag_corrections_reach_archived_papers(fake_arxiv, tmp_path):
    root = shipped_project(tmp_path)
    fake_arxiv.papers = [ON_TOPIC]
    update.main(["--root", str(root), "--since", "2025-05-01"])
    write_overrides(root, 'tags:\n  - {id: "2505.20001", tags: [evaluation]}\n')
    assert update.main(["--root", str(root), "--no-fetch"]) == 0
    assert archived(root)[ON_TOPIC.id]["tags"] == ["evaluation"]
    assert "`evaluation`" in (root / "articles" / "2025-05.md").read_text()
    before = snapshot(root)
    assert update.main(["--root", str(root), "--no-fetch"]) == 0
    assert snapshot(root) == before
    write_overrides(root, 'exclude:\n  - {id: "2505.20001", reason: "test"}\n')
    assert update.main(["--root", str(root), "--no-fetch"]) == 0
    assert archived(root) == {}
    assert not (root / "articles" / "2025-05.md").exists()
    assert ON_TOPIC.id not in (root / "README.md").read_text()
    assert update.main(["--root", str(root), "--since", "2025-05-01"]) == 0
    assert archived(root) == {}


def test_bad_overrides_file_stops_the_run_before_writing(fake_arxiv, tmp_path, capsys):
    root = shipped_project(tmp_path)
    write_overrides(root, "include:\n  - {id: 2501.12340}\n")
    before = snapshot(root)
    assert update.main(["--root", str(root)]) == 1
    error = capsys.readouterr().err
    assert "overrides.yaml" in error and "quote it" in error
    assert snapshot(root) == before and fake_arxiv.requests == []


def test_a_later_run_with_the_same_rejections_changes_no_byte(fake_arxiv, tmp_path, monkeypatch):
    from datetime import datetime

    def clock(moment: str):
        class Frozen(datetime):
            @classmethod
            def now(cls, tz=None):
                return datetime.fromisoformat(moment).replace(tzinfo=UTC)
        monkeypatch.setattr(update, "datetime", Frozen)

    root = shipped_project(tmp_path)
    fake_arxiv.papers = [ON_TOPIC, OFF_TOPIC]
    clock("2025-05-25T10:00:00")
    assert update.main(["--root", str(root), "--since", "2025-05-01"]) == 0
    before = snapshot(root)
    clock("2025-05-26T10:00:00")
    assert update.main(["--root", str(root)]) == 0
    assert "submittedDate:[202505181000 TO 202505261000]" in fake_arxiv.requests[-1].query
    after = snapshot(root)
    state = "articles/data/state.json"  # only the day of the last check moves (README shows it when it has the block)
    assert after[state] == before[state].replace(b'"2025-05-25"', b'"2025-05-26"') != before[state]
    assert {name: text for name, text in after.items() if name != state} == \
        {name: text for name, text in before.items() if name != state}


def test_a_crash_among_the_pages_keeps_the_runs_rejected_candidates(fake_arxiv, tmp_path, monkeypatch):
    from scripts.store import files
    root = shipped_project(tmp_path)
    fake_arxiv.papers = [ON_TOPIC, OFF_TOPIC]
    real = files.put_in_place

    def full_at_the_month_page(target, temp):
        if target.name == "2025-05.md":
            raise OSError(28, "No space left on device")
        real(target, temp)

    monkeypatch.setattr(files, "put_in_place", full_at_the_month_page)
    assert update.main(["--root", str(root), "--since", "2025-05-01"]) == 1
    monkeypatch.setattr(files, "put_in_place", real)
    rejected = root / "articles" / "data" / "rejected.json"
    assert OFF_TOPIC.id in rejected.read_text()  # put in place with the data, before any page
    assert update.main(["--root", str(root), "--no-fetch"]) == 0  # the repair: every page again
    assert OFF_TOPIC.id in rejected.read_text() and OFF_TOPIC.id in (root / "articles" / "rejected.md").read_text()
