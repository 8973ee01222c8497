"""``newsmon``: the pipeline outside Airflow, on the same code path as the DAGs.

newsmon ingest PATH... [--db FILE] [--force] [--as-of DATE]
newsmon clean FILE [--json] [--explain]
newsmon tag [FILE... | -] [--all]
newsmon retag [--db FILE]
newsmon signals [--db FILE] [--as-of DATE]
newsmon alerts [--db FILE]
newsmon summary [--db FILE] [--json]
newsmon watch list | test NAME [--days N] | matches NAME [--since 24h]
newsmon brief [--since 24h]
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date

from newsmon.cli.analyst import cmd_search, cmd_sql, cmd_summary
from newsmon.cli.commands import (
    cmd_alerts,
    cmd_fetch,
    cmd_ingest,
    cmd_reextract,
    cmd_retag,
    cmd_signals,
)
from newsmon.cli.tools import cmd_clean, cmd_evaluate, cmd_extract, cmd_tag
from newsmon.cli.watch import add_brief_parser, cmd_brief, cmd_watch
from newsmon.cli.watch import add_parser as add_watch_parser
from newsmon.config import ConfigError


def _progress(args: argparse.Namespace) -> None:
    """Progress on stderr: a bar on a terminal, a line every 10 s otherwise, none with -q."""
    from newsmon import progress

    if getattr(args, "quiet", False):
        progress.configure("quiet")
    else:
        progress.configure("bar" if sys.stderr.isatty() else "lines", every=10.0)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from exc


def quiet_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress (else a bar on a terminal, a line every 10 s otherwise)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsmon", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--config", help="settings YAML (default: $NEWSMON_CONFIG or include/config/newsmon.yaml)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)
    _file_commands(sub)
    _database_commands(sub)
    _reading_commands(sub)
    return parser


def db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="DuckDB file (default: $NEWSMON_DB or data/news.duckdb)")


def _file_commands(sub: argparse._SubParsersAction) -> None:
    """ingest, and the commands that work on documents without the database."""
    p = sub.add_parser("ingest", help="read, clean, tag and store files or folders")
    p.add_argument("paths", nargs="+")
    db_arg(p)
    p.add_argument("--force", action="store_true", help="re-read files even if unchanged")
    p.add_argument(
        "--backfill",
        action="store_true",
        help="load history: record its signals but deliver no alerts for them",
    )
    p.add_argument("--as-of", type=_date, help="day for spike detection (default: today, UTC)")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON")
    quiet_arg(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("clean", help="print one file's cleaned article")
    p.add_argument("file")
    p.add_argument(
        "--json", action="store_true", help='print {"title", "published_at", "source", "text"}'
    )
    p.add_argument("--explain", action="store_true", help="also show each removed line and why")
    p.set_defaults(func=cmd_clean)

    p = sub.add_parser("tag", help="tag files, or JSON Lines {id, title, text} from stdin ('-')")
    p.add_argument("files", nargs="*")
    p.add_argument(
        "--all", action="store_true", help="list every topic with its score, assigned or not"
    )
    p.add_argument(
        "--explain", action="store_true", help="include evidence weights and vetoed matches"
    )
    p.set_defaults(func=cmd_tag)

    p = sub.add_parser("extract", help="extract articles from JSON Lines {id, url, html} on stdin")
    p.add_argument("input", nargs="?", default="-", choices=["-"])
    p.set_defaults(func=cmd_extract)


def _database_commands(sub: argparse._SubParsersAction) -> None:
    """The commands that run the pipeline's other flows on the database."""
    p = sub.add_parser("fetch", help="one fetch cycle over the configured feeds and URL lists")
    p.add_argument(
        "--sources", help="sources YAML (default: $NEWSMON_SOURCES or include/config/sources.yaml)"
    )
    db_arg(p)
    p.add_argument("--as-of", type=_date, help="day for spike detection (default: today, UTC)")
    p.add_argument("--json", action="store_true")
    quiet_arg(p)
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("reextract", help="extract stored raw pages again, without fetching")
    db_arg(p)
    quiet_arg(p)
    p.set_defaults(func=cmd_reextract)

    p = sub.add_parser("retag", help="re-tag stored articles with the current taxonomy")
    db_arg(p)
    quiet_arg(p)
    p.set_defaults(func=cmd_retag)

    p = sub.add_parser("signals", help="detect signals for runs not yet covered")
    db_arg(p)
    p.add_argument("--as-of", type=_date)
    quiet_arg(p)
    p.set_defaults(func=cmd_signals)

    p = sub.add_parser("alerts", help="deliver pending alerts")
    db_arg(p)
    quiet_arg(p)
    p.set_defaults(func=cmd_alerts)


def _reading_commands(sub: argparse._SubParsersAction) -> None:
    """search, sql, evaluate and summary."""
    p = sub.add_parser("search", help="find articles by words (EN/RU/UK, inflections), best first")
    p.add_argument("query")
    db_arg(p)
    p.add_argument("--topic", help="only articles tagged with this topic")
    p.add_argument("--since", type=_date, help="published (or first seen) on or after this day")
    p.add_argument("--until", type=_date, help="published (or first seen) on or before this day")
    p.add_argument("--lang", help="only articles in this language (en, ru, uk)")
    p.add_argument("--source", help="only articles from this outlet (as stored in articles.source)")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true", help="JSON Lines, one match a line")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("sql", help="SQL on the analyst copy; without a query, the duckdb shell")
    p.add_argument("query", nargs="?")
    db_arg(p)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true")
    fmt.add_argument("--json", action="store_true", help="JSON Lines, one row a line")
    p.add_argument("--max-rows", type=int, default=100, help="rows shown in the table")
    p.set_defaults(func=cmd_sql)

    p = sub.add_parser("evaluate", help="precision/recall of the taxonomy on labelled JSON Lines")
    p.add_argument("files", nargs="*", help='JSON Lines {"id", "text", "labels": [...]}')
    p.add_argument(
        "--stream",
        action="append",
        default=[],
        metavar="LABELS",
        help="a labelled sample of a real stream (tests/data/labelled/realstream/labels-*.jsonl):"
        " precision and recall per topic, the watched countries the positive class, weighted"
        " back to the whole stream",
    )
    p.add_argument("--items", help="the stream's folder (default: from strata.json)")
    p.add_argument("--split", choices=["tune", "report"], help="only that part of the sample")
    p.add_argument(
        "--baseline", action="store_true", help="also score the naive substring baseline"
    )
    p.add_argument("--errors", action="store_true", help="list the passages tagged wrongly")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("summary", help="what the database holds and what the last run did")
    db_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_summary)

    add_watch_parser(sub, db_arg)
    sub.choices["watch"].set_defaults(func=cmd_watch)
    add_brief_parser(sub, db_arg)
    sub.choices["brief"].set_defaults(func=cmd_brief)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    from newsmon.diskspace import DiskFull
    from newsmon.storage.db import DatabaseBusy

    _progress(args)
    try:
        return int(args.func(args) or 0)
    except (ConfigError, FileNotFoundError) as exc:
        print(f"newsmon: {exc}", file=sys.stderr)
        return 2
    except DatabaseBusy as exc:
        print(f"newsmon: {exc}", file=sys.stderr)
        return 3
    except DiskFull as exc:  # one line: where, what is free, what the run needed
        print(f"newsmon: {exc}", file=sys.stderr)
        return 4


if __name__ == "__main__":
    sys.exit(main())
