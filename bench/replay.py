"""Replay a real stream one day at a time, as if live, and list what the watch raised.

    python bench/replay.py ../shared/fixtures/realstream-2023 [--labels FILE] [--from D] [--to D]

Each day's items (a gzip JSON Lines stream, ``items-*.jsonl.gz``, records ``{url, title,
text, published_at, source, lang}``) are written to a file of their own and ingested into a
fresh database with ``as_of`` that day, with today's settings (``watch.countries`` and the
spike rule included; alerts to the log channel only). Printed: the spike and regional-spike
days with their figures beside the known events of the period, the days with no known
event that spiked, and, with ``--labels`` (a labelled sample, ``tests/data/labelled/
realstream/labels-*.jsonl``), how many new-story mobilization signals were about Russian
mobilization by the labels. Not part of ``make test``: ``make bench-replay``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))

from newsmon.config import load_settings  # noqa: E402
from newsmon.flows.pipeline import ingest  # noqa: E402

EVENTS = {  # known events of the two streams' periods (day: what)
    "2023-06-23": "Wagner mutiny begins",
    "2023-06-24": "Wagner mutiny: march on Moscow, called off",
    "2023-07-25": "Duma passes the law raising the conscription age",
    "2023-07-28": "Federation Council approves the conscription-age law",
    "2023-08-04": "Putin signs the conscription-age law",
    "2023-08-23": "Prigozhin killed in a plane crash",
    "2023-09-08": "regional elections begin, including in occupied Ukraine",
    "2023-09-09": "regional elections",
    "2023-09-10": "regional elections, last day",
    "2023-09-11": "regional election results",
    "2024-07-10": "YouTube slowdown announced by lawmakers",
    "2024-07-25": "YouTube slowdown deepens",
    "2024-08-01": "prisoner exchange",
    "2024-08-06": "Kursk incursion begins",
    "2024-08-07": "Kursk incursion: emergency declared",
    "2024-08-08": "Kursk incursion: evacuations, call-ups of conscripts to the border",
    "2024-08-10": "counter-terrorist operation in Kursk, Belgorod, Bryansk",
    "2024-09-06": "regional elections (Sept 6-8)",
    "2024-09-08": "regional elections, last day",
    "2024-09-16": "Putin orders the army enlarged by 180,000",
}


def days_of(folder: Path, first: str | None, last: str | None) -> dict[str, list[dict]]:
    by_day: dict[str, list[dict]] = defaultdict(list)
    for path in sorted(folder.glob("items-*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rec = json.loads(line)
                    day = (rec.get("published_at") or "")[:10]
                    if day and (not first or day >= first) and (not last or day <= last):
                        by_day[day].append(rec)
    return dict(sorted(by_day.items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--labels", type=Path)
    ap.add_argument("--from", dest="first")
    ap.add_argument("--to", dest="last")
    args = ap.parse_args(argv)
    days = days_of(args.folder, args.first, args.last)
    work = Path(tempfile.mkdtemp(prefix="newsmon-replay-"))
    base = load_settings()
    settings = replace(
        base,
        db_path=work / "news.duckdb",
        staging_dir=work / "staging",
        alerts=replace(base.alerts, channels=("log",), log_path=work / "alerts.log"),
    )
    started = time.perf_counter()
    items = 0
    for day, recs in days.items():
        path = work / f"{day}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
        ingest(settings, [path], as_of=date.fromisoformat(day))
        items += len(recs)
    took = time.perf_counter() - started
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        spikes = con.execute(
            "select day, kind, topic, region, count_day, day_stories, share_day, share_baseline"
            " from signals where kind in ('spike', 'region_spike') order by day, kind, topic"
        ).fetchall()
        stories = dict(con.execute("select day, stories from daily_story_counts").fetchall())
        new_mob = con.execute(
            "select a.url, s.title from signals as g join stories as s using (story_id)"
            " join articles as a on a.article_id = s.first_article_id"
            " where g.kind = 'new_story' and g.topic = 'mobilization'"
        ).fetchall()
    print(
        f"replayed {items:,} items over {len(days)} days in {took:.0f} s"
        f" ({items / took:.0f} items/s, one ingest per day), watch {list(settings.watch.countries)}"
    )
    print("\nspike days (topic or topic+region: stories that day of all, share vs baseline share):")
    spiked: dict[str, list[str]] = defaultdict(list)
    for day, _kind, topic, region, n, total, share, base_share in spikes:
        what = f"{topic}{' in ' + region if region else ''} {n}/{total} ({share:.1%} vs {base_share or 0:.1%})"
        spiked[day.isoformat()].append(what)
    for day in sorted(spiked):
        event = EVENTS.get(day, "")
        print(f"  {day}  {'; '.join(spiked[day])}" + (f"   <- {event}" if event else ""))
    known = [d for d in EVENTS if d in days]
    hit = [d for d in known if d in spiked]
    print(f"\nknown event days in the stream: {len(known)}; with a spike: {len(hit)}")
    for d in known:
        if d not in spiked:
            print(
                f"  no spike on {d} ({EVENTS[d]}); {stories.get(date.fromisoformat(d), 0)} stories that day"
            )
    other = [d for d in sorted(spiked) if d not in EVENTS]
    print(f"spike days with no listed event: {len(other)}: {', '.join(other) or '-'}")
    # a jump in the day's volume with no spike is the rule working: list the biggest jumps
    counts = [stories.get(date.fromisoformat(d), 0) for d in days]
    jumps = sorted(
        (
            (counts[i] / max(1, sum(counts[max(0, i - 7) : i]) / max(1, min(i, 7))), d)
            for i, d in enumerate(days)
            if i >= 7
        ),
        reverse=True,
    )[:5]
    print(
        "biggest jumps in stories a day (x the week before):",
        ", ".join(f"{d} x{r:.1f}" + (" (spiked)" if d in spiked else "") for r, d in jumps),
    )
    if args.labels:
        labels = {
            json.loads(line)["url"]: json.loads(line)["topics"]
            for line in args.labels.read_text(encoding="utf-8").splitlines()
            if line.strip()
        }
        judged = [(url, t) for url, t in new_mob if url in labels]
        right = [u for u, _ in judged if labels[u].get("mobilization") == "RU"]
        print(
            f"\nnew-story mobilization signals: {len(new_mob)}; labelled {len(judged)};"
            f" about Russian mobilization: {len(right)}"
            + (f" ({len(right) / len(judged):.0%})" if judged else "")
        )
        for url, title in judged:
            if labels[url].get("mobilization") != "RU":
                print(f"  not: {title}  [{labels[url]}]")
    print(f"\n(the database is left at {settings.db_path})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
