"""Alert texts for people: plain text, Slack mrkdwn and email (HTML + plain), one alert or a digest.

Article text is untrusted. Slack: ``&``, ``<`` and ``>`` are escaped in everything that came
from an article (so no title can ping ``<!channel>`` or forge a ``<url|link>``), and a link
is built only from a URL that :func:`safe_link` accepts and re-encodes (no ``>``, ``|`` or
``<`` can end the link early and plant another one). Email: every article-derived value is HTML-escaped, and
subjects lose line breaks (no header injection).
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from newsmon.alerting import render_brief
from newsmon.alerting.escaping import safe_link, slack_escape, subject_line


@dataclass
class Highlight:
    before: str
    match: str
    after: str
    term: str


@dataclass
class AlertMessage:
    """Everything a channel needs to say why an alert fired."""

    alert_id: str
    signal_id: str
    kind: str  # new_story | spike | region_spike | watch
    topic: str
    reason: str
    story_id: str | None = None
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    score: float | None = None
    topic_scores: dict[str, float] = field(default_factory=dict)
    highlights: list[Highlight] = field(default_factory=list)
    other_sources: list[str] = field(default_factory=list)
    count_day: int | None = None
    baseline: float | None = None
    regions: list[str] = field(default_factory=list)  # "Buryatia (RU-BU)", best first
    watchlist: str | None = None  # a watch signal's watchlist
    brief: dict[str, Any] | None = None  # a brief's content (newsmon.flows.brief)


def _lead(h: Highlight) -> str:
    return "\u2026" if h.before else ""


def _tail(h: Highlight) -> str:
    return "\u2026" if h.after else ""


def _when(msg: AlertMessage) -> str:
    return msg.published_at.strftime("%Y-%m-%d %H:%M UTC") if msg.published_at else "date unknown"


def _scores(msg: AlertMessage) -> str:
    return ", ".join(f"{t} {s:.1f}" for t, s in msg.topic_scores.items())


def _more(msg: AlertMessage) -> str:
    n = len(msg.other_sources)
    return f" (+{n} outlet{'s' if n != 1 else ''})" if n else ""


def _link(msg: AlertMessage) -> str | None:
    return safe_link(msg.url)


def message_to_dict(msg: AlertMessage) -> dict[str, Any]:
    """An alert message as JSON-ready data (the outbox file between prepare and send)."""
    out = asdict(msg)
    out["published_at"] = msg.published_at.isoformat() if msg.published_at else None
    return out


def message_from_dict(data: dict[str, Any]) -> AlertMessage:
    data = dict(data)
    data["highlights"] = [Highlight(**h) for h in data.get("highlights") or []]
    if data.get("published_at"):
        data["published_at"] = datetime.fromisoformat(data["published_at"])
    return AlertMessage(**data)


def _regions(msg: AlertMessage) -> str:
    return "regions: " + (", ".join(msg.regions) if msg.regions else "none named")


def headline(msg: AlertMessage) -> str:
    if msg.kind == "region_spike":
        return f"Regional spike: {msg.reason}"
    if msg.kind == "spike":
        return f"Spike: {msg.reason}"
    if msg.kind == "watch":
        return f"Watchlist {msg.watchlist}: {msg.title or '(untitled)'}"
    return f"New {msg.topic} story: {msg.title or '(untitled)'}"


def _label(msg: AlertMessage) -> str:
    """What a story alert is about: its watchlist, or its topic."""
    return f"watchlist {msg.watchlist}" if msg.kind == "watch" else msg.topic


def _why(msg: AlertMessage) -> str | None:
    """A watch alert's reason without the watchlist's name (the headline has it)."""
    if msg.kind != "watch":
        return None
    return "matched: " + msg.reason.split(": ", 1)[-1]


# -- plain text -----------------------------------------------------------------------------


def plain(msg: AlertMessage) -> str:
    if msg.kind == "brief":
        return render_brief.plain(msg.brief or {})
    if msg.kind in ("spike", "region_spike"):
        return f"{headline(msg)}\n{_regions(msg)}"
    lines = [
        headline(msg),
        f"{msg.source or 'unknown outlet'}, {_when(msg)}{_more(msg)}",
        _why(msg) or "",
        f"scores: {_scores(msg)}",
        _regions(msg),
    ]
    for h in msg.highlights:
        lines.append(f"  \u201c{_lead(h)}{h.before}[{h.match}]{h.after}{_tail(h)}\u201d ({h.term})")
    lines.append(_link(msg) or msg.story_id or "")
    return "\n".join(line for line in lines if line)


# Digests stay within what the channels take: Slack cuts a message text at 40,000
# characters, Gmail clips an email body beyond ~102 kB; a log line stays a few kB.
SLACK_MAX_CHARS = 38_000
EMAIL_MAX_CHARS = 90_000
LOG_MAX_CHARS = 4_000


def _fit(items: list[str], limit: int, sep_len: int = 2) -> int:
    """How many of ``items`` fit in ``limit`` characters (at least one)."""
    used = 0
    for i, item in enumerate(items):
        used += len(item) + sep_len
        if used > limit and i:
            return i
    return len(items)


def _what_new(msgs: list[AlertMessage], total: int) -> str:
    """A digest's heading: "3 new newsmon signals", or one watchlist's "3 new matches for
    watchlist Far East desk"."""
    lists = {m.watchlist for m in msgs}
    if msgs and len(lists) == 1 and all(m.kind == "watch" for m in msgs):
        return f"{total:,} new match{'es' if total != 1 else ''} for watchlist {lists.pop()}"
    return f"{total:,} new newsmon signal{'s' if total != 1 else ''}"


def _more_line(more: int) -> str:
    return (
        f"\u2026and {more:,} more signal{'s' if more != 1 else ''} (less prominent; all are in"
        " the alerts table and `newsmon summary`)"
    )


def plain_digest(msgs: list[AlertMessage], more: int = 0, limit: int = EMAIL_MAX_CHARS) -> str:
    """The top signals in full and a count of the rest, within ``limit`` characters."""
    items = [plain(m) for m in msgs]
    shown = _fit(items, limit - 200)
    more += len(items) - shown
    head = _what_new(msgs, shown + more) + (f" (top {shown} shown)" if more else "")
    return "\n\n".join([head, *items[:shown], *([_more_line(more)] if more else [])])


# -- Slack mrkdwn ---------------------------------------------------------------------------


def _slack_bold(text: str) -> str:
    # mrkdwn bold needs no spaces just inside the asterisks
    core = text.strip()
    return f"*{slack_escape(core)}*" if core else ""


def slack(msg: AlertMessage) -> str:
    if msg.kind == "brief":
        return render_brief.slack(msg.brief or {})
    if msg.kind in ("spike", "region_spike"):
        label = "Regional spike" if msg.kind == "region_spike" else "Spike"
        return (
            f":chart_with_upwards_trend: *{label}* {slack_escape(msg.reason)}\n"
            f"{slack_escape(_regions(msg))}"
        )
    title = slack_escape(msg.title or "(untitled)")
    link = _link(msg)
    head = f"<{slack_escape(link)}|{title}>" if link else title
    what = (
        f":mag: *Watchlist {slack_escape(msg.watchlist or '')}*"
        if msg.kind == "watch"
        else f":rotating_light: *New {slack_escape(msg.topic)} story*"
    )
    lines = [
        f"{what}: {head}",
        f"{slack_escape(msg.source or 'unknown outlet')}, {_when(msg)}{slack_escape(_more(msg))}",
        *([slack_escape(w)] if (w := _why(msg)) else []),
        f"Scores: {slack_escape(_scores(msg))}",
        slack_escape(_regions(msg)).capitalize(),
    ]
    for h in msg.highlights:
        lines.append(
            f">{_lead(h)}{slack_escape(h.before)}{_slack_bold(h.match)}{slack_escape(h.after)}{_tail(h)}"
            f" _({slack_escape(h.term)})_"
        )
    return "\n".join(lines)


def slack_digest(msgs: list[AlertMessage], more: int = 0) -> str:
    """The top signals, one line each, and a count of the rest, within Slack's limit."""
    items = []
    for m in msgs:
        if m.kind == "spike":
            items.append(f"\u2022 *Spike* {slack_escape(m.reason)}")
            continue
        link = _link(m)
        title = slack_escape(m.title or "(untitled)")
        items.append(
            f"\u2022 *{slack_escape(_label(m))}* {f'<{slack_escape(link)}|{title}>' if link else title}"
            f" \u2014 {slack_escape(m.source or 'unknown outlet')}{slack_escape(_more(m))},"
            f" score {m.score or 0:.1f}"
        )
    shown = _fit(items, SLACK_MAX_CHARS - 300, 1)
    more += len(items) - shown
    head = f":newspaper: *{slack_escape(_what_new(msgs, shown + more))}*" + (
        f" (top {shown} shown)" if more else ""
    )
    tail = [slack_escape(_more_line(more))] if more else []
    return "\n".join([head, *items[:shown], *tail])


# -- email ----------------------------------------------------------------------------------


def _html_item(msg: AlertMessage) -> str:
    e = html.escape
    if msg.kind in ("spike", "region_spike"):
        label = "Regional spike" if msg.kind == "region_spike" else "Spike"
        return f"<h2>{label}</h2><p>{e(msg.reason)}</p><p>{e(_regions(msg).capitalize())}</p>"
    link = _link(msg)
    title = e(msg.title or "(untitled)")
    what = (
        f"Watchlist {e(msg.watchlist or '')}"
        if msg.kind == "watch"
        else f"New {e(msg.topic)} story"
    )
    parts = [
        f"<h2>{what}: {f'<a href={chr(34)}{e(link)}{chr(34)}>{title}</a>' if link else title}</h2>",
        f"<p>{e(msg.source or 'unknown outlet')}, {e(_when(msg))}{e(_more(msg))}</p>",
        *([f"<p>{e(w)}</p>"] if (w := _why(msg)) else []),
        f"<p>Scores: {e(_scores(msg))}</p>",
        f"<p>{e(_regions(msg).capitalize())}</p>",
    ]
    if msg.highlights:
        quotes = "".join(
            f"<li>{_lead(h)}{e(h.before)}<mark>{e(h.match)}</mark>{e(h.after)}{_tail(h)}"
            f" <small>({e(h.term)})</small></li>"
            for h in msg.highlights
        )
        parts.append(f"<ul>{quotes}</ul>")
    if msg.other_sources:
        parts.append(f"<p>Also carried by: {e(', '.join(msg.other_sources))}</p>")
    return "".join(parts)


def email(msg: AlertMessage, prefix: str) -> tuple[str, str, str]:
    """``(subject, plain text, html)`` for one alert."""
    if msg.kind == "brief":
        return render_brief.email(msg.brief or {}, prefix)
    body = f"<html><body>{_html_item(msg)}</body></html>"
    return subject_line(headline(msg), prefix), plain(msg), body


def email_digest(msgs: list[AlertMessage], prefix: str, more: int = 0) -> tuple[str, str, str]:
    """``(subject, plain text, html)``: the top signals and a count of the rest, each part
    within the size a mail client shows unclipped."""
    items = [_html_item(m) for m in msgs]
    shown = _fit(items, EMAIL_MAX_CHARS - 500, 4)
    rest = more + len(items) - shown
    total = shown + rest
    tail = f"<p>{html.escape(_more_line(rest))}</p>" if rest else ""
    body = "<html><body><h1>{}</h1>{}{}</body></html>".format(
        html.escape(_what_new(msgs, total)), "<hr>".join(items[:shown]), tail
    )
    text = plain_digest(msgs[:shown], rest)
    return subject_line(_what_new(msgs, total).replace(" newsmon", ""), prefix), text, body
