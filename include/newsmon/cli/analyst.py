"""The commands analysts read the database with: summary, search and sql (on the analyst
copy, so they never wait for the writer)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from newsmon.cli.commands import print_lines, settings_of


def cmd_summary(args: argparse.Namespace) -> int:
    from newsmon.cli.report import summary, summary_lines

    s = summary(settings_of(args))
    if args.json:
        print(json.dumps(s, indent=2, default=str))
    else:
        print_lines(summary_lines(s))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from newsmon.storage.search import search

    rows = search(
        settings_of(args),
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

    settings = settings_of(args)
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
