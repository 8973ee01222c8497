"""Benchmark: clean + tag + store throughput, growth, rerun cost and peak memory.

Two corpus shapes (``bench/corpus.py``): ``overlap`` (sentences of real news drawn again and
again, a third of the articles syndicated copies; the hard case for near-duplicate
detection) and ``filler`` (distinct articles padded with random words). Two layouts: one
JSON Lines file, or one file per article. The corpus goes through the same stages as
``newsmon ingest`` into a fresh DuckDB file; the figures printed are:

- the rate and each stage's time for the whole corpus in one run (the read stage's chunks
  are stored while it reads, as ``newsmon ingest`` does: the store times overlap the read);
- with ``--growth K``: the corpus ingested again into a fresh database in K equal runs, the
  time per 1,000 articles of each (flat when no stage grows with the database);
- a rerun over the unchanged inputs, and (JSON Lines) a run after appending records;
- story grouping precision/recall against the corpus's true stories (``overlap``);
- peak memory: the main process's RSS, and the summed PSS of the whole process tree
  (main, forkserver, workers), sampled from /proc (the corpus is generated in a child
  process beforehand, so the generator's memory is not counted as the pipeline's).

Nothing here is asserted: the numbers are for people.

    python bench/bench_pipeline.py --shape overlap --layout jsonl --articles 20000 [--growth 10]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402
import watchlists  # noqa: E402


def _vm(key: str) -> float:
    """A memory figure of this process from /proc (MB), 0 where /proc is unavailable."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class TreeMemory:
    """Samples the memory of this process and all its descendants (workers, forkserver).

    Every ``interval`` seconds it sums PSS (proportional set size: shared pages divided
    among the processes sharing them, so the sum is what the tree really holds) over the
    tree, from /proc, and keeps the peak. Linux only; zeros elsewhere.
    """

    def __init__(self, interval: float = 0.2, root: int | None = None) -> None:
        self.interval = interval
        self.root = root or os.getpid()  # the tree's top: this process, or a child's
        self.peak_pss = 0.0
        self.peak_procs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _tree(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                    parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        tree, frontier = [self.root], [self.root]
        while frontier:
            frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
            tree.extend(frontier)
        return tree

    @staticmethod
    def _pss(pid: int) -> float:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def _run(self) -> None:
        if not Path("/proc/self/smaps_rollup").exists():
            return
        while not self._stop.wait(self.interval):
            pids = self._tree()
            self.peak_pss = max(self.peak_pss, sum(self._pss(pid) for pid in pids))
            self.peak_procs = max(self.peak_procs, len(pids))


def _settings(  # noqa: ANN202
    db: Path,
    workers: int,
    batch_size: int | None,
    max_file_mb: float | None,
    store_while_reading: bool = False,
):
    os.environ["NEWSMON_DB"] = str(db)
    from newsmon.config import load_settings

    settings = load_settings()
    ingest = replace(settings.ingest, workers=workers)
    if store_while_reading:
        ingest = replace(ingest, store_while_reading=True)
    if batch_size:
        ingest = replace(ingest, batch_size=batch_size)
    if max_file_mb:
        ingest = replace(ingest, max_file_bytes=int(max_file_mb * 1e6))
    return replace(settings, ingest=ingest)


STAGES = {  # the stage times printed, and what each covers
    "discover": "discover_files",
    "read": "read_files: read + clean + tag, in the workers (its chunks stored alongside)",
    "store alongside": "store_ready: the chunks stored while the reading went on",
    "store after": "store_articles: what was left to store once the reading ended",
    "signals": "detect_signals, and publishing the analyst copy",
    "watchlists": "of which matching the watchlists (--watchlists N)",
}


@contextmanager
def _timing(module: object, name: str, label: str, stage_s: dict[str, float]) -> Iterator[None]:
    """Add the time spent in ``module.name`` (called by the stages as a module attribute) to
    ``stage_s[label]``."""
    fn = getattr(module, name)

    def timed(*a, **kw):  # noqa: ANN002, ANN003, ANN202
        t = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            stage_s[label] = stage_s.get(label, 0.0) + time.perf_counter() - t

    setattr(module, name, timed)
    try:
        yield
    finally:
        setattr(module, name, fn)


def run_once(settings, paths: list[Path], label: str) -> dict:  # noqa: ANN001
    """One ingest run as ``newsmon ingest`` runs it (``pipeline.ingest``), each stage timed."""
    from newsmon.alerting import signals
    from newsmon.flows import ingest, pipeline
    from newsmon.storage import articles

    stage_s: dict[str, float] = dict.fromkeys(STAGES, 0.0)
    t0 = time.perf_counter()
    with (
        _timing(pipeline, "discover_files", "discover", stage_s),
        _timing(ingest, "read_files", "read", stage_s),
        _timing(articles, "store_ready", "store alongside", stage_s),
        _timing(ingest, "store_articles", "store after", stage_s),
        _timing(pipeline, "detect_signals", "signals", stage_s),
        _timing(signals, "detect_watch", "watchlists", stage_s),
    ):
        result = pipeline.ingest(settings, paths)
    total = time.perf_counter() - t0
    return {"label": label, "seconds": total, "stages": stage_s} | result


def grouping(db: Path, corpus_file: Path) -> tuple[float, float, int, int]:
    """Pairwise precision and recall of stored stories against the corpus's true stories."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    row = con.execute(
        """
        with truth as (select url, story from read_json_auto($f, format='newline_delimited')),
        joined as (select a.story_id as pred, t.story as true_story
                   from articles a join truth t on a.url = t.url),
        p as (select count(*) n from joined group by pred),
        t as (select count(*) n from joined group by true_story),
        pt as (select count(*) n from joined group by pred, true_story)
        select (select sum(n*(n-1)/2) from p), (select sum(n*(n-1)/2) from t),
               (select sum(n*(n-1)/2) from pt), (select count(distinct pred) from joined),
               (select count(distinct true_story) from joined)
        """,
        {"f": str(corpus_file)},
    ).fetchone()
    con.close()
    pred_pairs, true_pairs, both, stories, true_stories = (float(x or 0) for x in row)
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    return precision, recall, int(stories), int(true_stories)


PLAIN_TOPICS = {  # what a plain pipeline tags with: one case-folded regex per topic
    "mobilization": "mobili[sz]|conscri|call-up|мобилиз|повестк|призыв|мобіліз|повістк",
    "elections": "election|ballot|выбор|голосован|вибор",
    "protests": "protest|rally|demonstrat|протест|митинг|пикет",
    "censorship": "censor|blocked|foreign agent|цензур|иноагент|блокир",
}


def plain_duckdb(path: Path, db: Path) -> float:
    """Seconds a plain DuckDB pipeline takes over the same JSON Lines file: read it, keep
    one row per text (md5), tag each topic by one regex, store the table: the floor a
    pipeline of SQL alone sets, with none of newsmon's cleaning, near-duplicate stories,
    evidence, countries, regions, search index or signals."""
    import duckdb

    began = time.perf_counter()
    with duckdb.connect(str(db)) as con:
        rel = con.read_json(str(path), format="newline_delimited")
        con.register("incoming", rel)
        topics = ", ".join(
            f"regexp_matches(lower(text), '{rx}') as {name}" for name, rx in PLAIN_TOPICS.items()
        )
        con.execute(  # noqa: S608 (the benchmark's own constants)
            f"create table articles as select distinct on (md5(text)) url, title, text,"
            f" md5(text) as id, {topics} from incoming"
        )
    return time.perf_counter() - began


def describe(result: dict, n: int) -> str:
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in result["stages"].items())
    return (
        f"{result['label']}: {result['articles_new']} new articles, {result['stories_new']} stories,"
        f" {result['signals_new']} signals in {result['seconds']:.1f}s"
        f" -> {n / result['seconds']:,.0f} articles/s ({stages})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--shape", choices=("overlap", "filler"), default="overlap")
    parser.add_argument("--layout", choices=("jsonl", "files"), default="jsonl")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch-size", type=int, help="override ingest.batch_size")
    parser.add_argument("--growth", type=int, default=0, help="also ingest in this many runs")
    parser.add_argument("--no-rerun", action="store_true", help="skip the rerun and append runs")
    parser.add_argument("--max-file-mb", type=float, help="override ingest.max_file_bytes")
    parser.add_argument("--keep", action="store_true", help="keep the corpus and database")
    parser.add_argument(
        "--store-while-reading",
        action="store_true",
        help="set ingest.store_while_reading (store each chunk while the workers read the next)",
    )
    parser.add_argument(
        "--watchlists", type=int, default=0, help="match this many watchlists (bench/watchlists.py)"
    )
    parser.add_argument(
        "--broad-watchlists",
        action="store_true",
        help="watchlists of words this corpus repeats (each story matches ~20 of 500)",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="newsmon-bench-"))
    os.environ["NEWSMON_WATCHLISTS"] = str(work / "watchlists.yaml")  # none unless asked
    if args.watchlists:
        watchlists.write(
            work / "watchlists.yaml", args.watchlists, narrow=not args.broad_watchlists
        )
    else:
        (work / "watchlists.yaml").write_text("watchlists: []\n", encoding="utf-8")
    folder = work / "corpus"
    t0 = time.perf_counter()
    # generated in a child process: the generator's memory is not the pipeline's to measure
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as child:
        size = child.submit(corpus.write, args.shape, args.articles, folder, args.layout).result()
    n = args.articles
    db = work / "db" / "news.duckdb"
    settings = _settings(
        db, args.workers, args.batch_size, args.max_file_mb, args.store_while_reading
    )
    print(
        f"== {args.shape} corpus, {args.layout}: {n} articles ({size / 1e6:.1f} MB) generated in"
        f" {time.perf_counter() - t0:.1f}s; workers={args.workers},"
        f" batch={settings.ingest.batch_size} articles or {settings.ingest.batch_bytes / 1e6:g} MB;"
        f" store while reading: {'yes' if settings.ingest.store_while_reading else 'no'};"
        f" watchlists: {args.watchlists}{' (broad)' if args.broad_watchlists else ''}"
    )

    print("stages: " + "; ".join(f"{k} = {v}" for k, v in STAGES.items()))
    with TreeMemory() as tree:
        first = run_once(settings, [folder], "one run")
    print(describe(first, n))
    print(
        f"peak memory, one run: main process RSS {_vm('VmHWM'):.0f} MB; whole process tree"
        f" (up to {tree.peak_procs} processes) PSS {tree.peak_pss:.0f} MB"
    )
    print(f"database: {db.stat().st_size / 1e6:.0f} MB")
    if args.layout == "jsonl":
        plain = plain_duckdb(folder / "corpus.jsonl", work / "plain.duckdb")
        print(
            f"a plain DuckDB pipeline on the same file (read_json, md5 of the text as exact"
            f" dedup, one regex per topic, insert): {plain:.2f}s; newsmon"
            f" {first['seconds'] / plain:.0f}x its time"
        )
    if args.watchlists:
        w = first["stages"]["watchlists"]
        print(
            f"watchlists: {args.watchlists} matched against {n:,} articles in {w:.2f}s"
            f" ({1e6 * w / n:.0f} us per article; {first.get('watch_matches', 0):,} matches),"
            f" {100 * w / first['seconds']:.1f}% of the run"
        )
    if args.shape == "overlap":
        truth = folder / "corpus.jsonl"
        if args.layout != "jsonl":
            truth = work / "truth.jsonl"
            with truth.open("w", encoding="utf-8") as fh:
                for rec in corpus.records(args.shape, n):
                    fh.write(json.dumps({"url": rec["url"], "story": rec["story"]}) + "\n")
        p, r, got, true = grouping(db, truth)
        print(
            f"story grouping: precision {p:.3f}, recall {r:.3f} (pairs of copies);"
            f" {got} stories found, {true} true"
        )

    if not args.no_rerun:
        again = run_once(settings, [folder], "rerun, inputs unchanged")
        print(
            f"rerun, inputs unchanged: {again['articles_new']} new articles in"
            f" {again['seconds']:.2f}s = {100 * again['seconds'] / first['seconds']:.1f}% of the first run"
        )
        if args.layout == "jsonl":
            extra = list(corpus.records(args.shape, n + 100))[n:]
            with (folder / "corpus.jsonl").open("a", encoding="utf-8") as fh:
                for rec in extra:
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            added = run_once(settings, [folder], "100 records appended")
            print(
                f"100 records appended: {added['articles_new']} new articles stored in"
                f" {added['seconds']:.2f}s = {100 * added['seconds'] / first['seconds']:.1f}% of the first run"
            )

    if args.growth:
        parts = work / "parts"
        parts.mkdir()
        step = n // args.growth
        recs = corpus.records(args.shape, n)
        files = []
        for k in range(args.growth):
            path = parts / f"part-{k:03d}.jsonl"
            with path.open("w", encoding="utf-8") as fh:
                for _ in range(step):
                    fh.write(json.dumps(next(recs), ensure_ascii=False) + "\n")
            files.append(path)
        settings = _settings(
            work / "growth" / "news.duckdb",
            args.workers,
            args.batch_size,
            args.max_file_mb,
            args.store_while_reading,
        )
        print(f"growth: {args.growth} runs of {step} articles into one fresh database")
        print("  stored before | s per 1,000 | read | store alongside | store after | signals")
        per_k = []
        for k, path in enumerate(files):
            res = run_once(settings, [path], f"part {k}")
            s = res["stages"]
            per_k.append(1000 * res["seconds"] / step)
            print(
                f"  {k * step:>13,} | {per_k[-1]:>11.3f} | {s['read']:>5.2f}"
                f" | {s['store alongside']:>15.2f} | {s['store after']:>11.2f}"
                f" | {s['signals']:>7.2f}"
            )
        first_k = per_k[1] if len(per_k) > 1 else per_k[0]  # the first run also warms up
        print(
            f"growth: last run {per_k[-1]:.3f} s per 1,000 vs second {first_k:.3f}"
            f" ({100 * (per_k[-1] / first_k - 1):+.0f}%); {n / sum(per_k) / (step / 1000):,.0f}"
            " articles/s over all runs"
        )
        if len(per_k) >= 7:  # one run's noise (±10% here) decides the line above: also in threes
            early, late = statistics.median(per_k[1:4]), statistics.median(per_k[-3:])
            print(
                f"growth, median of the last three runs vs runs 2-4: {late:.3f} vs {early:.3f}"
                f" s per 1,000 ({100 * (late / early - 1):+.0f}%)"
            )

    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
