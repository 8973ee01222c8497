"""What each console page shows, read from the analyst copy by the SQL in
``include/sql/queries/console``. Functions take an open read-only connection and return
plain rows (dicts); the time they judge by (``now``) is a parameter, so a test can fix it.

One module per page: :mod:`~newsmon.console.queries.overview_figures` (the overview),
:mod:`~newsmon.console.queries.stories` (a signal's and a story's page),
:mod:`~newsmon.console.queries.search` and :mod:`~newsmon.console.queries.sources`; what
they all use is in :mod:`~newsmon.console.queries.reading`. The names are gathered here, so
a caller reads ``queries.overview(...)``, ``queries.sources_page(...)``.
"""

from newsmon.console.queries.overview_figures import WINDOWS, Overview, overview
from newsmon.console.queries.reading import has, rows, utcnow
from newsmon.console.queries.search import choices, search_page
from newsmon.console.queries.sources import (
    ACTIVITY_DAYS,
    MIN_ARRIVALS,
    SILENT_FACTOR,
    SILENT_MIN,
    errors,
    judge,
    source_trouble,
    sources_page,
    span,
)
from newsmon.console.queries.stories import (
    EvidenceLine,
    SignalPage,
    StoryPage,
    marked,
    signal_page,
    story_page,
)
from newsmon.console.queries.watchlists import story_watchlists, watchlists_page

__all__ = [
    "story_watchlists",
    "watchlists_page",
    "ACTIVITY_DAYS",
    "MIN_ARRIVALS",
    "SILENT_FACTOR",
    "SILENT_MIN",
    "WINDOWS",
    "EvidenceLine",
    "Overview",
    "SignalPage",
    "StoryPage",
    "choices",
    "errors",
    "has",
    "judge",
    "marked",
    "overview",
    "rows",
    "search_page",
    "signal_page",
    "source_trouble",
    "sources_page",
    "span",
    "story_page",
    "utcnow",
]
