"""The shipped library built with the real model, once per test run however many test files (and
xdist workers) ask for it: a build embeds about 1,400 texts (most of a minute), and the int8 build
was made three times a run, in two files. The ONNX exports are shared the same way (the exporter
takes a file lock itself, so a second worker waits and reuses the first's).

The pytest-xdist pattern for once-a-run work: every worker's temporary folder sits in one folder
for the run, and a file lock makes the first to ask do the work while the others wait. Each build
is keyed by its embedder and a hash of content/, so nothing is ever reused across different
content."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from filelock import FileLock

from indexer.bundle.build import build
from indexer.bundle.embeddings import Embedder
from tests.support import REPO


def run_folder(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The folder every worker of this run shares (the worker's own under plain pytest)."""
    own = tmp_path_factory.getbasetemp()
    return own if worker_id == "master" else own.parent


def shared_models(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """Where the ONNX exports of this run are made once."""
    return run_folder(tmp_path_factory, worker_id) / "real-model-exports"


def shipped_bundle(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The bundle of the shipped content/ built with `embedder`, built once this run."""
    key = f"{embedder.name}-{_content_hash()}"
    instance = run_folder(tmp_path_factory, worker_id) / "real-model-builds" / key
    instance.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(instance) + ".lock"):
        done = instance / "built-bundle"
        if not done.exists():
            report = build(REPO / "content", instance, embedder=embedder)
            done.write_text(str(report.bundle))
        return Path(done.read_text())


def _content_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted((REPO / "content").rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
