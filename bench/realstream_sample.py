"""A stratified sample of a real RSS stream, for labelling before any rule is tuned.

The strata are disjoint and defined by broad word lists that are *not* the taxonomy (so a
rule change never changes which item falls in which stratum); each item falls in the first
that matches:

| stratum | items |
|---|---|
| ``A`` | the headline names a topic, and the item names Russia or Ukraine |
| ``B`` | the headline names a topic, and the item names neither |
| ``C`` | the text has a topic cue word, and the item names Russia or Ukraine |
| ``D`` | the text has a topic cue word, and names neither |
| ``E`` | the item names Russia or Ukraine, no cue word |
| ``F`` | the rest |

``python bench/realstream_sample.py ../shared/fixtures/realstream-2023 --out DIR`` writes
``DIR/sample.jsonl`` (the sampled items with their texts: keep it outside the project, the
texts are the outlets') and prints the stratum sizes, which the labels file records so
``newsmon evaluate`` can weigh each stratum back to the stream. Deterministic: the sample is
chosen by a hash of each URL, not by a random generator's state.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

RU_UA = re.compile(
    r"\b(russia|russian|kremlin|putin|moscow|ukrain|kyiv|kiev|zelensk|wagner|prigozhin|"
    r"shoigu|rosj|rosyj|rosjan|kreml|moskw|kij[óo]w|zełensk|prigożyn|prygożyn|szojgu|"
    r"росси|русск|кремл|путин|москв|украин|україн|київ|киев|зеленськ|зеленск)",
    re.IGNORECASE,
)
HEADLINE_TOPIC = re.compile(
    r"\b(mobili[sz]|conscri|draft|call-?ups?\b|called up|recruit|enlist|desert|"
    r"elect|vote|voting|ballot|referend|protest|rally|rallies|demonstrat|censor|"
    r"blocked|banned|foreign agent|"
    r"mobiliz|pob[óo]r|poborow|werbun|rekrut|dezert|wybor|głosow|glosow|referend|"
    r"protest|demonstr|manifestac|cenzur|zablok|agent\w* zagraniczn|"
    r"мобилиз|мобіліз|призыв|призов|выбор|вибор|референдум|протест|митинг|мітинг|"
    r"цензур|заблок)",
    re.IGNORECASE,
)
CUE = re.compile(
    HEADLINE_TOPIC.pattern[:-1]
    + r"|reservist|military service|military age|mercenar|contract soldier|prisoner|"
    r"poll\b|polls\b|candidate|detain|arrest|march|strike|riot|dissent|crackdown|"
    r"journalist|press freedom|internet|youtube|telegram|vpn|jail|"
    r"kandydat|sondaż|zatrzyma|areszt|strajk|blokad|zakaz|dziennikar|więzie|najemni|"
    r"zaciąg|wojsk)",
    re.IGNORECASE,
)
SIZES = {"A": 220, "B": 180, "C": 200, "D": 150, "E": 120, "F": 80}


def stratum(item: dict) -> str:
    title, text = item.get("title") or "", item.get("text") or ""
    both = f"{title}\n{text}"
    names = bool(RU_UA.search(both))
    if HEADLINE_TOPIC.search(title):
        return "A" if names else "B"
    if CUE.search(both):
        return "C" if names else "D"
    return "E" if names else "F"


def _key(url: str, salt: str) -> str:
    return hashlib.sha1(f"{salt}|{url}".encode()).hexdigest()


def items(folder: Path):
    for path in sorted(folder.glob("items-*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--salt", default="newsmon-2026-12")
    ap.add_argument("--all", action="store_true", help="take every item (a small stream)")
    args = ap.parse_args(argv)
    sizes: Counter[str] = Counter()
    best: dict[str, list[tuple[str, dict]]] = {s: [] for s in SIZES}
    for item in items(args.folder):
        s = stratum(item)
        sizes[s] += 1
        best[s].append((_key(item["url"], args.salt), item))
    args.out.mkdir(parents=True, exist_ok=True)
    n = 0
    with (args.out / "sample.jsonl").open("w", encoding="utf-8") as fh:
        for s in SIZES:
            chosen = sorted(best[s], key=lambda kv: kv[0])
            if not args.all:
                chosen = chosen[: SIZES[s]]
            for key, item in chosen:
                split = "tune" if int(key[-1], 16) % 2 == 0 else "report"
                row = {"stratum": s, "split": split} | item
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
    json.dump({"stream": dict(sorted(sizes.items())), "sampled": n}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
