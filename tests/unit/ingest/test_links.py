"""Code links and venues pulled from abstracts, arXiv comments and journal references."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scripts.ingest.links import extract_code_urls, extract_venue


@pytest.mark.parametrize(
    ("summary", "comment", "expected"),
    [
        ("", "Accepted at ICLR 2026. Code: https://github.com/org/repo.", ("https://github.com/org/repo",)),
        ("", "Project page: https://huggingface.co/datasets/org/name)", ("https://huggingface.co/datasets/org/name",)),
        ("Code is at github.com/Org/Tool-Kit_2.git, see the paper.", "", ("https://github.com/Org/Tool-Kit_2",)),
        ("", r"Code: \url{https://github.com/a-b/c.d}", ("https://github.com/a-b/c.d",)),
        (r"Code: https://github.com/org/red\_team\_kit.", "", ("https://github.com/org/red_team_kit",)),
        ("", "[code](http://www.github.com/x/y#readme)", ("https://github.com/x/y",)),
        ("", "See https://github.com/org/mono/tree/main/safety/eval", ("https://github.com/org/mono",)),
        ("", "Repo: https://gitlab.com/group/sub/project/-/tree/main", ("https://gitlab.com/group/sub/project",)),
        ("", "Model: https://hf.co/org/guard-7b/tree/main", ("https://huggingface.co/org/guard-7b",)),
        ("", "Demo at huggingface.co/spaces/org/demo; data at huggingface.co/datasets/gsm8k",
         ("https://huggingface.co/spaces/org/demo", "https://huggingface.co/datasets/gsm8k")),
        ("Models: https://huggingface.co/collections/lab/guard-models-65af.", "",
         ("https://huggingface.co/collections/lab/guard-models-65af",)),
        ("Weights are released at https://huggingface.co/SafeLab.", "", ("https://huggingface.co/SafeLab",)),
        ("All code is at https://github.com/Safety-Lab. ", "", ("https://github.com/Safety-Lab",)),
        ("Snippet: https://gist.github.com/someone/abc123", "", ("https://gist.github.com/someone/abc123",)),
        ("Code is available at https://githubhttps://github.com/org/repo", "", ("https://github.com/org/repo",)),
        ("", "https://gitlab.com/lonely-group", ("https://gitlab.com/lonely-group",)),
    ],
)
def test_code_urls_are_found_and_normalised(summary, comment, expected):
    assert extract_code_urls(summary, comment) == expected


@pytest.mark.parametrize(
    "text",
    [
        "10 pages, 5 figures",
        "Project page: https://org.github.io/project",
        "Code and data are available at github.com",
        "See github.com/ and https://github.com/.",
        "Clone git@github.com:org/repo.git",
        "Mirror at https://code.gitlab.com/a/b and docs at https://pages.github.com/a/b",
        "Discussed at https://huggingface.co/papers/2505.11494 and https://huggingface.co/docs/transformers",
        "Browse https://huggingface.co/models?search=guard or https://huggingface.co/datasets",
        "Sponsored via https://github.com/sponsors/someone and https://github.com/orgs/org/people",
        "https://gitlab.com/explore/projects",
    ],
)
def test_non_repository_links_are_ignored(text):
    assert extract_code_urls(text, text) == ()


def test_comment_links_come_first_and_duplicates_collapse_case_insensitively():
    summary = "We build on https://github.com/other/base and release https://github.com/Org/Repo."
    comment = "Code: https://github.com/org/repo"
    assert extract_code_urls(summary, comment) == ("https://github.com/org/repo", "https://github.com/other/base")


def test_empty_inputs_have_no_links():
    assert extract_code_urls("", "") == ()


@given(st.text(), st.text())
def test_every_extracted_url_is_a_clean_https_repository_url(summary, comment):
    for url in extract_code_urls(summary, comment):
        assert url.startswith(("https://github.com/", "https://gitlab.com/", "https://huggingface.co/"))
        assert not url.endswith((".", ",", ")", ".git", "/"))
        assert url.count("/") >= 3 and "//" not in url[len("https://"):]


@pytest.mark.parametrize(
    ("comment", "journal_ref", "expected"),
    [
        ("Accepted at ICLR 2026. Code: https://github.com/org/repo.", "", "ICLR 2026"),
        ("Accepted to NeurIPS 2025 (Spotlight)", "", "NeurIPS 2025 (Spotlight)"),
        ("ACL 2025 Findings", "", "Findings of ACL 2025"),
        ("12 pages. Findings of EMNLP 2025", "", "Findings of EMNLP 2025"),
        ("To appear in USENIX Security 2026", "", "USENIX Security 2026"),
        ("", "IEEE S&P 2026", "IEEE S&P 2026"),
        ("Camera-ready version for EuroS&P 2026", "", "IEEE EuroS&P 2026"),
        ("This paper has been accepted by ACM CCS 2025.", "", "ACM CCS 2025"),
        ("NeurIPS'25 Datasets and Benchmarks Track", "", "NeurIPS 2025 Datasets and Benchmarks"),
        ("Preprint. Accepted at the ICML 2025 Workshop on Reliable AI", "", "ICML 2025 Workshop"),
        ("Accepted at the Thirteenth International Conference on Learning Representations (ICLR 2025)", "", "ICLR 2025"),
        ("Accepted by the International Symposium on Foo (FOOS '25)", "", "FOOS 2025"),
        ("Accepted at Foo Symposium 2025 (Oral)", "", "Foo Symposium 2025 (Oral)"),
        ("Accepted for publication in IEEE Transactions on Information Forensics and Security", "",
         "IEEE Transactions on Information Forensics and Security"),
        ("Accepted at ICLR 2026; extended version submitted to TPAMI", "", "ICLR 2026"),
        ("", "Proceedings of the 2025 ACM SIGSAC Conference on Computer and Communications Security (CCS '25)",
         "ACM CCS 2025"),
        ("", "Advances in Neural Information Processing Systems 37 (2024)", "NeurIPS 2024"),
        ("", "Nature Machine Intelligence 7, 123-130 (2025)", "Nature Machine Intelligence 2025"),
        ("Submitted to ICML 2025", "Journal of Foo, vol. 12, 2024", "Journal of Foo 2024"),
    ],
)
def test_venues_are_shortened(comment, journal_ref, expected):
    assert extract_venue(comment, journal_ref) == expected


@pytest.mark.parametrize(
    "comment",
    [
        "",
        "10 pages, 5 figures",
        "Under review",
        "Submitted to NeurIPS 2025",
        "Under review at ICLR 2026. 23 pages",
        "Work in progress; code at https://github.com/org/iclr-2026",
        "See www.neurips.cc/2025 for the challenge",
        "Accepted",
    ],
)
def test_comments_without_an_acceptance_have_no_venue(comment):
    assert extract_venue(comment, "") == ""


def test_journal_reference_wins_over_the_comment():
    assert extract_venue("Accepted at ICLR 2026 Workshop", "TMLR 2025") == "TMLR 2025"


def test_long_unlisted_journal_names_are_cut_at_a_word():
    venue = extract_venue("", "Proceedings of " + "the very long name of a meeting " * 5 + "2025")
    assert len(venue) <= 80 and venue.endswith("…") and " meetin…" not in venue


@given(st.text(), st.text())
def test_venue_is_one_short_line_for_any_text(comment, journal_ref):
    venue = extract_venue(comment, journal_ref)
    assert "\n" not in venue and len(venue) <= 80
