"""gunicorn settings for the NIS Library: `gunicorn -c python:nis_library.gunicorn_conf 'nis_library:create_app()'`.

Sized to the machine: `WORKERS` processes (default one per core), each held to `COMPUTE_THREADS`
compute threads (default 1) for the model and BLAS. Unbounded, every worker's torch starts a thread
per core, and on two cores two workers embedding different queries fought each other: 16 searches a
second at 16 clients instead of 53 (docs/benchmarks.md).

Each worker loads the search bundle and the embedding model, and embeds one query, before it takes
requests, so the first teacher to search does not wait seconds for the model to load.
"""

from __future__ import annotations

import os
from pathlib import Path

from gunicorn.http import wsgi

from indexer.bundle import compute_threads
from nis_library.settings import load_settings


def cores() -> int:
    """CPU cores this process may run on (a container's or taskset's limit, not the machine's)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


_settings = load_settings()
COMPUTE_THREADS: int = _settings["COMPUTE_THREADS"]
workers = _settings["WORKERS"] or cores()
# Set in the master, before any worker imports torch or numpy: their pools are sized when they load.
os.environ.update(compute_threads.environment(COMPUTE_THREADS))

# Requests: the longest real address is a search with every filter ticked and a 300-character query,
# percent-encoded: about 3 KB, more in non-Latin scripts (up to 9 bytes a character), so the line may
# take gunicorn's maximum, as nginx's default buffers do. Browsers send about 15 headers and the
# service sets no cookies. Anything bigger is refused before the app sees it (414 / 400).
limit_request_line = 8190  # bytes in the request line (method, URL, version)
limit_request_fields = 50  # headers per request (a proxy adds a few)
limit_request_field_size = 8190  # bytes per header
timeout = 30  # a worker silent this long is restarted; searches take milliseconds
# gunicorn's control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl): a second server on the
# machine (the preview's, a benchmark) would take it over. Nothing here uses it.
control_socket_disable = True


# gunicorn names itself in a `Server` header on every answer and has no setting to stop it
# (benoitc/gunicorn#825): it tells a scanner what to try. Its own error pages (414, 400) send none.
# Checked against real gunicorn by tests/web/test_gunicorn.py, so an upgrade that moves it is caught.
_default_headers = wsgi.Response.default_headers


def _without_server(response) -> list[str]:
    return [line for line in _default_headers(response) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _without_server


def post_worker_init(worker) -> None:
    from indexer.bundle.location import BundleError
    from nis_library.search import get_service

    compute_threads.set_budget(COMPUTE_THREADS)
    instance = Path(worker.wsgi.config["INSTANCE_DIR"])
    try:
        get_service(instance).embed_query("warm up")
    except BundleError as missing:  # serve anyway: pages say the library is not available
        worker.log.warning("not warmed up: %s", missing)
    pools = ", ".join(f"{name} {n}" for name, n in sorted(compute_threads.report().items()))
    worker.log.info("worker %s compute threads: %s", os.getpid(), pools)
