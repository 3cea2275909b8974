"""The one arXiv-ID rule (paper.split_version), which curated files, overrides, labels, BibTeX and fetch share."""

import pytest

from scripts.paper import split_version


@pytest.mark.parametrize(("written", "expected"), [
    ("2505.11494", ("2505.11494", 1)),
    ("2505.11494v3", ("2505.11494", 3)),
    (" 2505.11494v2 ", ("2505.11494", 2)),
    ("1412.6572", ("1412.6572", 1)),  # four digits after the dot until the end of 2014
    ("hep-th/9901001v1", ("hep-th/9901001", 1)),
    ("math.GT/0309136", ("math.GT/0309136", 1)),
])
def test_ids_as_arxiv_and_maintainers_write_them(written, expected):
    assert split_version(written) == expected


@pytest.mark.parametrize(("written", "problem"), [
    (2410.0902, "2410.0902 was read as a number, which drops trailing zeros; quote it, e.g. '2402.04249'"),
    (2501, "2501 was read as a number"),
    ("2402.4249", "'2402.4249' is not an arXiv ID: since 2015 the number after the dot has 5 digits"),
    ("24020.4249", "'24020.4249' is not an arXiv ID; write it like '2402.04249'"),
    ("arXiv:2402.04249", "is not an arXiv ID; write it like"),
    ("2505.11494v", "is not an arXiv ID"),
    (None, "None is not an arXiv ID"),
    (True, "True is not an arXiv ID"),
])
def test_anything_else_is_refused_with_how_to_write_it(written, problem):
    with pytest.raises(ValueError) as error:
        split_version(written)
    assert problem in str(error.value)
