"""The analyst console in the real Airflow UI: Airflow's API server (with the plugin folder,
a throwaway AIRFLOW_HOME and the console's fixture database), a login through Airflow's
simple auth manager in headless Chromium (Debian's package, driven by Playwright; nothing
downloads a browser), and what a person sees on each page. Screenshots are saved under
``.artifacts/console/`` for a person to look at.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests import console_db
from tests.conftest import ROOT
from tests.integration.servers import free_port

CHROMIUM = os.environ.get("NEWSMON_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / ".artifacts" / "console"
PASSWORD = "console-test-password"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def console(airflow_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Airflow's API server on a free loopback port, serving the plugin over a fixture DB."""
    from newsmon.storage.db import open_db
    from newsmon.storage.readcopy import publish

    tmp = tmp_path_factory.mktemp("console")
    db = tmp / "db" / "news.duckdb"
    (tmp / "sources.yaml").write_text(
        json.dumps(
            {
                "sources": [
                    {"name": "healthy-feed", "type": "feed", "url": "https://healthy.example/rss"},
                    {"name": "silent-feed", "type": "feed", "url": "https://silent.example/rss"},
                    {"name": "failing-feed", "type": "feed", "url": "https://failing.example/rss"},
                ]
            }
        ),
        encoding="utf-8",
    )
    (tmp / "settings.yaml").write_text(
        json.dumps({"fetch": {"sources_path": str(tmp / "sources.yaml")}}), encoding="utf-8"
    )
    old = {k: os.environ.get(k) for k in ("NEWSMON_DB", "NEWSMON_CONFIG")}
    os.environ["NEWSMON_CONFIG"] = str(tmp / "settings.yaml")
    built = console_db.build(db)
    with open_db(built["settings"]) as con:
        publish(con, built["settings"])  # the console reads the analyst copy, as in production
    (tmp / "passwords.json").write_text(json.dumps({"admin": PASSWORD}), encoding="utf-8")
    port = free_port()
    env = dict(os.environ) | {
        "NEWSMON_DB": str(db),
        "NEWSMON_CONFIG": str(tmp / "settings.yaml"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(tmp / "passwords.json"),
        "AIRFLOW__API_AUTH__JWT_SECRET": "console-test-secret-0123456789abcdef",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
    }
    airflow = str(Path(sys.executable).with_name("airflow"))
    log = (tmp / "api-server.log").open("w")
    proc = subprocess.Popen(
        [airflow, "api-server", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(f"{base}/api/v2/monitor/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    "the API server did not start:\n" + (tmp / "api-server.log").read_text()[-3000:]
                )
            time.sleep(0.5)
        yield {"base": base, "log": tmp / "api-server.log"} | built
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _token(base: str) -> str:
    got = requests.post(
        f"{base}/auth/token", json={"username": "admin", "password": PASSWORD}, timeout=10
    )
    assert got.status_code in (200, 201), got.text
    return got.json()["access_token"]


def test_every_console_route_needs_an_airflow_login(console: dict) -> None:
    base = console["base"]
    routes = [
        "/newsmon/",
        "/newsmon/sources",
        "/newsmon/search?q=summonses",
        f"/newsmon/signal?id={console_db.NEW_STORY}",
        "/newsmon/export/signals.csv",
        f"/newsmon/export/copies.csv?id={console_db.STORY}",
    ]
    for route in routes:
        anon = requests.get(base + route, timeout=10)
        assert anon.status_code in (401, 403), route
        assert "Summonses" not in anon.text and "silent-feed" not in anon.text
        forged = requests.get(base + route, cookies={"_token": "not-a-jwt"}, timeout=10)
        assert forged.status_code in (401, 403), route
    token = _token(base)
    ok = requests.get(base + "/newsmon/export/signals.csv", cookies={"_token": token}, timeout=10)
    assert ok.status_code == 200 and console_db.NEW_STORY in ok.text
    bearer = requests.get(
        base + "/newsmon/", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert bearer.status_code == 200 and "Overview" in bearer.text
    plugins = requests.get(
        base + "/api/v2/plugins", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).json()
    views = [v for p in plugins["plugins"] for v in p["external_views"]]
    assert {"name": "newsmon", "url_route": "newsmon", "href": "newsmon/"}.items() <= views[
        0
    ].items()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium with apt; "
            "without apt, install it by hand (or set NEWSMON_CHROMIUM)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _login(browser: Any, base: str, width: int = 1280, height: int = 900) -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    page = context.new_page()
    page.dialogs = []  # a hostile title that ran would open one
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(base + "/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/", timeout=60_000)
    return page


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_an_analyst_logs_in_and_reads_the_overview_in_the_airflow_ui(
    console: dict, browser: Any
) -> None:
    page = _login(browser, console["base"])
    entry = page.get_by_role("link", name="newsmon")
    entry.first.click()
    page.wait_for_url("**/plugin/newsmon")
    frame = page.frame_locator("iframe").first
    frame.locator("h1").first.wait_for(timeout=30_000)
    assert frame.locator("h1").first.inner_text().startswith("Overview")
    chart = frame.locator("svg.chart")
    assert chart.locator("polyline").count() == 4
    spike = chart.locator("g.spike")
    assert spike.count() == 1
    assert "9 stories against a baseline" in spike.first.locator("title").text_content()
    cards = frame.locator(".card[data-topic='mobilization']")
    assert cards.locator(".big").inner_text().strip().isdigit()
    signals = frame.locator("table.signals tbody tr")
    assert signals.count() == 3  # a new story, a spike and a regional spike
    assert "Summonses handed to 300 men" in signals.first.inner_text()
    _shot(page, "overview-in-airflow")
    # the spike's marker leads to the stories behind it
    spike.first.click()
    frame.locator("h1", has_text="Spike: mobilization").wait_for(timeout=30_000)
    assert frame.locator("table tbody tr").count() >= 9
    _shot(page, "spike-signal")
    assert page.dialogs == []


def test_a_signal_page_shows_its_evidence_copies_and_alerts(console: dict, browser: Any) -> None:
    page = _login(browser, console["base"])
    page.goto(f"{console['base']}/newsmon/signal?id={console_db.NEW_STORY}")
    assert page.locator("h1").inner_text() == "New story: mobilization"
    marks = page.locator("table.evidence mark").all_inner_texts()
    assert "Summonses" in marks and "mobilized" in marks
    copies = page.locator("table.copies tbody tr")
    assert copies.count() == 3
    hostile = copies.nth(1)
    assert console_db.HOSTILE_TITLE in hostile.inner_text()  # shown as text, not run
    assert hostile.locator("a").count() == 0  # a javascript: URL is not a link
    assert page.locator("img").count() == 0 and page.locator("script").count() == 0
    quoted = copies.nth(2).locator("a")
    assert quoted.get_attribute("href") == console_db.QUOTE_URL
    assert quoted.get_attribute("onmouseover") is None
    alerts = page.locator("table.alerts").inner_text()
    assert "email" in alerts and "failed" in alerts and "SMTP 550" in alerts and "slack" in alerts
    _shot(page, "new-story-signal")
    assert page.dialogs == []


def test_a_silent_and_a_failing_source_show_red_with_words(console: dict, browser: Any) -> None:
    page = _login(browser, console["base"])
    page.goto(f"{console['base']}/newsmon/sources")
    silent = page.locator("tr[data-source='silent-feed']")
    assert silent.get_attribute("data-status") == "silent"
    assert "SILENT" in silent.locator(".badge").inner_text()
    assert "no new article for 4 d" in silent.inner_text()
    red = silent.locator("td").first.evaluate("e => getComputedStyle(e).backgroundColor")
    r, g, b = (int(x) for x in red[red.index("(") + 1 : red.index(")")].split(",")[:3])
    assert r > g and r > b, red  # a red tint
    failing = page.locator("tr[data-source='failing-feed']")
    assert "FAILING" in failing.locator(".badge").inner_text()
    assert "HTTP 503" in failing.inner_text()
    healthy = page.locator("tr[data-source='healthy-feed']")
    assert "OK" in healthy.locator(".badge").inner_text()
    assert healthy.locator("svg.bars rect").count() == 14
    _shot(page, "sources")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").first.click()
    table = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    status = {r["source"]: r["status"] for r in table}
    assert [r["source"] for r in table][:3] == ["healthy-feed", "silent-feed", "failing-feed"]
    assert (status["healthy-feed"], status["silent-feed"], status["failing-feed"]) == (
        "ok",
        "silent",
        "failing",
    )
    assert status["Meduza"] == "quiet"  # an outlet of ingested files, too few arrivals to judge


def test_search_with_filters_leads_to_the_story(console: dict, browser: Any) -> None:
    from newsmon.config import load_settings
    from newsmon.storage.db import open_db
    from newsmon.storage.readcopy import publish
    from newsmon.storage.search import index_missing

    settings = load_settings()
    with open_db(settings) as con:
        index_missing(con)
        publish(con, settings)
    page = _login(browser, console["base"])
    page.goto(f"{console['base']}/newsmon/search")
    page.get_by_label("Words").fill("повестки")
    page.get_by_label("Language").select_option("ru")
    page.get_by_role("button", name="Search").click()
    results = page.locator("ol.results li")
    results.first.wait_for()
    assert results.count() == 1
    assert results.first.locator("mark").first.inner_text() == "повестки"
    _shot(page, "search")
    results.first.locator("a").first.click()
    assert page.locator("table.copies tbody tr").count() == 3


def test_the_pages_fit_a_phone(console: dict, browser: Any) -> None:
    page = _login(browser, console["base"], width=390, height=844)
    for name, path in (
        ("overview", "/newsmon/"),
        ("signal", f"/newsmon/signal?id={console_db.NEW_STORY}"),
        ("sources", "/newsmon/sources"),
    ):
        page.goto(console["base"] + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 392, (name, width)
        _shot(page, f"phone-{name}")


@pytest.fixture(scope="module", autouse=True)
def _keep_server_log(console: dict) -> Iterator[None]:
    yield
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(console["log"], ARTIFACTS / "api-server.log")


def test_the_watchlists_page_shows_matches_and_links_the_story(
    console: dict, browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsmon.config import load_settings
    from newsmon.flows.store import detect_signals

    listed = tmp_path / "watchlists.yaml"
    listed.write_text(
        json.dumps(
            {
                "watchlists": [
                    {"name": "Buryatia desk", "regions": ["RU-BU"], "topics": ["mobilization"]},
                    {"name": "<i>bad</i>", "topics": ["mobilization"]},
                ]
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("NEWSMON_WATCHLISTS", str(listed))
    detect_signals(load_settings(), "watchlists-test")  # a new watchlist: the last 7 days
    page = _login(browser, console["base"])
    page.goto(f"{console['base']}/newsmon/watchlists")
    desk = page.locator("section[data-watchlist='Buryatia desk']")
    assert "regions RU-BU" in desk.inner_text()
    assert desk.locator("svg.bars rect").count() == 30
    assert "recorded: delivers nowhere" in desk.locator("table.matches").inner_text()
    bad = page.locator("section[data-watchlist='<i>bad</i>']")
    assert "NOT USED" in bad.inner_text() and "name must be" in bad.inner_text()
    assert page.locator("i", has_text="bad").count() == 0  # the markup stays text
    _shot(page, "watchlists")
    desk.locator("table.matches a").first.click()
    assert page.locator("h2#watchlists").count() == 1
    assert "Buryatia desk" in page.locator("h2#watchlists + ul").inner_text()
    assert page.dialogs == []
