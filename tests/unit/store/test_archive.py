"""Archive invariants: the index kept current equals a recount, months evicted from memory are never lost."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scripts.paper import Paper
from scripts.store.archive import Archive, home_months, is_home, month_summary
from scripts.store.files import write_changed


def random_paper(rng: random.Random, month: str, number: int) -> Paper:
    """Return a small paper in the given month with a few random tags."""
    return Paper(id=f"{month[2:4]}{month[5:]}.{number:05d}", version=1, title=f"Paper {number}", authors=("A B",),
                 published=f"{month}-0{rng.randint(1, 9)}T00:00:00Z", updated=f"{month}-10T00:00:00Z", summary="-",
                 tags=tuple(rng.sample(["jailbreak", "privacy", "backdoor", "alignment"], rng.randint(0, 3))))


def test_index_kept_current_through_puts_and_removes_equals_a_recount(tmp_path):
    rng = random.Random(7)
    archive = Archive.open(tmp_path / "data")
    for _ in range(400):
        paper = random_paper(rng, rng.choice(["2025-01", "2025-02"]), rng.randint(1, 40))
        archive.remove(paper) if rng.random() < 0.3 else archive.put(paper)
    for month in ("2025-01", "2025-02"):
        assert archive.index[month] == month_summary(archive.month(month).values())
        assert archive.index[month]["count"] > 0


def write_months(data_dir: Path, months: list[str], per_month: int) -> None:
    """Write an archive of `per_month` papers in each month through the Archive itself."""
    rng = random.Random(3)
    archive = Archive.open(data_dir)
    for month in months:
        for number in range(1, per_month + 1):
            archive.put(random_paper(rng, month, number))
    write_changed(archive.data_outputs())


MONTHS = [f"2024-{number:02d}" for number in range(1, 13)]


def test_months_forgotten_from_memory_are_read_again_and_never_lost(tmp_path):
    write_months(tmp_path, MONTHS, 5)
    archive = Archive.open(tmp_path)
    assert all(len(archive.month(month)) == 5 for month in MONTHS)  # reads all twelve, keeps only a few
    assert len(archive.months) < len(MONTHS)
    archive.put(random_paper(random.Random(9), "2024-01", 99))
    outputs = archive.data_outputs()
    assert sorted(path.name for path in outputs) == ["2024-01.json", "index.json", "state.json"]
    january = json.loads(outputs[tmp_path / "2024-01.json"])["papers"]
    assert sorted(record["id"] for record in january) == [f"2401.{number:05d}" for number in (1, 2, 3, 4, 5, 99)]


def test_rebuilt_index_counts_every_month_and_rewrites_no_month_file(tmp_path):
    write_months(tmp_path, MONTHS, 3)
    (tmp_path / "index.json").unlink()
    archive = Archive.open(tmp_path)  # a stale index: recounted from the files when read
    assert archive.all_months() == MONTHS[::-1] and archive.index == {}
    expected = {month: month_summary(Archive.open(tmp_path).month(month).values()) for month in MONTHS}
    assert archive.live_index() == expected and archive.index == expected
    assert not archive.changed and len(archive.months) == 0  # no month kept in memory, none to write back
    outputs = archive.data_outputs()
    assert sorted(path.name for path in outputs) == ["index.json", "state.json"]


def test_a_month_file_is_normalised_only_when_its_records_change(tmp_path):
    write_months(tmp_path, MONTHS, 3)
    january = tmp_path / "2024-01.json"
    january.write_text(json.dumps(json.loads(january.read_text()), indent=1), encoding="utf-8")  # a hand edit's layout
    archive = Archive.open(tmp_path)
    assert january not in archive.data_outputs()
    archive.put(random_paper(random.Random(9), "2024-01", 99))
    assert archive.data_outputs()[january].startswith('{\n  "papers": [\n    {\n      "authors": [')


def test_a_render_from_the_month_files_alone_writes_what_a_render_of_the_whole_archive_writes(tmp_path, monkeypatch):
    from scripts import update
    from scripts.render import build
    from tests.conftest import make_project, snapshot

    monkeypatch.setattr(build, "PARALLEL_MONTHS", 2)  # through the render pool, as a long archive is
    whole, alone = make_project(tmp_path / "whole"), make_project(tmp_path / "alone")
    write_months(whole / "articles" / "data", MONTHS, 4)
    (alone / "articles" / "data").mkdir(parents=True)
    for path in (whole / "articles" / "data").glob("20*.json"):
        (alone / "articles" / "data" / path.name).write_bytes(path.read_bytes())
    months_before = {path.name: path.read_bytes() for path in (alone / "articles" / "data").glob("20*.json")}
    assert update.main(["--root", str(whole), "--no-fetch"]) == 0
    assert update.main(["--root", str(alone), "--no-fetch"]) == 0
    assert snapshot(alone) == snapshot(whole)  # the pages, the index and the digests, byte for byte
    assert {path.name: path.read_bytes() for path in (alone / "articles" / "data").glob("20*.json")} == months_before


def test_a_paper_moved_into_a_month_dropped_from_memory_meanwhile_is_stored_there(tmp_path):
    write_months(tmp_path, MONTHS, 3)
    archive = Archive.open(tmp_path)
    moving = archive.month("2024-01")["2401.00001"]
    for month in ("2024-05", "2024-06", "2024-07", "2024-08"):  # unchanged months held in memory, the target first
        archive.month(month)
    archive.months_of(moving.id)  # the ID map is built: put looks for copies in other months
    moved = moving.with_changes(published="2024-05-02T00:00:00Z")
    archive.put(moved)  # reading 2024-01 to drop the old copy pushes 2024-05 out of memory
    assert archive.month("2024-05")[moving.id] == moved and moving.id not in archive.month("2024-01")
    assert archive.index["2024-05"]["count"] == 4 and archive.index["2024-01"]["count"] == 2
    # the month it left is written last: a crash between the two files leaves it in both, never in neither
    assert [path.stem for path in archive.month_data_outputs()] == ["2024-05", "2024-01"]
    write_changed(archive.data_outputs())
    assert Archive.open(tmp_path).months_of(moving.id) == {"2024-05"}


@pytest.mark.parametrize(("paper_id", "months"), [
    ("2505.01234", ("2025-04", "2025-05", "2025-06")),
    ("1401.0001", ("2013-12", "2014-01", "2014-02")),  # four digits, before 2015
    ("2412.12345", ("2024-11", "2024-12", "2025-01")),
    ("hep-th/9901001", ("1998-12", "1999-01", "1999-02")),
    ("math.GT/0309136", ("2003-08", "2003-09", "2003-10")),
    ("2513.00001", ()), ("10.1234/abc", ()), ("", ()),
])
def test_an_arxiv_id_points_to_the_month_it_was_submitted_in_and_those_next_to_it(paper_id, months):
    assert home_months(paper_id) == months


def month_reads(monkeypatch) -> list[str]:
    """Record the names of the month files read from now on."""
    real, reads = Path.read_bytes, []

    def reading(path: Path) -> bytes:
        if re.fullmatch(r"\d{4}-\d{2}\.json", path.name):
            reads.append(path.stem)
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", reading)
    return reads


def test_a_paper_filed_far_from_its_ids_month_is_found_through_the_index_and_no_other_month_is_read(tmp_path, monkeypatch):
    write_months(tmp_path, MONTHS, 3)
    archive = Archive.open(tmp_path)
    far = random_paper(random.Random(5), "2024-10", 7).with_changes(id="2401.00077")  # its ID says January
    archive.put(far)
    assert archive.index["2024-10"]["foreign"] == ["2401.00077"] and archive.index["2024-01"]["foreign"] == []
    write_changed(archive.data_outputs())
    reads = month_reads(monkeypatch)
    archive = Archive.open(tmp_path)
    assert archive.months_of("2401.00077") == {"2024-10"}
    assert archive.months_of("2406.00099") == set()  # a new paper: only the months its ID points to are read
    assert sorted(reads) == ["2024-01", "2024-02", "2024-05", "2024-06", "2024-07", "2024-10"]
    archive.put(far.with_changes(published="2024-01-05T00:00:00Z"))  # served again with its first date
    assert far.id in archive.month("2024-01") and far.id not in archive.month("2024-10")
    assert archive.index["2024-10"]["foreign"] == [] and archive.index["2024-10"]["count"] == 3


def test_an_index_written_before_it_listed_foreign_papers_is_recounted_once(tmp_path):
    write_months(tmp_path, MONTHS, 3)
    archive = Archive.open(tmp_path)
    archive.put(random_paper(random.Random(5), "2024-10", 7).with_changes(id="2401.00077"))
    write_changed(archive.data_outputs())
    index = json.loads((tmp_path / "index.json").read_text())
    for entry in index["months"].values():
        del entry["foreign"]
    (tmp_path / "index.json").write_text(json.dumps(index))
    archive = Archive.open(tmp_path)
    assert archive.months_of("2401.00077") == {"2024-10"}  # a month not counted yet is looked in
    assert archive.live_index()["2024-10"]["foreign"] == ["2401.00077"]


def test_foreign_papers_kept_current_through_puts_and_removes_equal_a_recount(tmp_path):
    rng = random.Random(11)
    archive = Archive.open(tmp_path / "data")
    for _ in range(400):
        paper = random_paper(rng, rng.choice(["2025-01", "2025-02", "2025-09"]), rng.randint(1, 30))
        if rng.random() < 0.3:  # filed where its ID does not say
            paper = paper.with_changes(published=f"2025-09-0{rng.randint(1, 9)}T00:00:00Z")
        archive.remove(archive.get(paper) or paper) if rng.random() < 0.3 else archive.put(paper)
    for month in ("2025-01", "2025-02", "2025-09"):
        assert archive.index[month] == month_summary(archive.month(month).values())
    assert archive.index["2025-09"]["foreign"] and all(len(archive.months_of(paper_id)) == 1
                                                        for month in archive.months for paper_id in archive.months[month])


@given(st.one_of(st.from_regex(r"\A\d{4}\.\d{0,6}\Z"), st.from_regex(r"\A[a-z-]{1,8}(\.[A-Z]{2})?/\d{2,8}\Z"), st.text(max_size=12)),
       st.integers(1990, 2030), st.integers(1, 12))
def test_the_quick_test_of_a_paper_at_home_agrees_with_the_months_its_id_points_to(paper_id, year, month):
    filed = f"{year:04d}-{month:02d}"
    assert is_home(paper_id, filed) == (filed in home_months(paper_id))


def test_an_index_whose_foreign_papers_are_not_a_list_is_recounted(tmp_path):
    write_months(tmp_path, MONTHS, 3)
    index = json.loads((tmp_path / "index.json").read_text())
    index["months"]["2024-03"]["foreign"] = None
    (tmp_path / "index.json").write_text(json.dumps(index))
    archive = Archive.open(tmp_path)
    assert archive.months_of("2403.00001") == {"2024-03"}
    assert archive.live_index()["2024-03"]["foreign"] == []
