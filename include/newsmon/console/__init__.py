"""The analyst console: pages over the analyst copy (overview, signal and story, search,
sources, watchlists) served by a small FastAPI app that an Airflow plugin mounts into the UI.

:mod:`~newsmon.console.queries` reads, one module per page (``overview_figures``,
``stories``, ``search``, ``sources``, ``watchlists``, and ``reading`` for what they share);
:mod:`~newsmon.console.chart` draws SVG; :mod:`~newsmon.console.pages` renders HTML and CSV;
:mod:`~newsmon.console.views` routes, one router per page (``overview``, ``signal``,
``story``, ``search``, ``sources``, ``watchlists``, ``feeds``, ``export`` for the CSV downloads, with ``state`` and
``respond`` shared); :mod:`~newsmon.console.app` wires them into the app.
Nothing here imports Airflow: the plugin passes Airflow's auth dependencies in.
"""
