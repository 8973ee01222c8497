# newsmon's image: the pinned Airflow image with the project and its frozen constraints
# installed into the image at build time (nothing pip-installed when a container starts).
FROM apache/airflow:3.3.2-python3.11

ENV NEWSMON_HOME=/opt/newsmon \
    NEWSMON_DB=/opt/newsmon/data/news.duckdb

USER root
RUN mkdir -p /opt/newsmon/data && chown -R airflow:root /opt/newsmon
USER airflow

# dependencies first, so a code change does not reinstall them
COPY --chown=airflow:root requirements.txt constraints.txt /opt/newsmon/
RUN pip install --no-cache-dir -r /opt/newsmon/requirements.txt -c /opt/newsmon/constraints.txt

# the project itself, editable: include/config and include/sql stay beside the package,
# and the newsmon command and the alert channels' entry point are registered
COPY --chown=airflow:root pyproject.toml README.md /opt/newsmon/
COPY --chown=airflow:root include /opt/newsmon/include
RUN pip install --no-cache-dir --no-deps -e /opt/newsmon

COPY --chown=airflow:root dags /opt/airflow/dags
COPY --chown=airflow:root plugins /opt/airflow/plugins
WORKDIR /opt/newsmon
