"""newsmon: monitor news about Russia's war against Ukraine for domestic signals.

An Airflow-free package; one module per stage (load, clean, dedup, tag, store,
signals, alerts) plus the configuration loader, the orchestration in ``pipeline``
and the ``newsmon`` command line in ``cli``. The DAGs in ``dags/`` only wire it.
"""

__version__ = "0.1.0"
