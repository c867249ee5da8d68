"""gunicorn settings for the NIS Library: `gunicorn -c python:nis_library.gunicorn_conf ...`.

Each worker loads the search bundle and the embedding model, and embeds one query, before it takes
requests, so the first teacher to search does not wait seconds for the model to load.
"""

from __future__ import annotations

from pathlib import Path


def post_worker_init(worker) -> None:
    from indexer.bundle.location import BundleError
    from nis_library.search import get_service

    instance = Path(worker.wsgi.config["INSTANCE_DIR"])
    try:
        get_service(instance).embed_query("warm up")
    except BundleError as missing:  # serve anyway: pages say the library is not available
        worker.log.warning("not warmed up: %s", missing)
