"""An SVG chart of papers per month, stacked by primary safety domain, readable in GitHub's light and dark themes."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

from ..errors import ArchiveError

SVG = "http://www.w3.org/2000/svg"
WIDTH, LEFT, RIGHT, TOP, PLOT_HEIGHT = 800, 48, 16, 64, 240
LEGEND_COLUMNS, LEGEND_ROW = 3, 22
# Mid-tone colours (Trubetskoy's distinct colours less the darkest) that stand out on white and on dark grey.
PALETTE = (
    "#e6194b", "#f58231", "#ffe119", "#9a6324", "#4363d8", "#3cb44b", "#911eb4", "#42d4f4", "#f032e6",
    "#bfef45", "#469990", "#dcbeff", "#808000", "#fabed4", "#aaffc3", "#ffd8b1", "#a9a9a9",
)
# Text in a grey with 4.5:1 contrast on white and 4.2:1 on GitHub's dark background whatever the theme; the media
# queries, which follow the reader's system theme as GitHub does by default, raise it to 6.4:1 in either theme.
STYLE = (
    "text{font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif;font-size:12px;"
    "fill:#6e7781}.title{font-size:16px;font-weight:600}.legend{font-size:13px}"
    ".grid{stroke:#8c959f;stroke-opacity:.35}"
    "@media (prefers-color-scheme:light){text{fill:#57606a}}@media (prefers-color-scheme:dark){text{fill:#9198a1}}"
)
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def number(value: float) -> str:
    """Return a coordinate with at most one decimal and no trailing zeros, the same on every platform."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def add(parent: ET.Element, tag: str, text: str = "", **attributes: object) -> ET.Element:
    """Append an SVG element; attributes named with underscores become hyphenated (font_size -> font-size)."""
    child = ET.SubElement(parent, tag, {name.replace("_", "-"): str(value) for name, value in attributes.items()})
    if text:
        child.text = text
    return child


def svg_root(height: int, label: str) -> ET.Element:
    """Return the <svg> element with its accessible label and style sheet."""
    root = ET.Element("svg", {"xmlns": SVG, "width": str(WIDTH), "height": str(height),
                              "viewBox": f"0 0 {WIDTH} {height}", "role": "img", "aria-label": label})
    add(root, "title", label)
    add(root, "style", STYLE)
    return root


def serialise(root: ET.Element) -> str:
    """Return the SVG document text, indented, with a trailing newline."""
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="unicode") + "\n"


def checked_counts(counts: dict[str, dict[str, int]], domains: list[str], months: list[str]) -> list[list[int]]:
    """Return counts (papers by primary domain) as rows per month and columns per domain; raise on malformed months or counts."""
    for month in months:
        if not MONTH.match(month):
            raise ValueError(f"chart: month {month!r} is not YYYY-MM; pass months like 2025-05, oldest first")
    rows = []
    for month in months:
        row = [counts.get(month, {}).get(domain, 0) for domain in domains]
        for domain, value in zip(domains, row, strict=True):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ArchiveError(f"chart: count of {domain!r} in {month} is {value!r}, not a whole number >= 0; "
                                   "fix that month's primary counts in the articles/data/ index")
        rows.append(row)
    return rows


def axis_step(largest: int) -> int:
    """Return a round gridline step (1, 2, 5, 10, 20, 50...) giving at most five steps up to largest."""
    power: int = 10 ** max(0, math.floor(math.log10(max(largest, 1) / 5)))
    return next(step for step in (power, 2 * power, 5 * power, 10 * power) if largest <= step * 5)


def render_empty() -> str:
    """Return a small SVG saying there is no data yet."""
    root = svg_root(60, "Papers per month by primary safety domain: no data yet")
    add(root, "text", "No papers archived yet: the chart appears after the first update.", x=16, y=34)
    return serialise(root)


def draw_axes(root: ET.Element, months: list[str], top_value: int, step: int) -> None:
    """Draw horizontal gridlines with counts, and month labels with the year under each January and the first month."""
    band = (WIDTH - LEFT - RIGHT) / len(months)
    for value in range(0, top_value + 1, step):
        y = number(TOP + PLOT_HEIGHT - PLOT_HEIGHT * value / top_value)
        add(root, "line", x1=LEFT, y1=y, x2=WIDTH - RIGHT, y2=y, **{"class": "grid"})
        add(root, "text", str(value), x=LEFT - 6, y=number(float(y) + 4), text_anchor="end")
    for index, month in enumerate(months):
        x = number(LEFT + band * (index + 0.5))
        add(root, "text", MONTH_NAMES[int(month[5:]) - 1], x=x, y=TOP + PLOT_HEIGHT + 16, text_anchor="middle")
        if index == 0 or month.endswith("-01"):
            add(root, "text", month[:4], x=x, y=TOP + PLOT_HEIGHT + 30, text_anchor="middle")


def draw_series(root: ET.Element, rows: list[list[int]], domains: list[str], months: list[str], top_value: int) -> None:
    """Draw one group of bar segments per domain, stacked bottom-up in domain order."""
    band = (WIDTH - LEFT - RIGHT) / len(months)
    scale = PLOT_HEIGHT / top_value
    below = [0] * len(months)
    for column, domain in enumerate(domains):
        group = add(root, "g", **{"class": "series", "data-domain": domain, "fill": PALETTE[column % len(PALETTE)]})
        for index, month in enumerate(months):
            value = rows[index][column]
            if value:
                y = TOP + PLOT_HEIGHT - (below[index] + value) * scale
                rect = add(group, "rect", x=number(LEFT + band * (index + 0.15)), y=number(y),
                           width=number(band * 0.7), height=number(value * scale))
                add(rect, "title", f"{domain}, {month}: {value}")
                below[index] += value


def draw_legend(root: ET.Element, rows: list[list[int]], domains: list[str], top: int) -> None:
    """Draw a colour swatch, name and total per domain, in rows of LEGEND_COLUMNS."""
    column_width = (WIDTH - LEFT - RIGHT) / LEGEND_COLUMNS
    for column, domain in enumerate(domains):
        x = LEFT + column_width * (column % LEGEND_COLUMNS)
        y = top + LEGEND_ROW * (column // LEGEND_COLUMNS)
        add(root, "rect", x=number(x), y=y, width=13, height=13, rx=2, fill=PALETTE[column % len(PALETTE)])
        total = sum(row[column] for row in rows)
        add(root, "text", f"{domain} ({total})", x=number(x + 19), y=y + 11, **{"class": "legend"})


def render_chart(counts: dict[str, dict[str, int]], domains: list[str], months: list[str]) -> str:
    """Return an SVG of counts[month][domain] as bars stacked by domain, months oldest first, with a legend."""
    rows = checked_counts(counts, domains, months)
    largest = max((sum(row) for row in rows), default=0)
    if not domains or largest == 0:
        return render_empty()
    step = axis_step(largest)
    top_value = step * math.ceil(largest / step)
    legend_top = TOP + PLOT_HEIGHT + 48
    height = legend_top + LEGEND_ROW * math.ceil(len(domains) / LEGEND_COLUMNS)
    root = svg_root(height, f"Papers per month by primary safety domain, {months[0]} to {months[-1]}")
    add(root, "text", "Papers per month by primary safety domain", x=LEFT, y=24, **{"class": "title"})
    add(root, "text", "Each paper counts once, under its first domain tag.", x=LEFT, y=46)
    draw_axes(root, months, top_value, step)
    draw_series(root, rows, domains, months, top_value)
    draw_legend(root, rows, domains, legend_top)
    return serialise(root)
