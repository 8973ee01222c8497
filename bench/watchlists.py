"""Many watchlists for the benchmark, as a newsroom might write them: words and phrases of
the corpus's own sentences (EN, RU, UK), alternatives, exclusions, and some with filters
only (topics, regions, countries), in a fixed mix (seeded: every run the same).

A beat is narrow. This corpus repeats a small pool of real sentences, so even its rarest
word is in ~2% of the articles: with ``narrow`` (the default) every alternative asks for
two or three words together (or a phrase), and filters only come with regions, so 500
watchlists match a story about once; ``narrow=False`` gives single words and broad
topic filters too (each story then matches ~20 of 500: the heavy case)."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

from corpus import sentence_pool

_WORD = re.compile(r"[^\W\d_]{5,}")
TOPICS = ["mobilization", "elections", "protests", "censorship"]
REGIONS = ["RU-BU", "RU-ZAB", "RU-MOW", "RU-SPE", "RU-DA", "RU-TY", "RU-KDA", "RU-NVS"]


def _key(word: str) -> str:
    from newsmon.alerting.watch_matching import word_prefix
    from newsmon.article.index_terms import stem

    s = stem(word.replace("ё", "е"))
    return word_prefix(s) if s else word


def write(path: Path, n: int, seed: int = 11, narrow: bool = True) -> Path:
    """``n`` watchlists into ``path`` (a watchlists.yaml)."""
    rng = random.Random(seed)
    sentences = [s for lang in sentence_pool().values() for s in lang]
    # ranked by what a watchlist word matches (its stem's prefix), so a rare inflection of a
    # common word does not pass for a rare word
    counts = Counter(_key(w.lower()) for s in sentences for w in _WORD.findall(s))
    forms = {_key(w.lower()): w.lower() for s in sentences for w in _WORD.findall(s)}
    ranked = [forms[k] for k, _ in counts.most_common()]
    # beats, not stop words: the rarer half (names, places, terms)
    words = ranked[len(ranked) // 2 :]
    items = []
    for i in range(n):
        kind = i % 10
        item: dict = {"name": f"watchlist {i:04d}", "deliver": {"log": True}}
        if i % 25 == 0:  # filters only: a desk's regions (4%), or a topic about Russia (1%)
            item["topics"] = rng.sample(TOPICS, 1)
            if i % 100 or narrow:
                item["regions"] = rng.sample(REGIONS, 2)
            else:
                item["countries"] = ["RU"]
        else:
            alternatives = []
            for _ in range(rng.choice((1, 1, 2, 3))):
                if rng.random() < 0.2:  # a phrase: two words next to each other in a sentence
                    s = _WORD.findall(rng.choice(sentences))
                    j = rng.randrange(max(1, len(s) - 1))
                    alternatives.append('"' + " ".join(s[j : j + 2]).lower() + '"')
                else:
                    sizes = (2, 2, 3) if narrow else (1, 1, 2)
                    alternatives.append(" ".join(rng.sample(words, rng.choice(sizes))))
            item["query"] = " OR ".join(alternatives)
            if kind == 9:
                item["query"] += " -" + rng.choice(words)
            if kind == 8:
                item["topics"] = rng.sample(TOPICS, 2)
        items.append(item)
    path.write_text(json.dumps({"watchlists": items}, ensure_ascii=False), encoding="utf-8")
    return path
