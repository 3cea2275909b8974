"""update.merge_by_intent: what another run changed is merged in, what was edited or deleted here since is kept."""

from __future__ import annotations

from scripts.paper import Paper
from scripts.update import merge_by_intent

BASE = Paper(id="2505.00001", version=1, title="Original", authors=("A. Author",), published="2025-05-01T00:00:00Z",
             updated="2025-05-01T00:00:00Z", summary="First abstract.")


def test_a_field_edited_here_keeps_the_edit_and_a_field_changed_there_is_taken():
    here = BASE.with_changes(title="Corrected by hand")
    there = BASE.with_changes(version=2, summary="Second abstract.", updated="2025-05-09T00:00:00Z")
    merged = merge_by_intent(here, BASE, there, knows_base=True)
    assert merged == here.with_changes(version=2, summary="Second abstract.", updated="2025-05-09T00:00:00Z")


def test_a_field_both_sides_changed_keeps_this_side():
    assert merge_by_intent(BASE.with_changes(title="Here"), BASE, BASE.with_changes(title="There"), True) is None


def test_a_record_deleted_here_stays_deleted_and_a_new_one_is_added():
    assert merge_by_intent(None, BASE, BASE.with_changes(version=2), knows_base=True) is None
    assert merge_by_intent(None, None, BASE, knows_base=True) == BASE
    assert merge_by_intent(None, BASE, BASE, knows_base=False) == BASE  # no base given: the old union merge


def test_a_paper_both_sides_added_keeps_the_newer_version():
    newer = BASE.with_changes(version=3, title="Newer")
    assert merge_by_intent(BASE, None, newer, knows_base=True) == newer
    assert merge_by_intent(newer, None, BASE, knows_base=True) is None
