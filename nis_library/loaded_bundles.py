"""The bundles this process serves, each loaded once and shared by search and the catalogue.

One entry per instance folder, so the public library and the preview both stay loaded. An entry holds
the parts built from one bundle (the search service, the catalogue), all from the same bundle, and
holds the bundle itself (`bundles.BundleHold`), so no build removes it while this process serves
from it. Every request checks the folder's `library` link (one readlink and a small JSON read): when
a rebuild has moved it, a background thread loads the new bundle's parts and the request waits for
them, up to SWAP_WAIT_SECONDS, so the first answer after a build comes from the new bundle; the old
bundle answers only if the new one cannot be loaded in that time. Then the entry switches and the old
bundle is released.

A new bundle that fails to load (a file briefly unreadable, memory short) is tried again by a later
request, after a backoff that doubles from RETRY_FIRST_SECONDS up to RETRY_MAX_SECONDS: never more
than one load at a time per instance, and never one per request; meanwhile the old bundle answers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from indexer.bundle import location as bundles

log = logging.getLogger(__name__)
Loader = Callable[[Path], object]
RETRY_FIRST_SECONDS = 5.0
RETRY_MAX_SECONDS = 300.0
SWAP_WAIT_SECONDS = 60.0  # how long a request waits for a new bundle before the old one answers


@dataclass
class _Entry:
    bundle: Path
    parts: dict[str, object] = field(default_factory=dict)
    loaders: dict[str, Loader] = field(default_factory=dict)
    hold: bundles.BundleHold | None = None  # keeps a build from removing the bundle while it serves


@dataclass
class _Warming:
    """The background load of an instance's new bundle, and how often it has failed."""

    bundle: Path
    thread: threading.Thread
    failures: int = 0
    retry_at: float = 0.0  # on the cache's clock: not before then


class LoadedBundles:
    def __init__(self, clock: Callable[[], float] = time.monotonic, swap_wait: float = SWAP_WAIT_SECONDS) -> None:
        self.swap_wait = swap_wait
        self._entries: dict[Path, _Entry] = {}
        self._lock = threading.Lock()  # guards the dictionaries, never held while loading
        self._load_locks: dict[Path, threading.Lock] = {}  # one load at a time per instance
        self._warming: dict[Path, _Warming] = {}
        self._clock = clock

    def get(self, instance: Path, part: str, loader: Loader) -> object:
        """`part` of the bundle `instance/library` serves, loaded by `loader(bundle_dir)` the first
        time; after a swap, the old bundle's until the new one is loaded in the background."""
        instance = Path(instance).absolute()
        current = _current_or_error(instance)
        with self._lock:
            entry = self._entries.get(instance)
            if entry is not None and entry.bundle == current and part in entry.parts:
                return entry.parts[part]
            # A rebuild, whether or not this part was loaded yet: move the entry to the new bundle
            # first, so a part loaded now never comes from the old one.
            warming = self._start_warming(instance, current, entry) if entry and entry.bundle != current else None
        if warming is not None:
            warming.thread.join(self.swap_wait)
        with self._lock:
            entry = self._entries.get(instance)
            if entry is not None and part in entry.parts:
                return entry.parts[part]  # the new bundle's; the old one's only if the new failed to load
            load_lock = self._load_locks.setdefault(instance, threading.Lock())
        with load_lock:  # first use of this part: the caller waits, once
            with self._lock:
                entry = self._entries.get(instance)
                if entry is not None and part in entry.parts:
                    return entry.parts[part]
                bundle = entry.bundle if entry is not None else current  # an entry's parts share a bundle
            hold = bundles.BundleHold(bundle)
            try:
                value = loader(bundle)
            except BaseException:
                hold.release()
                raise
            with self._lock:
                entry = self._entries.get(instance)
                if entry is None or entry.bundle != bundle:  # replaced meanwhile: start afresh
                    self._replace(instance, _Entry(bundle, hold=hold))
                    entry = self._entries[instance]
                else:
                    hold.release()  # the entry holds this bundle already
                entry.parts[part] = value
                entry.loaders[part] = loader
            return value

    def bundle(self, instance: Path) -> Path | None:
        """The bundle the instance's entry answers from now."""
        entry = self._entries.get(Path(instance).absolute())
        return entry.bundle if entry else None

    def wait_until_warm(self, instance: Path, timeout: float | None = None) -> None:
        """Wait for a background load of the instance's new bundle, if one is running."""
        warming = self._warming.get(Path(instance).absolute())
        if warming is not None:
            warming.thread.join(timeout)

    def clear(self) -> None:
        with self._lock:
            for instance in list(self._entries):
                self._replace(instance, None)

    def _replace(self, instance: Path, entry: _Entry | None) -> None:
        """Put `entry` in the instance's place (called with the lock held), releasing the bundle the
        old entry held. Requests still using the old parts finish: the bundle is removed only by a
        later build, and only once no process holds it."""
        old = self._entries.pop(instance, None)
        if entry is not None:
            self._entries[instance] = entry
        if old is not None and old.hold is not None and (entry is None or entry.bundle != old.bundle):
            old.hold.release()

    def _start_warming(self, instance: Path, bundle: Path, entry: _Entry) -> _Warming | None:
        """Load `bundle`'s parts in a thread (called with the lock held): once, unless it failed,
        then again once its backoff has passed. The load under way, or None while backing off."""
        warming = self._warming.get(instance)
        failures = 0
        if warming is not None and warming.bundle == bundle:
            if warming.thread.is_alive():
                return warming
            if self._clock() < warming.retry_at:
                return None
            failures = warming.failures
        loaders = dict(entry.loaders)
        thread = threading.Thread(
            target=self._warm, args=(instance, bundle, loaders), name=f"load bundle {bundle.name}", daemon=True
        )
        self._warming[instance] = warming = _Warming(bundle, thread, failures)
        thread.start()
        return warming

    def _warm(self, instance: Path, bundle: Path, loaders: dict[str, Loader]) -> None:
        hold = None
        try:
            hold = bundles.BundleHold(bundle)
            parts = {name: load(bundle) for name, load in loaders.items()}
        except Exception:  # keep serving the old bundle; a later request tries again
            if hold is not None:
                hold.release()
            with self._lock:
                warming = self._warming[instance]
                warming.failures += 1
                wait = min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2 ** (warming.failures - 1))
                warming.retry_at = self._clock() + wait
            log.exception(
                "cannot load the new bundle %s; still serving the previous one, trying again in %.0fs", bundle, wait
            )
            return
        with self._lock:
            self._replace(instance, _Entry(bundle, parts, loaders, hold))  # the old bundle is released


def _current_or_error(instance: Path) -> Path:
    current = bundles.current_bundle(instance)
    if current is None:
        link = bundles.link_path(instance)
        reason = (
            "is missing" if not link.exists() and not link.is_symlink() else "is incomplete or from another version"
        )
        raise bundles.BundleError(f"The search bundle at {link} {reason}. Run 'nis build' to build it.")
    return current


LOADED = LoadedBundles()  # the process's one cache
