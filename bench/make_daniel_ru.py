"""Build ``bench/data/daniel-ru`` from pages copied out of the DANIEL corpus.

The input folder holds ``html/<name>.html`` and ``reference/<name>.txt`` pairs (see
``bench/data/daniel-ru/ORIGIN.md`` for where they come from and how they were copied). The
reference's ``<p>`` lines become the body (entities unescaped, one paragraph a line); each
page is stored gzipped, with the site's address as its URL.

    python bench/make_daniel_ru.py SRC [SRC ...]
"""

from __future__ import annotations

import argparse
import gzip
import html as htmllib
import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "daniel-ru"
_TAG = re.compile(r"<[^>]+>")


def body(reference: str) -> str:
    lines = (htmllib.unescape(_TAG.sub(" ", line)) for line in reference.splitlines())
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", type=Path, nargs="+")
    args = parser.parse_args()
    truth: dict[str, dict] = {
        "_meta": {
            "with_title": True,
            "origin": "rundimeco/waddle Corpus_daniel_v2.0 (see ORIGIN.md)",
        }
    }
    (OUT / "html").mkdir(parents=True, exist_ok=True)
    for src in args.sources:
        for page in sorted((src / "html").glob("*.html")):
            name = page.stem
            ref = src / "reference" / f"{name}.txt"
            if name in truth or not ref.exists():
                continue
            site = name.split("_")[1]
            truth[name] = {"url": f"http://{site}/", "articleBody": body(ref.read_text("utf-8"))}
            (OUT / "html" / f"{name}.html.gz").write_bytes(
                gzip.compress(page.read_bytes(), mtime=0)
            )
    (OUT / "ground-truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"{len(truth) - 1} pages in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
