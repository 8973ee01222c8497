"""``newsmon watch``: the watchlists in the file, what one would match, what one matched.

newsmon watch list                       each watchlist, its matches and deliveries; errors
newsmon watch test NAME [--days 7]       what NAME would have matched (the file as it is now)
newsmon watch test --query Q [filters]   the same for a watchlist not written yet
newsmon watch matches NAME [--since 24h]  what NAME matched, newest first

All read the analyst copy (they never wait for the writer) and the watchlists file.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from newsmon.cli.commands import settings_of
from newsmon.config import ConfigError


def since_arg(value: str) -> datetime:
    """``24h``, ``7d`` or a date (YYYY-MM-DD, UTC midnight)."""
    m = re.fullmatch(r"(\d+)\s*([hd])", value.strip())
    if m:
        hours = int(m.group(1)) * (24 if m.group(2) == "d" else 1)
        return datetime.now(UTC) - timedelta(hours=hours)
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not 24h, 7d or YYYY-MM-DD: {value}") from exc


def add_parser(sub: argparse._SubParsersAction, db_arg: Any) -> None:
    p = sub.add_parser("watch", help="watchlists: list, test one before saving it, its matches")
    verbs = p.add_subparsers(dest="verb", required=True)
    v = verbs.add_parser("list", help="each watchlist, its matches and deliveries, and errors")
    db_arg(v)
    v = verbs.add_parser("test", help="what a watchlist would have matched over the last days")
    v.add_argument("name", nargs="?", help="a watchlist in the file (or give --query/filters)")
    v.add_argument("--days", type=int, default=7)
    v.add_argument("--query", help='search syntax: words, "a phrase", -word, A OR B')
    for key in ("topics", "countries", "regions", "languages", "sources"):
        v.add_argument(f"--{key}", nargs="+", default=[])
    v.add_argument("--min-score", type=float)
    v.add_argument("--limit", type=int, default=20)
    v.add_argument("--json", action="store_true")
    db_arg(v)
    v = verbs.add_parser("matches", help="what a watchlist matched, newest first")
    v.add_argument("name")
    v.add_argument("--since", type=since_arg, default="7d", help="24h, 7d or a date")
    v.add_argument("--limit", type=int, default=50)
    v.add_argument("--json", action="store_true")
    db_arg(v)


def add_brief_parser(sub: argparse._SubParsersAction, db_arg: Any) -> None:
    p = sub.add_parser("brief", help="send today's morning briefs now (once a day per channel)")
    p.add_argument(
        "--since", default="24h", help="the stretch it covers, up to now: 24h (default), 2d"
    )
    db_arg(p)


def cmd_brief(args: argparse.Namespace) -> int:
    """Queue today's briefs (the general one, each daily watchlist's) and deliver them; a
    brief already queued today is not queued again."""
    import contextlib

    from newsmon.flows.brief import queue_briefs
    from newsmon.flows.deliver import deliver

    m = re.fullmatch(r"(\d+)\s*([hd])", args.since.strip())
    if not m:
        raise ConfigError(f"--since must be hours or days such as 24h or 2d, not {args.since!r}")
    hours = int(m.group(1)) * (24 if m.group(2) == "d" else 1)
    settings = settings_of(args)
    queued = queue_briefs(settings, force=True, hours=hours)
    with contextlib.redirect_stdout(sys.stderr):  # channel plugins' logging
        sent = deliver(settings)
    print(json.dumps({"briefs_queued": queued["queued"]} | sent))
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    return {"list": _list, "test": _test, "matches": _matches}[args.verb](args)


def _list(args: argparse.Namespace) -> int:
    from newsmon.alerting.watchlists import load_watchlists
    from newsmon.storage.db import execute
    from newsmon.storage.readcopy import open_read

    settings = settings_of(args)
    wfile = load_watchlists(settings)
    stats: dict[str, dict[str, Any]] = {}
    try:
        with open_read(settings) as con:
            cur = execute(con, "cli/watch/overview", week_ago=datetime.now(UTC) - timedelta(days=7))
            names = [d[0] for d in cur.description]
            stats = {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    except Exception as exc:  # noqa: BLE001 - no database yet, or one from before watchlists
        print(f"(no match figures: {' '.join(str(exc).split())[:200]})", file=sys.stderr)
    print(f"watchlists in {wfile.path}: {len(wfile.watchlists)}")
    for wl in wfile.watchlists:
        st = stats.get(wl.name, {})
        filters = {k: v for k, v in wl.definition().items() if k not in ("query", "deliver")}
        print(f"- {wl.name}")
        if wl.query:
            print(f"    query: {wl.query}")
        if filters:
            print("    filters: " + "; ".join(f"{k} {_text(v)}" for k, v in filters.items()))
        where = ", ".join(wl.deliver.channels) or "nowhere (matches are recorded)"
        print(f"    delivers to: {where}, {wl.deliver.schedule.text}")
        if st:
            print(
                f"    matches: {st['matches']:,} ({st['matches_7d']:,} in the last 7 days),"
                f" last {_when(st['last_match'])}; alerts sent {st['sent']:,},"
                f" pending {st['pending']:,}, failed {st['failed']:,}"
            )
    for error in wfile.errors:
        print(f"error: {error}")
    return 1 if wfile.errors else 0


def _text(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def _draft(args: argparse.Namespace) -> Any:
    """The watchlist to test: NAME from the file, or one made of the options."""
    from newsmon.alerting.watchlists import load_watchlists, parse_watchlist

    settings = settings_of(args)
    if args.name and not args.query:
        wfile = load_watchlists(settings)
        found = [wl for wl in wfile.watchlists if wl.name == args.name]
        if found:
            return found[0]
        errors = [e for e in wfile.errors if e.startswith(f"watchlist '{args.name}'")]
        raise ConfigError(errors[0] if errors else f"no watchlist {args.name!r} in {wfile.path}")
    item = {"name": args.name or "draft", "query": args.query}
    for key in ("topics", "countries", "regions", "languages", "sources"):
        item[key] = getattr(args, key)
    item["min_score"] = args.min_score
    return parse_watchlist({k: v for k, v in item.items() if v not in (None, [])}, settings)


def _test(args: argparse.Namespace) -> int:
    from newsmon.alerting.watch_signals import describe, try_watchlist
    from newsmon.storage.readcopy import open_read

    wl = _draft(args)
    since = datetime.now(UTC) - timedelta(days=args.days)
    with open_read(settings_of(args)) as con:
        hits = try_watchlist(con, wl, since)
        stories = _stories(con, [h.article.article_id for h in hits])
    by_story = {h.article.story_id: h for h in hits}
    print(
        f"{wl.name}: {len(hits):,} stor{'y' if len(hits) == 1 else 'ies'} in the last"
        f" {args.days} days (dated since {since:%Y-%m-%d %H:%M} UTC)",
        file=sys.stderr,
    )
    for row in stories[: args.limit]:
        hit = by_story[row["story_id"]]
        _print_story(args, row, hit.evidence, describe(wl.name, hit.evidence))
    return 0


def _stories(con: Any, ids: list[str]) -> list[dict[str, Any]]:
    from newsmon.storage.db import execute

    cur = execute(con, "cli/watch/stories", articles=ids)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _matches(args: argparse.Namespace) -> int:
    from newsmon.alerting.watch_signals import describe
    from newsmon.storage.db import execute
    from newsmon.storage.readcopy import open_read

    with open_read(settings_of(args)) as con:
        cur = execute(
            con, "cli/watch/matches", watchlist=args.name, since=args.since, limit=args.limit
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    for row in rows:
        evidence = json.loads(row.pop("evidence"))
        status = f" [{row['suppressed']}]" if row["suppressed"] else ""
        _print_story(args, row, evidence, describe(args.name, evidence) + status)
    if not rows:
        print(
            f"no matches for {args.name!r} since {args.since:%Y-%m-%d %H:%M} UTC", file=sys.stderr
        )
    return 0


def _print_story(args: argparse.Namespace, row: dict[str, Any], evidence: dict, why: str) -> None:
    from newsmon.alerting.watch_signals import snippet_of

    found = snippet_of(row["title"], row.pop("text", None) or "", evidence)
    if args.json:
        out = row | {"evidence": evidence, "why": why, "snippet": found}
        print(json.dumps(out, ensure_ascii=False, default=str))
        return
    n = row["source_count"]
    print(f"{row['day']}  {row['title'] or '(untitled)'}")
    print(
        f"    {row['source'] or 'unknown outlet'} (+{n - 1} outlet{'s' if n != 2 else ''}), {row['url']}"
        if n > 1
        else f"    {row['source'] or 'unknown outlet'}, {row['url']}"
    )
    print(f"    {why.split(': ', 1)[-1]}")
    if found:
        print(f"    {found}")
