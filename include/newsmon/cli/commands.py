"""The commands that run the pipeline on the database: ingest, fetch, reextract, retag,
signals and alerts (each imports its flow when it runs, so ``newsmon --help`` stays fast)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys

from newsmon.config import Settings, load_settings


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings the command's ``--config``, ``--db`` and ``--sources`` name."""
    return load_settings(
        getattr(args, "config", None),
        db=getattr(args, "db", None),
        sources=getattr(args, "sources", None),
    )


def print_lines(lines: list[str]) -> None:
    print("\n".join(lines))


def cmd_ingest(args: argparse.Namespace) -> int:
    from newsmon.cli.report import ingest_lines
    from newsmon.flows.pipeline import ingest

    missing = [p for p in args.paths if not os.path.lexists(p)]
    if missing:
        print(f"newsmon: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    settings = settings_of(args)
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
        print_lines(ingest_lines(result, settings))
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from newsmon.cli.report import fetch_lines
    from newsmon.flows.pipeline import fetch

    settings = settings_of(args)
    result = fetch(settings, as_of=args.as_of)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_lines(fetch_lines(result, settings))
    if result["all_failed"]:
        print("newsmon: every source failed in this cycle (see the errors above)", file=sys.stderr)
        return 1
    return 0


def cmd_reextract(args: argparse.Namespace) -> int:
    from newsmon.flows.maintenance import reextract

    print(json.dumps(reextract(settings_of(args))))
    return 0


def cmd_retag(args: argparse.Namespace) -> int:
    from newsmon.flows.retag import retag

    result = retag(settings_of(args))
    print(f"re-tagged {result['articles']} articles with taxonomy {result['taxonomy_version']}")
    for topic, c in result["topics"].items():
        print(f"  {topic}: {c['before']} -> {c['after']}")
    return 0


def cmd_signals(args: argparse.Namespace) -> int:
    from newsmon.flows.store import detect_signals
    from newsmon.storage.runs import new_run_id

    print(json.dumps(detect_signals(settings_of(args), new_run_id("signals"), args.as_of)))
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    from newsmon.flows.deliver import deliver

    # Channel plugins import Airflow, whose logging writes to stdout: keep stdout for the result.
    with contextlib.redirect_stdout(sys.stderr):
        result = deliver(settings_of(args))
    print(json.dumps(result))
    return 0
