"""``newsmon`` commands that work on the documents they are given, not on the database:
``clean``, ``tag``, ``extract`` and ``evaluate``. Bad input lines are reported on stderr and
in the exit code; the good ones are still answered."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsmon.config import Settings, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(getattr(args, "config", None))


def _read_doc(path: str, settings: Settings) -> Any:
    from newsmon.read.files import FileRef, read_file

    p = Path(path)
    st = p.stat()
    docs, errors = read_file(
        FileRef(str(p), st.st_size, st.st_mtime_ns), settings.ingest.max_file_bytes
    )
    if errors and not docs:
        raise SystemExit(f"newsmon: {path}: {errors[0].reason}")
    return docs


def cmd_clean(args: argparse.Namespace) -> int:
    from newsmon.article.clean import clean_document
    from newsmon.read.boilerplate import load_rules

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
    from newsmon.article.clean import clean_document
    from newsmon.read.boilerplate import load_rules
    from newsmon.tagging.regions import load_gazetteer, load_tagger, score_both

    settings = _settings(args)
    tagger = load_tagger(settings.topics_path, settings.regions_path, settings.countries_path)
    gaz = load_gazetteer(settings.regions_path)

    def emit(doc_id: Any, title: str, text: str) -> None:
        topics, regions = score_both(title, text, tagger, all_topics=args.all)
        out = {
            "id": doc_id,
            "title": title,
            "topics": [t.to_dict(full=args.explain) for t in topics],
            "regions": [_region_dict(r, gaz, args.explain) for r in regions],
        }
        print(json.dumps(out, ensure_ascii=False))

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


def _evaluate_stream(
    labels: str, args: argparse.Namespace, settings: Any, topics: list[str]
) -> None:
    from newsmon.tagging.evaluate_stream import (
        evaluate_stream,
        format_stream,
        pipeline_predictor,
        read_labels,
        stream_items,
    )

    rows, strata, folder = read_labels(labels)
    folder = Path(args.items) if args.items else folder
    if not folder.is_dir():
        raise SystemExit(f"newsmon evaluate: the stream's items are not at {folder} (--items DIR)")
    items = stream_items(folder, {r["url"] for r in rows})
    predict = pipeline_predictor(settings)
    watch = frozenset(settings.watch.countries)
    for split in [args.split] if args.split else [None, "tune", "report"]:
        report = evaluate_stream(
            rows, strata, items, predict, topics, watch, split, settings.watch.unplaced
        )
        name = f"{labels} [{split or 'all'}], watch {','.join(sorted(watch))}"
        print(format_stream(name, report))
        if args.errors:
            for topic, tally in report["tallies"].items():
                for m in tally.misses:
                    print(
                        f"  ! {topic}: labelled {m['label']}, tagged {m['tagged']}"
                        f" [{m['stratum']}] {m['title']}"
                    )


def _region_dict(score: Any, gaz: Any, full: bool) -> dict[str, Any]:
    """A region as ``newsmon tag`` prints it: code, display name, score, evidence."""
    out = score.to_dict(full=full)
    code = out.pop("topic")
    out.pop("country", None)  # a region's country is its code's
    out.pop("country_evidence", None)
    return {"region": code, "name": gaz.name(code)} | out


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
    from newsmon.read.html import page_to_document
    from newsmon.records import IngestError, guarded

    bad = 0
    bad_lines: list[int] = []
    for lineno, rec in _stdin_records("extract", "html", bad_lines):
        doc_id = rec.get("id", lineno)
        url = rec.get("url") if isinstance(rec.get("url"), str) else None
        doc = guarded(
            str(doc_id), "extract", page_to_document, rec["html"], origin=str(doc_id), url=url
        )
        out: dict[str, Any] = {"id": doc_id}
        if isinstance(doc, IngestError):  # one bad page is reported on its own line
            out["error"] = doc.reason
            bad += 1
        else:
            out |= {
                "title": doc.title,
                "text": doc.text,
                "published_at": doc.published_at.isoformat() if doc.published_at else None,
                "date_source": doc.date_source,
                "authors": doc.authors,
                "lang": doc.lang,
            }
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 1 if bad or bad_lines else 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from newsmon.tagging.evaluate import (
        evaluate,
        format_regions,
        format_report,
        gazetteer_predictor,
        naive_predict,
        read_labelled,
        tagger_predictor,
    )
    from newsmon.tagging.regions import load_gazetteer, load_tagger
    from newsmon.tagging.taxonomy import load_taxonomy

    settings = _settings(args)
    tax = load_taxonomy(settings.topics_path)
    gaz = load_gazetteer(settings.regions_path)
    tagger = load_tagger(settings.topics_path, settings.regions_path, settings.countries_path)
    if not args.files and not args.stream:
        raise SystemExit("newsmon evaluate: name labelled files, or --stream LABELS")
    for labels in args.stream:
        _evaluate_stream(labels, args, settings, list(tax.topics))
    for path in args.files:
        records = read_labelled(path)
        with_topics = [r for r in records if "labels" in r]
        with_regions = [r for r in records if "regions" in r]
        report = evaluate(with_topics, tagger_predictor(tagger), tax.topics)
        if with_topics:
            print(
                format_report(
                    f"{path} ({len(with_topics)} passages), taxonomy {tax.version}", report
                )
            )
        if with_regions:
            regions = evaluate(with_regions, gazetteer_predictor(gaz), [], key="regions")
            print(
                format_regions(
                    f"{path} ({len(with_regions)} passages), gazetteer {gaz.version}", regions
                )
            )
            if args.errors:
                for err in regions["errors"]:
                    print(
                        f"  ! {err['id']}: regions labelled {err['gold']}, tagged {err['predicted']}"
                    )
        if args.baseline:
            base = evaluate(records, lambda _title, text: naive_predict(text), tax.topics)
            print(format_report("  naive substring baseline", base))
        if args.errors:
            for err in report["errors"]:
                print(f"  ! {err['id']}: labelled {err['gold']}, tagged {err['predicted']}")
    return 0
