"""Watchlists: the file checked one watchlist at a time, the query syntax, the schedules, and
the matcher on an article's facts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsmon.alerting.watch_matching import ArticleFacts, Matcher, confirm, fold
from newsmon.alerting.watch_query import parse_query
from newsmon.alerting.watchlists import (
    channel_watchlist,
    load_watchlists,
    parse_schedule,
    parse_watchlist,
)
from newsmon.config import ConfigError, load_settings


def _file(tmp_path: Path, *items: dict) -> Path:
    path = tmp_path / "watchlists.yaml"
    path.write_text(json.dumps({"watchlists": list(items)}), encoding="utf-8")
    return path


def test_query_words_phrases_negation_and_alternatives() -> None:
    alts = parse_query('повестки Бурятия -учения OR "foreign agent" OR иноагент-центр')
    assert len(alts) == 3
    assert [t.stems for t in alts[0].all_of] == [("повестк",), ("бурят",)]
    assert [t.words for t in alts[0].none_of] == [("учения",)]
    assert alts[1].all_of[0].words == ("foreign", "agent")
    assert alts[2].all_of[0].words == ("иноагент", "центр")  # a hyphenated word is a phrase


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("мобилизация " * 1000, "12,000 characters long; at most 500"),
        ('"частичная мобилизация', "unclosed quote (at character 1)"),
        ("(a OR b) mobilization", "parentheses are not supported"),
        ("ВС", "no word of three letters or more"),
        ("mobilization OR", "every alternative"),
        ("-mobilization", "every alternative"),
        ('""', "empty phrase"),
    ],
)
def test_a_query_that_cannot_be_read_says_why(query: str, says: str) -> None:
    with pytest.raises(ConfigError, match=None) as err:
        parse_query(query)
    assert says in str(err.value)


def test_short_words_may_stand_in_a_phrase() -> None:
    (alt,) = parse_query('"ВС РФ призыв"')
    assert alt.all_of[0].stems == (None, None, "призыв")


def test_one_bad_watchlist_costs_itself_only(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        {"name": "prisoners", "query": "заключенные OR prisoners", "deliver": {"log": True}},
        {"name": "long", "query": "x" * 10_000},
        {"name": "quote", "query": '"foreign agent'},
        {"name": "<b>desk</b>", "topics": ["mobilization"]},
        {"name": "crlf", "topics": ["protests"], "deliver": {"email": ["a@b.org\r\nBcc: x@y.org"]}},
        {
            "name": "zone",
            "topics": ["protests"],
            "deliver": {"schedule": "daily@07:00 Mars/Olympus"},
        },
        {"name": "topic", "topics": ["weather"]},
        {"name": "nothing"},
        {"name": "Prisoners", "topics": ["mobilization"]},
        {"name": "far east", "regions": ["ru-bu", "RU-ZAB"], "topics": ["mobilization"]},
    )
    wfile = load_watchlists(load_settings(), path)
    assert [w.name for w in wfile.watchlists] == ["prisoners", "far east"]
    assert wfile.watchlists[1].regions == ("RU-BU", "RU-ZAB")
    reasons = "\n".join(wfile.errors)
    assert len(wfile.errors) == 8
    for says in (
        "'long': query is 10,000 characters",
        "'quote': query has an unclosed quote",
        "name must be 1-80 letters",
        "'crlf': deliver.email holds what is not one address",
        "'zone': deliver.schedule names an unknown time zone",
        "'topic': unknown topics: weather",
        "'nothing': needs a query, or topics",
        "'Prisoners': the name is used twice",
    ):
        assert says in reasons


def test_a_file_that_cannot_be_read_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "watchlists.yaml"
    path.write_text("watchlists: [unclosed", encoding="utf-8")
    wfile = load_watchlists(None, path)
    assert wfile.watchlists == () and "not valid YAML" in wfile.errors[0]
    path.write_text("- just a list", encoding="utf-8")
    assert "mapping" in load_watchlists(None, path).errors[0]


def test_the_fingerprint_moves_with_what_matches_not_with_delivery() -> None:
    base = {"name": "a", "query": "повестки"}
    one = parse_watchlist(base)
    assert parse_watchlist(base | {"deliver": {"log": True}}).fingerprint == one.fingerprint
    assert parse_watchlist(base | {"query": "повестка"}).fingerprint != one.fingerprint
    assert parse_watchlist(base | {"regions": ["RU-BU"]}).fingerprint != one.fingerprint


def test_channels_name_their_watchlist() -> None:
    wl = parse_watchlist({"name": "Far East desk", "topics": ["mobilization"]})
    assert channel_watchlist(wl.channel("slack")) == "Far East desk"
    assert channel_watchlist("slack") is None


def test_schedules_are_due_once_per_slot() -> None:
    daily = parse_schedule("daily@07:00 Europe/Moscow")  # 04:00 UTC
    at = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)
    assert daily.latest_slot(at) == datetime(2026, 12, 6, 4, 0, tzinfo=UTC)
    assert daily.latest_slot(datetime(2026, 12, 6, 3, 0, tzinfo=UTC)) == datetime(
        2026, 12, 5, 4, 0, tzinfo=UTC
    )
    queued_before = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    queued_after = datetime(2026, 12, 6, 4, 30, tzinfo=UTC)
    assert daily.due(at, queued_before, None)
    assert not daily.due(at, queued_after, None)  # waits for tomorrow's 07:00
    assert not daily.due(at, queued_before, datetime(2026, 12, 6, 4, 1, tzinfo=UTC))
    hourly = parse_schedule("hourly")
    assert hourly.due(
        at, datetime(2026, 12, 6, 4, 59, tzinfo=UTC), datetime(2026, 12, 6, 4, 0, tzinfo=UTC)
    )
    half_past = datetime(2026, 12, 6, 5, 30, tzinfo=UTC)
    assert not hourly.due(half_past, datetime(2026, 12, 6, 5, 10, tzinfo=UTC), None)
    assert parse_schedule("each").due(at, at, at)
    for bad in ("daily@25:00", "weekly", "daily@7"):
        with pytest.raises(ConfigError):
            parse_schedule(bad)


def _article(**kw: object) -> ArticleFacts:
    a = ArticleFacts("a1", "s1", kw.pop("lang", "ru"), kw.pop("source", "Meduza"))
    for key, value in kw.items():
        setattr(a, key, value)
    return a


def test_matcher_words_filters_and_anchors() -> None:
    lists = [
        parse_watchlist({"name": "words", "query": "мобилизация студентов"}),
        parse_watchlist({"name": "not", "query": "мобилизация -учения"}),
        parse_watchlist(
            {
                "name": "far east",
                "regions": ["RU-BU"],
                "topics": ["mobilization"],
                "countries": ["RU"],
            }
        ),
        parse_watchlist({"name": "strong", "topics": ["mobilization"], "min_score": 5}),
        parse_watchlist({"name": "english", "query": "mobilization", "languages": ["en"]}),
    ]
    matcher = Matcher(lists)
    a = _article(
        terms={"мобилизац", "мобилизова", "студент", "учен"},
        topics={"mobilization": (4.0, "RU")},
        regions={"RU-BU"},
    )
    hits = {h.watchlist.name: h for h in matcher.hits(a)}
    assert set(hits) == {"words", "far east"}  # "not" has учения; too weak; not English
    assert hits["words"].evidence["words"] == ["мобилизац", "мобилизова", "студент"]
    assert hits["far east"].evidence["regions"] == ["RU-BU"]
    assert hits["far east"].score == 4.0
    elsewhere = _article(
        terms={"мобилизац", "студент"}, topics={"mobilization": (9.0, "UA")}, regions={"UA-30"}
    )
    assert {h.watchlist.name for h in matcher.hits(elsewhere)} == {"words", "not", "strong"}


def test_short_stems_match_whole_terms_only() -> None:
    matcher = Matcher([parse_watchlist({"name": "war", "query": "war"})])
    assert not matcher.hits(_article(terms={"warsaw", "warn"}))
    assert matcher.hits(_article(terms={"war"}))


def test_a_phrase_is_confirmed_on_the_text() -> None:
    wl = parse_watchlist({"name": "agents", "query": '"иностранным агентом"'})
    together = _article(terms={"иностран", "агент"})
    (hit,) = Matcher([wl]).hits(together)
    assert hit.phrases  # the terms alone cannot tell
    assert confirm(hit, fold("Минюст", "Минюст признал его иностранным агентом в пятницу."))
    (hit,) = Matcher([wl]).hits(together)
    assert not confirm(hit, fold(None, "Агентом назвали иностранным журналистам."))
    (hit,) = Matcher([wl]).hits(together)  # inflected, and across a line break and a dash
    assert confirm(hit, fold(None, "признать ИНОСТРАННЫМИ\n— агентами"))
    (hit,) = Matcher([wl]).hits(together)  # the prefix alone is not the word
    assert not confirm(hit, fold(None, "иностранным агентствам"))


def test_the_commented_examples_in_the_default_file_check_out() -> None:
    import yaml

    from newsmon.config import CONFIG_DIR

    text = (CONFIG_DIR / "watchlists.yaml").read_text(encoding="utf-8")
    example = text[text.index("# watchlists:") :].split("\nwatchlists:")[0]
    items = yaml.safe_load("\n".join(line[2:] for line in example.splitlines()))["watchlists"]
    names = [parse_watchlist(item, load_settings()).name for item in items]
    assert names == ["Far East desk", "prisoners recruited", "foreign agents"]
    assert load_watchlists(None, CONFIG_DIR / "watchlists.yaml").watchlists == ()


def test_brief_settings_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "watchlists.yaml"
    path.write_text(
        json.dumps({"watchlists": [], "brief": {"schedule": "hourly", "channels": ["log"]}}),
        encoding="utf-8",
    )
    wfile = load_watchlists(None, path)
    assert "brief.schedule must be daily" in wfile.errors[0]
    assert wfile.brief.schedule.text == "daily@07:00 Europe/Moscow"  # the default is kept
    path.write_text(
        json.dumps({"brief": {"schedule": "daily@06:30 Asia/Chita", "channels": [], "top": 5}}),
        encoding="utf-8",
    )
    brief = load_watchlists(None, path).brief
    assert (brief.schedule.text, brief.channels, brief.top) == ("daily@06:30 Asia/Chita", (), 5)


def test_brief_text_from_articles_is_escaped() -> None:
    from newsmon.alerting import render_brief

    brief = {
        "scope": "general",
        "day": "2026-12-06",
        "topics": [
            {
                "topic": "mobilization",
                "stories": 4,
                "mean_7d": 1.0,
                "ratio": 4.0,
                "spike": True,
                "per_day": [1] * 7 + [4],
                "chart": "<svg></svg>",
            }
        ],
        "top_stories": [
            {
                "title": "<!channel> <b>Повестки</b> & more",
                "source_count": 2,
                "outlets": ["A<script>"],
                "url": "https://x.example/a> <!here>",
            }
        ],
        "new_regions": [{"region": "RU-BU", "name": "Buryatia", "stories": 2}],
        "silent_sources": [{"source": "Feed <x>", "why": "no new article for 3 d"}],
    }
    slack = render_brief.slack(brief)
    assert "<!channel>" not in slack and "&lt;!channel&gt;" in slack
    assert "<https://x.example/a%3E%20%3C!here%3E|" in slack
    subject, text, html = render_brief.email(brief, "[newsmon]")
    assert "<script>" not in html and "&lt;b&gt;Повестки&lt;/b&gt;" in html
    assert "<svg></svg>" in html  # the console's bars, drawn from counts
    assert "\n" not in subject and subject.startswith("[newsmon] newsmon brief, 2026-12-06")
    assert "4× the usual" in text and "a spike signal fired" in text


def test_numbers_must_be_finite_and_rejected_names_are_known(tmp_path: Path) -> None:
    path = tmp_path / "watchlists.yaml"
    path.write_text(  # YAML's own NaN and infinity, which are floats
        "watchlists:\n"
        "  - {name: nan, topics: [protests], min_score: .nan}\n"
        "  - {name: inf, topics: [protests], cooldown_hours: .inf}\n"
        "  - {name: ok, topics: [protests]}\n",
        encoding="utf-8",
    )
    wfile = load_watchlists(None, path)
    assert "min_score must be a number of at least 0, not nan" in wfile.errors[0]
    assert [w.name for w in wfile.watchlists] == ["ok"]
    assert [n for n, _ in wfile.rejected] == ["nan", "inf"]
    assert wfile.is_rejected("nan") and not wfile.is_rejected("ok") and not wfile.unreadable
    (tmp_path / "watchlists.yaml").write_text("watchlists: [", encoding="utf-8")
    assert load_watchlists(None, path).is_rejected("anything")
