"""The analyst console: pages over the analyst copy (overview, signal and story, search,
sources) served by a small FastAPI app that an Airflow plugin mounts into the UI.

:mod:`~newsmon.console.queries` reads, :mod:`~newsmon.console.chart` draws SVG,
:mod:`~newsmon.console.pages` renders HTML and CSV, :mod:`~newsmon.console.app` routes.
Nothing here imports Airflow: the plugin passes Airflow's auth dependencies in.
"""
