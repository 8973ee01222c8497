"""Benchmark corpora: distinct filler articles, and overlapping articles built from real text.

``overlap`` is the shape that hurts a near-duplicate stage: every article is made of
sentences drawn from the seeds (real English news) and from the labelled passages (English,
Russian, Ukrainian), so unrelated articles on one topic share sentences the way wire copy
and quoted statements do; about a third of the articles are syndicated copies of an earlier
story (same body, another headline and outlet, a trimmed end, an added local lead, a few
words changed), published up to two days later. Each record carries its true story
(``story``) so grouping can be scored.

``filler`` is the older shape: topic sentences padded with random filler words, no overlap.

    python bench/corpus.py overlap 2000 out.jsonl [seed]   # write a corpus as JSON Lines

``tests/data/stories/overlap-300.jsonl`` (the story-grouping fixture) is
``python bench/corpus.py overlap 300 tests/data/stories/overlap-300.jsonl 11``.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTLETS = [
    "Meduza",
    "Novaya Gazeta Europe",
    "The Moscow Times",
    "Kyiv Independent",
    "Ukrainska Pravda",
    "RFE/RL",
    "Mediazona",
    "The Insider",
    "Sibir.Realii",
    "Euromaidan Press",
    "Vot Tak",
    "Verstka",
]
_SPLIT = re.compile(r"(?<=[.!?…])\s+(?=[A-ZА-ЯЁІЇЄҐ«\"“])")


def sentence_pool() -> dict[str, list[str]]:
    """Real sentences by language: the seeds (en) and the labelled passages (en, ru, uk)."""
    pool: dict[str, list[str]] = {"en": [], "ru": [], "uk": []}
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for para in path.read_text(encoding="utf-8").split("\n"):
            para = para.strip()
            if len(para) > 80:  # boilerplate lines and headlines are short
                pool["en"].extend(s for s in _SPLIT.split(para) if len(s) > 40)
    for path in sorted((ROOT / "tests" / "data" / "labelled").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            lang = rec.get("lang", "en")
            if lang in pool:
                pool[lang].extend(s for s in _SPLIT.split(rec["text"]) if len(s) > 40)
    return {k: sorted(set(v)) for k, v in pool.items()}


def _headline(rng: random.Random, sentence: str) -> str:
    words = sentence.split()
    return " ".join(words[: rng.randint(6, 11)]).rstrip(",;:")


def _copy(rng: random.Random, paras: list[str], pool: list[str]) -> list[str]:
    """A syndicated copy: trimmed end, perhaps a local lead, a few words changed."""
    out = list(paras)
    if len(out) > 5 and rng.random() < 0.5:
        out = out[: len(out) - rng.randint(1, 2)]
    if rng.random() < 0.3:
        out.insert(0, rng.choice(pool))
    if rng.random() < 0.5:
        i = rng.randrange(len(out))
        words = out[i].split()
        j = rng.randrange(len(words))
        words[j] = rng.choice(["reportedly", "officially", "again", "now", "also"])
        out[i] = " ".join(words)
    return out


def overlap(
    n: int, seed: int = 7, start: date = date(2024, 1, 1), days: int = 365
) -> Iterator[dict]:
    """``n`` records: originals and syndicated copies of them, with their true story ids."""
    rng = random.Random(seed)
    pool = sentence_pool()
    langs = [("en", 0.7), ("ru", 0.2), ("uk", 0.1)]
    stories: list[tuple[str, str, list[str], date]] = []
    for i in range(n):
        if stories and rng.random() < 0.35:
            story, lang, paras, day = rng.choice(stories[-200:])  # copies follow soon after
            body = _copy(rng, paras, pool[lang])
            day = day + timedelta(days=rng.randint(0, 2))
        else:
            lang = rng.choices([lang for lang, _ in langs], [w for _, w in langs])[0]
            sentences = pool[lang]
            count = rng.randint(6, 14)
            body = [" ".join(rng.sample(sentences, rng.choice((1, 1, 2)))) for _ in range(count)]
            story = f"s{i:07d}"
            day = start + timedelta(days=int(days * i / max(n, 1)))
            stories.append((story, lang, body, day))
        outlet = rng.choice(OUTLETS)
        slug = re.sub(r"\W+", "-", body[0][:40].lower()).strip("-")
        yield {
            "url": f"https://{outlet.lower().replace(' ', '').replace('/', '')}.example/{day:%Y/%m/%d}/{slug}-{i}",
            "title": _headline(rng, rng.choice(body)),
            "text": "\n\n".join(body),
            "published_at": f"{day.isoformat()}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
            "source": outlet,
            "lang": lang,
            "story": story,
        }


# -- the older shape: topic sentences and random filler ---------------------------------------

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
CITIES = ["Omsk", "Perm", "Tver", "Kazan", "Ufa", "Samara", "Tomsk", "Chita", "Kursk", "Orel"]


def _filler(rng: random.Random, words: int) -> str:
    return " ".join(
        "".join(rng.choice("bdgklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(1, 4)))
        for _ in range(words)
    )


def filler_text(i: int) -> str:
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


def filler(n: int) -> Iterator[dict]:
    for i in range(n):
        yield {"text": filler_text(i), "story": f"f{i:07d}"}


def records(shape: str, n: int, seed: int = 7) -> Iterator[dict]:
    return overlap(n, seed) if shape == "overlap" else filler(n)


def write(shape: str, n: int, folder: Path, layout: str) -> int:
    """Write ``n`` records as one JSONL file or as one file each; the bytes written."""
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    if layout == "jsonl":
        with (folder / "corpus.jsonl").open("w", encoding="utf-8") as fh:
            for rec in records(shape, n):
                line = json.dumps(rec, ensure_ascii=False) + "\n"
                fh.write(line)
                total += len(line.encode("utf-8"))
        return total
    for i, rec in enumerate(records(shape, n)):
        sub = folder / f"{i // 1000:04d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        if shape == "filler":
            data = rec["text"]
            (sub / f"{i:07d}.txt").write_text(data, encoding="utf-8")
        else:
            data = json.dumps(rec, ensure_ascii=False)
            (sub / f"{i:07d}.json").write_text(data, encoding="utf-8")
        total += len(data.encode("utf-8"))
    return total


if __name__ == "__main__":
    shape, count, out = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 7
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for rec in records(shape, count, seed):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
