"""Extraction benchmark: newsmon's extractor over pages with reference bodies.

Two sets, scored by the Zyte benchmark's own ``score.py`` (4-token shingles, per-page P and R
averaged, F1 of the averages):

- ``../shared/benchmarks/zyte``: 181 English pages of 2019-2020 (the reference is the body
  without the headline: newsmon's text is scored);
- ``bench/data/daniel-ru`` (see its ORIGIN.md): Russian-language pages of Russian and
  Ukrainian news sites of 2011-2012, older layouts, from the DANIEL corpus (the reference
  starts with the headline: newsmon's title and text are scored); 8 pages, see its ORIGIN.md.

Prints F1 and the median and mean milliseconds per page, for newsmon's combined extractor,
newspaper4k alone (as it is, and told the page's language) and trafilatura alone.

    python bench/bench_extract.py [--bench DIR ...] [--pages]
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
ZYTE = ROOT.parent / "shared" / "benchmarks" / "zyte"
DANIEL = ROOT / "bench" / "data" / "daniel-ru"


def load(bench: Path) -> tuple[dict, dict[str, str], bool]:
    """``(truth, pages, with_title)`` of one benchmark folder."""
    truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
    meta = truth.pop("_meta", {})
    pages = {
        k: gzip.decompress((bench / "html" / f"{k}.html.gz").read_bytes()).decode(
            "utf-8", "replace"
        )
        for k in truth
    }
    return truth, pages, bool(meta.get("with_title"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", type=Path, action="append")
    parser.add_argument("--pages", action="store_true", help="print newsmon's F1 per page")
    args = parser.parse_args()
    benches = args.bench or [ZYTE, DANIEL]
    if not (ZYTE / "score.py").exists():
        print(f"the scorer is not at {ZYTE / 'score.py'}", file=sys.stderr)
        return 2
    spec = importlib.util.spec_from_file_location("zyte_score", ZYTE / "score.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)

    warnings.simplefilter("ignore")
    import trafilatura

    from newsmon.read.extraction import NotAnArticle, _trafilatura, extract_article
    from newsmon.read.language import detect
    from newsmon.read.newspaper import parse_html

    _, config = _trafilatura()

    def newsmon(html: str, url: str) -> tuple[str | None, str]:
        out = extract_article(html, url)
        return (None, "") if isinstance(out, NotAnArticle) else (out.title, out.text)

    def told(html: str, url: str) -> tuple[str | None, str]:
        sample = trafilatura.extract(html, config=config) or ""
        page = parse_html(html, url, detect(None, sample))
        return page.get("title"), page["text"]

    def alone(html: str, url: str) -> tuple[str | None, str]:
        page = parse_html(html, url)
        return page.get("title"), page["text"]

    def traf(html: str, url: str) -> tuple[str | None, str]:
        text = trafilatura.extract(
            html, url=url, include_comments=False, include_tables=True, config=config
        )
        meta = trafilatura.extract_metadata(html, default_url=url)
        return (meta.title if meta else None), text or ""

    runs = {
        "newsmon (newspaper4k + trafilatura)": newsmon,
        "newspaper4k alone": alone,
        "newspaper4k, told the language": told,
        "trafilatura alone": traf,
    }
    for bench in benches:
        if not (bench / "ground-truth.json").exists():
            print(f"benchmark not found at {bench}", file=sys.stderr)
            return 2
        truth, pages, with_title = load(bench)
        print(f"{bench.name}: {len(pages)} pages")
        for name, fn in runs.items():
            pred, times, errors = {}, [], 0
            for key, html in pages.items():
                t0 = time.perf_counter()
                try:
                    title, text = fn(html, truth[key].get("url"))
                except Exception:
                    title, text = None, ""
                    errors += 1
                times.append((time.perf_counter() - t0) * 1000)
                pred[key] = f"{title}\n{text}" if with_title and title else text
            p, r, f = scorer.score(truth, pred)
            print(
                f"  {name:<38} F1 {f:.3f} (P {p:.3f}, R {r:.3f})"
                f"  median {statistics.median(times):.0f} ms/page,"
                f" mean {statistics.mean(times):.0f} ms  raised {errors}"
            )
            if args.pages and fn is newsmon:
                for key in sorted(truth):
                    t, q = scorer.shingles(truth[key]["articleBody"]), scorer.shingles(pred[key])
                    tp = sum((t & q).values())
                    pp, rr = tp / max(1, sum(q.values())), tp / max(1, sum(t.values()))
                    ff = 2 * pp * rr / (pp + rr) if pp + rr else 0.0
                    print(f"    {ff:.3f} (P {pp:.3f}, R {rr:.3f})  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
