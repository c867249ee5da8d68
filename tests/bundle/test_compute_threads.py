"""The compute-thread budget's report (each gunicorn worker's start-up log line) lists every pool
the process runs, ONNX Runtime's included. A tiny ONNX graph stands in for the model."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import onnx
import pytest
from onnx import TensorProto, helper

from indexer.bundle import compute_threads, onnx_model


def tiny_graph(path: Path) -> Path:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "tiny", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", onnx_model.OPSET)], ir_version=8)
    onnx.save(model, str(path))
    return path


@pytest.fixture
def budget(monkeypatch):
    monkeypatch.setattr(compute_threads, "_budget", None)
    monkeypatch.setattr(compute_threads, "_onnx_sessions", weakref.WeakSet(), raising=False)


def test_the_report_lists_onnx_runtime_sessions_at_their_budget(budget, tmp_path):
    assert "onnxruntime" not in compute_threads.report()
    session = onnx_model._open(tiny_graph(tmp_path / "tiny.onnx"), threads=2)
    assert session is not None
    pools = compute_threads.report()
    assert (pools["onnxruntime"], pools["onnxruntime interop"]) == (2, 2)


def test_a_session_without_a_budget_is_reported_at_onnx_runtimes_default(budget, tmp_path, monkeypatch):
    monkeypatch.setattr(compute_threads.os, "cpu_count", lambda: 7)
    session = onnx_model._open(tiny_graph(tmp_path / "tiny.onnx"), threads=None)
    assert session is not None and compute_threads.report()["onnxruntime"] == 7  # 0 means one per core


def test_a_released_session_is_no_longer_reported(budget, tmp_path):
    session = onnx_model._open(tiny_graph(tmp_path / "tiny.onnx"), threads=2)
    assert "onnxruntime" in compute_threads.report()
    del session
    gc.collect()
    assert "onnxruntime" not in compute_threads.report()
