"""Feeds out: every run writes an Atom file per watched topic, which a real Atom parser reads
and the console serves."""

from __future__ import annotations

import feedparser
import pytest

from tests.conftest import SEEDS

pytestmark = pytest.mark.integration


def test_every_run_writes_the_watched_topics_feeds_and_the_console_serves_them(settings) -> None:
    from fastapi.testclient import TestClient

    from newsmon.alerting.atom_feeds import feeds_dir
    from newsmon.console.app import create_app
    from newsmon.flows.pipeline import ingest

    folder = feeds_dir(settings)
    folder.mkdir(parents=True)
    (folder / "retired.atom").write_text("a topic no longer watched")
    (folder / ".mobilization.atom.99.tmp").write_text("left by a killed write")
    ingest(settings, [SEEDS])
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["censorship.atom", "elections.atom", "mobilization.atom", "protests.atom"]
    doc = feedparser.parse(folder / "mobilization.atom")
    assert not doc.bozo and doc.version == "atom10"
    assert len(doc.entries) == 5, "every seed is a mobilization story"
    assert all(e.summary.startswith("1 outlet") and "about RU" in e.summary for e in doc.entries)
    first = [e.id for e in doc.entries]

    ingest(settings, [SEEDS])  # nothing new: the same stories, and no file left half-written
    assert [e.id for e in feedparser.parse(folder / "mobilization.atom").entries] == first
    assert sorted(p.name for p in folder.iterdir()) == names

    client = TestClient(create_app())
    served = client.get("/feeds/mobilization.atom")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("application/atom+xml")
    assert served.content == (folder / "mobilization.atom").read_bytes()
    assert 'href="/feeds/mobilization.atom"' in client.get("/").text
    for bad in ("nope", "..%2Fnews", "Mobilization", "a" * 80):
        assert client.get(f"/feeds/{bad}.atom").status_code == 404, bad
