"""The trend chart: well-formed SVG, one series per domain, bars to scale, small, identical bytes for the same data."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scripts.errors import ArchiveError
from scripts.render.chart import render_chart

SVG = "{http://www.w3.org/2000/svg}"
DOMAINS = ["jailbreak", "prompt-injection", "adversarial", "backdoor", "privacy", "alignment", "reasoning-safety",
           "agent-safety", "guardrails", "evaluation", "hallucination", "fairness", "misuse"]
MONTHS = [f"{year}-{month:02d}" for year in (2024, 2025) for month in range(1, 13)]


def full_counts(months=MONTHS, scale=1) -> dict[str, dict[str, int]]:
    """Return a count for every month and domain, varied but reproducible."""
    return {month: {domain: scale * ((index * 7 + column * 3) % 11 + 1) for column, domain in enumerate(DOMAINS)}
            for index, month in enumerate(months)}


def parse(svg: str) -> ET.Element:
    """Parse the SVG strictly, as bytes like a file."""
    return ET.fromstring(svg.encode("utf-8"))


def series(root: ET.Element) -> list[ET.Element]:
    """Return the chart's series groups."""
    return [group for group in root.iter(f"{SVG}g") if group.get("data-domain")]


def test_one_series_per_domain_in_order_with_distinct_colours():
    root = parse(render_chart(full_counts(), DOMAINS, MONTHS))
    assert root.tag == f"{SVG}svg"
    groups = series(root)
    assert [group.get("data-domain") for group in groups] == DOMAINS
    assert len({group.get("fill") for group in groups}) == len(DOMAINS)
    assert all(len(group.findall(f"{SVG}rect")) == len(MONTHS) for group in groups)


def test_bars_are_to_scale_and_stack_without_overlap():
    counts = {"2025-01": {"jailbreak": 3, "privacy": 6}, "2025-02": {"privacy": 9}}
    root = parse(render_chart(counts, DOMAINS, ["2025-01", "2025-02"]))
    bars = {(group.get("data-domain"), rect.find(f"{SVG}title").text): rect
            for group in series(root) for rect in group.findall(f"{SVG}rect")}
    assert set(bars) == {("jailbreak", "jailbreak, 2025-01: 3"), ("privacy", "privacy, 2025-01: 6"),
                         ("privacy", "privacy, 2025-02: 9")}
    height = {key[1][-1]: float(rect.get("height")) for key, rect in bars.items()}
    assert height["6"] == pytest.approx(2 * height["3"], abs=0.1)
    assert height["9"] == pytest.approx(3 * height["3"], abs=0.1)
    jailbreak, privacy = bars[("jailbreak", "jailbreak, 2025-01: 3")], bars[("privacy", "privacy, 2025-01: 6")]
    assert float(privacy.get("y")) + float(privacy.get("height")) == pytest.approx(float(jailbreak.get("y")), abs=0.1)


def test_axis_months_years_and_legend_totals_are_labelled():
    counts = {"2024-12": {"misuse": 4}, "2025-01": {"misuse": 5, "fairness": 1}}
    texts = [text.text for text in parse(render_chart(counts, DOMAINS, ["2024-12", "2025-01"])).iter(f"{SVG}text")]
    assert [text for text in texts if text in {"Dec", "Jan", "2024", "2025"}] == ["Dec", "2024", "Jan", "2025"]
    assert "misuse (9)" in texts and "fairness (1)" in texts and "jailbreak (0)" in texts


@pytest.mark.parametrize(("counts", "domains", "months"), [({}, DOMAINS, MONTHS), (full_counts(), DOMAINS, []),
                                                           ({"2025-01": {"jailbreak": 0}}, DOMAINS, ["2025-01"]),
                                                           (full_counts(), [], MONTHS)])
def test_no_data_gives_a_small_chart_saying_so(counts, domains, months):
    svg = render_chart(counts, domains, months)
    root = parse(svg)
    assert series(root) == [] and len(svg) < 1000
    assert any("No papers" in (text.text or "") for text in root.iter(f"{SVG}text"))


def test_size_stays_small_with_two_years_of_busy_months():
    svg = render_chart(full_counts(scale=97), DOMAINS, MONTHS)
    assert len(svg.encode("utf-8")) < 100_000


def test_chart_is_self_contained_and_themed_for_light_and_dark():
    svg = render_chart(full_counts(), DOMAINS, MONTHS)
    for forbidden in ("<script", "href", "@import", "url(", "@font-face", "<image"):
        assert forbidden not in svg
    assert "prefers-color-scheme:dark" in svg
    # No background: the page's own light or dark colour shows through.
    assert not any(rect.get("width") == "800" for rect in parse(svg).iter(f"{SVG}rect"))


def test_same_data_gives_the_same_bytes_in_fresh_interpreters():
    script = ("import json, sys; from scripts.render.chart import render_chart; "
              "data = json.load(sys.stdin); sys.stdout.write(render_chart(*data))")
    stdin = __import__("json").dumps([full_counts(), DOMAINS, MONTHS])
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", script], input=stdin, capture_output=True, text=True, env=env,
                             cwd=Path(__file__).resolve().parents[3], check=True)
        outputs.add(run.stdout)
    assert outputs == {render_chart(full_counts(), DOMAINS, MONTHS)}
    assert render_chart(full_counts(scale=2), DOMAINS, MONTHS) not in outputs


def test_malformed_months_and_counts_are_refused():
    with pytest.raises(ValueError, match="'2025-13' is not YYYY-MM"):
        render_chart({}, DOMAINS, ["2025-12", "2025-13"])
    with pytest.raises(ArchiveError, match="count of 'privacy' in 2025-01 is -1"):
        render_chart({"2025-01": {"privacy": -1}}, DOMAINS, ["2025-01"])


def test_the_chart_counts_papers_by_primary_domain_from_the_first_archived_month():
    from scripts.render.build import chart_output

    index = {"2025-03": {"count": 3, "primary": {"jailbreak": 2, "privacy": 1}, "tags": {"jailbreak": 3, "privacy": 2}},
             "2025-05": {"count": 1, "primary": {"privacy": 1}, "tags": {"privacy": 1, "jailbreak": 1}}}
    svg = ET.fromstring(chart_output(index, ["jailbreak", "privacy"]))
    titles = [element.text for element in svg.iter(f"{SVG}title")]
    assert "Papers per month by primary safety domain, 2025-03 to 2025-05" in titles
    assert "jailbreak, 2025-03: 2" in titles and "privacy, 2025-05: 1" in titles
    assert "jailbreak, 2025-05: 1" not in titles
    legend = [element.text for element in svg.iter(f"{SVG}text") if element.get("class") == "legend"]
    assert legend == ["jailbreak (2)", "privacy (2)"]  # totals are papers: 4 papers, 4 in the legend
    assert "font-size:13px" in svg.find(f"{SVG}style").text.split(".legend{")[1]
