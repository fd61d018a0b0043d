"""Charts drawn on the server as SVG: they need no script, print as they are, and pass the
content security policy. Values and labels are escaped; colours come from site.css variables
through classes (``chart-line-0`` …), so print and screen share one look."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 12, 36


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    return (
        f"{value:,.0f}".replace(",", ".") if value >= 10 or value == int(value) else f"{value:.1f}"
    )


def line_chart(
    labels: list[str], series: list[tuple[str, list[float]]], *, title: str
) -> SafeString:
    """Trend lines: one polyline per (name, values), x = the labels (oldest first)."""
    top = _nice_max(max((v for _n, values in series for v in values), default=0))
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = inner_w / max(1, len(labels) - 1)

    def x(i):
        return PAD_LEFT + i * step

    def y(v):
        return PAD_TOP + inner_h - inner_h * v / top

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for k in range(5):
        value = top * k / 4
        parts.append(
            f'<line class="chart-grid" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" '
            f'y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
            f'<text class="chart-axis" x="{PAD_LEFT - 6}" y="{y(value) + 4:.1f}" '
            f'text-anchor="end">{_fmt(value)}</text>'
        )
    every = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            parts.append(
                f'<text class="chart-axis" x="{x(i):.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    for n, (name, values) in enumerate(series):
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline class="chart-line chart-line-{n}" points="{points}"/>')
        if len(values) == 1:
            parts.append(
                f'<circle class="chart-dot-{n}" cx="{x(0):.1f}" cy="{y(values[0]):.1f}" r="3"/>'
            )
        legend_x = PAD_LEFT + n * 150
        parts.append(
            f'<rect class="chart-fill-{n}" x="{legend_x}" y="{HEIGHT - 14}" width="10" height="10"/>'
            f'<text class="chart-legend" x="{legend_x + 14}" y="{HEIGHT - 5}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every dynamic part is escaped above


def bar_chart(rows: list[tuple[str, float | None]], *, title: str, suffix: str = "") -> SafeString:
    """Horizontal bars, one per (label, value); units without a value show "—"."""
    bar_h, gap, label_w = 18, 6, 190
    height = max(1, len(rows)) * (bar_h + gap) + 8
    top = _nice_max(max((v or 0 for _l, v in rows), default=0))
    inner_w = WIDTH - label_w - 70
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
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
