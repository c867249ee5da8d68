"""Takes the phone screenshots docs/operating.md shows (docs/phone-search.png, docs/phone-item.png): the
shipped content built with the stand-in embedder, served on a free local port, photographed at
390×844 by Debian's chromium through Playwright (as the browser tests do). The item page is the one
whose facts come lowest on a phone (a package), shown down to 1,200 px: all six facts are in it.

    .venv/bin/python scripts/phone_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PHONE = {"width": 390, "height": 844}
# name: (path, height shown: one screen, or the page's first 1,200 px)
SHOTS = {"phone-search.png": ("/search?q=noise", 844), "phone-item.png": ("/items/SPP-0003", 1200)}


def main() -> None:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from indexer.bundle.build import build
    from indexer.bundle.embeddings import make_embedder
    from nis_library import create_app
    from nis_library.state.database import database_url, make_engine
    from nis_library.state.migrate import upgrade

    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder) / "instance"
        build(ROOT / "content", instance, embedder=make_embedder("hashing"))
        state = database_url(None, instance)  # a state store of its own, migrated (the app requires it)
        engine = make_engine(state)
        upgrade(engine)
        engine.dispose()
        app = create_app({"INSTANCE_DIR": str(instance), "DATABASE_URL": state})
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                page = browser.new_context(viewport=PHONE).new_page()
                for name, (path, height) in SHOTS.items():
                    page.goto(f"http://127.0.0.1:{server.server_port}{path}")
                    shown = {"x": 0, "y": 0, "width": PHONE["width"], "height": height}
                    page.screenshot(path=ROOT / "docs" / name, full_page=True, clip=shown)
                    print(f"docs/{name}: {path}")
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
