"""The morning brief as people read it: plain text (the log), Slack mrkdwn with links, and
email (HTML with each topic's 8 days as small SVG bars, and a plain-text part).

The brief's content is built by :mod:`newsmon.flows.brief`; titles, outlets and region
names in it came from articles and are escaped here like every alert's. The bars are the
console's own SVG, drawn from counts and dates only.
"""

from __future__ import annotations

import html
from typing import Any

from newsmon.alerting.escaping import safe_link, slack_escape, subject_line


def title(brief: dict[str, Any]) -> str:
    scope = brief.get("scope") or "general"
    what = "newsmon brief" if scope == "general" else f"newsmon brief for watchlist {scope}"
    return f"{what}, {brief.get('day', '')}"


def _topic_line(t: dict[str, Any]) -> str:
    n = t["stories"]
    mean = t["mean_7d"]
    line = f"{t['topic']}: {n} stor{'y' if n == 1 else 'ies'} in 24 h"
    line += f" against {mean:g} a day the week before" if mean else ", none the week before"
    if t.get("ratio") and t["ratio"] >= 2:
        line += f" ({t['ratio']:g}× the usual)"
    if t.get("spike"):
        line += "; a spike signal fired"
    return line


def _story_line(s: dict[str, Any]) -> str:
    n = s.get("source_count") or 1
    outlets = ", ".join((s.get("outlets") or [])[:5])
    return f"{s.get('title') or '(untitled)'} ({n} outlet{'' if n == 1 else 's'}{': ' + outlets if outlets else ''})"


def _sections(brief: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The brief's sections as plain lines (no escaping: :func:`plain` only)."""
    regions = [
        f"{r['name']} ({r['region']}): {r['stories']}" for r in brief.get("new_regions") or []
    ]
    silent = [f"{s['source']}: {s['why']}" for s in brief.get("silent_sources") or []]
    return [
        ("Topics", [_topic_line(t) for t in brief.get("topics") or []]),
        ("Top stories", [_story_line(s) for s in brief.get("top_stories") or []]),
        ("Regions newly mentioned", regions),
        ("Sources gone silent", silent),
    ]


def plain(brief: dict[str, Any]) -> str:
    lines = [title(brief)]
    for name, items in _sections(brief):
        lines.append(f"{name}: " + ("none" if not items else ""))
        if name == "Top stories":
            links = [safe_link(s.get("url")) for s in brief.get("top_stories") or []]
            items = [f"{i} {link}" if link else i for i, link in zip(items, links, strict=True)]
        lines += [f"  - {item}" for item in items]
    return "\n".join(line.rstrip() for line in lines)


def slack(brief: dict[str, Any]) -> str:
    e = slack_escape
    out = [f":sunrise: *{e(title(brief))}*"]
    for name, items in _sections(brief):
        out.append(f"*{name}*" + (": none" if not items else ""))
        if name == "Top stories":
            for s, item in zip(brief.get("top_stories") or [], items, strict=True):
                link = safe_link(s.get("url"))
                head = e(s.get("title") or "(untitled)")
                rest = e(item[len(s.get("title") or "(untitled)") :])
                out.append(f"\u2022 <{e(link)}|{head}>{rest}" if link else f"\u2022 {e(item)}")
            continue
        out += [f"\u2022 {e(item)}" for item in items]
    return "\n".join(out)


def email(brief: dict[str, Any], prefix: str) -> tuple[str, str, str]:
    """``(subject, plain text, html)``."""
    e = html.escape
    parts = [f"<h1>{e(title(brief))}</h1>", "<h2>Topics</h2>", "<table>"]
    for t in brief.get("topics") or []:
        bars = t.get("chart") or ""  # the console's SVG bars: counts and dates only
        parts.append(f"<tr><td>{e(_topic_line(t))}</td><td>{bars}</td></tr>")
    parts.append("</table>")
    for name, items in _sections(brief)[1:]:
        parts.append(f"<h2>{e(name)}</h2>")
        if not items:
            parts.append("<p>None.</p>")
            continue
        lis = []
        for i, item in enumerate(items):
            story = (
                (brief.get("top_stories") or [{}] * len(items))[i] if name == "Top stories" else {}
            )
            link = safe_link(story.get("url")) if story else None
            lis.append(
                f'<li><a href="{e(link)}">{e(item)}</a></li>' if link else f"<li>{e(item)}</li>"
            )
        parts.append("<ul>" + "".join(lis) + "</ul>")
    body = "<html><body>" + "".join(parts) + "</body></html>"
    topics = ", ".join(f"{t['topic']} {t['stories']}" for t in brief.get("topics") or [])
    return subject_line(f"{title(brief)}: {topics}", prefix), plain(brief), body
