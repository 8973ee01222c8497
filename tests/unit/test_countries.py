"""The country pass: every assigned topic knows the country it is about, from evidence."""

from __future__ import annotations

import pytest

from newsmon.config import ConfigError, load_settings
from newsmon.tagging.regions import load_tagger, score_both


@pytest.fixture(scope="module")
def tagger():
    s = load_settings()
    return load_tagger(s.topics_path, s.regions_path, s.countries_path)


def _topics(tagger, title: str, text: str = "") -> dict[str, str | None]:
    topics, _ = score_both(title, text, tagger)
    return {t.topic: t.country for t in topics}


CASES = [
    # Russia's own: by name, actor, institution or region
    (
        "Putin orders partial mobilization",
        "Reservists in Buryatia received call-up papers.",
        "mobilization",
        "RU",
    ),
    (
        "",
        "Military enlistment offices in Omsk handed call-up papers to reservists.",
        "mobilization",
        "RU",
    ),
    ("Duma votes to raise the conscription age to 30", "", "mobilization", "RU"),
    ("Roskomnadzor blocks access to the VPN apps", "", "censorship", "RU"),
    # the acts Russia runs in occupied Ukraine belong to Russia's watch
    (
        "Voting begins in occupied Zaporizhzhia",
        "Russian-installed officials opened polling stations for the referendum on joining Russia.",
        "elections",
        "RU",
    ),
    # Ukraine's own state, though Russia's invasion is named
    (
        "Ukraine lowers its mobilization age to 25",
        "Zelensky signed the law after months of debate; territorial recruitment centres will "
        "hand out summonses, two years into Russia's full-scale invasion.",
        "mobilization",
        "UA",
    ),
    # other countries' own
    ("US midterm elections: Republicans win the House", "", "elections", "US"),
    ("Police detained protesters in Tehran after Mahsa Amini's death", "", "protests", "IR"),
    ("Sondaż przed wyborami do Sejmu: PiS traci poparcie", "", "elections", "PL"),
    # Polish, about Russia
    (
        "Rosja przygotowuje się do kolejnej masowej mobilizacji rezerwistów",
        "",
        "mobilization",
        "RU",
    ),
    (
        "Rosja chce podwyższyć wiek poborowych",
        "Zmianę prawa przegłosowała już Duma Państwowa.",
        "mobilization",
        "RU",
    ),
]


@pytest.mark.parametrize(("title", "text", "topic", "country"), CASES)
def test_each_topic_carries_the_country_it_is_about(tagger, title, text, topic, country) -> None:
    assert _topics(tagger, title, text).get(topic, "not tagged") == country


def test_a_text_that_names_no_country_has_none(tagger) -> None:
    topics = _topics(
        tagger, "Hundreds rally against the new pension law", "Crowds marched downtown."
    )
    assert topics == {"protests": None}


def test_the_country_comes_with_its_evidence(tagger) -> None:
    (t,), _ = score_both("", "Military enlistment offices in Omsk handed call-up papers.", tagger)
    terms = [e.term for e in t.country_evidence]
    assert t.country == "RU" and "military enlistment" in terms
    assert any(term.startswith("region RU-OMS") for term in terms)
    assert all(e.weight > 0 and e.snippet for e in t.country_evidence)


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Russia's draft is drawing criticism from far-flung regions and even pro-war hawks.", ""),
        ("'The worst is yet to come': Russians rush to the borders amid draft fears", ""),
        ("Pro-Putin TV host criticizes Russian draft effort on state television", ""),
    ],
)
def test_a_word_ambiguous_alone_counts_beside_russia(tagger, title, text) -> None:
    assert _topics(tagger, title, text).get("mobilization") == "RU"


@pytest.mark.parametrize(
    "title",
    [
        "The draft law foresees higher spending on schools",
        "The Toronto Maple Leafs traded their first-round pick in the NHL draft",
        "Britain's army is struggling to recruit, and a draft is not on the table",
    ],
)
def test_the_same_word_elsewhere_does_not(tagger, title) -> None:
    assert _topics(tagger, title).get("mobilization") != "RU"


def test_polish_senses_of_the_same_words_are_not_topics(tagger) -> None:
    for title in (
        "Pobór opłat za autostrady wzrośnie od lipca",  # toll collection
        "Rekrutacja na studia: rekordowa liczba kandydatów",  # university admissions
        "Była szefowa MSZ Austrii zamieszkała w Rosji",  # settled, not riots
        "Rolnicy zablokowali drogę do granicy z Ukrainą",  # a road blocked
    ):
        assert _topics(tagger, title) == {}, title


def test_watch_countries_are_read_and_checked(tmp_path) -> None:
    cfg = tmp_path / "s.yaml"
    cfg.write_text("watch: {countries: [ru, ua], unplaced: true}\n", encoding="utf-8")
    watch = load_settings(cfg).watch
    assert watch.countries == ("RU", "UA") and watch.unplaced is True
    cfg.write_text("watch: {countries: RU}\n", encoding="utf-8")
    assert load_settings(cfg).watch.countries == ("RU",)
    for bad in ("watch: {countries: [Russia]}", "watch: {countries: []}", "watch: {unplaced: 1}"):
        cfg.write_text(bad + "\n", encoding="utf-8")
        with pytest.raises(ConfigError):
            load_settings(cfg)
    assert load_settings().watch.countries == ("RU",), "the default watch is Russia"


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Rolnicy protestują przed ministerstwem klimatu",
            "Minister klimatu Anna Moskwa spotkała się z protestującymi rolnikami.",
        ),
        ("Anna Moskwa: protest górników to polityka", "Górnicy protestowali w Katowicach."),
    ],
)
def test_a_namesake_of_moscow_does_not_place_a_polish_story_in_russia(tagger, title, text) -> None:
    """Anna Moskwa, Poland's climate minister until 2023, read as Moscow had fired a
    protests spike for Russia in the 2023 replay; the city itself still counts."""
    assert _topics(tagger, title, text).get("protests", "not tagged") != "RU"
    moscow = _topics(tagger, "Protest w Moskwie", "Demonstranci protestowali w Moskwie.")
    assert moscow.get("protests") == "RU"
