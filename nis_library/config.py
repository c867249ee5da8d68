"""Where things are. Defaults suit a checkout; environment variables override them."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def content_dir() -> Path:
    """`NIS_CONTENT_DIR`, or the `content/` folder of this checkout."""
    return Path(os.environ.get("NIS_CONTENT_DIR") or PROJECT_ROOT / "content")


def templates_dir() -> Path:
    return PROJECT_ROOT / "templates"


def instance_dir() -> Path:
    """`NIS_INSTANCE_DIR`, or `instance/` in this checkout: the bundle and mutable state live here."""
    return Path(os.environ.get("NIS_INSTANCE_DIR") or PROJECT_ROOT / "instance")
