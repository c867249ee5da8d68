"""The bundle's place on disk, and the atomic swap that publishes a new one.

`instance/library` is a symbolic link to `instance/bundles/<name>/`. A build writes a complete new
folder, then replaces the link in one rename, so a reader sees the old bundle or the new one, never
half of either. A reader resolves the link once and keeps that folder: the previous bundle is kept
after a swap so requests in flight can finish.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

LINK_NAME = "library"
BUNDLES_DIR = "bundles"
MANIFEST = "manifest.json"  # written last: a bundle without it is incomplete
DB_NAME = "library.db"
WHOOSH_DIR = "whoosh"
FORMAT = 3  # the bundle layout; readers refuse other formats (2: term matrix, read cache; 3: links)
MODELS_DIR = "models"  # the ONNX export of the embedding model (indexer.bundle.onnx_model), kept across builds
KEEP_BUNDLES = 2  # the current one and the one before it


class BundleError(Exception):
    """The bundle is missing, incomplete or from an incompatible build."""


def link_path(instance: Path) -> Path:
    return Path(instance) / LINK_NAME


def models_dir(instance: Path) -> Path:
    return Path(instance) / MODELS_DIR


def instance_of(bundle: Path) -> Path:
    """The instance folder a bundle folder (instance/bundles/<build>) belongs to."""
    return Path(bundle).parent.parent


def new_bundle_dir(instance: Path) -> Path:
    now = time.time_ns()  # names sort in build order, even within one second
    name = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now // 10**9)) + f".{now % 10**9:09d}-{uuid.uuid4().hex[:6]}"
    path = Path(instance) / BUNDLES_DIR / name
    path.mkdir(parents=True)
    return path


def current_bundle(instance: Path) -> Path | None:
    """The folder `instance/library` points at, if it is a complete bundle of this format."""
    try:
        path = link_path(instance).resolve(strict=True)
        return path if read_manifest(path).get("format") == FORMAT else None
    except (OSError, BundleError):
        return None


def read_manifest(bundle: Path) -> dict:
    try:
        return json.loads((bundle / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BundleError(f"{bundle} is not a complete bundle (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise BundleError(f"{bundle}/{MANIFEST} cannot be read: {exc}") from None


def write_manifest(bundle: Path, manifest: dict) -> None:
    tmp = bundle / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest | {"format": FORMAT}, indent=2), encoding="utf-8")
    os.replace(tmp, bundle / MANIFEST)


def make_current(instance: Path, bundle: Path) -> None:
    """Point `instance/library` at `bundle` in one atomic rename."""
    link = link_path(instance)
    if link.exists() and not link.is_symlink():
        raise BundleError(f"{link} is a real folder, not a link to a bundle: move it away and build again")
    tmp = link.with_name(f".{LINK_NAME}.{uuid.uuid4().hex[:8]}")
    os.symlink(os.path.relpath(bundle, link.parent), tmp)
    os.replace(tmp, link)


def prune(instance: Path, keep: int = KEEP_BUNDLES) -> None:
    """Remove all but the newest `keep` bundles, never the current one."""
    current = current_bundle(instance)
    bundles = sorted((p for p in (Path(instance) / BUNDLES_DIR).iterdir() if p.is_dir()), reverse=True)
    for old in bundles[keep:]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
