"""Small bar charts as inline SVG: no script, no style attribute (the CSP forbids inline styles).

The chart is an image with a title and a description for screen readers (`role="img"`); the page
puts the same figures in a table beside it, which is what assistive technology reads.
"""

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 232
PLOT_WIDTH = 340
BAR_HEIGHT = 14
BAR_GAP = 3
GROUP_GAP = 12
TOP = 30  # the legend
AXIS = 22  # tick labels under the plot
MAX_LABEL = 30


@dataclass(frozen=True)
class Series:
    name: str
    fill: str  # at least 3:1 against white (WCAG 1.4.11)


# Lighter and darker blue, told apart by lightness as well as by the legend and the numbers.
BEFORE = "#5b7a99"
AFTER = "#123f63"
SINGLE = "#1d5a87"


def bar_x(value: float, max_value: float) -> float:
    """The width of a bar for `value` on a scale from 0 to `max_value`."""
    return round(PLOT_WIDTH * value / max_value, 1)


def _fmt(value: float) -> str:
    return f"{value:.2f}"


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def bar_chart(chart_id: str, title: str, description: str, labels: list[str], series: list[Series],
              values: list[list[float | None]], max_value: float = 5, empty_text: str = "–") -> Markup:
    """Horizontal bars: a group per label, a bar per series; `values[i][j]` is label i, series j."""
    group = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    height = TOP + len(labels) * (group + GROUP_GAP) + AXIS
    plot_bottom = height - AXIS
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]
    x = LABEL_WIDTH
    for item in series:  # legend
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{item.fill}"/>'
                     f'<text x="{x + 16}" y="16" font-size="12" fill="#222">{escape(item.name)}</text>')
        x += 24 + 7 * len(item.name)
    for tick in range(int(max_value) + 1):  # grid and scale
        tx = LABEL_WIDTH + bar_x(tick, max_value)
        parts.append(f'<line x1="{tx}" y1="{TOP - 4}" x2="{tx}" y2="{plot_bottom}" stroke="#ccc"/>'
                     f'<text x="{tx}" y="{height - 6}" font-size="11" text-anchor="middle" fill="#222">{tick}</text>')
    y = TOP
    for label, row in zip(labels, values, strict=True):
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + group / 2 + 4}" font-size="12" text-anchor="end" '
                     f'fill="#222">{escape(_short(label))}</text>')
        for item, value in zip(series, row, strict=True):
            if value is None:
                parts.append(f'<text x="{LABEL_WIDTH + 4}" y="{y + BAR_HEIGHT - 3}" font-size="11" '
                             f'fill="#222">{escape(empty_text)}</text>')
            else:
                width = bar_x(value, max_value)
                parts.append(
                    f'<rect class="bar" x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" '
                    f'fill="{item.fill}"><title>{escape(label)}: {escape(item.name)} {_fmt(value)}</title></rect>'
                    f'<text x="{LABEL_WIDTH + width + 4}" y="{y + BAR_HEIGHT - 3}" font-size="11" '
                    f'fill="#222">{_fmt(value)}</text>')
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP - BAR_GAP
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every label and name above went through escape()
