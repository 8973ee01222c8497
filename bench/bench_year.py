"""A year of news on one machine (``make bench-year``): a million articles, then every
command that reads or rewrites them, timed.

1. **Build**: ``--articles`` (default 1,000,000) articles of ``make bench``'s overlap corpus
   (bench/corpus.py: real EN/RU/UK sentences drawn again and again, a third syndicated
   copies), dated over 365 days, ingested by ``newsmon ingest`` (the real pipeline, a
   process of its own) in runs of ``--step`` (100,000) articles: per run the rate, the
   seconds per 1,000 and the whole process tree's peak PSS (growth per 100,000).
2. **Retag**: ``newsmon retag`` of every article: time and peak PSS.
3. **Search**: the ten queries of bench_search.py on the analyst copy, five rounds: median
   and p90, on a connection held open (as the console reads) and opened per query (as
   ``newsmon search``); ``--compact`` first rewrites the index in term order, as the store
   stage does once it has grown by a fifth (``newsmon.storage.search.compact_if_due``).
4. **Publish**: the analyst copy made again (checkpoint, copy, rename), three times.
5. **Console**: every page, through Airflow's real API server with a login token (the
   simple auth manager), five times each: median and slowest.

The database is kept (``--keep``, default ``data/bench-year``), so a second run skips the
build and measures again. It runs once by hand, not in ``make test``:

    python bench/bench_year.py [--articles 1000000] [--step 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402
from bench_pipeline import TreeMemory  # noqa: E402
from bench_search import SCALE_QUERIES  # noqa: E402

NEWSMON = str(Path(sys.executable).with_name("newsmon"))


def _env(box: Path) -> dict[str, str]:
    env = dict(os.environ)
    env |= {"NEWSMON_DB": str(box / "db" / "news.duckdb"), "NEWSMON_HOME": str(ROOT)}
    env["NEWSMON_CONFIG"] = str(box / "settings.yaml")
    return env


def _write_inputs(box: Path, articles: int, step: int) -> list[Path]:
    """The corpus, ``step`` records a file, dated over the last 365 days."""
    folder = box / "in"
    folder.mkdir(parents=True, exist_ok=True)
    parts = [folder / f"part-{i:03d}.jsonl" for i in range((articles + step - 1) // step)]
    if all(p.exists() for p in parts):
        return parts
    start = (datetime.now(UTC) - timedelta(days=365)).date()
    records = corpus.overlap(articles, seed=23, start=start, days=365)
    for part in parts:
        with part.open("w", encoding="utf-8") as fh:
            for _, rec in zip(range(step), records, strict=False):
                rec.pop("story")
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return parts


def build(box: Path, articles: int, step: int) -> None:
    settings = {"alerts": {"channels": ["log"]}, "ingest": {"workers": 2}}
    (box / "settings.yaml").write_text(json.dumps(settings), encoding="utf-8")
    began = time.perf_counter()
    parts = _write_inputs(box, articles, step)
    print(f"corpus: {len(parts)} files of {step:,} articles in {time.perf_counter() - began:.0f}s")
    done = box / "built.json"
    built = json.loads(done.read_text()) if done.exists() else []
    print("  stored before  run   articles/s  s per 1,000  peak PSS (the ingest's tree)")
    for row in built:
        print(_row(row))
    for i, part in enumerate(parts[len(built) :], start=len(built)):
        seconds, pss = _run_measured([NEWSMON, "ingest", "-q", str(part)], box)
        row = {"stored": i * step, "seconds": seconds, "n": step, "pss": pss}
        built.append(row)
        done.write_text(json.dumps(built))
        print(_row(row), flush=True)
    first, last = built[1 if len(built) > 2 else 0], built[-1]
    growth = last["seconds"] / first["seconds"] - 1
    print(f"  growth per 1,000 from run {built.index(first) + 1} to the last: {growth:+.0%}")


def _row(row: dict) -> str:
    per_k = row["seconds"] / row["n"] * 1000
    return (
        f"  {row['stored']:>12,}  {row['seconds']:5.0f}s  {row['n'] / row['seconds']:9.0f}"
        f"  {per_k:11.2f}  {row['pss']:8.0f} MB"
    )


def _run_measured(command: list[str], box: Path) -> tuple[float, float]:
    """Run a newsmon command; its seconds and the peak PSS of its process tree (not this
    benchmark's own, which holds the corpus generator)."""
    began = time.perf_counter()
    proc = subprocess.Popen(
        command, env=_env(box), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    with TreeMemory(root=proc.pid) as tree:
        _, err = proc.communicate()
    seconds = time.perf_counter() - began
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err[-3000:]}")
    return seconds, tree.peak_pss


def retag(box: Path) -> None:
    seconds, pss = _run_measured([NEWSMON, "retag", "-q"], box)
    print(f"retag of every article: {seconds:.0f}s, peak PSS {pss:.0f} MB (its process tree)")


def search_and_publish(box: Path, compact_first: bool) -> None:
    os.environ.update(_env(box))
    from newsmon.config import load_settings
    from newsmon.storage.db import execute, open_db
    from newsmon.storage.readcopy import open_read, publish
    from newsmon.storage.search import compact, search, search_on

    settings = load_settings()
    with open_db(settings) as con:
        postings, at_last = execute(con, "storage/search/compaction_due").fetchone()
        print(f"search index: {postings:,} postings; at the last compaction {at_last:,}")
        if compact_first:
            print(f"  compacted (rewritten in term order) in {compact(con):.0f}s")
            publish(con, settings)
    with open_read(settings) as con:  # as the console holds the copy open
        held = _timed(lambda q: search_on(con, q, limit=10))
    once = _timed(lambda q: search(settings, q, limit=10))  # as `newsmon search` opens it
    for label, times in (("held open (console)", held), ("opened per query (CLI)", once)):
        print(
            f"search, {len(SCALE_QUERIES)} queries x 5 on the analyst copy, {label}: median"
            f" {statistics.median(times):.0f} ms, p90 {times[int(len(times) * 0.9)]:.0f} ms,"
            f" max {times[-1]:.0f} ms"
        )
    seconds = []
    with open_db(settings) as con:
        for _ in range(3):
            done = publish(con, settings)
            seconds.append(done["seconds"])
    print(
        f"publish the analyst copy ({done['bytes'] / 1e9:.2f} GB, {done['method']}):"
        f" {', '.join(f'{s:.1f}' for s in seconds)} s"
    )


def _timed(run: Callable[[str], object]) -> list[float]:
    """Milliseconds of each of five rounds of the queries, after one warming round; sorted."""
    for q in SCALE_QUERIES:
        run(q)
    times = []
    for _ in range(5):
        for q in SCALE_QUERIES:
            began = time.perf_counter()
            run(q)
            times.append((time.perf_counter() - began) * 1000)
    return sorted(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--step", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, default=ROOT / "data" / "bench-year")
    parser.add_argument("--skip", nargs="*", default=[], choices=["retag", "console"])
    parser.add_argument(
        "--compact", action="store_true", help="rewrite the search index in term order first"
    )
    args = parser.parse_args()
    box = args.keep.resolve()
    box.mkdir(parents=True, exist_ok=True)
    print(f"bench-year in {box}, {os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    build(box, args.articles, args.step)
    if "retag" not in args.skip:
        retag(box)
    search_and_publish(box, args.compact)
    if "console" not in args.skip:
        from bench_console_server import measure_through_server

        measure_through_server(_env(box))


if __name__ == "__main__":
    main()
