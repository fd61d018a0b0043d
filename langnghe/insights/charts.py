"""Charts drawn on the server as SVG: they need no script, print as they are, and pass the
content security policy. Values and labels are escaped; colours come from site.css variables
through classes (``chart-line-0`` …), so print and screen share one look."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from langnghe.core.templatetags.vn_format import vn_number

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 12, 36
# The trend chart is drawn narrower than the bars: on a 360 px phone it is shown at about two
# thirds of its size, on a laptop at one and a half; console.css sets its text size for each.
TREND_WIDTH, TREND_HEIGHT = 480, 240
TREND_PAD = {"left": 72, "right": 40, "top": 14, "bottom": 34}
# Month/day labels named under the trend: all of them up to 12 on a wide screen; on a phone
# one in three (counted back from the last, which is always named).
WIDE_LABELS, NARROW_EVERY = 12, 3


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _nice_step(value: float) -> float:
    """A step for four grid lines that reads well: 1, 2, 3, 4, 5, 6, 8 × 10^k (never a
    fraction of one: the trend counts things)."""
    if value <= 1:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 3, 4, 5, 6, 8, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    """Vietnamese figures: 1.234, 2,5."""
    return vn_number(value, 0 if value == int(value) else 1)


def line_chart(
    labels: list[str], series: list[tuple[str, list[float]]], *, title: str
) -> SafeString:
    """Trend lines: one polyline per (name, values), x = the labels (oldest first), with
    their legend as a list under the chart (it wraps on a phone)."""
    width, height, pad = TREND_WIDTH, TREND_HEIGHT, TREND_PAD
    top = 4 * _nice_step(max((v for _n, values in series for v in values), default=0) / 4)
    inner_w = width - pad["left"] - pad["right"]
    inner_h = height - pad["top"] - pad["bottom"]
    step = inner_w / max(1, len(labels) - 1)

    def x(i):
        return pad["left"] + (i * step if len(labels) > 1 else inner_w / 2)

    def y(v):
        return pad["top"] + inner_h - inner_h * v / top

    parts = [
        f'<svg class="chart chart-trend" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for k in range(5):
        value = top * k / 4
        parts.append(
            f'<line class="chart-grid" x1="{pad["left"]}" x2="{width - pad["right"]}" '
            f'y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
            f'<text class="chart-axis" x="{pad["left"] - 6}" y="{y(value):.1f}" '
            f'dominant-baseline="middle" text-anchor="end">{_fmt(value)}</text>'
        )
    last = len(labels) - 1
    every = -(-len(labels) // WIDE_LABELS)  # at most WIDE_LABELS names on a wide screen
    for i, label in enumerate(labels):
        back = last - i  # counted from the last label, which is always named
        if back % every:
            continue
        minor = "" if back % (every * NARROW_EVERY) == 0 else " chart-x-minor"
        parts.append(
            f'<text class="chart-axis chart-x{minor}" x="{x(i):.1f}" '
            f'y="{height - pad["bottom"] + 8}" dominant-baseline="hanging" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for n, (_name, values) in enumerate(series):
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline class="chart-line chart-line-{n}" points="{points}"/>')
        if len(values) == 1:
            parts.append(
                f'<circle class="chart-dot-{n}" cx="{x(0):.1f}" cy="{y(values[0]):.1f}" r="3"/>'
            )
    parts.append("</svg>")
    parts.append('<ul class="chart-keys">')
    for n, (name, _values) in enumerate(series):
        parts.append(
            f'<li><span class="chart-key chart-key-{n}" aria-hidden="true"></span>'
            f"{escape(name)}</li>"
        )
    parts.append("</ul>")
    return mark_safe("".join(parts))  # noqa: S308 — every dynamic part is escaped above


def bar_chart(rows: list[tuple[str, float | None]], *, title: str, suffix: str = "") -> SafeString:
    """Horizontal bars, one per (label, value); units without a value show "—"."""
    bar_h, gap, label_w = 18, 6, 190
    height = max(1, len(rows)) * (bar_h + gap) + 8
    top = _nice_max(max((v or 0 for _l, v in rows), default=0))
    inner_w = WIDTH - label_w - 70
    parts = [
        f'<svg class="chart chart-bars" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(rows):
        y = 4 + i * (bar_h + gap)
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text class="chart-label" x="{label_w - 6}" y="{y + 13}" text-anchor="end">'
            f"{escape(short)}</text>"
        )
        width = 0 if value is None else inner_w * value / top
        parts.append(
            f'<rect class="chart-fill-0" x="{label_w}" y="{y}" width="{width:.1f}" height="{bar_h}"/>'
        )
        text = "—" if value is None else _fmt(value) + suffix
        parts.append(
            f'<text class="chart-value" x="{label_w + width + 4:.1f}" y="{y + 13}">{text}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every dynamic part is escaped above
