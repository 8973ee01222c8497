"""newsmon: monitor news about Russia's war against Ukraine for domestic signals.

An Airflow-free package with one subpackage per leg of an article's way:
``read`` (files and pages to documents), ``fetch`` (sources on the network),
``article`` (cleaning, language, identity), ``tagging`` (topics, regions, countries),
``storage`` (the DuckDB file), ``alerting`` (signals and alerts), ``flows`` (the
stages in order), ``cli`` and ``console``. Shared by all: ``config``, ``records``,
``staging`` and small utilities. The DAGs in ``dags/`` only wire it.
"""

__version__ = "0.1.0"
