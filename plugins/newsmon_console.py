"""newsmon's analyst console in the Airflow UI: a "newsmon" entry in the navigation that
opens the console's pages (overview, signals and stories, search, sources).

Wiring only: the pages live in ``newsmon.console`` (include/). The FastAPI app is mounted by
Airflow's API server at ``/newsmon``; every route requires an Airflow login that may see the
website and read the newsmon DAGs (Airflow's own ``requires_access_view`` and
``requires_access_dag``), so a request without one gets 401/403 and no data.
"""

from __future__ import annotations

from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
from airflow.api_fastapi.core_api.security import requires_access_dag, requires_access_view
from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends

from newsmon.console.app import create_app

console = create_app(
    dependencies=[
        Depends(requires_access_view(AccessView.WEBSITE)),
        Depends(requires_access_dag("GET", param_dag_id="news_ingest")),
    ]
)


class NewsmonConsolePlugin(AirflowPlugin):
    name = "newsmon"
    fastapi_apps = [{"app": console, "url_prefix": "/newsmon", "name": "newsmon console"}]
    external_views = [
        {
            "name": "newsmon",
            "href": "newsmon/",  # relative: Airflow prefixes its own base URL
            "url_route": "newsmon",
            "destination": "nav",
            "nav_top_level": True,  # its own entry in the navigation, not under Plugins
        }
    ]
