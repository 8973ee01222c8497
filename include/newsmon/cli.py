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
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from newsmon.config import ConfigError, Settings, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(getattr(args, "config", None), db=getattr(args, "db", None))


def _progress(enabled: bool) -> Callable[[int | None, str], Callable[[int], None]] | None:
    if not enabled:
        return None
    from tqdm import tqdm

    def make(total: int | None, desc: str) -> Callable[[int], None]:
        bar = tqdm(
            total=total, desc=desc, unit="item", file=sys.stderr, leave=False, dynamic_ncols=True
        )
        return bar.update

    return make


def cmd_ingest(args: argparse.Namespace) -> int:
    from newsmon.pipeline import ingest

    settings = _settings(args)
    result = ingest(
        settings,
        args.paths,
        force=args.force,
        as_of=args.as_of,
        progress=_progress(sys.stderr.isatty() and not args.quiet),
    )
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"run {result['run_id']}  ({settings.db_path})")
    print(
        f"  files: {result['files_found']} found, {result['files_skipped']} unchanged and skipped;"
        f" {result['documents']} documents read"
    )
    print(
        f"  articles: {result['articles_new']} new, {result['articles_updated']} updated,"
        f" {result['articles_unchanged']} unchanged; {result['stories_new']} new stories"
    )
    topics = ", ".join(f"{t} {n}" for t, n in sorted(result["topics"].items())) or "none"
    print(f"  topics: {topics}")
    print(f"  signals: {result['signals_new']} new; alerts queued: {result['alerts_queued']}")
    print(f"  errors: {result['errors']}")
    if result["errors"]:
        _print_errors(settings, result["run_id"])
    return 0


def _print_errors(settings: Settings, run_id: str) -> None:
    from newsmon.db import open_db

    with open_db(settings, read_only=True) as con:
        rows = con.execute(
            "select origin, stage, reason from ingest_errors where last_run_id = ? order by origin",
            [run_id],
        ).fetchall()
    for origin, stage, reason in rows:
        print(f"    ! {origin} [{stage}]: {reason}")


def _read_doc(path: str, settings: Settings) -> Any:
    from newsmon.load import FileRef, read_file

    p = Path(path)
    st = p.stat()
    docs, errors = read_file(
        FileRef(str(p), st.st_size, st.st_mtime_ns), settings.ingest.max_file_bytes
    )
    if errors and not docs:
        raise SystemExit(f"newsmon: {path}: {errors[0].reason}")
    return docs


def cmd_clean(args: argparse.Namespace) -> int:
    from newsmon.clean import clean_document, load_rules

    settings = _settings(args)
    rules = load_rules(settings.cleaning_path)
    for doc in _read_doc(args.file, settings):
        cleaned = clean_document(doc, rules)
        if args.json:
            out: dict[str, Any] = {
                "title": cleaned.title,
                "published_at": cleaned.published_at.isoformat() if cleaned.published_at else None,
                "source": cleaned.source,
                "text": cleaned.text,
            }
            if args.explain:
                out["removed"] = [{"reason": r, "line": line} for r, line in cleaned.removed]
            print(json.dumps(out, ensure_ascii=False))
        else:
            print(cleaned.title)
            print()
            print(cleaned.text)
            if args.explain:
                for reason, line in cleaned.removed:
                    print(f"[removed: {reason}] {line}", file=sys.stderr)
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    from newsmon.clean import clean_document, load_rules
    from newsmon.tag import load_taxonomy, score_topics

    settings = _settings(args)
    tax = load_taxonomy(settings.topics_path)

    def emit(doc_id: Any, title: str, text: str) -> None:
        topics = score_topics(title, text, tax, all_topics=args.all)
        print(
            json.dumps(
                {
                    "id": doc_id,
                    "title": title,
                    "topics": [t.to_dict(full=args.explain) for t in topics],
                },
                ensure_ascii=False,
            )
        )

    if not args.files or args.files == ["-"]:
        bad_lines: list[int] = []
        for lineno, rec in _stdin_records("tag", "text", bad_lines):
            emit(rec.get("id", lineno), rec.get("title") or "", rec["text"])
        return 1 if bad_lines else 0
    rules = load_rules(settings.cleaning_path)
    for path in args.files:
        for doc in _read_doc(path, settings):
            cleaned = clean_document(doc, rules)
            emit(doc.origin, cleaned.title, cleaned.text)
    return 0


def _stdin_records(command: str, field: str, bad_lines: list[int]) -> Iterator[tuple[int, dict]]:
    """JSON Lines objects from stdin that carry a string ``field``, with their line numbers.

    A bad line is reported on stderr, its number appended to ``bad_lines``, and skipped.
    """
    for lineno, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict) or not isinstance(rec.get(field), str):
                raise ValueError(f"expected an object with a '{field}' string")
        except ValueError as exc:
            print(f"newsmon {command}: stdin line {lineno}: {exc}", file=sys.stderr)
            bad_lines.append(lineno)
            continue
        yield lineno, rec


def cmd_extract(args: argparse.Namespace) -> int:
    from newsmon.extract import extract_article

    bad = 0
    bad_lines: list[int] = []
    for lineno, rec in _stdin_records("extract", "html", bad_lines):
        out: dict[str, Any] = {"id": rec.get("id", lineno)}
        try:
            page = extract_article(rec["html"], rec.get("url"))
        except Exception as exc:  # one bad page is reported on its own line; the rest go on
            out |= {"error": f"{type(exc).__name__}: {exc}"}
            bad += 1
        else:
            out |= {
                "title": page.title,
                "text": page.text,
                "published_at": page.published_at.isoformat() if page.published_at else None,
                "date_source": page.date_source,
                "authors": page.authors,
                "lang": page.lang,
            }
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 1 if bad or bad_lines else 0


def cmd_fetch(args: argparse.Namespace) -> int:
    import os

    from newsmon.pipeline import fetch

    if args.sources:
        os.environ["NEWSMON_SOURCES"] = str(Path(args.sources).resolve())
    settings = _settings(args)
    result = fetch(settings, as_of=args.as_of)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"fetch {result['run_id']}  ({settings.db_path})")
    print(
        f"  sources: {result['sources']} ({result['feeds_unchanged']} feeds unchanged);"
        f" {result['pages']} pages downloaded in {result['requests']} requests"
    )
    print(f"  articles: {result['articles_new']} new; {result['stories_new']} new stories")
    print(f"  signals: {result['signals_new']} new; alerts queued: {result['alerts_queued']}")
    print(f"  errors: {result['errors']}")
    if result["errors"]:
        _print_errors(settings, result["run_id"])
    return 0


def cmd_reextract(args: argparse.Namespace) -> int:
    from newsmon.pipeline import reextract

    print(json.dumps(reextract(_settings(args))))
    return 0


def cmd_retag(args: argparse.Namespace) -> int:
    from newsmon.pipeline import retag

    result = retag(_settings(args))
    print(f"re-tagged {result['articles']} articles with taxonomy {result['taxonomy_version']}")
    for topic, c in result["topics"].items():
        print(f"  {topic}: {c['before']} -> {c['after']}")
    return 0


def cmd_signals(args: argparse.Namespace) -> int:
    from newsmon.pipeline import detect, new_run_id

    print(json.dumps(detect(_settings(args), new_run_id("signals"), args.as_of)))
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    from newsmon.pipeline import deliver

    # Channel plugins import Airflow, whose logging writes to stdout: keep stdout for the result.
    with contextlib.redirect_stdout(sys.stderr):
        result = deliver(_settings(args))
    print(json.dumps(result))
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from newsmon.pipeline import summary

    s = summary(_settings(args))
    if args.json:
        print(json.dumps(s, indent=2, default=str))
        return 0
    last = s["last_run"]
    print(f"newsmon database {s['database']}")
    print(f"  articles: {s['articles']} in {s['stories']} stories")
    print("  topics: " + (", ".join(f"{t} {n}" for t, n in s["topics"].items()) or "none"))
    print(f"  signals: {s['signals']} (last run: {last.get('signals_new', 0)} new)")
    alerts = s["alerts"]
    print(
        f"  alerts: {alerts.get('pending', 0)} pending, {alerts.get('sent', 0)} sent,"
        f" {alerts.get('failed', 0)} failed (last run queued {last.get('alerts_queued', 0)})"
    )
    for channel, statuses in s["alerts_by_channel"].items():
        note = " (waiting for the channel to be configured)" if set(statuses) == {"pending"} else ""
        print(f"    {channel}: " + ", ".join(f"{n} {st}" for st, n in statuses.items()) + note)
    print(f"  ingest errors: {s['ingest_errors']}")
    if last:
        print(
            f"  last run {last['run_id']}: {last['status']}, {last['files_found']} files"
            f" ({last['files_skipped']} unchanged), {last['articles_new']} new articles"
        )
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from newsmon.evaluate import (
        evaluate,
        format_report,
        naive_predict,
        read_labelled,
        taxonomy_predictor,
    )
    from newsmon.tag import load_taxonomy

    tax = load_taxonomy(_settings(args).topics_path)
    for path in args.files:
        records = read_labelled(path)
        report = evaluate(records, taxonomy_predictor(tax), tax.topics)
        print(format_report(f"{path} ({len(records)} passages), taxonomy {tax.version}", report))
        if args.baseline:
            base = evaluate(records, lambda _title, text: naive_predict(text), tax.topics)
            print(format_report("  naive substring baseline", base))
        if args.errors:
            for err in report["errors"]:
                print(f"  ! {err['id']}: labelled {err['gold']}, tagged {err['predicted']}")
    return 0


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from exc


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
    p.add_argument("--as-of", type=_date, help="day for spike detection (default: today, UTC)")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
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
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("reextract", help="extract stored raw pages again, without fetching")
    db_arg(p)
    p.set_defaults(func=cmd_reextract)

    p = sub.add_parser("retag", help="re-tag stored articles with the current taxonomy")
    db_arg(p)
    p.set_defaults(func=cmd_retag)

    p = sub.add_parser("signals", help="detect signals for runs not yet covered")
    db_arg(p)
    p.add_argument("--as-of", type=_date)
    p.set_defaults(func=cmd_signals)

    p = sub.add_parser("alerts", help="deliver pending alerts")
    db_arg(p)
    p.set_defaults(func=cmd_alerts)

    p = sub.add_parser("evaluate", help="precision/recall of the taxonomy on labelled JSON Lines")
    p.add_argument("files", nargs="+", help='JSON Lines {"id", "text", "labels": [...]}')
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
    try:
        return int(args.func(args) or 0)
    except (ConfigError, FileNotFoundError) as exc:
        print(f"newsmon: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
