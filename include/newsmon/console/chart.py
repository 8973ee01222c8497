"""Server-drawn SVG: the overview's stories-per-topic-per-day chart with its spike marks,
and the sources page's small bars of articles per day. No JavaScript, nothing fetched: the
page works offline, prints, and reads without colour (each topic has its own dash pattern
and marker shape, and its name at the end of its line). Every text is escaped here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import Any

# Colour-blind-safe (Okabe-Ito) colours, with a dash pattern and a marker shape each.
STYLES = [
    ("#0072B2", "", "circle"),
    ("#D55E00", "8 4", "square"),
    ("#009E73", "2 3", "diamond"),
    ("#CC79A7", "10 3 2 3", "triangle"),
    ("#E69F00", "4 2", "circle"),
    ("#56B4E9", "1 2", "square"),
]

W, H = 960, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 120, 16, 36


def _ticks(top: int) -> list[int]:
    if top <= 4:
        return list(range(top + 1))
    step = max(1, round(top / 4))
    for nice in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if nice >= step:
            step = nice
            break
    return list(range(0, top + step, step))


def _marker(shape: str, x: float, y: float, r: float = 6) -> str:
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}"/>'
    if shape == "diamond":
        return f'<path d="M{x:.1f} {y - r * 1.3:.1f}L{x + r * 1.3:.1f} {y:.1f}L{x:.1f} {y + r * 1.3:.1f}L{x - r * 1.3:.1f} {y:.1f}Z"/>'
    if shape == "triangle":
        return f'<path d="M{x:.1f} {y - r * 1.3:.1f}L{x + r * 1.2:.1f} {y + r:.1f}L{x - r * 1.2:.1f} {y + r:.1f}Z"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>'


@dataclass(frozen=True)
class _Frame:
    """The chart's days and scale: day ``i`` after ``since`` and a count placed in the plot."""

    since: date
    until: date
    top: int  # the count at the top of the plot

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def x(self, i: int) -> float:
        pw = W - LEFT - RIGHT
        return LEFT + (pw * i / (self.days - 1) if self.days > 1 else pw / 2)

    def y(self, v: float) -> float:
        ph = H - TOP - BOTTOM
        return TOP + ph - ph * v / self.top


def topic_chart(
    topics: list[str],
    since: date,
    until: date,
    daily: list[dict[str, Any]],
    spikes: list[dict[str, Any]],
    link: Any = None,
) -> str:
    """An SVG line chart: one line per topic, a day per step; each spike signal is a large
    marker (with the day's count and baseline in its tooltip) linking to its signal page
    through ``link(signal_id)``."""
    counts = {(r["topic"], r["day"]): int(r["stories"]) for r in daily}
    ticks = _ticks(max([1, *counts.values(), *(int(s["count_day"] or 0) for s in spikes)]))
    frame = _Frame(since, until, ticks[-1])
    out = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="chart-title chart-desc"'
        ' xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">',
        f'<title id="chart-title">Stories per topic per day, {since} to {until}</title>',
        f'<desc id="chart-desc">{len(topics)} lines, one per topic; large markers are spike'
        " signals. The same figures are in the table below the chart.</desc>",
        *_axes(frame, ticks),
        *_lines(frame, topics, counts),
        *_spike_marks(frame, topics, counts, spikes, link),
        "</svg>",
    ]
    return "".join(out)


def _axes(frame: _Frame, ticks: list[int]) -> list[str]:
    """The grid lines at the ticks, the counts beside them and about six day labels below."""
    out = ['<g class="grid" stroke="#ccc" stroke-width="1">']
    for t in ticks:
        y = frame.y(t)
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
    out.append("</g>")
    out.append('<g class="axis" font-size="12" fill="#333">')
    for t in ticks:
        out.append(f'<text x="{LEFT - 6}" y="{frame.y(t) + 4:.1f}" text-anchor="end">{t}</text>')
    step = max(1, frame.days // 6)
    for i in range(0, frame.days, step):
        d = frame.since + timedelta(days=i)
        out.append(f'<text x="{frame.x(i):.1f}" y="{H - 12}" text-anchor="middle">{d:%d %b}</text>')
    out.append("</g>")
    return out


def _lines(frame: _Frame, topics: list[str], counts: dict[tuple[str, date], int]) -> list[str]:
    """A line per topic in its style, its name at its end (names kept apart)."""
    out = []
    ends = [frame.y(counts.get((t, frame.until), 0)) + 4 for t in topics]
    labels = _spread(ends, 15, TOP + 8, H - BOTTOM)
    for n, topic in enumerate(topics):
        colour, dash, shape = STYLES[n % len(STYLES)]
        points = " ".join(
            f"{frame.x(i):.1f},{frame.y(counts.get((topic, frame.since + timedelta(days=i)), 0)):.1f}"
            for i in range(frame.days)
        )
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        label_y = labels[n]
        out.append(
            f'<g class="series" data-topic="{escape(topic)}">'
            f'<polyline fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr} points="{points}"/>'
            f'<text x="{W - RIGHT + 8}" y="{label_y:.1f}" font-size="13" fill="{colour}">'
            f"{escape(topic)}</text></g>"
        )
    return out


def _spike_marks(
    frame: _Frame,
    topics: list[str],
    counts: dict[tuple[str, date], int],
    spikes: list[dict[str, Any]],
    link: Any,
) -> list[str]:
    """A large marker on its topic's line for each spike of the days shown, its figures in
    the tooltip, a link to its signal page when there is a ``link``."""
    out = []
    for s in spikes:
        if s["topic"] not in topics or not (frame.since <= s["day"] <= frame.until):
            continue
        n = topics.index(s["topic"])
        colour, _, shape = STYLES[n % len(STYLES)]
        i = (s["day"] - frame.since).days
        y = frame.y(counts.get((s["topic"], s["day"]), int(s["count_day"] or 0)))
        tip = (
            f"spike: {s['topic']} on {s['day']}: {s['count_day']} stories against a baseline"
            f" of {float(s['baseline'] or 0):.1f} a day"
        )
        mark = (
            f'<g class="spike" data-topic="{escape(s["topic"])}" data-day="{s["day"]}" '
            f'fill="{colour}" stroke="#000" stroke-width="1.5"><title>{escape(tip)}</title>'
            f"{_marker(shape, frame.x(i), y, 7)}</g>"
        )
        if link is not None:
            mark = f'<a href="{escape(link(s["signal_id"]))}" aria-label="{escape(tip)}">{mark}</a>'
        out.append(mark)
    return out


def _spread(ys: list[float], gap: float, low: float, high: float) -> list[float]:
    """Label positions near ``ys`` but at least ``gap`` apart (lines ending at one value
    would otherwise print their names over each other)."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    out = list(ys)
    prev = low - gap
    for i in order:
        out[i] = max(ys[i], prev + gap)
        prev = out[i]
    over = prev - high
    if over > 0:  # pushed past the bottom: shift the lot up
        out = [y - over for y in out]
    return out


def legend(topics: list[str]) -> str:
    """The chart's key: each topic's line sample (colour and dash) and marker shape."""
    items = []
    for n, topic in enumerate(topics):
        colour, dash, shape = STYLES[n % len(STYLES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        items.append(
            f'<li><svg width="56" height="16" aria-hidden="true"><line x1="2" x2="38" y1="8" y2="8"'
            f' stroke="{colour}" stroke-width="2.5"{dash_attr}/><g fill="{colour}" stroke="#000">'
            f"{_marker(shape, 47, 8, 5)}</g></svg> {escape(topic)}</li>"
        )
    return '<ul class="legend">' + "".join(items) + "</ul>"


def bars(values: list[int], days: list[date], label: str) -> str:
    """Small bars of a count per day (a source's articles over 14 days), each with its day
    and count as a tooltip; the numbers themselves are in the label for screen readers."""
    w, h, gap = 6, 24, 2
    top = max([1, *values])
    width = len(values) * (w + gap)
    out = [
        f'<svg class="bars" width="{width}" height="{h}" viewBox="0 0 {width} {h}" role="img"'
        f' aria-label="{escape(label)}: {escape(", ".join(str(v) for v in values))}">'
    ]
    for i, (v, d) in enumerate(zip(values, days, strict=True)):
        bh = max(1.0, (h - 2) * v / top) if v else 1.0
        fill = "#0072B2" if v else "#bbb"
        out.append(
            f'<rect x="{i * (w + gap)}" y="{h - bh:.1f}" width="{w}" height="{bh:.1f}" fill="{fill}">'
            f"<title>{d}: {v}</title></rect>"
        )
    out.append("</svg>")
    return "".join(out)
