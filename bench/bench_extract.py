"""Extraction benchmark: `newsmon extract` over the Zyte pages in ../shared, scored by its score.py.

Prints F1 (the benchmark's own scorer) and the median and mean milliseconds per page, for
newsmon's combined extractor and for newspaper4k and trafilatura alone.

    python bench/bench_extract.py [--bench ../shared/benchmarks/zyte]
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--bench", type=Path, default=ROOT.parent / "shared" / "benchmarks" / "zyte"
    )
    args = parser.parse_args()
    if not (args.bench / "ground-truth.json").exists():
        print(f"benchmark not found at {args.bench}", file=sys.stderr)
        return 2
    spec = importlib.util.spec_from_file_location("zyte_score", args.bench / "score.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    truth = json.loads((args.bench / "ground-truth.json").read_text())

    warnings.simplefilter("ignore")
    import trafilatura

    from newsmon.extract import _trafilatura, extract_article
    from newsmon.htmlpage import parse_html

    _, config = _trafilatura()
    runs = {
        "newsmon (newspaper4k + trafilatura)": lambda html, url: extract_article(html, url).text,
        "newspaper4k alone": lambda html, url: parse_html(html, url)["text"],
        "trafilatura alone": lambda html, url: (
            trafilatura.extract(
                html, url=url, include_comments=False, include_tables=True, config=config
            )
            or ""
        ),
    }
    pages = {
        k: gzip.decompress((args.bench / "html" / f"{k}.html.gz").read_bytes()).decode(
            "utf-8", "replace"
        )
        for k in truth
    }
    for name, fn in runs.items():
        pred, times, errors = {}, [], 0
        for key, html in pages.items():
            t0 = time.perf_counter()
            try:
                pred[key] = fn(html, truth[key]["url"])
            except Exception:
                pred[key] = ""
                errors += 1
            times.append((time.perf_counter() - t0) * 1000)
        p, r, f = scorer.score(truth, pred)
        print(
            f"{name:<38} F1 {f:.3f} (P {p:.3f}, R {r:.3f})  median {statistics.median(times):.0f} ms/page,"
            f" mean {statistics.mean(times):.0f} ms  pages {len(pages)}, raised {errors}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
