"""``newsmon``: the pipeline outside Airflow, on the same code path as the DAGs.

newsmon ingest PATH... [--db FILE] [--force] [--as-of DATE]
newsmon clean FILE [--json] [--explain]
newsmon tag [FILE... | -] [--all]
newsmon retag [--db FILE]
newsmon signals [--db FILE] [--as-of DATE]
newsmon alerts [--db FILE]
newsmon summary [--db FILE] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from datetime import date
from pathlib import Path

from newsmon.cli.tools import cmd_clean, cmd_evaluate, cmd_extract, cmd_tag
from newsmon.config import ConfigError, Settings, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        getattr(args, "config", None),
        db=getattr(args, "db", None),
        sources=getattr(args, "sources", None),
    )


def _progress(args: argparse.Namespace) -> None:
    """Progress on stderr: a bar on a terminal, a line every 10 s otherwise, none with -q."""
    from newsmon import progress

    if getattr(args, "quiet", False):
        progress.configure("quiet")
    else:
        progress.configure("bar" if sys.stderr.isatty() else "lines", every=10.0)


def _print(lines: list[str]) -> None:
    print("\n".join(lines))


def cmd_ingest(args: argparse.Namespace) -> int:
    from newsmon.cli.report import ingest_lines
    from newsmon.flows.pipeline import ingest

    missing = [p for p in args.paths if not os.path.lexists(p)]
    if missing:
        print(f"newsmon: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    settings = _settings(args)
    result = ingest(
        settings,
        args.paths,
        force=args.force,
        backfill=args.backfill,
        as_of=args.as_of,
    )
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print(ingest_lines(result, settings))
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from newsmon.cli.report import fetch_lines
    from newsmon.flows.pipeline import fetch

    settings = _settings(args)
    result = fetch(settings, as_of=args.as_of)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print(fetch_lines(result, settings))
    if result["all_failed"]:
        print("newsmon: every source failed in this cycle (see the errors above)", file=sys.stderr)
        return 1
    return 0


def cmd_reextract(args: argparse.Namespace) -> int:
    from newsmon.flows.maintenance import reextract

    print(json.dumps(reextract(_settings(args))))
    return 0


def cmd_retag(args: argparse.Namespace) -> int:
    from newsmon.flows.maintenance import retag

    result = retag(_settings(args))
    print(f"re-tagged {result['articles']} articles with taxonomy {result['taxonomy_version']}")
    for topic, c in result["topics"].items():
        print(f"  {topic}: {c['before']} -> {c['after']}")
    return 0


def cmd_signals(args: argparse.Namespace) -> int:
    from newsmon.flows.store import detect_signals
    from newsmon.storage.runs import new_run_id

    print(json.dumps(detect_signals(_settings(args), new_run_id("signals"), args.as_of)))
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    from newsmon.alerting.delivery import deliver

    # Channel plugins import Airflow, whose logging writes to stdout: keep stdout for the result.
    with contextlib.redirect_stdout(sys.stderr):
        result = deliver(_settings(args))
    print(json.dumps(result))
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from newsmon.cli.report import summary, summary_lines

    s = summary(_settings(args))
    if args.json:
        print(json.dumps(s, indent=2, default=str))
    else:
        _print(summary_lines(s))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from newsmon.storage.search import search

    rows = search(
        _settings(args),
        args.query,
        topic=args.topic,
        since=args.since,
        until=args.until,
        lang=args.lang,
        source=args.source,
        limit=args.limit,
    )
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False, default=str))
        return 0
    for i, row in enumerate(rows, start=1):
        when = row["published_at"].strftime("%Y-%m-%d") if row["published_at"] else "undated"
        print(f"{i:>2}. {row['title'] or '(untitled)'}  [{row['score']:.2f}]")
        print(f"    {row['source'] or 'unknown outlet'}, {when}, {row['url']}")
        print(f"    {row['snippet']}")
    if not rows:
        print("no matches", file=sys.stderr)
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    import shutil

    from newsmon.storage.readcopy import open_read

    settings = _settings(args)
    if not args.query:  # the analysts' own shell, read-only, on the analyst copy
        path = settings.read_db_path if settings.read_db_path.exists() else settings.db_path
        cli = shutil.which(
            "duckdb",
            path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        )
        if cli is None:
            print(
                "newsmon: the duckdb shell is not installed (pip install duckdb-cli)",
                file=sys.stderr,
            )
            return 2
        os.execv(cli, [cli, "-readonly", str(path)])
    import duckdb

    with open_read(settings) as con:
        try:
            rel = con.sql(args.query)
        except duckdb.Error as exc:
            print(f"newsmon: {' '.join(str(exc).split())}", file=sys.stderr)
            return 1
        if rel is None:
            return 0
        if args.csv or args.json:
            names, rows = rel.columns, rel.fetchall()
            if args.csv:
                import csv

                out = csv.writer(sys.stdout)
                out.writerow(names)
                out.writerows(rows)
            else:
                for row in rows:
                    print(
                        json.dumps(
                            dict(zip(names, row, strict=True)), ensure_ascii=False, default=str
                        )
                    )
        else:
            rel.show(max_rows=args.max_rows, max_width=10_000)
    return 0


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

    def db_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", help="DuckDB file (default: $NEWSMON_DB or data/news.duckdb)")

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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
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


if __name__ == "__main__":
    sys.exit(main())
