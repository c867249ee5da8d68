"""The process's compute-thread budget: how many threads torch (the embedding model), OpenMP and BLAS
(numpy, scipy) may use.

Left alone, each of them starts one thread per core. Two gunicorn workers on two cores then run four
or more busy threads that fight each other and the web threads: 16 clients searching for different
things got 16 searches/s, and 53/s with each process held to one thread (docs/benchmarks.md). `set_budget` fixes the budget for the process;
`apply` enforces it on every pool loaded so far, and the embedder calls it again after it imports
torch. The environment variables are set too, so libraries loaded later (and child processes) start
with the budget instead of one thread per core. ONNX Runtime takes the budget per session (see
onnx_model.session_options); its sessions are registered here so that `report` lists them too.
"""

from __future__ import annotations

import os
import sys
import weakref
from typing import Protocol

from threadpoolctl import threadpool_info, threadpool_limits

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
_budget: int | None = None


class _OnnxOptions(Protocol):
    intra_op_num_threads: int
    inter_op_num_threads: int


class OnnxSession(Protocol):
    """What `report` reads of an ONNX Runtime InferenceSession (imported only where one is made)."""

    def get_session_options(self) -> _OnnxOptions: ...


# ONNX Runtime has no process-wide view of its pools: each session has its own, sized at creation.
_onnx_sessions: weakref.WeakSet[OnnxSession] = weakref.WeakSet()


def environment(threads: int) -> dict[str, str]:
    """The variables that size OpenMP, MKL and OpenBLAS pools when their libraries load."""
    return {name: str(threads) for name in THREAD_VARIABLES}


def set_budget(threads: int) -> None:
    """Hold this process to `threads` compute threads from now on."""
    global _budget
    if threads < 1:
        raise ValueError(f"a thread budget of {threads} is less than 1")
    _budget = threads
    os.environ.update(environment(threads))
    apply()


def ensure_budget(default: int = 1) -> int:
    """The budget, set to `default` if nobody has set one (a command-line search, a script)."""
    if _budget is None:
        set_budget(default)
        return default
    return _budget


def budget() -> int | None:
    return _budget


def apply() -> None:
    """Enforce the budget on every pool loaded by now (no-op without a budget)."""
    if _budget is None:
        return
    threadpool_limits(limits=_budget)  # OpenMP and BLAS, every library loaded so far
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(_budget)
        try:
            torch.set_num_interop_threads(_budget)
        except RuntimeError:  # only settable before torch's first parallel work; it then stays
            pass


def register_onnx_session(session: OnnxSession) -> None:
    """Count an ONNX Runtime InferenceSession's pools in `report` while it lives."""
    _onnx_sessions.add(session)


def report() -> dict[str, int]:
    """The largest pool of each kind in this process, as the libraries themselves report it."""
    pools: dict[str, int] = {}
    for pool in threadpool_info():
        api = pool["user_api"]
        pools[api] = max(pools.get(api, 0), pool["num_threads"])
    torch = sys.modules.get("torch")
    if torch is not None:
        pools["torch"] = torch.get_num_threads()
        pools["torch interop"] = torch.get_num_interop_threads()
    for session in list(_onnx_sessions):
        options = session.get_session_options()
        for name, threads in (
            ("onnxruntime", options.intra_op_num_threads),
            ("onnxruntime interop", options.inter_op_num_threads),
        ):
            # 0 is ONNX Runtime's "its default": a thread per core.
            pools[name] = max(pools.get(name, 0), threads or os.cpu_count() or 1)
    return pools
