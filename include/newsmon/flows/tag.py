"""The tag stage: score staged articles that the read stage did not tag already.

The read stage's workers tag as they read, so this finds work only for chunks a fetch batch
or an older version staged untagged; the DAG runs it as its own task all the same.
"""

from __future__ import annotations

import logging
from typing import Any

from newsmon import progress
from newsmon.config import Settings
from newsmon.flows.workers import tag_chunk
from newsmon.parallel import parallel_map
from newsmon.storage.runs import folder
from newsmon.tagging.taxonomy import load_taxonomy

log = logging.getLogger(__name__)


def tag_articles(settings: Settings, run_id: str) -> dict[str, Any]:
    """Score every staged article against the taxonomy, one topics chunk per articles chunk."""
    staged = folder(settings, run_id)
    tax = load_taxonomy(settings.topics_path)
    work = [
        (c, str(p), str(staged.topics_file(c)), settings)
        for c, p in staged.article_chunks()
        if not staged.topics_file(c).exists()  # read_files tags as it reads
    ]
    articles, topics, errors = 0, {}, 0
    if work:  # chunks that read_files or a fetch batch did not tag already
        with progress.stage("tag", total=len(work), unit="chunk") as step:
            for result in parallel_map(tag_chunk, work, settings.ingest.workers, min_items=2):
                articles += result["articles"]
                for topic, n in result["topics"].items():
                    topics[topic] = topics.get(topic, 0) + n
                staged.write_errors(f"tag-{result['chunk']:05d}", result["errors"])
                errors += len(result["errors"])
                step(1)
    counts = {
        "run_id": run_id,
        "articles": articles,
        "taxonomy_version": tax.version,
        "topics": topics,
        "errors": errors,
    }
    log.info("tag %s: %s", run_id, counts)
    return counts
