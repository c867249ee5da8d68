"""The ONNX Runtime embedder: its exported model cache, its thread budget, and its vectors against
the torch model's. Real model: the export runs torch on the packaged weights (a few seconds)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from indexer.bundle import compute_threads, onnx_model
from indexer.bundle.embeddings import MINILM_SHA256, MiniLMEmbedder, OnnxMiniLMEmbedder
from nis_library.search.quality import load_judgements
from tests.support import REPO

pytestmark = pytest.mark.real_model


class Exports:
    """Counts the exports `onnx_model.export` really performs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.count = 0
        real = onnx_model.export

        def counting(model_dir, path):
            self.count += 1
            real(model_dir, path)

        monkeypatch.setattr(onnx_model, "export", counting)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, int, OnnxMiniLMEmbedder]:
    """A models folder exported into by the first of two embedders; the export count."""
    models = tmp_path_factory.mktemp("models")
    with pytest.MonkeyPatch.context() as monkeypatch:
        exports = Exports(monkeypatch)
        OnnxMiniLMEmbedder(models)
        embedder = OnnxMiniLMEmbedder(models)
    return models, exports.count, embedder


def test_the_export_is_a_model_onnx_runtime_loads_and_the_second_embedder_reuses_it(exported):
    models, exports, _ = exported
    path = onnx_model.cached_path(models, MINILM_SHA256)
    assert exports == 1
    assert sorted(p.name for p in models.iterdir()) == [path.name, path.name + ".lock"]  # no temporary left
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == list(onnx_model.INPUTS)


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_cached_model_is_exported_again(exported, tmp_path, monkeypatch, damage):
    models, _, good = exported
    cached = onnx_model.cached_path(tmp_path, MINILM_SHA256)
    if damage == "truncated":  # as a copy interrupted half way would leave it
        shutil.copyfile(onnx_model.cached_path(models, MINILM_SHA256), cached)
        with open(cached, "r+b") as handle:
            handle.truncate(cached.stat().st_size // 2)
    else:
        cached.write_bytes(b"not a model")
    exports = Exports(monkeypatch)
    embedder = OnnxMiniLMEmbedder(tmp_path)
    assert exports.count == 1
    assert cached.stat().st_size == onnx_model.cached_path(models, MINILM_SHA256).stat().st_size
    text = ["pupil struggles to follow spoken instructions"]
    assert float(embedder.embed(text)[0] @ good.embed(text)[0]) > 0.99999


def test_the_session_holds_to_the_thread_budget(exported, monkeypatch):
    monkeypatch.setattr(compute_threads, "_budget", 2)
    options = OnnxMiniLMEmbedder(exported[0]).session.get_session_options()
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (2, 2)
    assert options.execution_mode == ort.ExecutionMode.ORT_SEQUENTIAL


def test_the_vectors_are_the_torch_models(exported):
    onnx = exported[2]
    queries = [q.query for q in load_judgements(REPO / "tests" / "data" / "judged_queries.yaml")]
    items = [path.read_text(encoding="utf-8") for path in sorted((REPO / "content" / "items").rglob("*.md"))[:20]]
    texts = [*queries, *items, "", "   padded   "]  # items run past the 256 word pieces: both cut there
    torch_vectors, onnx_vectors = MiniLMEmbedder().embed(texts), onnx.embed(texts)
    assert onnx_vectors.shape == torch_vectors.shape == (len(texts), 384)
    assert onnx_vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    assert float(np.min(np.sum(onnx_vectors * torch_vectors, axis=1))) >= 0.9999


def test_queries_are_shortened_as_the_torch_model_does(exported):
    text = "my pupil cannot remember what the teacher just said and gets lost in multi-step tasks " * 4
    shortened = exported[2].shorten(text, 12)
    assert shortened == MiniLMEmbedder().shorten(text, 12) and len(shortened) < len(text)
    assert exported[2].shorten("short query", 12) == "short query"
