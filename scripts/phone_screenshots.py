"""Takes the phone screenshots the README shows (docs/phone-search.png, docs/phone-item.png): the
shipped content built with the stand-in embedder, served on a free local port, photographed at
390×844 by Debian's chromium through Playwright (as the browser tests do).

    .venv/bin/python scripts/phone_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHOTS = {"phone-search.png": "/search?q=noise", "phone-item.png": "/items/INT-0501"}


def main() -> None:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from indexer.bundle.build import build
    from indexer.bundle.embeddings import make_embedder
    from nis_library import create_app

    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder) / "instance"
        build(ROOT / "content", instance, embedder=make_embedder("hashing"))
        server = make_server("127.0.0.1", 0, create_app({"INSTANCE_DIR": str(instance)}), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
                for name, path in SHOTS.items():
                    page.goto(f"http://127.0.0.1:{server.server_port}{path}")
                    page.screenshot(path=ROOT / "docs" / name)
                    print(f"docs/{name}: {path}")
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
