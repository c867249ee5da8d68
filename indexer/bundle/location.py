"""The bundle's place on disk, and the atomic swap that publishes a new one.

`instance/library` is a symbolic link to `instance/bundles/<name>/`. A build writes a complete new
folder, then replaces the link in one rename, so a reader sees the old bundle or the new one, never
half of either. A reader resolves the link once and keeps that folder, and holds it (`BundleHold`: a
shared lock on the bundle's `.in-use` file) while it serves from it: a build removes old bundles, but
never one a process still holds, so a worker that has not yet moved to the new bundle never finds its
bundle gone.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

LINK_NAME = "library"
BUNDLES_DIR = "bundles"
MANIFEST = "manifest.json"  # written last: a bundle without it is incomplete
DB_NAME = "library.db"
WHOOSH_DIR = "whoosh"
FORMAT = 4  # the bundle layout; readers refuse other formats (2: term matrix, read cache; 3: links;
# 4: item sections stored rendered)
MODELS_DIR = "models"  # the ONNX export of the embedding model (indexer.bundle.onnx_model), kept across builds
KEEP_BUNDLES = 2  # the current one and the one before it (and any a process still holds)
IN_USE = ".in-use"  # readers hold a shared lock on it; a build removes a bundle only if it gets it alone


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
    (path / IN_USE).touch()  # readers lock it read-only: the server needs no write access here
    return path


def current_bundle(instance: Path) -> Path | None:
    """The folder `instance/library` points at, if it is a complete bundle of this format."""
    try:
        path = link_path(instance).resolve(strict=True)
        return path if read_manifest(path).get("format") == FORMAT else None
    except (OSError, BundleError):
        return None


def read_manifest(bundle: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((bundle / MANIFEST).read_text(encoding="utf-8"))
        return manifest
    except FileNotFoundError:
        raise BundleError(f"{bundle} is not a complete bundle (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise BundleError(f"{bundle}/{MANIFEST} cannot be read: {exc}") from None


def write_manifest(bundle: Path, manifest: dict[str, Any]) -> None:
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
    """Remove all but the newest `keep` bundles: never the current one, nor one a process holds."""
    current = current_bundle(instance)
    bundles = sorted((p for p in (Path(instance) / BUNDLES_DIR).iterdir() if p.is_dir()), reverse=True)
    for old in bundles[keep:]:
        if old != current:
            _remove_unless_held(old)


def _remove_unless_held(bundle: Path) -> None:
    try:
        handle = open(bundle / IN_USE, "rb")
    except FileNotFoundError:  # never held (built before holds, or never served)
        shutil.rmtree(bundle, ignore_errors=True)
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # a process still serves from it: the next build tries again
        shutil.rmtree(bundle, ignore_errors=True)


class BundleHold:
    """A process's hold on a bundle while it serves from it: a shared lock on the bundle's `.in-use`
    file, released by `release()` (or when the process ends, as the system drops its locks)."""

    def __init__(self, bundle: Path):
        self.bundle = Path(bundle)
        # A plain descriptor: a hold may rightly last as long as the process, and the system drops
        # the lock when the process ends (a file object would warn at exit that it was left open).
        try:
            self._fd: int | None = os.open(self.bundle / IN_USE, os.O_RDONLY)
        except FileNotFoundError:  # a bundle built before holds: make its lock file
            self._fd = os.open(self.bundle / IN_USE, os.O_RDONLY | os.O_CREAT, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
