"""Airflow glue for newsmon: DAG defaults, the Slack and email channels, failure notifications.

Kept apart from ``newsmon`` so that package never imports Airflow. Everything here that a
DAG file imports at parse time (``defaults``) stays light; provider hooks are imported
inside the functions that send.
"""
