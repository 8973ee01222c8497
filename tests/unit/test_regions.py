"""The region gazetteer: forms in three languages, inflected; ambiguity rules; evidence; the
quality floor on the held-out labelled passages; the generated file is current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LABELLED = ROOT / "tests" / "data" / "labelled"


@pytest.fixture(scope="module")
def gaz():
    from newsmon.tagging.regions import load_gazetteer

    return load_gazetteer()


def _regions(gaz, text: str, title: str = "") -> list[str]:
    from newsmon.tagging.regions import score_regions

    return sorted(r.topic for r in score_regions(title, text, gaz))


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("Новый набор добровольцев объявили в Бурятии.", ["RU-BU"]),
        ("Из Бурятии отправили новую группу.", ["RU-BU"]),
        ("У Бурятії оголосили новий набір на контракт.", ["RU-BU"]),
        ("Buryatia's governor met the families.", ["RU-BU"]),
        ("Summonses were handed out in Ulan-Ude.", ["RU-BU"]),
        ("Суд в Улан-Удэ арестовал дезертира.", ["RU-BU"]),
        ("Floods reached Orenburg and Orsk.", ["RU-ORE"]),
        ("Оренбурзька область знову під водою.", ["RU-ORE"]),
        ("Enlistment officers in the Moscow region went door to door.", ["RU-MOS"]),
        ("Police in Moscow detained a picketer.", ["RU-MOW"]),
        ("В Москве задержали участников пикета.", ["RU-MOW"]),
        ("Shelling of Kharkov killed three people.", ["UA-63"]),
        ("Missiles hit Odessa and Mykolaiv overnight.", ["UA-48", "UA-51"]),
        ("Окупанти примусово мобілізують чоловіків на Запоріжжі.", ["UA-23"]),
        ("Students in occupied Crimea are pressured to sign contracts.", ["UA-43"]),
        ("Жителей Курской области эвакуируют.", ["RU-KRS"]),
        ("На Бєлгородщині оголосили евакуацію.", ["RU-BEL"]),
        ("Drones hit the Alabuga plant near Yelabuga.", ["RU-TA"]),
        ("Workers in Naberezhnye Chelny were handed summonses.", ["RU-TA"]),
        ("В Стерлитамаке задержали дезертира.", ["RU-BA"]),
        ("Рыбинск и Ярославль сократили выплаты.", ["RU-YAR"]),
    ],
)
def test_forms_in_three_languages_and_their_inflections(gaz, text: str, regions: list[str]) -> None:
    assert _regions(gaz, text) == regions


@pytest.mark.parametrize(
    "text",
    [
        "Moscow said it would respond to any new sanctions.",
        "Москва заявила, что не видит оснований для переговоров.",
        "Москва вважає переговори безглуздими.",
        "The Kremlin and Kyiv traded accusations; Kyiv and Moscow blamed each other.",
        "Georgia's parliament adopted the law despite protests.",
        "The Odessa, Texas police department arrested a suspect.",
        "Sergei Kursky, a lawyer for the family, will appeal.",
        "Писатель Андрей Смоленский заявил об изъятии книги.",
        "Депутат Сергей Пермяков предложил ужесточить наказание.",
        "Вибухи пролунали в Білгороді-Дністровському.",
        "Поезд прибыл на Курский вокзал.",
        "Дарья Калугина выиграла конкурс блогеров.",
        "Депутат Иван Тамбовцев и Олег Астраханцев внесли законопроект.",
        "Художник Костромин открыл выставку.",
    ],
)
def test_a_capital_as_government_a_surname_or_a_namesake_is_no_place(gaz, text: str) -> None:
    assert _regions(gaz, text) == []


def test_weak_forms_need_a_second_mention(gaz) -> None:
    assert _regions(gaz, "Yuri Nikolaev said so.") == []
    assert _regions(gaz, "The port of Nikolaev was hit; Nikolaev has no power.") == ["UA-48"]


def test_evidence_points_at_the_words(gaz) -> None:
    from newsmon.tagging.regions import region_rows, score_regions

    text = "Relatives gathered in Ulan-Ude on Monday."
    (row,) = region_rows(score_regions("", text, gaz))
    (ev,) = row["evidence"]
    assert row["region"] == "RU-BU" and ev["field"] == "text"
    assert text[ev["start"] : ev["end"]] == "Ulan-Ude"
    assert "Ulan-Ude" in ev["snippet"]
    assert gaz.name("RU-BU") == "Buryatia" and gaz.regions["UA-43"]["status"] == "claimed"


def test_held_out_passages_meet_the_floor() -> None:
    """Regions on the 126 held-out passages (the topic hold-out set and the held-out hard
    cases); measured P 1.000, R 0.985 when first evaluated. The floor leaves room for a
    rule change that trades one miss."""
    from newsmon.tagging.evaluate import evaluate, gazetteer_predictor, read_labelled
    from newsmon.tagging.regions import load_gazetteer

    records = read_labelled(LABELLED / "holdout.jsonl") + read_labelled(
        LABELLED / "regions-holdout.jsonl"
    )
    assert len(records) == 126
    report = evaluate(records, gazetteer_predictor(load_gazetteer()), [], key="regions")
    assert report["micro"]["precision"] >= 0.97, report["errors"]
    assert report["micro"]["recall"] >= 0.95, report["errors"]


def test_the_gazetteer_is_generated_from_pycountry_and_the_forms(tmp_path: Path) -> None:
    """regions.yaml is what scripts/make_regions.py makes of pycountry and the forms file
    (edit the forms, then regenerate), and covers every ISO 3166-2 code of RU and UA."""
    import pycountry
    import yaml

    committed = (ROOT / "include" / "config" / "regions.yaml").read_text(encoding="utf-8")
    out = tmp_path / "regions.yaml"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_regions.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == committed, "run scripts/make_regions.py"
    codes = {s.code for c in ("RU", "UA") for s in pycountry.subdivisions.get(country_code=c)}
    assert set(yaml.safe_load(committed)["regions"]) == codes
