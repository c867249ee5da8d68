"""Configuration: defaults here, then `instance/config.py` if present, then `NIS_*` environment
variables (`NIS_CONTENT_DIR=/srv/content`, `NIS_RESULTS_PER_PAGE=30`), then a test's overrides."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def content_dir() -> Path:
    """`NIS_CONTENT_DIR`, or the `content/` folder of this checkout."""
    return Path(os.environ.get("NIS_CONTENT_DIR") or PROJECT_ROOT / "content")


def templates_dir() -> Path:
    """Inside the package, so an installed wheel serves them (`templates/` in a checkout links here)."""
    return Path(__file__).resolve().parent / "templates"


def instance_dir() -> Path:
    """`NIS_INSTANCE_DIR`, or `instance/` in this checkout: the bundle and mutable state live here."""
    return Path(os.environ.get("NIS_INSTANCE_DIR") or PROJECT_ROOT / "instance")


def preview_dir(instance: Path) -> Path:
    """The preview's own instance folder: its bundle is built from the working copies."""
    return Path(instance) / "preview"


class Defaults:
    """Every setting the app reads, with its default."""

    SERVICE_NAME = "NIS Library"
    CONTENT_DIR = str(content_dir())
    INSTANCE_DIR = str(instance_dir())
    # /preview serves the working copies, drafts marked, for the panel; off for the public service.
    PREVIEW = False
    RESULTS_PER_PAGE = 20
    ITEMS_PER_LAYER = 30            # on an area page, before "see all" links to the search
    STATIC_MAX_AGE = 31536000       # seconds, for fingerprinted static files
    # htmx 2 settings for the strict Content-Security-Policy: no eval, no injected styles; Back
    # reloads the page from the server, so the URL alone decides what a page shows.
    HTMX_CONFIG = {"allowEval": False, "allowScriptTags": False, "includeIndicatorStyles": False,
                   "historyCacheSize": 0, "refreshOnHistoryMiss": True, "selfRequestsOnly": True,
                   "defaultSettleDelay": 0}
