"""A small newsmon database for the console's tests, written through the real schema.

Rows are inserted directly (not through the pipeline) so each page has a known answer: a
mobilization spike yesterday, new-story signals with evidence and alerts, a story carried by
three outlets (one with a hostile title and URLs), a feed that went silent, a failing feed,
a healthy one, and ingest errors. Times are relative to ``now``; the
tests that count by day pass a ``now`` at noon, so no count straddles midnight.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

HOSTILE_TITLE = (
    '<script>alert("t")</script>"><img src=x onerror=alert(1)> =HYPERLINK("http://evil")'
)
HOSTILE_URL = "javascript:alert(document.cookie)"
QUOTE_URL = 'https://evil.example/a"onmouseover="alert(2)'
STORY = "story-mob-1"
SPIKE = "spike:mobilization:yesterday"
NEW_STORY = "new_story:mobilization:story-mob-1"
REGION_SPIKE = "region_spike:mobilization:RU-BU:yesterday"
AIRFLOW_RUN = "manual__2026-12-06T07:13:52.388719+00:00"  # Airflow's own id of run-1

MOB_TEXT = (
    "The military enlistment office in Ulan-Ude handed summonses to 300 men on Monday. "
    "Relatives of mobilized soldiers gathered outside the regional government to demand rotation. "
    "The governor promised to mobilize resources for their families."
)


def build(db_path: Path, now: datetime | None = None) -> dict[str, object]:
    """Create the schema at ``db_path`` and fill it; returns the ids and times used."""
    import os

    from newsmon.config import load_settings
    from newsmon.storage.articles import upsert_regions
    from newsmon.storage.db import open_db
    from newsmon.storage.readcopy import publish

    now = now or datetime.now(UTC)
    os.environ["NEWSMON_DB"] = str(db_path)
    settings = load_settings()
    day = now.date()
    yesterday = day - timedelta(days=1)
    with open_db(settings) as con:
        arts = []  # (article_id, story_id, url, source, title, text, lang, published, date_source, first_seen)
        # the mobilization story: three outlets, the second with hostile fields
        arts.append(
            (
                "a-mob-1",
                STORY,
                "https://meduza.example/news/1",
                "Meduza",
                "Summonses handed to 300 men in Buryatia",
                MOB_TEXT,
                "en",
                now - timedelta(hours=6),
                "meta",
                now - timedelta(hours=5),
            )
        )
        arts.append(
            (
                "a-mob-2",
                STORY,
                HOSTILE_URL,
                "<b>Evil</b> Outlet",
                HOSTILE_TITLE,
                MOB_TEXT + " More.",
                "en",
                now - timedelta(hours=5),
                "feed",
                now - timedelta(hours=4),
            )
        )
        arts.append(
            (
                "a-mob-3",
                STORY,
                QUOTE_URL,
                "Novaya",
                "Повестки 300 мужчинам в Улан-Удэ",
                "Военкомат в Улан-Удэ вручил повестки 300 мужчинам.",
                "ru",
                None,
                None,
                now - timedelta(hours=3),
            )
        )
        # yesterday's spike: nine more mobilization stories, one copy each, from a healthy feed
        for i in range(9):
            t = datetime.combine(yesterday, datetime.min.time(), UTC) + timedelta(
                minutes=30 + 60 * i
            )
            arts.append(
                (
                    f"a-spike-{i}",
                    f"story-spike-{i}",
                    f"https://healthy.example/{i}",
                    "healthy-feed",
                    f"Call-up drive number {i}",
                    f"Call-up papers were handed out in district {i}.",
                    "en",
                    t,
                    "meta",
                    t,
                )
            )
        # baseline: one mobilization story a day over the two weeks before, from the healthy feed
        for i in range(2, 16):
            t = now - timedelta(days=i, hours=3)
            arts.append(
                (
                    f"a-base-{i}",
                    f"story-base-{i}",
                    f"https://healthy.example/b{i}",
                    "healthy-feed",
                    f"Recruitment office news {i}",
                    "Contract soldiers were recruited.",
                    "en",
                    t,
                    "meta",
                    t,
                )
            )
        # a feed that was regular (every 6 hours) and stopped 4 days ago
        for i in range(12):
            t = now - timedelta(days=4) - timedelta(hours=6 * i)
            arts.append(
                (
                    f"a-silent-{i}",
                    f"story-silent-{i}",
                    f"https://silent.example/{i}",
                    "silent-feed",
                    f"Protest report {i}",
                    "People rallied in the square against the war.",
                    "en",
                    t,
                    "meta",
                    t,
                )
            )
        for a in arts:
            con.execute(
                """insert into articles (article_id, story_id, url, canonical_url, origin, source, title, text,
                    lang, authors, published_at, date_source, content_hash, chars, first_seen_at, updated_at,
                    first_run_id, last_run_id)
                   values (?, ?, ?, ?, ?, ?, ?, ?, ?, [], ?, ?, ?, ?, ?, ?, 'run-1', 'run-1')""",
                [
                    a[0],
                    a[1],
                    a[2],
                    a[2],
                    a[2],
                    a[3],
                    a[4],
                    a[5],
                    a[6],
                    a[7],
                    a[8],
                    "h-" + a[0],
                    len(a[5]),
                    a[9],
                    a[9],
                ],
            )
        stories: dict[str, list[tuple]] = {}
        for a in arts:
            stories.setdefault(a[1], []).append(a)
        for sid, copies in stories.items():
            first = copies[0]
            published = min((c[7] for c in copies if c[7] is not None), default=None)
            con.execute(
                """insert into stories values (?, ?, ?, ?, 'run-1', ?, ?, ?, ?)""",
                [
                    sid,
                    first[4],
                    first[0],
                    first[9],
                    published,
                    len(copies),
                    len({c[3] for c in copies}),
                    copies[-1][9],
                ],
            )
        title0 = arts[0][4]
        start = title0.index("Summonses")
        ev_title = {
            "term": "summons*",
            "field": "title",
            "start": start,
            "end": start + len("Summonses"),
            "snippet": title0,
            "weight": 3.0,
        }
        s2 = MOB_TEXT.index("mobilized")
        ev_text = {
            "term": "mobiliz*",
            "field": "text",
            "start": s2,
            "end": s2 + len("mobilized"),
            "snippet": MOB_TEXT[:80],
            "weight": 2.0,
        }
        s3 = MOB_TEXT.index("mobilize resources")  # where the tagger puts it: not "The"
        ev_neg = {
            "term": "mobilize resources",
            "field": "text",
            "start": s3,
            "end": s3 + len("mobilize resources"),
            "snippet": MOB_TEXT[s3 - 20 :],
            "weight": -1.5,
        }
        topics = [
            ("a-mob-1", "mobilization", 6.5, [ev_title, ev_text, ev_neg]),
            ("a-mob-2", "mobilization", 5.0, [ev_text]),
        ]
        for a in arts[3:]:
            topic = "protests" if a[0].startswith("a-silent") else "mobilization"
            topics.append(
                (
                    a[0],
                    topic,
                    4.0,
                    [
                        {
                            "term": "call-up",
                            "field": "text",
                            "start": 0,
                            "end": 4,
                            "snippet": a[5][:40],
                            "weight": 4.0,
                        }
                    ],
                )
            )
        for article_id, topic, score, evidence in topics:
            con.execute(
                "insert into article_topics (article_id, topic, score, evidence,"
                " taxonomy_version, tagged_at, country) values (?, ?, ?, ?, 'v1', ?, 'RU')",
                [article_id, topic, score, evidence, now],
            )
        con.execute(
            """insert into signals (signal_id, kind, topic, story_id, day, score, count_day, baseline, reason,
                run_id, created_at) values
               (?, 'spike', 'mobilization', null, ?, null, 9, 1.0,
                'mobilization spike: 9 stories against a baseline of 1.0 a day', 'run-1', ?),
               (?, 'new_story', 'mobilization', ?, null, 6.5, null, null,
                'new mobilization story (score 6.5, 3 articles): Summonses handed to 300 men in Buryatia',
                'run-1', ?)""",
            [
                SPIKE,
                yesterday,
                now - timedelta(hours=2),
                NEW_STORY,
                STORY,
                now - timedelta(hours=1),
            ],
        )
        for channel, status, err in (
            ("slack", "sent", None),
            ("email", "failed", "SMTP 550 mailbox unavailable"),
            ("log", "sent", None),
        ):
            con.execute(
                "insert into alerts values (?, ?, ?, ?, 1, ?, ?, ?, ?)",
                [
                    f"{NEW_STORY}|{channel}",
                    NEW_STORY,
                    channel,
                    status,
                    err,
                    now - timedelta(hours=11),
                    now - timedelta(hours=11),
                    now - timedelta(hours=10) if status == "sent" else None,
                ],
            )
        # fetch state: a healthy feed, the silent one, and one failing for two days
        for source, url, status, error, checked, ok in (
            (
                "healthy-feed",
                "https://healthy.example/rss",
                200,
                None,
                now - timedelta(minutes=15),
                now - timedelta(minutes=15),
            ),
            (
                "silent-feed",
                "https://silent.example/rss",
                304,
                None,
                now - timedelta(minutes=15),
                now - timedelta(minutes=15),
            ),
            (
                "failing-feed",
                "https://failing.example/rss",
                503,
                "HTTP 503 Service Unavailable",
                now - timedelta(minutes=15),
                now - timedelta(days=2),
            ),
        ):
            con.execute(
                """insert into feed_state (source, url, status, error, checked_at, last_ok_at)
                   values (?, ?, ?, ?, ?, ?)""",
                [source, url, status, error, checked, ok],
            )
        con.execute(
            """insert into ingest_errors (error_id, origin, stage, reason, first_run_id, last_run_id,
                                          first_seen_at, last_seen_at, seen_count, detail) values
               ('e1', 'https://failing.example/rss', 'fetch', 'HTTP 503 Service Unavailable', 'run-1', 'run-1', ?, ?, 7, null),
               ('e2', ?, 'clean', '<img src=x onerror=alert(3)> no text left', 'run-1', 'run-1', ?, ?, 1, '<b>detail</b> at 09:00')""",
            [
                now - timedelta(days=2),
                now - timedelta(minutes=15),
                HOSTILE_URL,
                now - timedelta(hours=2),
                now - timedelta(hours=2),
            ],
        )
        # regions: the story and five of the spike's stories in Buryatia, and a regional spike
        upsert_regions(con, settings)
        for article_id in ("a-mob-1", "a-mob-2", "a-mob-3", *(f"a-spike-{i}" for i in range(5))):
            con.execute(
                "insert into article_regions values (?, 'RU-BU', 3.0, ?, 'test', ?)",
                [
                    article_id,
                    [
                        {
                            "term": "бурят*",
                            "field": "text",
                            "start": 0,
                            "end": 4,
                            "snippet": "Buryatia",
                            "weight": 3.0,
                        }
                    ],
                    now,
                ],
            )
        con.execute(
            """insert into signals (signal_id, kind, topic, region, day, count_day, baseline,
                reason, run_id, created_at)
               values (?, 'region_spike', 'mobilization', 'RU-BU', ?, 5, 0.0,
                'mobilization in Buryatia (RU-BU): 5 stories', 'run-cli', ?)""",
            [REGION_SPIKE, yesterday, now - timedelta(hours=3)],
        )
        con.execute(
            """insert into pipeline_runs (run_id, trigger, made_by, started_at, status,
                airflow_run_id) values
               ('run-1', 'airflow', 'news_ingest', ?, 'success', ?),
               ('run-cli', 'cli', 'newsmon ingest', ?, 'success', null)""",
            [now - timedelta(hours=4), AIRFLOW_RUN, now - timedelta(hours=4)],
        )
        publish(con, settings)  # the console reads only the analyst copy, as in production
    return {
        "now": now,
        "story": STORY,
        "spike": SPIKE,
        "new_story": NEW_STORY,
        "settings": settings,
    }
