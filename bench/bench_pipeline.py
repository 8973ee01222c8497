"""Benchmark: clean + tag + store throughput for text articles, rerun cost and peak memory.

Generates N distinct news-like .txt articles (mixed topics, publisher boilerplate, EN/RU/UK),
ingests them into a fresh DuckDB file through the same path as `newsmon ingest`, runs the
same inputs again, and prints figures. Memory is the peak RSS of this process (getrusage)
and, sampled from /proc, the peak PSS of the whole process tree: main process, forkserver
and workers together. Nothing here is asserted: the numbers are for people.

    python bench/bench_pipeline.py --articles 20000 [--workers 2] [--memory-only]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

SENTENCES = {
    "mobilization": [
        "Military enlistment offices in {city} handed call-up papers to {n} men this week.",
        "Relatives of mobilised soldiers from {city} demanded rotation after {n} days at the front.",
        "The region raised the one-off payment for contract soldiers to {n} thousand roubles.",
        "В {city} военкоматы разослали {n} повесток мужчинам призывного возраста.",
        "У {city} військкомат вручив {n} повісток, мобілізація триває.",
    ],
    "elections": [
        "Observers in {city} reported ballot stuffing at {n} polling stations.",
        "The election commission refused to register {n} candidates in {city}.",
        "Избирательная комиссия {city} сообщила о явке {n} процентов на выборах.",
    ],
    "protests": [
        "Police in {city} detained {n} protesters at an unsanctioned rally against the war.",
        "Workers in {city} went on strike over {n} months of unpaid wages.",
        "В {city} прошел митинг, задержаны {n} человек.",
    ],
    "censorship": [
        "Roskomnadzor blocked {n} websites in {city} for spreading 'fakes' about the army.",
        "A journalist from {city} was fined {n} thousand roubles for discrediting the army.",
    ],
    "none": [
        "The {city} council approved a budget of {n} million for road repairs.",
        "Heavy snow in {city} delayed {n} flights on Monday.",
        "The {city} theatre opened its season with a premiere watched by {n} people.",
        "Farmers near {city} harvested {n} tonnes of wheat despite the dry summer.",
    ],
}
BOILERPLATE = [
    "Copyright © 2024 Example Media",
    "Read also:",
    "Share this:",
    "Privacy and Cookie Policies.",
    "Become a Patron!",
    "Related Posts",
]
CITIES = [
    "Omsk",
    "Perm",
    "Tver",
    "Kazan",
    "Ufa",
    "Samara",
    "Tomsk",
    "Chita",
    "Kursk",
    "Orel",
    "Pskov",
    "Tula",
]


def _filler(rng: random.Random, words: int) -> str:
    return " ".join(
        "".join(rng.choice("bdgklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(1, 4)))
        for _ in range(words)
    )


def make_article(i: int) -> str:
    rng = random.Random(i)
    topic = rng.choice(list(SENTENCES))
    paras = []
    for _ in range(rng.randint(6, 10)):
        pool = SENTENCES[topic] if rng.random() < 0.4 else SENTENCES["none"]
        s = rng.choice(pool).format(city=rng.choice(CITIES), n=rng.randint(2, 900))
        paras.append(f"{s} {_filler(rng, rng.randint(25, 45))}.")
    title = f"Report {i}: " + SENTENCES[topic][0].format(city=rng.choice(CITIES), n=i % 97)[:70]
    tail = rng.sample(BOILERPLATE, 3)
    return "\n\n".join([tail[0], title, *paras, *tail[1:]]) + "\n"


def generate(folder: Path, n: int) -> int:
    total = 0
    for i in range(n):
        sub = folder / f"{i // 1000:04d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        text = make_article(i)
        (sub / f"{i:07d}.txt").write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
    return total


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

    Every ``interval`` seconds it sums RSS and PSS (proportional set size: shared pages
    divided among the processes sharing them, so the sum is what the tree really holds)
    over the tree, from /proc, and keeps the peaks. Linux only; zeros elsewhere.
    """

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak_rss = self.peak_pss = 0.0
        self.peak_procs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @staticmethod
    def _tree() -> list[int]:
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                    parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        tree, frontier = [os.getpid()], [os.getpid()]
        while frontier:
            frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
            tree.extend(frontier)
        return tree

    @staticmethod
    def _mem(pid: int) -> tuple[float, float]:
        rss = pss = 0.0
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) / 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) / 1024
        except OSError:
            pass
        return rss, pss

    def _run(self) -> None:
        if not Path("/proc/self/smaps_rollup").exists():
            return
        while not self._stop.wait(self.interval):
            pids = self._tree()
            figures = [self._mem(pid) for pid in pids]
            self.peak_rss = max(self.peak_rss, sum(r for r, _ in figures))
            self.peak_pss = max(self.peak_pss, sum(p for _, p in figures))
            self.peak_procs = max(self.peak_procs, len(pids))


def peak_rss_mb() -> tuple[float, float]:
    """Peak RSS of this process and of the largest worker process, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own / 1024, children / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--memory-only", action="store_true", help="skip the rerun; report memory")
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated corpus and database"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="newsmon-bench-"))
    corpus = work / "corpus"
    t0 = time.perf_counter()
    size = generate(corpus, args.articles)
    print(
        f"generated {args.articles} articles ({size / 1e6:.1f} MB, mean {size / args.articles / 1000:.1f} kB) in {time.perf_counter() - t0:.1f}s"
    )

    os.environ["NEWSMON_DB"] = str(work / "db" / "news.duckdb")
    from newsmon.config import load_settings
    from newsmon.pipeline import ingest

    settings = load_settings()
    settings = settings.__class__(
        **{
            **settings.__dict__,
            "ingest": settings.ingest.__class__(
                **{
                    **settings.ingest.__dict__,
                    "workers": args.workers,
                    "batch_size": args.batch_size,
                }
            ),
        }
    )

    from newsmon import runs, stages

    stage_s: dict[str, float] = {}
    hwm: dict[str, float] = {}

    def timed(name: str, fn, *a, **kw):  # noqa: ANN001, ANN202
        t = time.perf_counter()
        out = fn(*a, **kw)
        stage_s[name] = time.perf_counter() - t
        hwm[name] = _vm("VmHWM")
        return out

    tree = TreeMemory().__enter__()
    t0 = time.perf_counter()
    run_id = runs.new_run_id("bench")
    found = timed("discover", stages.discover_files, settings, run_id, [corpus])
    timed("read+clean", stages.read_files, settings, run_id)
    tagged = timed("tag", stages.tag_articles, settings, run_id)
    loaded = timed("store", stages.store_articles, settings, run_id)
    signals = timed("signals", stages.detect_signals, settings, run_id)
    first_s = time.perf_counter() - t0
    tree.__exit__()
    first = loaded | signals | {"topics": tagged["topics"], "files_found": found["files_found"]}
    print("stages: " + ", ".join(f"{k} {v:.1f}s" for k, v in stage_s.items()))
    print(
        "main-process peak RSS after each stage: "
        + ", ".join(f"{k} {v:.0f} MB" for k, v in hwm.items())
    )
    print(
        f"first run: {first['articles_new']} articles, {first['stories_new']} stories, topics {first['topics']},"
        f" {first['signals_new']} signals in {first_s:.1f}s -> {first['articles_new'] / first_s:,.0f} articles/s"
        f" (workers={args.workers}, batch={args.batch_size})"
    )
    if not args.memory_only:
        t0 = time.perf_counter()
        second = ingest(settings, [corpus])
        second_s = time.perf_counter() - t0
        print(
            f"rerun: {second['files_skipped']} files skipped, {second['articles_new']} new articles in"
            f" {second_s:.2f}s = {100 * second_s / first_s:.1f}% of the first run"
        )
    main_mb, worker_mb = peak_rss_mb()
    workers = (
        f"{worker_mb:.0f} MB largest worker"
        if worker_mb
        else "workers not measured (forkserver children)"
    )
    print(f"peak RSS: {main_mb:.0f} MB main process; {workers}")
    print(
        f"first run, whole process tree (main, forkserver, workers; up to {tree.peak_procs}"
        f" processes, sampled every {tree.interval}s): peak PSS {tree.peak_pss:.0f} MB,"
        f" peak RSS sum {tree.peak_rss:.0f} MB (shared pages counted in each process)"
    )
    print(f"database: {Path(os.environ['NEWSMON_DB']).stat().st_size / 1e6:.0f} MB")
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
