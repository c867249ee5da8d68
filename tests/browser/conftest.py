"""Real-browser test fixtures: a search bundle built from the shipped content with the fast,
deterministic embedder, the app served by werkzeug in a background thread, and Debian's chromium
driven by Playwright (never a downloaded browser).

Every page a test opens is watched: a console message of type "error" (chromium reports any
Content-Security-Policy violation there, and htmx logs its request errors there) or an uncaught
page error fails the test (see `support.PageProblems`)."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from . import support

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle of the shipped content, built once for the session."""
    from indexer.bundle.build import build
    from indexer.bundle.embeddings import make_embedder

    instance = tmp_path_factory.mktemp("browser") / "instance"
    build(support.CONTENT, instance, embedder=make_embedder("hashing"))
    return instance


def buffered(app):
    """Reads each response body (and closes it) before the server starts sending. Werkzeug's
    development server skips the body's close() when the browser resets the connection, say when a
    test closes its context while a static file is still loading; the open file would then raise a
    ResourceWarning (an error under filterwarnings=error) in whichever test happens to be running."""

    def middleware(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return middleware


@contextlib.contextmanager
def serving(app, name: str = "nis-live-server"):
    """`app` on a free local port in a thread; yields its base URL (no trailing slash), and on the
    way out stops the server and closes the app's state store connections."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["nis_state_engine"].dispose()


@pytest.fixture(scope="session")
def live_server(instance_dir: Path):
    """The app on a free local port; yields its base URL (no trailing slash)."""
    from nis_library import create_app

    with serving(create_app({"INSTANCE_DIR": str(instance_dir), "TESTING": True})) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def make_context(browser: Browser, live_server: str):
    """Opens browser contexts for one test (`make_context(java_script_enabled=False)`, ...); every
    one is watched for console errors, and closed after the test."""
    opened: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(TIMEOUT_MS)
        support.watch(context)
        opened.append(context)
        return context

    yield make
    problems = []
    for context in opened:
        context.close()
        problems.append(support.forget(context))
    for found in problems:
        found.check()


@pytest.fixture
def page(make_context) -> Page:
    """A page with JavaScript on, under the app's real Content-Security-Policy."""
    return make_context().new_page()


@pytest.fixture
def nojs_page(make_context) -> Page:
    """A page with JavaScript switched off: the service must work as plain HTML forms and links."""
    return make_context(java_script_enabled=False).new_page()
